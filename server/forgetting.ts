// Forgetting on the server's own initiative: the retention sweep (discussions past the tenant's
// retention) and erasing a member's content. Both go through the ordinary delete path, one write at
// a time: the store's commit with the server's planner (the page's next seq, the event log keeping a
// tombstone, the tenant's bytes, the search index following the rows) and the bus, so every viewer
// on every node sees the deletion live, as `deleted-text-chat` or a comment's `delete-comment`.
// See docs/security.md, "Privacy".
import { randomUUID } from 'node:crypto';
import type { DiscussionEventT, WriteFrameT } from '../lib/protocol';
import { planWrite, type Actor } from './ops';
import { NO_PLACE, type DiscussionRef, type Store } from './store/types';

export interface ForgettingDeps {
  store: Store;
  /** Publishes an applied event to the page's live viewers on every node (the bus). */
  publish(tenantId: string, event: DiscussionEventT): Promise<void>;
}

/** Rows read per store call: each call stays bounded however much there is to remove. */
const BATCH = 100;
const DAY_MS = 24 * 3600 * 1000;

/** A discussion, or one comment of it (`commentId`), to delete. */
export type DeletionTarget = DiscussionRef & { commentId?: string };

/** The write that deletes a discussion or one of its comments, under a new broadcastId. */
export function deletionOf({ page, discussionId, commentId }: DeletionTarget): WriteFrameT {
  const broadcastId = randomUUID();
  return commentId === undefined
    ? { type: 'delete-chat', broadcastId, page, chatId: discussionId }
    : { type: 'delete-comment', broadcastId, page, chatId: discussionId, commentId };
}

/** The server deleting in its own right: an admin's rights, no token, no audit entry per write. */
function systemActor(adminId: string | null): Actor {
  return { user: { id: adminId ?? 'server', name: '' }, role: 'admin' };
}

/**
 * Deletes one discussion (`commentId` null) or comment as a write of its own and publishes it.
 * False when it was gone already (someone deleted it meanwhile, another node's sweep).
 */
async function forgetOne(
  deps: ForgettingDeps,
  tenantId: string,
  actor: Actor,
  ref: DeletionTarget,
  staleBefore?: number,
): Promise<boolean> {
  const write = deletionOf(ref);
  // One audit entry says what the sweep or the erasure did, counted; not one per write.
  const r = await deps.store.commit(tenantId, write, (input) => {
    // Checked in the delete's transaction: a discussion that came back to life since the sweep listed
    // it (a comment, an edit) stays.
    if (staleBefore !== undefined && input.discussion && input.discussion.lastActivityAt >= staleBefore) {
      return { ok: false, code: 'conflict', message: 'active again since it was listed' };
    }
    const plan = planWrite(write, actor, Date.now(), input);
    return plan.ok ? { ...plan, audit: undefined } : plan;
  });
  if (r.status === 'applied') {
    await deps.publish(tenantId, r.event).catch(() => undefined);
    return true;
  }
  if (r.status === 'rejected' && r.code !== 'not-found' && r.code !== 'conflict') {
    throw new Error(`deleting ${ref.commentId ?? ref.discussionId} was refused: ${r.message}`);
  }
  return false;
}

/**
 * Runs `read` until it finds nothing, deleting each thing it names. A batch in which nothing could be
 * deleted ends the loop (what is left is someone else's to finish), so it never spins.
 */
async function drain<T extends DeletionTarget>(
  deps: ForgettingDeps,
  tenantId: string,
  actor: Actor,
  read: () => Promise<T[]>,
  staleBefore?: number,
): Promise<number> {
  let removed = 0;
  for (;;) {
    const batch = await read();
    if (batch.length === 0) return removed;
    let progress = 0;
    for (const ref of batch) if (await forgetOne(deps, tenantId, actor, ref, staleBefore)) progress++;
    removed += progress;
    if (progress === 0) return removed;
  }
}

export interface ErasureResult {
  comments: number;
  discussions: number;
}

/**
 * Erases what a member wrote (docs/security.md, "What erasing a member takes"): every comment of
 * theirs, and each discussion they started that then holds no comment; a discussion they started in
 * which others replied stays, with those replies and no trace of them. Then the store forgets the
 * member (name, notifications they caused, watches, read positions). The member must already be
 * removed (no token of theirs can write meanwhile); run again, it finishes an interrupted erasure.
 */
export async function eraseMember(
  deps: ForgettingDeps,
  tenantId: string,
  userId: string,
  adminId: string | null,
): Promise<ErasureResult> {
  const actor = systemActor(adminId);
  const comments = await drain(deps, tenantId, actor, async () =>
    (await deps.store.commentsBy(tenantId, userId, BATCH)).map((c) => ({
      page: c.page,
      discussionId: c.discussionId,
      commentId: c.comment.id,
    })),
  );
  const discussions = await drain(deps, tenantId, actor, () =>
    deps.store.emptyDiscussionsBy(tenantId, userId, BATCH),
  );
  await deps.store.forgetUser(tenantId, userId);
  return { comments, discussions };
}

/** Removes one tenant's discussions whose last activity is more than `days` before `now`. */
export async function sweepTenant(
  deps: ForgettingDeps,
  tenantId: string,
  days: number,
  now: number,
): Promise<number> {
  const before = now - days * DAY_MS;
  const removed = await drain(
    deps,
    tenantId,
    systemActor(null),
    () => deps.store.staleDiscussions(tenantId, before, BATCH),
    before,
  );
  if (removed > 0) {
    await deps.store.addAudit({
      tenantId,
      at: Date.now(),
      kind: 'retention-sweep',
      actorId: null,
      subjectId: null,
      tokenId: null,
      ...NO_PLACE,
      detail: `${removed} discussion(s) without activity for ${days} day(s) removed`,
    });
  }
  return removed;
}

/** One sweep over every tenant with a retention set; resolves to how many discussions went. */
export async function sweepRetention(
  deps: ForgettingDeps,
  now = Date.now(),
  log: (message: string) => void = () => {},
): Promise<number> {
  let removed = 0;
  for (const { tenantId, days } of await deps.store.retentionTenants()) {
    try {
      removed += await sweepTenant(deps, tenantId, days, now);
    } catch (err) {
      log(`the retention sweep of tenant ${tenantId} failed: ${(err as Error).message}`);
    }
  }
  return removed;
}
