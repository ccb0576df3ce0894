// What a person typed and has not sent yet: the reply box and the edit box of each discussion, and
// the composer of a new discussion on a selection (keyed by page and anchor). Kept on this browser in
// extension storage (never in the page), one entry per box, so that closing a thread, reloading the
// page or restarting the browser loses nothing; an entry goes when its text is sent or emptied, and
// old or surplus entries are forgotten (`DRAFT_MAX_AGE_MS`, `DRAFT_LIMIT`).
import type { SelectorT } from '@/lib/protocol';

export interface DraftEntry {
  text: string;
  /** When it was last typed in; the oldest go first. */
  at: number;
}

/** Draft key → its entry. */
export type DraftMap = Readonly<Record<string, DraftEntry>>;

/** A draft not touched for this long is forgotten. */
export const DRAFT_MAX_AGE_MS = 30 * 24 * 3_600_000;
/** At most this many drafts are kept; beyond it the least recently typed are forgotten. */
export const DRAFT_LIMIT = 200;

export const replyDraftKey = (discussionId: string): string => `reply ${discussionId}`;
export const editDraftKey = (discussionId: string, commentId: string): string =>
  `edit ${discussionId} ${commentId}`;

/**
 * The composer's key: the page and the anchor of the selection (its quote with context and its
 * position), so that selecting the same text again brings the same draft back. Hashed to stay short:
 * the key holds no text.
 */
export function newDiscussionDraftKey(page: string, selectors: readonly SelectorT[]): string {
  const parts: unknown[] = [];
  for (const s of selectors) {
    if (s.type === 'TextQuoteSelector') parts.push(['q', s.exact, s.prefix ?? '', s.suffix ?? '']);
    else if (s.type === 'TextPositionSelector') parts.push(['p', s.start, s.end]);
  }
  return `new ${page} ${fnv1a(JSON.stringify(parts))}`;
}

/** The edit drafts of one discussion: comment id → key. */
export function editDraftsOf(drafts: DraftMap, discussionId: string): Map<string, string> {
  const prefix = `edit ${discussionId} `;
  const out = new Map<string, string>();
  for (const key of Object.keys(drafts)) if (key.startsWith(prefix)) out.set(key.slice(prefix.length), key);
  return out;
}

/**
 * `drafts` with `key` set to `text` typed at `now` (removed when `text` is blank), without what has
 * expired and within `DRAFT_LIMIT`. Returns null when nothing changes.
 */
export function putDraft(drafts: DraftMap, key: string, text: string, now: number): DraftMap | null {
  const blank = text.trim() === '';
  if (blank ? !(key in drafts) : drafts[key]?.text === text) return null;
  const next: Record<string, DraftEntry> = { ...drafts };
  if (blank) delete next[key];
  else next[key] = { text, at: now };
  return pruneDrafts(next, now);
}

/** `drafts` without the expired entries and, beyond `DRAFT_LIMIT`, the least recently typed. */
export function pruneDrafts(drafts: DraftMap, now: number): DraftMap {
  const live = Object.entries(drafts).filter(
    ([, d]) => now - d.at <= DRAFT_MAX_AGE_MS && d.text.trim() !== '',
  );
  if (live.length > DRAFT_LIMIT) {
    live.sort((a, b) => b[1].at - a[1].at);
    live.length = DRAFT_LIMIT;
  }
  return Object.fromEntries(live);
}

/** 32-bit FNV-1a, as 8 hex digits. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
