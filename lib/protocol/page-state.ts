// The client-side state of one page (its discussions and last seq) and the rules that keep it
// in step with the server: snapshots replace, events apply in seq order, duplicates are ignored,
// a gap asks for a resync. Shared by the background, the tests and the model checks.
import type { DiscussionEventT, DiscussionT, ReplayT, SnapshotT } from './frames';

export interface PageState {
  seq: number;
  /** In creation order (a snapshot frame's `chats`). */
  discussions: DiscussionT[];
}

export type ApplyResult = 'applied' | 'duplicate' | 'gap';

export function emptyPageState(): PageState {
  return { seq: 0, discussions: [] };
}

export function fromSnapshot(snapshot: Pick<SnapshotT, 'seq' | 'chats'>): PageState {
  return { seq: snapshot.seq, discussions: structuredClone(snapshot.chats) };
}

/**
 * Adds one page of a paged snapshot to the discussions gathered so far (in place). A page may start
 * with the rest of the previous page's last discussion: the same id, with its further comments.
 * Comments already there are skipped, so a page read after a concurrent write cannot double one.
 */
export function addSnapshotPage(discussions: DiscussionT[], page: readonly DiscussionT[]): void {
  for (const discussion of page) {
    const last = discussions[discussions.length - 1];
    if (last && last.id === discussion.id) {
      const ids = new Set(last.comments.map((c) => c.id));
      for (const c of discussion.comments) if (!ids.has(c.id)) last.comments.push(structuredClone(c));
    } else if (!discussions.some((c) => c.id === discussion.id)) {
      discussions.push(structuredClone(discussion));
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
  applyChange(state.discussions, event);
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
export function applyChange(discussions: DiscussionT[], event: DiscussionEventT): void {
  switch (event.type) {
    case 'new-text-chat': {
      if (!discussions.some((c) => c.id === event.chat.id)) discussions.push(structuredClone(event.chat));
      return;
    }
    case 'deleted-text-chat': {
      const i = discussions.findIndex((c) => c.id === event.chatId);
      if (i >= 0) discussions.splice(i, 1);
      return;
    }
    case 'updated-text-chat': {
      const discussion = discussions.find((c) => c.id === event.chatId);
      if (!discussion) return;
      const change = event.change;
      if (change.op === 'add-comment') {
        if (!discussion.comments.some((c) => c.id === change.comment.id))
          discussion.comments.push(structuredClone(change.comment));
      } else if (change.op === 'edit-comment') {
        const comment = discussion.comments.find((c) => c.id === change.commentId);
        if (comment) {
          comment.text = change.text;
          comment.editedAt = change.editedAt;
        }
      } else if (change.op === 'delete-comment') {
        const i = discussion.comments.findIndex((c) => c.id === change.commentId);
        if (i >= 0) discussion.comments.splice(i, 1);
      } else if (change.resolved) {
        discussion.resolved = structuredClone(change.resolved);
      } else {
        delete discussion.resolved;
      }
      return;
    }
  }
}
