// The person's notifications as this browser keeps them (the inbox): the newest ones the server sent,
// newest first, bounded, with the server's count of unread ones (the toolbar badge) and the highest
// seq seen (the position a reconnect or a restarted background catches up from). Pure functions over
// one value kept in `storage.local` (lib/storage `inboxStorage`); the background owns the writes, the
// popup reads it.
import type { NotificationT } from '@/lib/protocol';

/** Notifications kept on this browser: the newest. */
export const INBOX_LIMIT = 100;

export interface InboxState {
  /** Whose notifications these are: another user's token starts an empty inbox. */
  user: string | null;
  /** Newest first, at most INBOX_LIMIT, one per seq. */
  items: NotificationT[];
  /** How many of all the user's notifications are unread, as the server last counted. */
  unread: number;
  /** The highest seq seen (0: none): `notifications-since` asks for what came after it. */
  latest: number;
  /** Read marks made here that the server has not been told of yet (offline). */
  unsentReads?: { seqs: number[]; upTo?: number };
}

export const EMPTY_INBOX: InboxState = { user: null, items: [], unread: 0, latest: 0 };

/** Newest first, one per seq, bounded. */
function ordered(items: NotificationT[]): NotificationT[] {
  const bySeq = new Map<number, NotificationT>();
  for (const n of items) bySeq.set(n.seq, n);
  return [...bySeq.values()].sort((a, b) => b.seq - a.seq).slice(0, INBOX_LIMIT);
}

/**
 * Adds notifications (live or caught up). `fresh`: the unread ones never seen before, for a browser
 * notification. A seq already held is replaced (its excerpt may have changed), never counted twice.
 */
export function addNotifications(
  state: InboxState,
  incoming: readonly NotificationT[],
): { state: InboxState; fresh: NotificationT[] } {
  const fresh = incoming.filter((n) => n.seq > state.latest && !n.read);
  const latest = Math.max(state.latest, ...incoming.map((n) => n.seq));
  return { state: { ...state, items: ordered([...state.items, ...incoming]), latest }, fresh };
}

/** Marks read what a `notifications-read` (or a click here) names: `seqs`, and every one up to `upTo`. */
export function markRead(
  state: InboxState,
  read: { seqs?: readonly number[]; upTo?: number },
  unread?: number,
): InboxState {
  const named = new Set(read.seqs ?? []);
  const upTo = read.upTo ?? 0;
  let newlyRead = 0;
  const items = state.items.map((n) => {
    if (n.read || (!named.has(n.seq) && n.seq > upTo)) return n;
    newlyRead += 1;
    return { ...n, read: true };
  });
  return { ...state, items, unread: unread ?? Math.max(0, state.unread - newlyRead) };
}

/** The unread notifications this browser holds. */
export function unreadHeld(state: InboxState): number {
  return state.items.reduce((count, n) => count + (n.read ? 0 : 1), 0);
}

/** Remembers read marks to send once the connection is live again. */
export function queueReads(state: InboxState, read: { seqs?: readonly number[]; upTo?: number }): InboxState {
  const before = state.unsentReads ?? { seqs: [] };
  const upTo = Math.max(before.upTo ?? 0, read.upTo ?? 0);
  const seqs = [...new Set([...before.seqs, ...(read.seqs ?? [])])].filter((s) => s > upTo).slice(-100);
  return { ...state, unsentReads: { seqs, ...(upTo > 0 && { upTo }) } };
}

/** The text on the toolbar badge: empty with nothing unread, "99+" beyond 99. */
export function badgeText(unread: number): string {
  if (unread <= 0) return '';
  return unread > 99 ? '99+' : String(unread);
}
