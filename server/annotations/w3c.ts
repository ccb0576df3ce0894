// The W3C Web Annotation Data Model (https://www.w3.org/TR/annotation-model/) in JSON-LD, both ways.
//
// One Annotation per comment, not one per discussion: the model gives `creator`, `created` and
// `modified` to an Annotation, and every comment has its own author and times, which bodies of one
// Annotation could not carry faithfully. A discussion is the Annotation of its opening comment: it
// targets the page (`target.source`, with the page title as `dcterms:title`) through the anchor's
// selectors, motivation `commenting`. Each reply is an Annotation with motivation `replying` whose
// target is the discussion's Annotation, which is how the model links replies (section 3.3.5 / the
// `replying` motivation); Hypothesis and other clients read replies the same way.
//
// Selectors: TextQuoteSelector and TextPositionSelector as stored; our RangeSelector (XPaths of the
// start and end containers with offsets into them) becomes the model's RangeSelector whose
// `startSelector` and `endSelector` are XPathSelectors refined by a zero-length TextPositionSelector
// at the offset: the range runs from the start of the start selection to the start of the end one.
import { FORMER_MEMBER_NAME, type RangeSelectorT, type SelectorT } from '../../lib/protocol';
import type { DiscussionRecord } from '../store/types';
import {
  checkDiscussion,
  ImportError,
  importedId,
  parseTime,
  type ImportComment,
  type ImportDiscussion,
} from './model';

export const ANNO_CONTEXT = 'http://www.w3.org/ns/anno.jsonld';

type Json = Record<string, unknown>;

const iso = (ms: number) => new Date(ms).toISOString();

/** The IRIs of a discussion and of a comment on this server (`GET` with a token reads them). */
export const discussionIri = (base: string, discussionId: string) =>
  `${base}/api/discussions/${encodeURIComponent(discussionId)}`;
export const commentIri = (base: string, discussionId: string, commentId: string) =>
  `${discussionIri(base, discussionId)}/comments/${encodeURIComponent(commentId)}`;

function exportSelector(s: SelectorT): Json {
  if (s.type !== 'RangeSelector') return { ...s };
  const point = (value: string, offset: number) => ({
    type: 'XPathSelector',
    value,
    refinedBy: { type: 'TextPositionSelector', start: offset, end: offset },
  });
  return {
    type: 'RangeSelector',
    startSelector: point(s.startContainer, s.startOffset),
    endSelector: point(s.endContainer ?? s.startContainer, s.endOffset),
  };
}

function body(
  base: string,
  discussionId: string,
  c: DiscussionRecord['comments'][number],
  purpose: string,
): Json {
  return {
    id: commentIri(base, discussionId, c.id),
    type: 'TextualBody',
    value: c.text,
    format: 'text/plain',
    purpose,
  };
}

// A former member (removed or erased) has no name here: the export says so instead of a blank.
const person = (name: string) => ({ type: 'Person', name: name || FORMER_MEMBER_NAME });

/** The Annotations of one discussion: its own, then one per reply. */
export function discussionAnnotations(base: string, d: DiscussionRecord): Json[] {
  const opening = d.comments[0]?.id === d.openingId ? d.comments[0] : undefined;
  const replies = opening ? d.comments.slice(1) : d.comments;
  const own: Json = {
    id: discussionIri(base, d.id),
    type: 'Annotation',
    motivation: 'commenting',
    created: iso(d.createdAt),
    ...(opening?.editedAt !== undefined && { modified: iso(opening.editedAt) }),
    creator: person(opening?.author.name ?? d.creator.name),
    ...(opening && { body: body(base, d.id, opening, 'commenting') }),
    target: {
      type: 'SpecificResource',
      source: d.title === null ? d.page : { id: d.page, 'dcterms:title': d.title },
      selector: d.selectors.map(exportSelector),
    },
  };
  return [
    own,
    ...replies.map((c) => ({
      id: commentIri(base, d.id, c.id),
      type: 'Annotation',
      motivation: 'replying',
      created: iso(c.at),
      ...(c.editedAt !== undefined && { modified: iso(c.editedAt) }),
      creator: person(c.author.name),
      body: body(base, d.id, c, 'replying'),
      target: discussionIri(base, d.id),
    })),
  ];
}

/** Many discussions as one AnnotationCollection whose single AnnotationPage holds every Annotation. */
export function annotationCollection(base: string, label: string, records: DiscussionRecord[]): Json {
  const items = records.flatMap((d) => discussionAnnotations(base, d));
  return {
    '@context': ANNO_CONTEXT,
    id: `${base}/api/export`,
    type: 'AnnotationCollection',
    label,
    total: items.length,
    // An empty collection has no pages: a page must hold at least one Annotation (5.2).
    ...(items.length > 0 && {
      first: { id: `${base}/api/export#page1`, type: 'AnnotationPage', startIndex: 0, items },
    }),
  };
}

// ---------------------------------------------------------------- import

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const idOf = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : isObject(v) && typeof v.id === 'string' ? v.id : undefined;
const typesOf = (v: Json): string[] =>
  list(v.type ?? v['@type']).filter((t): t is string => typeof t === 'string');

/** The Annotations of a file: a collection (its embedded first page), a page, a list or one Annotation. */
function annotationsOf(doc: unknown): unknown[] {
  if (Array.isArray(doc)) return doc;
  if (!isObject(doc)) throw new ImportError(1, null, 'the file is not a JSON object or list of Annotations');
  const types = typesOf(doc);
  if (types.includes('AnnotationCollection')) {
    const first = doc.first;
    if (!isObject(first)) {
      throw new ImportError(
        1,
        idOf(doc) ?? null,
        'the AnnotationCollection has no embedded first AnnotationPage',
      );
    }
    if (first.next !== undefined) {
      throw new ImportError(
        1,
        idOf(first) ?? null,
        'the collection has further pages; export it as one page',
      );
    }
    return list(first.items);
  }
  if (types.includes('AnnotationPage')) return list(doc.items);
  return [doc];
}

function importSelector(s: unknown): SelectorT | null {
  if (!isObject(s)) return null;
  if (s.type === 'TextQuoteSelector' || s.type === 'TextPositionSelector') {
    const { refinedBy: _ignored, ...rest } = s;
    return rest as SelectorT;
  }
  if (s.type === 'RangeSelector') {
    // The model's form (startSelector / endSelector), and the older startContainer form Hypothesis writes.
    const point = (p: unknown): { xpath: string; offset: number } | null => {
      if (!isObject(p) || p.type !== 'XPathSelector' || typeof p.value !== 'string') return null;
      const r = p.refinedBy;
      const offset =
        isObject(r) && r.type === 'TextPositionSelector' && typeof r.start === 'number' ? r.start : 0;
      return { xpath: p.value, offset };
    };
    let range: RangeSelectorT;
    if ('startSelector' in s) {
      const start = point(s.startSelector);
      const end = point(s.endSelector);
      if (!start || !end) return null;
      range = {
        type: 'RangeSelector',
        startContainer: start.xpath,
        startOffset: start.offset,
        endOffset: end.offset,
      };
      if (end.xpath !== start.xpath) range.endContainer = end.xpath;
    } else {
      if (
        typeof s.startContainer !== 'string' ||
        typeof s.startOffset !== 'number' ||
        typeof s.endOffset !== 'number'
      )
        return null;
      range = {
        type: 'RangeSelector',
        startContainer: s.startContainer,
        startOffset: s.startOffset,
        endOffset: s.endOffset,
      };
      if (typeof s.endContainer === 'string' && s.endContainer !== s.startContainer)
        range.endContainer = s.endContainer;
    }
    return range;
  }
  return null;
}

/** Our anchor out of a target's selectors: one of each kind we know; the others are left out. */
export function anchorOf(selectors: unknown[]): SelectorT[] {
  const out: SelectorT[] = [];
  for (const raw of selectors) {
    const s = importSelector(raw);
    if (s && !out.some((o) => o.type === s.type)) out.push(s);
  }
  return out;
}

function textOf(a: Json): string | null {
  if (typeof a.bodyValue === 'string') return a.bodyValue;
  for (const b of list(a.body)) {
    if (typeof b === 'string') continue; // an IRI: not text we can hold
    if (
      isObject(b) &&
      (typesOf(b).includes('TextualBody') || typeof b.value === 'string') &&
      typeof b.value === 'string'
    )
      return b.value;
  }
  return null;
}

function creatorName(a: Json): string {
  for (const c of list(a.creator)) {
    if (typeof c === 'string') return c;
    if (isObject(c)) {
      for (const key of ['name', 'nickname', 'id'] as const)
        if (typeof c[key] === 'string') return c[key] as string;
    }
  }
  return 'Unknown author';
}

/** The segment of an IRI after `/discussions/` or `/comments/`, when this server wrote it. */
function ownId(iri: string, kind: 'discussions' | 'comments'): string | null {
  const m = new RegExp(`/${kind}/([^/#?]+)$`).exec(iri);
  return m ? decodeURIComponent(m[1]!) : null;
}

/**
 * Reads a W3C Web Annotation JSON-LD file into discussions. Every record is checked; the first that
 * cannot be taken in throws an ImportError naming it.
 */
export function readWebAnnotations(doc: unknown): ImportDiscussion[] {
  const items = annotationsOf(doc);
  const discussions = new Map<string, ImportDiscussion & { order: number; hasOpening: boolean }>();
  const replies: { record: number; iri: string; target: string; comment: ImportComment }[] = [];
  items.forEach((item, i) => {
    const record = i + 1;
    const iri = isObject(item) ? idOf(item) : undefined;
    const fail = (reason: string): never => {
      throw new ImportError(record, iri ?? null, reason);
    };
    if (!isObject(item) || !typesOf(item).includes('Annotation')) fail('it is not an Annotation');
    const a = item as Json;
    if (!iri) fail('it has no id');
    let created: number;
    let modified: number | undefined;
    try {
      created = parseTime(a.created, 'created');
      modified = a.modified === undefined ? undefined : parseTime(a.modified, 'modified');
    } catch (err) {
      return fail((err as Error).message);
    }
    const text = textOf(a);
    const bodyIri = list(a.body)
      .map(idOf)
      .find((x) => x !== undefined);
    const target = list(a.target)[0];
    const targetIri = typeof target === 'string' ? target : undefined;
    const commentId = importedId((bodyIri && ownId(bodyIri, 'comments')) ?? ownId(iri!, 'comments') ?? iri!);
    const comment = (t: string): ImportComment => ({
      id: commentId,
      author: creatorName(a),
      text: t,
      at: created,
      ...(modified !== undefined && modified !== created && { editedAt: modified }),
    });
    if (
      targetIri !== undefined ||
      (isObject(target) && !('selector' in target) && a.motivation === 'replying')
    ) {
      if (text === null) fail('a reply has no TextualBody');
      replies.push({ record, iri: iri!, target: targetIri ?? idOf(target)!, comment: comment(text!) });
      return;
    }
    if (!isObject(target)) return fail('it has no target');
    const source = target.source;
    const page = idOf(source);
    if (!page) fail('its target has no source page');
    const title =
      isObject(source) && typeof source['dcterms:title'] === 'string' ? source['dcterms:title'] : undefined;
    const selectors = anchorOf(list(target.selector));
    if (!selectors.some((s) => s.type === 'TextQuoteSelector')) fail('its target has no TextQuoteSelector');
    const id = importedId(ownId(iri!, 'discussions') ?? iri!);
    const d = {
      id,
      page: page!,
      selectors,
      comments: text === null ? [] : [comment(text)],
      order: record,
      hasOpening: text !== null,
      ...(title !== undefined && { title }),
    };
    discussions.set(iri!, d);
  });
  for (const r of replies) {
    const d = discussions.get(r.target);
    if (!d) throw new ImportError(r.record, r.iri, `it replies to ${r.target}, which is not in the file`);
    d.comments.push(r.comment);
  }
  return [...discussions.entries()].map(([iri, { order, hasOpening, ...d }]) => {
    // The opening comment first, replies by time; a discussion whose opening comment was deleted
    // opens with its earliest reply.
    const byTime = (a: ImportComment, b: ImportComment) => a.at - b.at;
    d.comments = hasOpening ? [d.comments[0]!, ...d.comments.slice(1).sort(byTime)] : d.comments.sort(byTime);
    try {
      return checkDiscussion(d);
    } catch (err) {
      throw new ImportError(order, iri, (err as Error).message);
    }
  });
}
