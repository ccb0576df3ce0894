// Turns the rows of a search (comments that matched, discussions whose quote or title matched) into
// one hit per discussion, best first: both stores read the two kinds the same way and merge here.
// Rows come with their text marked (MARK_START…MARK_END around each matched word) and, from
// PostgreSQL, a score (ts_rank); rows without one are scored here by the same idea: how many
// matches, how many of the query's words, in how short a text (term frequency, no corpus statistics,
// so a search costs the rows it ranks, never the whole team).
import { marked, MARK_END, MARK_START, plain } from './search-text';
import { resolutionOf } from './rows';
import type { SearchHit } from './types';

interface HitBase {
  chat_id: string;
  page: string;
  title: string | null;
  quote: string;
  created_at: number | string;
  last_activity_at: number | string;
  resolved_by: string | null;
  resolved_by_name: string | null;
  resolved_at: number | string | null;
  /** Larger is better; absent: scored here from the marks. */
  score?: number | string;
}

export interface CommentHitRow extends HitBase {
  comment_id: string;
  author_id: string;
  author_name: string;
  at: number | string;
  /** The comment's best passage (`snippet`), or all of it (`marked`), matches between the marks. */
  snippet?: string;
  marked?: string;
}

export interface DiscussionHitRow extends HitBase {
  quote_marked: string;
  title_marked: string | null;
}

/** How well marked text matches: matches and distinct matched words, damped by the text's length. */
export function markScore(text: string): number {
  const hits = text.split(MARK_START).slice(1);
  if (hits.length === 0) return 0;
  const distinct = new Set(hits.map((h) => h.slice(0, h.indexOf(MARK_END)).toLowerCase())).size;
  const words = text.split(/\s+/).length;
  return (hits.length + distinct) / (1 + Math.log2(1 + words));
}

/** Words of context on each side of the first match in a comment's snippet. */
const SNIPPET_WORDS = 12;

/** The passage around the first match of marked text, with … where it was cut. */
export function snippetOf(text: string): string {
  const words = text.split(/(\s+)/);
  const first = words.findIndex((w) => w.includes(MARK_START));
  if (first < 0) return text;
  const from = Math.max(0, first - SNIPPET_WORDS * 2);
  const to = Math.min(words.length, first + SNIPPET_WORDS * 2 + 1);
  let out = words.slice(from, to).join('');
  // A cut never leaves a match open.
  if (out.lastIndexOf(MARK_START) > out.lastIndexOf(MARK_END)) out += MARK_END;
  return `${from > 0 ? '…' : ''}${out}${to < words.length ? '…' : ''}`;
}

const scoreOf = (r: { score?: number | string }, text: string) =>
  r.score === undefined ? markScore(text) : Number(r.score);

/**
 * One hit per discussion: its best comment (if any matched) and its marked quote and title; a
 * discussion matched both ways scores the sum, so a thread that is about the words ranks first.
 */
export function mergeHits(
  comments: CommentHitRow[],
  discussions: DiscussionHitRow[],
  limit: number,
): SearchHit[] {
  // Scores first, for every row; the marked segments only for the hits that are kept.
  const best = new Map<
    string,
    { score: number; comment?: CommentHitRow; discussion?: DiscussionHitRow; base: HitBase }
  >();
  for (const r of comments) {
    const score = scoreOf(r, r.marked ?? r.snippet ?? '');
    const entry = best.get(r.chat_id);
    if (!entry) best.set(r.chat_id, { score, comment: r, base: r });
    else if (score > entry.score) Object.assign(entry, { score, comment: r });
  }
  for (const r of discussions) {
    // The quote weighs twice the title.
    const score = scoreOf(r, `${r.quote_marked} ${r.quote_marked} ${r.title_marked ?? ''}`);
    const entry = best.get(r.chat_id);
    if (!entry) best.set(r.chat_id, { score, discussion: r, base: r });
    else Object.assign(entry, { score: entry.score + score, discussion: r });
  }
  return [...best.values()]
    .sort((a, b) => b.score - a.score || Number(b.base.last_activity_at) - Number(a.base.last_activity_at))
    .slice(0, limit)
    .map(({ score, comment: c, discussion: d, base: r }) => ({
      chatId: r.chat_id,
      page: r.page,
      title: r.title,
      quote: r.quote,
      createdAt: Number(r.created_at),
      lastActivityAt: Number(r.last_activity_at),
      resolved: resolutionOf(r),
      quoteMarked: d ? marked(d.quote_marked) : plain(r.quote),
      titleMarked: r.title === null ? null : d?.title_marked ? marked(d.title_marked) : plain(r.title),
      comment: c
        ? {
            id: c.comment_id,
            author: { id: c.author_id, name: c.author_name },
            at: Number(c.at),
            snippet: marked(c.snippet ?? snippetOf(c.marked ?? '')),
          }
        : null,
      score,
    }));
}
