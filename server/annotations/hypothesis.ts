// Hypothesis' JSON export (the file its "Export" menu writes): `{ export_date, export_userid,
// client_version, annotations: [...] }`, each annotation as its API returns it: `id`, `created`,
// `updated`, `user` (`acct:name@authority`), `user_info.display_name`, `uri`, `text`, `document.title`
// (a list), `target: [{ source, selector: [...] }]`, and `references` (the ids of the thread it
// answers, root first) on replies. A top-level annotation is a discussion; a reply joins the
// discussion of its root (`references[0]`). Page notes and highlights without text have nothing to
// anchor or say here: they are reported as skipped, not dropped silently.
import { anchorOf } from './w3c';
import {
  checkDiscussion,
  ImportError,
  importedId,
  parseTime,
  type ImportComment,
  type ImportDiscussion,
} from './model';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface Skipped {
  record: number;
  id: string;
  reason: string;
}

/** True when the document looks like a Hypothesis export rather than Web Annotation JSON-LD. */
export function isHypothesisExport(doc: unknown): boolean {
  return isObject(doc) && Array.isArray(doc.annotations) && !('@context' in doc);
}

function authorOf(a: Json): string {
  const info = a.user_info;
  if (isObject(info) && typeof info.display_name === 'string' && info.display_name.trim() !== '')
    return info.display_name;
  const user = typeof a.user === 'string' ? a.user : '';
  return /^acct:([^@]+)@/.exec(user)?.[1] ?? (user || 'Unknown author');
}

export function readHypothesisExport(doc: unknown): { discussions: ImportDiscussion[]; skipped: Skipped[] } {
  if (!isObject(doc) || !Array.isArray(doc.annotations)) {
    throw new ImportError(1, null, 'the file has no "annotations" list (a Hypothesis export has one)');
  }
  const discussions = new Map<string, ImportDiscussion & { record: number }>();
  const replies: { record: number; id: string; root: string; comment: ImportComment }[] = [];
  const skipped: Skipped[] = [];
  doc.annotations.forEach((raw: unknown, i: number) => {
    const record = i + 1;
    const id = isObject(raw) && typeof raw.id === 'string' ? raw.id : null;
    const fail = (reason: string): never => {
      throw new ImportError(record, id, reason);
    };
    if (!isObject(raw)) return fail('it is not an annotation object');
    if (!id) return fail('it has no id');
    let at: number;
    let updated: number | undefined;
    try {
      at = parseTime(raw.created, 'created');
      updated = raw.updated === undefined ? undefined : parseTime(raw.updated, 'updated');
    } catch (err) {
      return fail((err as Error).message);
    }
    const text = typeof raw.text === 'string' ? raw.text : '';
    const comment: ImportComment = {
      id: importedId(id),
      author: authorOf(raw),
      text,
      at,
      ...(updated !== undefined && updated > at && { editedAt: updated }),
    };
    const references = Array.isArray(raw.references)
      ? raw.references.filter((r) => typeof r === 'string')
      : [];
    if (references.length > 0) {
      if (text.trim() === '') return void skipped.push({ record, id, reason: 'a reply without text' });
      replies.push({ record, id, root: references[0] as string, comment });
      return;
    }
    const target = Array.isArray(raw.target) ? raw.target[0] : undefined;
    const source = isObject(target) && typeof target.source === 'string' ? target.source : raw.uri;
    if (typeof source !== 'string') return fail('it has no target source or uri');
    const selectors = isObject(target) && Array.isArray(target.selector) ? anchorOf(target.selector) : [];
    if (!selectors.some((s) => s.type === 'TextQuoteSelector')) {
      return void skipped.push({ record, id, reason: 'a page note (no quote to anchor to)' });
    }
    if (text.trim() === '') return void skipped.push({ record, id, reason: 'a highlight without text' });
    const document = raw.document;
    const titles = isObject(document) && Array.isArray(document.title) ? document.title : [];
    const title = typeof titles[0] === 'string' ? titles[0] : undefined;
    discussions.set(id, {
      id: importedId(id),
      page: source,
      selectors,
      comments: [comment],
      record,
      ...(title !== undefined && { title }),
    });
  });
  for (const r of replies) {
    const d = discussions.get(r.root);
    if (d) d.comments.push(r.comment);
    else
      skipped.push({
        record: r.record,
        id: r.id,
        reason: `a reply to ${r.root}, which is not in the file or was skipped`,
      });
  }
  const out = [...discussions.entries()].map(([id, { record, ...d }]) => {
    d.comments = [d.comments[0]!, ...d.comments.slice(1).sort((a, b) => a.at - b.at)];
    try {
      return checkDiscussion(d);
    } catch (err) {
      throw new ImportError(record, id, (err as Error).message);
    }
  });
  return { discussions: out, skipped: skipped.sort((a, b) => a.record - b.record) };
}
