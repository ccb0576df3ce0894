// Writes: the pure planner that validates and authorises one write against the discussion as
// stored, and `commitWrite`, which runs it inside the store's transaction. The author and the time
// of every change come from the token's user and the server clock, never from the client.
import { applyChange } from '../lib/protocol/page-state';
import type { ChatChangeT, DiscussionT, PersonT, RoleT, WriteFrameT } from '../lib/protocol';
import type { CommitResult, Store, StoredDiscussion, WritePlan, WritePlanner } from './store/types';

export interface Actor {
  user: PersonT;
  role: RoleT;
}

const notFound = (chatId: string): WritePlan => ({
  ok: false,
  code: 'not-found',
  message: `no discussion ${chatId} on this page; it may have been deleted`,
});

const forbidden = (message: string): WritePlan => ({ ok: false, code: 'forbidden', message });

/**
 * Decides one write. `current` is the discussion `write.chatId` names in the writer's tenant, or
 * null. A discussion on another page is treated as missing so that nothing about it leaks.
 */
export function planWrite(
  write: WriteFrameT,
  actor: Actor,
  now: number,
  current: StoredDiscussion | null,
): WritePlan {
  const base = { page: write.page, broadcastId: write.broadcastId };
  if (write.type === 'create-chat') {
    if (current) {
      return { ok: false, code: 'conflict', message: `a discussion with id ${write.chatId} already exists` };
    }
    const chat: DiscussionT = {
      id: write.chatId,
      selectors: write.selectors,
      comments: [{ id: write.commentId, author: actor.user, text: write.text, at: now }],
    };
    return { ok: true, event: { type: 'new-text-chat', ...base, chat }, chat };
  }

  if (!current || current.page !== write.page) return notFound(write.chatId);
  const chat = current.chat;
  const isAdmin = actor.role === 'admin';
  let change: ChatChangeT;

  switch (write.type) {
    case 'add-comment': {
      if (chat.comments.some((c) => c.id === write.commentId)) {
        return {
          ok: false,
          code: 'conflict',
          message: `a comment with id ${write.commentId} already exists`,
        };
      }
      change = {
        op: 'add-comment',
        comment: { id: write.commentId, author: actor.user, text: write.text, at: now },
      };
      break;
    }
    case 'edit-comment': {
      const comment = chat.comments.find((c) => c.id === write.commentId);
      if (!comment) return commentNotFound(write.commentId);
      if (comment.author.id !== actor.user.id) return forbidden('only its author can edit a comment');
      change = { op: 'edit-comment', commentId: comment.id, text: write.text, editedAt: now };
      break;
    }
    case 'delete-comment': {
      const comment = chat.comments.find((c) => c.id === write.commentId);
      if (!comment) return commentNotFound(write.commentId);
      if (comment.author.id !== actor.user.id && !isAdmin) {
        return forbidden('only its author or an admin can delete a comment');
      }
      change = { op: 'delete-comment', commentId: write.commentId };
      break;
    }
    case 'delete-chat': {
      // The creator is the first comment's author; a discussion whose comments are all gone may be
      // cleared away by anyone of the team.
      const creator = chat.comments[0]?.author.id;
      if (creator !== undefined && creator !== actor.user.id && !isAdmin) {
        return forbidden('only the discussion’s creator or an admin can delete it');
      }
      return { ok: true, event: { type: 'deleted-text-chat', ...base, chatId: chat.id }, chat: null };
    }
  }

  // The stored state follows from the event by the same rule every client applies it with.
  const event = { type: 'updated-text-chat' as const, ...base, chatId: chat.id, change };
  const chats = [structuredClone(chat)];
  applyChange(chats, { ...event, seq: 0 });
  return { ok: true, event, chat: chats[0]! };
}

function commentNotFound(commentId: string): WritePlan {
  return { ok: false, code: 'not-found', message: `no comment ${commentId} in this discussion` };
}

export function plannerFor(write: WriteFrameT, actor: Actor, now: number): WritePlanner {
  return (current) => planWrite(write, actor, now, current);
}

export function commitWrite(
  store: Store,
  tenantId: string,
  write: WriteFrameT,
  actor: Actor,
  now = Date.now(),
): Promise<CommitResult> {
  return store.commit(tenantId, write, plannerFor(write, actor, now));
}
