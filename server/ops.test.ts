import { describe, expect, it } from 'vitest';
import type { DiscussionT, WriteFrameT } from '../lib/protocol';
import { planWrite, type Actor } from './ops';
import type { StoredDiscussion } from './store/types';

const page = 'https://example.com/a';
const other = 'https://example.com/b';
const bid = '6f1c1a52-8f6e-4d1b-9a43-0a6f2d8f3b11';
const alice: Actor = { user: { id: 'u-alice', name: 'Alice' }, role: 'member' };
const bob: Actor = { user: { id: 'u-bob', name: 'Bob' }, role: 'member' };
const admin: Actor = { user: { id: 'u-admin', name: 'Admin' }, role: 'admin' };

const chat: DiscussionT = {
  id: 'chat-0001',
  selectors: [{ type: 'TextQuoteSelector', exact: 'quote' }],
  comments: [
    { id: 'cmt-alice1', author: alice.user, text: 'first', at: 1 },
    { id: 'cmt-bob001', author: bob.user, text: 'second', at: 2 },
  ],
};
const stored: StoredDiscussion = { page, chat };
const elsewhere: StoredDiscussion = { page: other, chat };

const create: WriteFrameT = {
  type: 'create-chat',
  broadcastId: bid,
  page,
  chatId: 'chat-0001',
  commentId: 'cmt-new001',
  selectors: chat.selectors,
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
const delChat: WriteFrameT = { type: 'delete-chat', broadcastId: bid, page, chatId: 'chat-0001' };

describe('planWrite authorisation', () => {
  it.each([
    ['create-chat on a free id', create, alice, null, 'ok'],
    ['create-chat on an existing id', create, alice, stored, 'conflict'],
    ['create-chat on an id used on another page', create, alice, elsewhere, 'conflict'],
    ['add-comment by anyone of the team', add, bob, stored, 'ok'],
    ['add-comment to a missing chat', add, alice, null, 'not-found'],
    ['add-comment to a chat on another page', add, alice, elsewhere, 'not-found'],
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
    ['delete-chat by its creator', delChat, alice, stored, 'ok'],
    ['delete-chat by another member', delChat, bob, stored, 'forbidden'],
    ['delete-chat by an admin', delChat, admin, stored, 'ok'],
    ['delete-chat of a missing chat', delChat, admin, null, 'not-found'],
    ['delete-chat on another page', delChat, admin, elsewhere, 'not-found'],
    [
      'delete-chat of an emptied chat by a member',
      delChat,
      bob,
      { page, chat: { ...chat, comments: [] } },
      'ok',
    ],
  ] as const)('%s → %s', (_name, write, actor, current, expected) => {
    const plan = planWrite(write, actor, 1000, current as StoredDiscussion | null);
    expect(plan.ok ? 'ok' : plan.code).toBe(expected);
  });
});

describe('planWrite results', () => {
  it('takes author and time from the actor and the clock', () => {
    const plan = planWrite(create, bob, 1234, null);
    expect(plan).toMatchObject({
      ok: true,
      event: {
        type: 'new-text-chat',
        page,
        broadcastId: bid,
        chat: { comments: [{ author: bob.user, at: 1234 }] },
      },
    });
  });

  it('edits in the new state and describes only the change', () => {
    const plan = planWrite(edit('cmt-alice1'), alice, 99, stored);
    if (!plan.ok) throw new Error(plan.message);
    expect(plan.event).toEqual({
      type: 'updated-text-chat',
      page,
      broadcastId: bid,
      chatId: 'chat-0001',
      change: { op: 'edit-comment', commentId: 'cmt-alice1', text: 'new', editedAt: 99 },
    });
    expect(plan.chat!.comments[0]).toMatchObject({ text: 'new', editedAt: 99 });
    expect(chat.comments[0]!.text).toBe('first');
  });

  it('deleting a chat leaves no state', () => {
    const plan = planWrite(delChat, admin, 1, stored);
    expect(plan).toEqual({
      ok: true,
      chat: null,
      event: { type: 'deleted-text-chat', page, broadcastId: bid, chatId: 'chat-0001' },
    });
  });
});
