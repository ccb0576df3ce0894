import { describe, expect, it } from 'vitest';
import type { DiscussionEventT, WriteFrameT } from '@/lib/protocol';
import { TabView } from './tab-view';

const page = 'https://example.com/a';
const me = { id: 'u-alice', name: 'Alice' };
const createWrite = (text = 'first'): Extract<WriteFrameT, { type: 'create-chat' }> => ({
  type: 'create-chat',
  broadcastId: crypto.randomUUID(),
  page,
  chatId: 'chat-aaaa',
  commentId: 'comment-1',
  selectors: [{ type: 'TextQuoteSelector', exact: 'quote' }],
  text,
});
const echoOf = (write: Extract<WriteFrameT, { type: 'create-chat' }>, seq: number): DiscussionEventT => ({
  type: 'new-text-chat',
  page,
  seq,
  broadcastId: write.broadcastId,
  chat: {
    id: write.chatId,
    selectors: write.selectors,
    comments: [{ id: write.commentId, author: me, text: write.text, at: 5 }],
  },
});

describe('TabView', () => {
  it('shows its own write at once and drops the echo of it', () => {
    const view = new TabView();
    view.setState(page, []);
    const write = createWrite();
    view.addOwn(write, me, 1);
    expect(view.view().map((c) => c.id)).toEqual(['chat-aaaa']);
    expect(view.event(echoOf(write, 1))).toBe('own-echo');
    expect(view.view()).toHaveLength(1);
    expect(view.view()[0]!.comments).toHaveLength(1);
    expect(view.isUnacked(write.broadcastId)).toBe(false);
  });

  it.each([
    ['before', false],
    ['after', true],
  ])('settles its own write to the server time when the echo comes %s the ack', (_when, ackFirst) => {
    const view = new TabView();
    view.setState(page, []);
    const write = createWrite();
    view.addOwn(write, me, 1);
    if (ackFirst) view.confirm(write.broadcastId);
    view.event(echoOf(write, 1));
    expect(view.view()).toHaveLength(1);
    expect(view.view()[0]!.comments.map((c) => c.at)).toEqual([5]);
  });

  it('drops an echo that arrives after the ack', () => {
    const view = new TabView();
    view.setState(page, []);
    const write = createWrite();
    view.addOwn(write, me, 1);
    view.confirm(write.broadcastId);
    expect(view.event(echoOf(write, 1))).toBe('own-echo');
    expect(view.view()).toHaveLength(1);
  });

  it('settles its own reply to the server version once, never adding it twice', () => {
    const view = new TabView();
    const created = createWrite();
    const first = echoOf(created, 1);
    if (first.type !== 'new-text-chat') throw new Error('echoOf makes a new-text-chat');
    view.setState(page, [first.chat]);
    const reply: WriteFrameT = {
      type: 'add-comment',
      broadcastId: crypto.randomUUID(),
      page,
      chatId: created.chatId,
      commentId: 'comment-2',
      text: 'reply',
    };
    view.addOwn(reply, me, 1);
    view.confirm(reply.broadcastId);
    view.event({
      type: 'updated-text-chat',
      page,
      seq: 2,
      broadcastId: reply.broadcastId,
      chatId: created.chatId,
      change: { op: 'add-comment', comment: { id: 'comment-2', author: me, text: 'reply', at: 9 } },
    });
    expect(view.view()[0]!.comments.map((c) => [c.id, c.at])).toEqual([
      ['comment-1', 5],
      ['comment-2', 9],
    ]);
  });

  it('applies the same event coming from another tab or user', () => {
    const view = new TabView();
    view.setState(page, []);
    expect(view.event(echoOf(createWrite(), 1))).toBe('applied');
    expect(view.view()).toHaveLength(1);
  });

  it('rolls a refused write back', () => {
    const view = new TabView();
    view.setState(page, []);
    const write = createWrite();
    view.addOwn(write, me, 1);
    expect(view.rollback(write.broadcastId)).toBe(true);
    expect(view.view()).toEqual([]);
  });

  it('keeps unacked writes on top of a fresh state from the background', () => {
    const view = new TabView();
    view.setState(page, []);
    const write = createWrite();
    view.addOwn(write, me, 1);
    view.setState(page, []);
    expect(view.view()).toHaveLength(1);
    expect(new Set(view.unackedItems().keys())).toEqual(new Set(['chat-aaaa', 'comment-1']));
  });
});

describe('TabView: resolve', () => {
  it('shows its own resolve at once, keeps the discussion out of the unacked items, and rolls a refusal back', () => {
    const view = new TabView();
    const { chat: discussion } = echoOf(createWrite(), 1) as Extract<
      DiscussionEventT,
      { type: 'new-text-chat' }
    >;
    view.setState(page, [discussion]);
    const resolve: WriteFrameT = {
      type: 'resolve-chat',
      broadcastId: crypto.randomUUID(),
      page,
      chatId: 'chat-aaaa',
      resolved: true,
    };
    view.addOwn(resolve, me, 9);
    expect(view.view()[0]!.resolved).toEqual({ by: me, at: 9 });
    expect(new Set(view.unackedItems().keys())).toEqual(new Set());
    expect(view.rollback(resolve.broadcastId)).toBe(true);
    expect(view.view()[0]).not.toHaveProperty('resolved');
  });
});
