// What is new to the person, from how far they have read each discussion: the server's read positions
// (any browser of theirs) and what this browser has seen (lib/unread, which also serves while the
// server cannot be asked). A discussion is new while it holds a comment of someone else later than
// both.
import type { DiscussionT } from '@/lib/protocol';
import { unreadIds, type SeenMap } from '@/lib/unread';

/** The discussions new to `userId`: unread by this browser's record and by the server's positions. */
export function newToMe(
  chats: readonly DiscussionT[],
  userId: string | null,
  positions: Readonly<Record<string, number>>,
  seen: SeenMap,
): Set<string> {
  const here = unreadIds(chats, userId, seen);
  const out = new Set<string>();
  for (const chat of chats) {
    if (!here.has(chat.id)) continue;
    const readAt = positions[chat.id] ?? -1;
    if (chat.comments.some((c) => c.author.id !== userId && c.at > readAt)) out.add(chat.id);
  }
  return out;
}
