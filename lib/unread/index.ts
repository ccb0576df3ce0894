// What is new to the person in a page's discussions: a discussion is new to them while it holds a
// comment of someone else later than the newest one they have seen in it. What they have seen is kept
// on this browser, per user (extension storage, never the page's), as one time per discussion.
import type { DiscussionT } from '@/lib/protocol';

/** `${userId} ${discussionId}` → the time of the newest comment the user has seen in that discussion. */
export type SeenMap = Readonly<Record<string, number>>;

/** How many discussions are remembered; the least recently active are forgotten first. */
export const SEEN_LIMIT = 5_000;

const keyOf = (userId: string, discussionId: string) => `${userId} ${discussionId}`;
const newest = (discussion: DiscussionT) => discussion.comments.reduce((t, c) => Math.max(t, c.at), 0);

/** The discussions with a comment of someone else that `userId` has not seen. */
export function unreadIds(
  discussions: readonly DiscussionT[],
  userId: string | null,
  seen: SeenMap,
): Set<string> {
  const out = new Set<string>();
  if (userId === null) return out;
  for (const discussion of discussions) {
    const seenAt = seen[keyOf(userId, discussion.id)] ?? -1;
    if (discussion.comments.some((c) => c.author.id !== userId && c.at > seenAt)) out.add(discussion.id);
  }
  return out;
}

/** `seen` with `discussion` seen up to its newest comment, or null when that changes nothing. */
export function markSeen(seen: SeenMap, userId: string, discussion: DiscussionT): SeenMap | null {
  const key = keyOf(userId, discussion.id);
  const at = newest(discussion);
  if ((seen[key] ?? -1) >= at) return null;
  const next: Record<string, number> = { ...seen, [key]: at };
  const keys = Object.keys(next);
  if (keys.length > SEEN_LIMIT) {
    keys.sort((a, b) => next[a]! - next[b]!);
    for (const old of keys.slice(0, keys.length - SEEN_LIMIT)) delete next[old];
  }
  return next;
}

/** Discussions `userId` started or took part in. */
export function isMine(discussion: DiscussionT, userId: string | null): boolean {
  return userId !== null && discussion.comments.some((c) => c.author.id === userId);
}
