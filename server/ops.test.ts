import { describe, expect, it } from 'vitest';
import { mentionedIds, mentionToken, type DiscussionT, type WriteFrameT } from '../lib/protocol';
import { planWrite, type Actor } from './ops';
import { selectorBytes, utf8Bytes } from './store/rows';
import type { PlanInput } from './store/types';

/** A discussion as a test states it: its page, its stored creator and its comments. */
interface Stored {
  page: string;
  discussion: DiscussionT;
  creatorId?: string;
}

/** What the store would read for `write` from a stored discussion (or none). */
function inputFor(write: WriteFrameT, stored: Stored | null, totals: Partial<PlanInput> = {}): PlanInput {
  const commentId = 'commentId' in write ? write.commentId : null;
  const comment = stored?.discussion.comments.find((c) => c.id === commentId);
  return {
    discussion: stored && {
      id: stored.discussion.id,
      page: stored.page,
      creatorId: stored.creatorId ?? stored.discussion.comments[0]?.author.id ?? '',
      commentCount: stored.discussion.comments.length,
      bytes: 100,
      resolvedBy: stored.discussion.resolved?.by.id ?? null,
      lastActivityAt: 0,
    },
    comment: comment
      ? {
          id: comment.id,
          authorId: comment.author.id,
          at: comment.at,
          bytes: utf8Bytes(comment.text),
          mentions: mentionedIds(comment.text),
        }
      : null,
    pageDiscussions: 0,
    tenantBytes: 0,
    ...totals,
  };
}

const page = 'https://example.com/a';
const other = 'https://example.com/b';
const bid = '6f1c1a52-8f6e-4d1b-9a43-0a6f2d8f3b11';
const alice: Actor = { user: { id: 'u-alice', name: 'Alice' }, role: 'member' };
const bob: Actor = { user: { id: 'u-bob', name: 'Bob' }, role: 'member' };
const admin: Actor = { user: { id: 'u-admin', name: 'Admin' }, role: 'admin' };

const discussion: DiscussionT = {
  id: 'chat-0001',
  selectors: [{ type: 'TextQuoteSelector', exact: 'quote' }],
  comments: [
    { id: 'cmt-alice1', author: alice.user, text: 'first', at: 1 },
    { id: 'cmt-bob001', author: bob.user, text: 'second', at: 2 },
  ],
};
const stored: Stored = { page, discussion };
const elsewhere: Stored = { page: other, discussion };

const create: WriteFrameT = {
  type: 'create-chat',
  broadcastId: bid,
  page,
  chatId: 'chat-0001',
  commentId: 'cmt-new001',
  selectors: discussion.selectors,
  text: 'hello',
};
const add: WriteFrameT = {
  type: 'add-comment',
  broadcastId: bid,
  page,
  chatId: 'chat-0001',
  commentId: 'cmt-new001',
  text: 'hi',
};
const edit = (commentId: string): WriteFrameT => ({
  type: 'edit-comment',
  broadcastId: bid,
  page,
  chatId: 'chat-0001',
  commentId,
  text: 'new',
});
const delComment = (commentId: string): WriteFrameT => ({
  type: 'delete-comment',
  broadcastId: bid,
  page,
  chatId: 'chat-0001',
  commentId,
});
const delDiscussion: WriteFrameT = { type: 'delete-chat', broadcastId: bid, page, chatId: 'chat-0001' };
const resolve = (resolved = true): WriteFrameT => ({
  type: 'resolve-chat',
  broadcastId: bid,
  page,
  chatId: 'chat-0001',
  resolved,
});

describe('planWrite authorisation', () => {
  it.each([
    ['create-chat on a free id', create, alice, null, 'ok'],
    ['create-chat on an existing id', create, alice, stored, 'conflict'],
    ['create-chat on an id used on another page', create, alice, elsewhere, 'conflict'],
    ['add-comment by anyone of the team', add, bob, stored, 'ok'],
    ['add-comment to a missing discussion', add, alice, null, 'not-found'],
    ['add-comment to a discussion on another page', add, alice, elsewhere, 'not-found'],
    [
      'add-comment reusing a comment id',
      { ...add, commentId: 'cmt-bob001' } as WriteFrameT,
      alice,
      stored,
      'conflict',
    ],
    ['edit-comment by its author', edit('cmt-alice1'), alice, stored, 'ok'],
    ['edit-comment by another member', edit('cmt-alice1'), bob, stored, 'forbidden'],
    ['edit-comment by an admin', edit('cmt-alice1'), admin, stored, 'forbidden'],
    ['edit-comment of a missing comment', edit('cmt-missing'), alice, stored, 'not-found'],
    ['edit-comment on another page', edit('cmt-alice1'), alice, elsewhere, 'not-found'],
    ['delete-comment by its author', delComment('cmt-bob001'), bob, stored, 'ok'],
    ['delete-comment by another member', delComment('cmt-bob001'), alice, stored, 'forbidden'],
    ['delete-comment by an admin', delComment('cmt-bob001'), admin, stored, 'ok'],
    ['delete-comment of a missing comment', delComment('cmt-missing'), admin, stored, 'not-found'],
    ['delete-chat by its creator', delDiscussion, alice, stored, 'ok'],
    ['delete-chat by another member', delDiscussion, bob, stored, 'forbidden'],
    ['delete-chat by an admin', delDiscussion, admin, stored, 'ok'],
    ['delete-chat of a missing discussion', delDiscussion, admin, null, 'not-found'],
    ['resolve-chat by its creator', resolve(), alice, stored, 'ok'],
    ['resolve-chat by another member', resolve(), bob, stored, 'ok'],
    ['reopen by another member', resolve(false), bob, stored, 'ok'],
    ['resolve-chat of a missing discussion', resolve(), bob, null, 'not-found'],
    ['resolve-chat on another page', resolve(), bob, elsewhere, 'not-found'],
    ['delete-chat on another page', delDiscussion, admin, elsewhere, 'not-found'],
    [
      'delete-chat of an emptied discussion by another member',
      delDiscussion,
      bob,
      { page, discussion: { ...discussion, comments: [] }, creatorId: alice.user.id },
      'forbidden',
    ],
    [
      'delete-chat by the author of the first remaining comment, not the creator',
      delDiscussion,
      bob,
      { page, discussion: { ...discussion, comments: [discussion.comments[1]!] }, creatorId: alice.user.id },
      'forbidden',
    ],
    [
      'delete-chat by its creator after their opening comment is gone',
      delDiscussion,
      alice,
      { page, discussion: { ...discussion, comments: [discussion.comments[1]!] }, creatorId: alice.user.id },
      'ok',
    ],
  ] as const)('%s → %s', (_name, write, actor, current, expected) => {
    const plan = planWrite(write, actor, 1000, inputFor(write, current as Stored | null));
    expect(plan.ok ? 'ok' : plan.code).toBe(expected);
  });
});

describe('planWrite results', () => {
  it('takes author and time from the actor and the clock, and counts the bytes it stores', () => {
    const plan = planWrite(create, bob, 1234, inputFor(create, null));
    expect(plan).toMatchObject({
      ok: true,
      bytes: selectorBytes(create.type === 'create-chat' ? create.selectors : []) + 5,
      event: {
        type: 'new-text-chat',
        page,
        broadcastId: bid,
        chat: { comments: [{ author: bob.user, at: 1234 }] },
      },
    });
  });

  it('dates an edit after the comment, whatever the clock says (same millisecond, a node behind)', () => {
    for (const now of [1, 0]) {
      const plan = planWrite(edit('cmt-alice1'), alice, now, inputFor(edit('cmt-alice1'), stored));
      if (!plan.ok) throw new Error(plan.message);
      expect(plan.event).toMatchObject({ change: { op: 'edit-comment', editedAt: 2 } });
    }
  });

  it('describes only the change of an edit, with the change in bytes', () => {
    const plan = planWrite(edit('cmt-alice1'), alice, 99, inputFor(edit('cmt-alice1'), stored));
    if (!plan.ok) throw new Error(plan.message);
    expect(plan).toEqual({
      ok: true,
      bytes: 3 - 5,
      event: {
        type: 'updated-text-chat',
        page,
        broadcastId: bid,
        chatId: 'chat-0001',
        change: { op: 'edit-comment', commentId: 'cmt-alice1', text: 'new', editedAt: 99 },
      },
      notify: {
        actor: alice.user,
        mentions: [],
        reply: false,
        newDiscussion: false,
        resolveFor: null,
        commentId: 'cmt-alice1',
        text: 'new',
      },
    });
  });

  it('deleting a discussion gives back its bytes; an admin deleting another’s is noted for the audit', () => {
    expect(planWrite(delDiscussion, admin, 1, inputFor(delDiscussion, stored))).toEqual({
      ok: true,
      bytes: -100,
      event: { type: 'deleted-text-chat', page, broadcastId: bid, chatId: 'chat-0001' },
      audit: [{ kind: 'admin-delete', actorId: admin.user.id, subjectId: alice.user.id }],
    });
    expect(planWrite(delDiscussion, alice, 1, inputFor(delDiscussion, stored))).not.toHaveProperty('audit');
  });

  it('notes every write made with a token an admin created for someone else', () => {
    const minted: Actor = { ...bob, mintedBy: admin.user.id };
    expect(planWrite(add, minted, 1, inputFor(add, stored))).toMatchObject({
      ok: true,
      audit: [{ kind: 'delegated-write', actorId: admin.user.id, subjectId: bob.user.id }],
    });
    expect(planWrite(add, { ...bob, mintedBy: bob.user.id }, 1, inputFor(add, stored))).not.toHaveProperty(
      'audit',
    );
  });
});

describe('planWrite limits', () => {
  const limits = { discussionsPerPage: 3, commentsPerDiscussion: 2, tenantBytes: 1000 };
  it.each([
    ['a discussion on a full page', create, null, { pageDiscussions: 3 }, 'page-full'],
    ['a discussion on a page one short of full', create, null, { pageDiscussions: 2 }, 'ok'],
    ['a reply to a full thread', add, stored, {}, 'thread-full'],
    ['a discussion past the tenant’s bytes', create, null, { tenantBytes: 990 }, 'quota-exceeded'],
    [
      'an edit that grows past the tenant’s bytes',
      { ...edit('cmt-alice1'), text: 'x'.repeat(50) },
      stored,
      { tenantBytes: 990 },
      'quota-exceeded',
    ],
    [
      'an edit that shrinks, at the tenant’s bytes',
      { ...edit('cmt-alice1'), text: 'x' },
      stored,
      { tenantBytes: 1000 },
      'ok',
    ],
    ['a delete at the tenant’s bytes', delComment('cmt-alice1'), { ...stored }, { tenantBytes: 5000 }, 'ok'],
  ] as const)('%s → %s', (_name, write, current, totals, expected) => {
    const actor = write.type === 'delete-comment' ? admin : alice;
    const plan = planWrite(
      write as WriteFrameT,
      actor,
      1,
      inputFor(write as WriteFrameT, current, totals),
      limits,
    );
    expect(plan.ok ? 'ok' : plan.code).toBe(expected);
    if (!plan.ok) expect(plan.message).toMatch(/at most/);
  });
});

describe('planWrite: resolve and what a write may notify', () => {
  it('resolves with the writer and the server time, and reopens with null', () => {
    const plan = planWrite(resolve(), bob, 1234, inputFor(resolve(), stored));
    expect(plan).toMatchObject({
      ok: true,
      bytes: 0,
      event: { type: 'updated-text-chat', change: { op: 'resolve', resolved: { by: bob.user, at: 1234 } } },
      notify: { actor: bob.user, resolveFor: 'u-alice', mentions: [], reply: false, newDiscussion: false },
    });
    const reopen = planWrite(resolve(false), bob, 1234, inputFor(resolve(false), stored));
    expect(reopen).toMatchObject({ ok: true, event: { change: { op: 'resolve', resolved: null } } });
    expect(reopen.ok && reopen.notify?.resolveFor).toBeNull();
  });

  it('tells the creator of a resolve only when the discussion was open', () => {
    const settled: Stored = { page, discussion: { ...discussion, resolved: { by: bob.user, at: 1 } } };
    const plan = planWrite(resolve(), admin, 5, inputFor(resolve(), settled));
    expect(plan.ok && plan.notify?.resolveFor).toBeNull();
  });

  it('names the mentions of a new text, and of an edit only those it adds', () => {
    const text = `${mentionToken('u-bob')} and ${mentionToken('u-carla')}`;
    const created = planWrite({ ...create, text } as WriteFrameT, alice, 1, inputFor(create, null));
    expect(created.ok && created.notify).toMatchObject({
      mentions: ['u-bob', 'u-carla'],
      newDiscussion: true,
      text,
    });
    const replied = planWrite({ ...add, text } as WriteFrameT, alice, 1, inputFor(add, stored));
    expect(replied.ok && replied.notify).toMatchObject({ mentions: ['u-bob', 'u-carla'], reply: true });
    const mentioned: Stored = {
      page,
      discussion: {
        ...discussion,
        comments: [{ ...discussion.comments[0]!, text: `${mentionToken('u-bob')} hi` }],
      },
    };
    const edited = { ...edit('cmt-alice1'), text } as WriteFrameT;
    const plan = planWrite(edited, alice, 1, inputFor(edited, mentioned));
    expect(plan.ok && plan.notify).toMatchObject({
      mentions: ['u-carla'],
      reply: false,
      commentId: 'cmt-alice1',
    });
  });

  it('notifies nothing of a delete', () => {
    const plan = planWrite(delDiscussion, alice, 1, inputFor(delDiscussion, stored));
    expect(plan.ok && plan.notify).toBeUndefined();
  });
});
