// Turns the rows of a search (comments that matched, discussions whose quote or title matched) into
// one hit per discussion, best first: both stores read the two kinds the same way and merge here.
import { marked, plain } from './search-text';
import type { SearchHit } from './types';

interface HitBase {
  chat_id: string;
  page: string;
  title: string | null;
  quote: string;
  created_at: number | string;
  last_activity_at: number | string;
  /** Larger is better. */
  score: number | string;
}

export interface CommentHitRow extends HitBase {
  comment_id: string;
  author_id: string;
  author_name: string;
  at: number | string;
  /** The comment's best passage, matches between MARK_START and MARK_END. */
  snippet: string;
}

export interface ChatHitRow extends HitBase {
  quote_marked: string;
  title_marked: string | null;
}

/**
 * One hit per discussion: its best comment (if any matched) and its marked quote and title; a
 * discussion matched both ways scores the sum, so a thread that is about the words ranks first.
 */
export function mergeHits(comments: CommentHitRow[], chats: ChatHitRow[], limit: number): SearchHit[] {
  const byId = new Map<string, SearchHit>();
  const base = (r: HitBase): SearchHit => ({
    chatId: r.chat_id,
    page: r.page,
    title: r.title,
    quote: r.quote,
    createdAt: Number(r.created_at),
    lastActivityAt: Number(r.last_activity_at),
    quoteMarked: plain(r.quote),
    titleMarked: r.title === null ? null : plain(r.title),
    comment: null,
    score: 0,
  });
  for (const r of comments) {
    if (byId.has(r.chat_id)) continue; // rows come best first: the first comment is the best
    const hit = base(r);
    hit.score = Number(r.score);
    hit.comment = {
      id: r.comment_id,
      author: { id: r.author_id, name: r.author_name },
      at: Number(r.at),
      snippet: marked(r.snippet),
    };
    byId.set(r.chat_id, hit);
  }
  for (const r of chats) {
    let hit = byId.get(r.chat_id);
    if (!hit) byId.set(r.chat_id, (hit = base(r)));
    hit.score += Number(r.score);
    hit.quoteMarked = marked(r.quote_marked);
    hit.titleMarked = r.title_marked === null || r.title === null ? null : marked(r.title_marked);
  }
  return [...byId.values()]
    .sort((a, b) => b.score - a.score || b.lastActivityAt - a.lastActivityAt)
    .slice(0, limit);
}
