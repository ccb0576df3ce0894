// What an import brings in, whatever file it came from: discussions with their anchor, thread and
// authors by name, checked against the protocol's own rules before anything is written. Also the
// ids an import gives what it brings (stable, so importing a file again finds what the first run
// wrote) and the error that names the first bad record.
import { createHash } from 'node:crypto';
import { AnchorSelectors, EntityId, LIMITS, codePoints, type SelectorT } from '../../lib/protocol';
import { pageKeyFromUrl } from '../../lib/page-key/normalise';

export interface ImportComment {
  id: string;
  author: string;
  text: string;
  at: number;
  editedAt?: number;
}

export interface ImportDiscussion {
  id: string;
  page: string;
  title?: string;
  selectors: SelectorT[];
  /** The opening comment first, then the replies in time order. */
  comments: ImportComment[];
}

/** A record of an import file that cannot be taken in; `record` counts from 1 in file order. */
export class ImportError extends Error {
  constructor(
    readonly record: number,
    readonly recordId: string | null,
    reason: string,
  ) {
    super(`record ${record}${recordId ? ` (${recordId})` : ''}: ${reason}; nothing was imported`);
  }
}

/** An id for what an import brings: the source's own when it is a valid id, else one derived from it. */
export function importedId(sourceId: string): string {
  if (EntityId.safeParse(sourceId).success) return sourceId;
  return `imp-${createHash('sha256').update(sourceId).digest('base64url').slice(0, 22)}`;
}

/** A UUID (version 5 layout) that is the same for the same tenant and write, so a re-import is a duplicate. */
export function importBroadcastId(tenantId: string, ...parts: string[]): string {
  const h = createHash('sha256')
    .update([tenantId, ...parts].join('\u0000'))
    .digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** A time as ISO 8601 (or ms since the epoch); throws a reason when it is neither. */
export function parseTime(value: unknown, what: string): number {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`${what} is not a date (ISO 8601)`);
  return Math.trunc(ms);
}

/** Checks one discussion as a create-chat and add-comment writes would be; throws a reason. */
export function checkDiscussion(d: ImportDiscussion): ImportDiscussion {
  const page = pageKeyFromUrl(d.page);
  if (page === null)
    throw new Error(`the page ${JSON.stringify(d.page.slice(0, 100))} is not an http(s) URL`);
  const anchor = AnchorSelectors.safeParse(d.selectors);
  if (!anchor.success) {
    throw new Error(`its selectors are not a valid anchor (${anchor.error.issues[0]?.message ?? 'invalid'})`);
  }
  if (d.comments.length === 0) throw new Error('it has no comment with text');
  for (const c of d.comments) {
    if (c.text.trim() === '') throw new Error('a comment is empty');
    if (codePoints(c.text) > LIMITS.commentChars) {
      throw new Error(`a comment is longer than ${LIMITS.commentChars} characters`);
    }
    if (c.author.trim() === '') throw new Error('a comment has no author name');
  }
  const title =
    d.title === undefined
      ? undefined
      : Array.from(d.title.replace(/\s+/g, ' ').trim()).slice(0, LIMITS.titleChars).join('');
  return { ...d, page, selectors: anchor.data, ...(title ? { title } : { title: undefined }) };
}
