// Writes: the pure planner that validates, authorises and bounds one write against the discussion
// as stored, and `commitWrite`, which runs it inside the store's transaction. The author and the time
// of every change come from the token's user and the server clock, never from the client.
import { mentionedIds, type PersonT, type RoleT, type WriteFrameT } from '../lib/protocol';
import { selectorBytes, utf8Bytes } from './store/rows';
import type {
  AuditNote,
  CommitResult,
  NotifyPlan,
  PlanInput,
  Store,
  WritePlan,
  WritePlanner,
} from './store/types';

export interface Actor {
  user: PersonT;
  role: RoleT;
  /** The token the write came with; recorded with the change. */
  tokenId?: string;
  /** The admin who created that token when it was not the user themself (the audit trail notes each change). */
  mintedBy?: string | null;
}

/** What one page, discussion and tenant may hold. A write beyond one is refused with its code. */
export interface StoreLimits {
  /** Discussions on one page (`page-full`). */
  discussionsPerPage: number;
  /** Comments in one discussion (`thread-full`). */
  commentsPerDiscussion: number;
  /** Bytes of text and anchors one tenant stores (`quota-exceeded`). */
  tenantBytes: number;
}

export const DEFAULT_STORE_LIMITS: StoreLimits = {
  discussionsPerPage: 500,
  commentsPerDiscussion: 2000,
  tenantBytes: 256 * 1024 * 1024,
};

const notFound = (discussionId: string): WritePlan => ({
  ok: false,
  code: 'not-found',
  message: `no discussion ${discussionId} on this page; it may have been deleted`,
});

const forbidden = (message: string): WritePlan => ({ ok: false, code: 'forbidden', message });

const notify = (actor: PersonT, plan: Partial<NotifyPlan>): NotifyPlan => ({
  actor,
  mentions: [],
  reply: false,
  newDiscussion: false,
  resolveFor: null,
  commentId: null,
  text: null,
  ...plan,
});

function overQuota(input: PlanInput, grows: number, limits: StoreLimits): WritePlan | null {
  if (grows <= 0 || input.tenantBytes + grows <= limits.tenantBytes) return null;
  return {
    ok: false,
    code: 'quota-exceeded',
    message: `your team stores at most ${limits.tenantBytes} bytes of discussions; delete some first`,
  };
}

/**
 * Decides one write from what the store read inside its transaction: the discussion `write.chatId`
 * names in the writer's tenant (its head only), the comment `write.commentId` names in it, and the
 * page's and tenant's totals. A discussion on another page is treated as missing so that nothing
 * about it leaks.
 */
export function planWrite(
  write: WriteFrameT,
  actor: Actor,
  now: number,
  input: PlanInput,
  limits: StoreLimits = DEFAULT_STORE_LIMITS,
): WritePlan {
  const plan = decide(write, actor, now, input, limits);
  if (!plan.ok) return plan;
  const audit: AuditNote[] = [];
  // An admin removing what another user wrote.
  const owner =
    write.type === 'delete-chat'
      ? input.discussion?.creatorId
      : write.type === 'delete-comment'
        ? input.comment?.authorId
        : undefined;
  if (owner !== undefined && owner !== actor.user.id) {
    audit.push({ kind: 'admin-delete', actorId: actor.user.id, subjectId: owner });
  }
  if (actor.mintedBy && actor.mintedBy !== actor.user.id) {
    audit.push({ kind: 'delegated-write', actorId: actor.mintedBy, subjectId: actor.user.id });
  }
  return audit.length > 0 ? { ...plan, audit } : plan;
}

function decide(
  write: WriteFrameT,
  actor: Actor,
  now: number,
  input: PlanInput,
  limits: StoreLimits,
): WritePlan {
  const base = { page: write.page, broadcastId: write.broadcastId };
  // Removed from the team (or the token revoked) on any node: nothing more is written in its name.
  if (input.tokenRevoked) {
    return { ok: false, code: 'forbidden', message: 'this token was revoked; ask your admin for a new one' };
  }
  const { discussion, comment } = input;
  if (write.type === 'create-chat') {
    if (discussion) {
      return { ok: false, code: 'conflict', message: `a discussion with id ${write.chatId} already exists` };
    }
    if (input.pageDiscussions >= limits.discussionsPerPage) {
      return {
        ok: false,
        code: 'page-full',
        message: `a page holds at most ${limits.discussionsPerPage} discussions; delete one or reply to one`,
      };
    }
    const bytes = selectorBytes(write.selectors) + utf8Bytes(write.text) + utf8Bytes(write.title ?? '');
    const refused = overQuota(input, bytes, limits);
    if (refused) return refused;
    return {
      ok: true,
      bytes,
      notify: notify(actor.user, {
        mentions: mentionedIds(write.text),
        newDiscussion: true,
        commentId: write.commentId,
        text: write.text,
      }),
      event: {
        type: 'new-text-chat',
        ...base,
        chat: {
          id: write.chatId,
          selectors: write.selectors,
          comments: [{ id: write.commentId, author: actor.user, text: write.text, at: now }],
        },
      },
    };
  }

  if (!discussion || discussion.page !== write.page) return notFound(write.chatId);
  // The token's role as stored now: an admin's change of it applies to a live connection's next write.
  const isAdmin = (input.tokenRole ?? actor.role) === 'admin';
  const update = { type: 'updated-text-chat' as const, ...base, chatId: discussion.id };

  switch (write.type) {
    case 'add-comment': {
      if (comment) {
        return {
          ok: false,
          code: 'conflict',
          message: `a comment with id ${write.commentId} already exists`,
        };
      }
      if (discussion.commentCount >= limits.commentsPerDiscussion) {
        return {
          ok: false,
          code: 'thread-full',
          message: `a discussion holds at most ${limits.commentsPerDiscussion} comments; start a new one`,
        };
      }
      const bytes = utf8Bytes(write.text);
      const refused = overQuota(input, bytes, limits);
      if (refused) return refused;
      return {
        ok: true,
        bytes,
        notify: notify(actor.user, {
          mentions: mentionedIds(write.text),
          reply: true,
          commentId: write.commentId,
          text: write.text,
        }),
        event: {
          ...update,
          change: {
            op: 'add-comment',
            comment: { id: write.commentId, author: actor.user, text: write.text, at: now },
          },
        },
      };
    }
    case 'edit-comment': {
      if (!comment) return commentNotFound(write.commentId);
      if (comment.authorId !== actor.user.id) return forbidden('only its author can edit a comment');
      const bytes = utf8Bytes(write.text) - comment.bytes;
      const refused = overQuota(input, bytes, limits);
      if (refused) return refused;
      // Only the people the edit adds are told; those mentioned before were told then.
      const before = new Set(comment.mentions);
      return {
        ok: true,
        bytes,
        notify: notify(actor.user, {
          mentions: mentionedIds(write.text).filter((id) => !before.has(id)),
          commentId: comment.id,
          text: write.text,
        }),
        event: {
          ...update,
          change: {
            op: 'edit-comment',
            commentId: comment.id,
            text: write.text,
            // After the comment was written, always: an edit in the same millisecond, or on a node
            // whose clock is behind the one that stored the comment, still reads as a later change.
            editedAt: Math.max(now, comment.at + 1),
          },
        },
      };
    }
    case 'delete-comment': {
      if (!comment) return commentNotFound(write.commentId);
      if (comment.authorId !== actor.user.id && !isAdmin) {
        return forbidden('only its author or an admin can delete a comment');
      }
      return {
        ok: true,
        bytes: -comment.bytes,
        event: { ...update, change: { op: 'delete-comment', commentId: comment.id } },
      };
    }
    case 'delete-chat': {
      // The creator is stored with the discussion: deleting the opening comment changes nothing.
      if (discussion.creatorId !== actor.user.id && !isAdmin) {
        return forbidden('only the discussion’s creator or an admin can delete it');
      }
      return {
        ok: true,
        bytes: -discussion.bytes,
        event: { type: 'deleted-text-chat', ...base, chatId: discussion.id },
      };
    }
    case 'resolve-chat': {
      // Any member may settle a discussion or reopen it; deleting stays with its creator and admins.
      // Resolving a resolved discussion (or reopening an open one) is a change all the same: it
      // restates who settled it and when, and each write keeps its own seq and ack.
      return {
        ok: true,
        bytes: 0,
        notify: notify(actor.user, {
          resolveFor: write.resolved && discussion.resolvedBy === null ? discussion.creatorId : null,
        }),
        event: {
          ...update,
          change: { op: 'resolve', resolved: write.resolved ? { by: actor.user, at: now } : null },
        },
      };
    }
  }
}

function commentNotFound(commentId: string): WritePlan {
  return { ok: false, code: 'not-found', message: `no comment ${commentId} in this discussion` };
}

export function plannerFor(
  write: WriteFrameT,
  actor: Actor,
  now: number,
  limits: StoreLimits = DEFAULT_STORE_LIMITS,
): WritePlanner {
  return (input) => planWrite(write, actor, now, input, limits);
}

export function commitWrite(
  store: Store,
  tenantId: string,
  write: WriteFrameT,
  actor: Actor,
  now = Date.now(),
  limits: StoreLimits = DEFAULT_STORE_LIMITS,
): Promise<CommitResult> {
  return store.commit(tenantId, write, plannerFor(write, actor, now, limits), actor.tokenId ?? null);
}
