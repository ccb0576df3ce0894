// The answers of the team's HTTP API (docs/api.md) that the extension reads: a page of the team's
// discussions and a search. The server builds them from its store; the team page parses them here.
import { z } from 'zod';

const Person = z.object({ id: z.string(), name: z.string() });
/** Who resolved a discussion and when; null while open (and from a server older than resolving). */
const Resolved = z.object({ by: Person, at: z.number() }).nullable().default(null);

/** Text with the matched words marked: render each segment as text, marking `hit` ones. */
export const Marked = z.array(z.object({ text: z.string(), hit: z.boolean() }));

export const DiscussionSummary = z.object({
  id: z.string(),
  page: z.string(),
  title: z.string().nullable(),
  quote: z.string(),
  creator: Person,
  resolved: Resolved,
  createdAt: z.number(),
  lastActivityAt: z.number(),
  commentCount: z.number().int(),
  preview: z.string().nullable(),
});

export const DiscussionListing = z.object({
  discussions: z.array(DiscussionSummary),
  next: z.string().nullable(),
});

export const SearchHit = z.object({
  chatId: z.string(),
  page: z.string(),
  title: z.string().nullable(),
  quote: z.string(),
  createdAt: z.number(),
  lastActivityAt: z.number(),
  resolved: Resolved,
  quoteMarked: Marked,
  titleMarked: Marked.nullable(),
  comment: z.object({ id: z.string(), author: Person, at: z.number(), snippet: Marked }).nullable(),
  score: z.number(),
});

export const SearchAnswer = z.object({ query: z.string(), hits: z.array(SearchHit) });

/** The filters of a listing or search, as query parameters (docs/api.md). */
export const TEAM_FILTERS = ['mine', 'author', 'mentions', 'state', 'site', 'page', 'from', 'to'] as const;

export type MarkedT = z.infer<typeof Marked>;
export type DiscussionSummaryT = z.infer<typeof DiscussionSummary>;
export type DiscussionListingT = z.infer<typeof DiscussionListing>;
export type SearchHitT = z.infer<typeof SearchHit>;
export type SearchAnswerT = z.infer<typeof SearchAnswer>;
