// The client-side state of one page (its discussions and last seq) and the rules that keep it
// in step with the server: snapshots replace, events apply in seq order, duplicates are ignored,
// a gap asks for a resync. Shared by the background, the tests and the model checks.
import type { DiscussionEventT, DiscussionT, ReplayT, SnapshotT } from './frames';

export interface PageState {
  seq: number;
  /** In creation order. */
  chats: DiscussionT[];
}

export type ApplyResult = 'applied' | 'duplicate' | 'gap';

export function emptyPageState(): PageState {
  return { seq: 0, chats: [] };
}

export function fromSnapshot(snapshot: Pick<SnapshotT, 'seq' | 'chats'>): PageState {
  return { seq: snapshot.seq, chats: structuredClone(snapshot.chats) };
}

/**
 * Adds one page of a paged snapshot to the discussions gathered so far (in place). A page may start
 * with the rest of the previous page's last discussion: the same id, with its further comments.
 * Comments already there are skipped, so a page read after a concurrent write cannot double one.
 */
export function addSnapshotPage(chats: DiscussionT[], page: readonly DiscussionT[]): void {
  for (const chat of page) {
    const last = chats[chats.length - 1];
    if (last && last.id === chat.id) {
      const ids = new Set(last.comments.map((c) => c.id));
      for (const c of chat.comments) if (!ids.has(c.id)) last.comments.push(structuredClone(c));
    } else if (!chats.some((c) => c.id === chat.id)) {
      chats.push(structuredClone(chat));
    }
  }
}

/**
 * Applies one event in place. Events at or below the state's seq are duplicates; an event that
 * skips a seq is a gap and is not applied: the caller resubscribes with `since = state.seq`.
 */
export function applyEvent(state: PageState, event: DiscussionEventT): ApplyResult {
  if (event.seq <= state.seq) return 'duplicate';
  if (event.seq > state.seq + 1) return 'gap';
  applyChange(state.chats, event);
  state.seq = event.seq;
  return 'applied';
}

/** Applies a replay; stops at the first gap. */
export function applyReplay(state: PageState, replay: Pick<ReplayT, 'events'>): ApplyResult {
  let result: ApplyResult = 'duplicate';
  for (const event of replay.events) {
    const r = applyEvent(state, event);
    if (r === 'gap') return 'gap';
    if (r === 'applied') result = 'applied';
  }
  return result;
}

/** Applies the change an event describes to a list of discussions, ignoring its seq. */
export function applyChange(chats: DiscussionT[], event: DiscussionEventT): void {
  switch (event.type) {
    case 'new-text-chat': {
      if (!chats.some((c) => c.id === event.chat.id)) chats.push(structuredClone(event.chat));
      return;
    }
    case 'deleted-text-chat': {
      const i = chats.findIndex((c) => c.id === event.chatId);
      if (i >= 0) chats.splice(i, 1);
      return;
    }
    case 'updated-text-chat': {
      const chat = chats.find((c) => c.id === event.chatId);
      if (!chat) return;
      const change = event.change;
      if (change.op === 'add-comment') {
        if (!chat.comments.some((c) => c.id === change.comment.id))
          chat.comments.push(structuredClone(change.comment));
      } else if (change.op === 'edit-comment') {
        const comment = chat.comments.find((c) => c.id === change.commentId);
        if (comment) {
          comment.text = change.text;
          comment.editedAt = change.editedAt;
        }
      } else if (change.op === 'delete-comment') {
        const i = chat.comments.findIndex((c) => c.id === change.commentId);
        if (i >= 0) chat.comments.splice(i, 1);
      } else if (change.resolved) {
        chat.resolved = structuredClone(change.resolved);
      } else {
        delete chat.resolved;
      }
      return;
    }
  }
}
