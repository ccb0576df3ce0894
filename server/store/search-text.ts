// What both stores share about searching and listing: how a person's typing becomes the words of a
// query (each store writes them in its own syntax, from letters and digits only, so nothing typed can
// be read as query syntax), how a marked snippet becomes segments, and the listing's cursor.
import type { Marked } from './types';

/** Most words of a query that count; the rest is ignored, which bounds the work of one search. */
export const MAX_QUERY_WORDS = 8;
const MAX_WORD_CHARS = 64;

/**
 * Most matches a search ranks, the newest first: a prefix of one or two letters matches most of a
 * large team's comments, and ranking them all would cost time in proportion to the team. With
 * fewer matches than this the ranking is exact; with more, it is the best among the newest.
 */
export const SEARCH_CANDIDATES = 500;

/** Marks the stores put around matched words; characters of Unicode's private use area. */
export const MARK_START = '\uE000';
export const MARK_END = '\uE001';

export interface QueryWords {
  words: string[];
  /** The last word is still being typed: match it as a prefix too. */
  prefix: boolean;
}

/**
 * The words of what a person typed, lower-cased: runs of letters and digits (accents kept). The
 * last word counts as a prefix unless the text ends with a space or punctuation (it is finished).
 */
export function queryWords(text: string): QueryWords {
  const normal = text.normalize('NFKC').toLowerCase();
  const words = (normal.match(/[\p{L}\p{N}]+/gu) ?? [])
    .map((w) => Array.from(w).slice(0, MAX_WORD_CHARS).join(''))
    .slice(0, MAX_QUERY_WORDS);
  const prefix = words.length > 0 && /[\p{L}\p{N}]$/u.test(normal);
  return { words, prefix };
}

/** An FTS5 MATCH expression: every word as a quoted string, the last one as a prefix. */
export function fts5Query({ words, prefix }: QueryWords): string {
  return words.map((w, i) => `"${w}"${prefix && i === words.length - 1 ? '*' : ''}`).join(' ');
}

/** A `to_tsquery` expression: every word, AND-ed, the last one as a prefix. */
export function tsQuery({ words, prefix }: QueryWords): string {
  return words.map((w, i) => `'${w}'${prefix && i === words.length - 1 ? ':*' : ''}`).join(' & ');
}

/** Splits text with MARK_START…MARK_END around matches into segments. */
export function marked(text: string): Marked {
  const out: Marked = [];
  let hit = false;
  for (const part of text.split(/([\uE000\uE001])/u)) {
    if (part === MARK_START) hit = true;
    else if (part === MARK_END) hit = false;
    else if (part !== '') {
      const last = out[out.length - 1];
      if (last && last.hit === hit) last.text += part;
      else out.push({ text: part, hit });
    }
  }
  return out;
}

/** Text that matched nothing, as one unmarked segment (none for empty text). */
export const plain = (text: string): Marked => (text === '' ? [] : [{ text, hit: false }]);

/** Longest preview of a discussion's first comment in a listing, in code points. */
export const PREVIEW_CHARS = 200;

export function preview(text: string | null): string | null {
  if (text === null) return null;
  const points = Array.from(text);
  return points.length <= PREVIEW_CHARS ? text : `${points.slice(0, PREVIEW_CHARS - 1).join('')}…`;
}

/** Where a listing goes on: the last discussion's activity time and order key. Opaque to clients. */
export interface ListCursor {
  at: number;
  ord: number;
}

export function encodeListCursor(c: ListCursor): string {
  return `${c.at}.${c.ord}`;
}

export function decodeListCursor(s: string | null): ListCursor | null {
  if (!s) return null;
  const m = /^(\d{1,18})\.(\d{1,18})$/.exec(s);
  if (!m) throw new Error(`bad listing cursor ${JSON.stringify(s)}`);
  return { at: Number(m[1]), ord: Number(m[2]) };
}

/** The quote of a stored anchor (its one TextQuoteSelector). */
export function quoteOf(selectors: readonly { type: string; exact?: string }[]): string {
  return selectors.find((s) => s.type === 'TextQuoteSelector')?.exact ?? '';
}
