import { describe, expect, it } from 'vitest';
import { addSnapshotPage, applyEvent, applyReplay, emptyPageState, type DiscussionEventT } from './index';

const page = 'https://example.com/a';
const chat = (id: string) => ({
  id,
  selectors: [{ type: 'TextQuoteSelector' as const, exact: 'quote' }],
  comments: [{ id: `${id}-c1`, author: { id: 'u1', name: 'Ana' }, text: 'first', at: 1 }],
});
const created = (seq: number, id: string): DiscussionEventT => ({
  type: 'new-text-chat',
  page,
  seq,
  broadcastId: crypto.randomUUID(),
  chat: chat(id),
});

describe('applyEvent', () => {
  it('applies events in seq order, ignores duplicates and reports gaps', () => {
    const state = emptyPageState();
    expect(applyEvent(state, created(1, 'chat-aaaa'))).toBe('applied');
    expect(applyEvent(state, created(1, 'chat-aaaa'))).toBe('duplicate');
    expect(applyEvent(state, created(3, 'chat-cccc'))).toBe('gap');
    expect(state.seq).toBe(1);
    expect(state.discussions.map((c) => c.id)).toEqual(['chat-aaaa']);
  });

  it.each([
    [
      {
        op: 'add-comment' as const,
        comment: { id: 'chat-aaaa-c2', author: { id: 'u2', name: 'Bo' }, text: 'reply', at: 2 },
      },
      ['first', 'reply'],
    ],
    [{ op: 'edit-comment' as const, commentId: 'chat-aaaa-c1', text: 'edited', editedAt: 3 }, ['edited']],
    [{ op: 'delete-comment' as const, commentId: 'chat-aaaa-c1' }, []],
  ])('applies %o', (change, texts) => {
    const state = emptyPageState();
    applyEvent(state, created(1, 'chat-aaaa'));
    applyEvent(state, {
      type: 'updated-text-chat',
      page,
      seq: 2,
      broadcastId: crypto.randomUUID(),
      chatId: 'chat-aaaa',
      change,
    });
    expect(state.discussions[0]!.comments.map((c) => c.text)).toEqual(texts);
  });

  it('replays stop at the first gap', () => {
    const state = emptyPageState();
    expect(
      applyReplay(state, {
        events: [created(1, 'chat-aaaa'), created(2, 'chat-bbbb'), created(4, 'chat-dddd')],
      }),
    ).toBe('gap');
    expect(state.seq).toBe(2);
  });

  it('deletes a discussion', () => {
    const state = emptyPageState();
    applyEvent(state, created(1, 'chat-aaaa'));
    applyEvent(state, {
      type: 'deleted-text-chat',
      page,
      seq: 2,
      broadcastId: crypto.randomUUID(),
      chatId: 'chat-aaaa',
    });
    expect(state.discussions).toEqual([]);
  });
});

describe('addSnapshotPage', () => {
  it('appends discussions, continues the last one across parts and skips what it already holds', () => {
    const chats: ReturnType<typeof chat>[] = [];
    addSnapshotPage(chats, [chat('a'), chat('b')]);
    const more = {
      ...chat('b'),
      comments: [{ ...chat('b').comments[0]!, id: 'b-c2' }, chat('b').comments[0]!],
    };
    addSnapshotPage(chats, [more, chat('c')]);
    addSnapshotPage(chats, [chat('a')]);
    expect(chats.map((c) => [c.id, c.comments.map((x) => x.id)])).toEqual([
      ['a', ['a-c1']],
      ['b', ['b-c1', 'b-c2']],
      ['c', ['c-c1']],
    ]);
  });
});

describe('resolve', () => {
  it('sets who resolved a discussion and when, and clears it on reopen', () => {
    const state = emptyPageState();
    applyEvent(state, created(1, 'chat-aaaa'));
    const resolved = { by: { id: 'u2', name: 'Bo' }, at: 5 };
    const resolve = (seq: number, value: typeof resolved | null): DiscussionEventT => ({
      type: 'updated-text-chat',
      page,
      seq,
      broadcastId: crypto.randomUUID(),
      chatId: 'chat-aaaa',
      change: { op: 'resolve', resolved: value },
    });
    expect(applyEvent(state, resolve(2, resolved))).toBe('applied');
    expect(state.discussions[0]!.resolved).toEqual(resolved);
    expect(state.discussions[0]!.comments.map((c) => c.text)).toEqual(['first']);
    expect(applyEvent(state, resolve(3, null))).toBe('applied');
    expect(state.discussions[0]).not.toHaveProperty('resolved');
  });
});
