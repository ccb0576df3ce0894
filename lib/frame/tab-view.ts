// What this tab shows of its page: the background's confirmed discussions plus this tab's own writes
// the server has not acknowledged yet (unacked, shown optimistically). The server's echo of a write made here is never shown as a second
// change: it only settles the optimistic copy to the server's version (the server's clock and names);
// a refused write is removed from the overlay, which rolls it back.
import type { DiscussionEventT, DiscussionT, PersonT, WriteFrameT } from '@/lib/protocol';
import { applyChange } from '@/lib/protocol/page-state';

/** How many of its own broadcastIds a tab remembers, to recognise late echoes. */
const OWN_IDS_KEPT = 500;

export type EventOutcome = 'applied' | 'own-echo';

/** The event a write will produce, as the tab shows it before the server answers. */
export function optimisticEvent(write: WriteFrameT, me: PersonT, now: number): DiscussionEventT {
  const base = { page: write.page, seq: 0, broadcastId: write.broadcastId };
  switch (write.type) {
    case 'create-chat':
      return {
        ...base,
        type: 'new-text-chat',
        chat: {
          id: write.chatId,
          selectors: write.selectors,
          comments: [{ id: write.commentId, author: me, text: write.text, at: now }],
        },
      };
    case 'add-comment':
      return {
        ...base,
        type: 'updated-text-chat',
        chatId: write.chatId,
        change: {
          op: 'add-comment',
          comment: { id: write.commentId, author: me, text: write.text, at: now },
        },
      };
    case 'edit-comment':
      return {
        ...base,
        type: 'updated-text-chat',
        chatId: write.chatId,
        change: { op: 'edit-comment', commentId: write.commentId, text: write.text, editedAt: now },
      };
    case 'delete-comment':
      return {
        ...base,
        type: 'updated-text-chat',
        chatId: write.chatId,
        change: { op: 'delete-comment', commentId: write.commentId },
      };
    case 'delete-chat':
      return { ...base, type: 'deleted-text-chat', chatId: write.chatId };
    case 'resolve-chat':
      return {
        ...base,
        type: 'updated-text-chat',
        chatId: write.chatId,
        change: { op: 'resolve', resolved: write.resolved ? { by: me, at: now } : null },
      };
  }
}

export class TabView {
  page: string | null = null;
  private confirmed: DiscussionT[] = [];
  /** Own writes the server has not acknowledged yet (unacked), in the order they were made. */
  private readonly unacked = new Map<string, DiscussionEventT>();
  private readonly own = new Set<string>();

  /** A new page (or a full state of the same page from the background). */
  setState(page: string, discussions: DiscussionT[]): void {
    if (page !== this.page) {
      this.unacked.clear();
      this.page = page;
    }
    this.confirmed = structuredClone(discussions);
  }

  clear(): void {
    this.page = null;
    this.confirmed = [];
    this.unacked.clear();
  }

  /** Records a write made in this tab and shows it at once. */
  addOwn(write: WriteFrameT, me: PersonT, now: number): void {
    this.own.add(write.broadcastId);
    if (this.own.size > OWN_IDS_KEPT) this.own.delete(this.own.values().next().value!);
    this.unacked.set(write.broadcastId, optimisticEvent(write, me, now));
  }

  /** A live event from the background. The echo of a write made here is dropped. */
  event(event: DiscussionEventT): EventOutcome {
    if (event.page !== this.page) return 'own-echo';
    if (this.own.has(event.broadcastId)) {
      this.unacked.delete(event.broadcastId);
      settle(this.confirmed, event);
      return 'own-echo';
    }
    applyChange(this.confirmed, event);
    return 'applied';
  }

  /** The server accepted a write made here: the optimistic change becomes confirmed. */
  confirm(broadcastId: string): void {
    const change = this.unacked.get(broadcastId);
    if (!change) return;
    this.unacked.delete(broadcastId);
    applyChange(this.confirmed, change);
  }

  /** The server refused a write made here: it disappears from the view. Returns whether it was unacked. */
  rollback(broadcastId: string): boolean {
    return this.unacked.delete(broadcastId);
  }

  isUnacked(broadcastId: string): boolean {
    return this.unacked.has(broadcastId);
  }

  /** Each comment and discussion still waiting for the server, with the broadcastId of its write. */
  unackedItems(): Map<string, string> {
    const ids = new Map<string, string>();
    for (const [broadcastId, e] of this.unacked) {
      if (e.type === 'new-text-chat')
        ids.set(e.chat.id, broadcastId).set(e.chat.comments[0]!.id, broadcastId);
      else if (e.type === 'updated-text-chat') {
        const c = e.change;
        // A resolve waits on the discussion as a whole, which stays shown as it is.
        if (c.op !== 'resolve') ids.set(c.op === 'add-comment' ? c.comment.id : c.commentId, broadcastId);
      }
    }
    return ids;
  }

  /** What the tab shows: confirmed state with the unacked own writes on top. */
  view(): DiscussionT[] {
    const discussions = structuredClone(this.confirmed);
    for (const change of this.unacked.values()) applyChange(discussions, change);
    return discussions;
  }
}

/**
 * Applies the server's version of a change this tab already shows: the discussion or comment it
 * created is replaced rather than added again, so the times and names the server gave win.
 */
function settle(discussions: DiscussionT[], event: DiscussionEventT): void {
  if (event.type === 'new-text-chat') {
    const i = discussions.findIndex((c) => c.id === event.chat.id);
    if (i >= 0) discussions.splice(i, 1);
  } else if (event.type === 'updated-text-chat' && event.change.op === 'add-comment') {
    const id = event.change.comment.id;
    const discussion = discussions.find((c) => c.id === event.chatId);
    if (discussion) discussion.comments = discussion.comments.filter((c) => c.id !== id);
  }
  applyChange(discussions, event);
}
