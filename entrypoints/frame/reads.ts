// What is new to the person, from how far they have read each discussion: the server's read positions
// (any browser of theirs) and what this browser has seen (lib/unread, which also serves while the
// server cannot be asked). A discussion is new while it holds a comment of someone else later than
// both.
import type { DiscussionT } from '@/lib/protocol';
import { unreadIds, type SeenMap } from '@/lib/unread';

/** The discussions new to `userId`: unread by this browser's record and by the server's positions. */
export function newToMe(
  discussions: readonly DiscussionT[],
  userId: string | null,
  positions: Readonly<Record<string, number>>,
  seen: SeenMap,
): Set<string> {
  const here = unreadIds(discussions, userId, seen);
  const out = new Set<string>();
  for (const discussion of discussions) {
    if (!here.has(discussion.id)) continue;
    const readAt = positions[discussion.id] ?? -1;
    if (discussion.comments.some((c) => c.author.id !== userId && c.at > readAt)) out.add(discussion.id);
  }
  return out;
}
