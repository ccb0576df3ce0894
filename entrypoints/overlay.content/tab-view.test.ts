import { describe, expect, it } from 'vitest';
import type { ChatEventT, WriteFrameT } from '@/lib/protocol';
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
const echoOf = (write: Extract<WriteFrameT, { type: 'create-chat' }>, seq: number): ChatEventT => ({
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
    expect(view.isPending(write.broadcastId)).toBe(false);
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

  it('keeps pending writes on top of a fresh state from the background', () => {
    const view = new TabView();
    view.setState(page, []);
    const write = createWrite();
    view.addOwn(write, me, 1);
    view.setState(page, []);
    expect(view.view()).toHaveLength(1);
    expect(view.pendingIds()).toEqual(new Set(['chat-aaaa', 'comment-1']));
  });
});
