import { describe, expect, it } from 'vitest';
import type { DiscussionEventT, DiscussionT, ServerFrameT } from './frames';
import { liveEvent, toWire, WireReader } from './wire';

const PAGE = 'https://example.com/article';
const ana = { id: 'usr_ana0000000000000', name: 'Ana' };
const bruno = { id: 'usr_bruno00000000000', name: 'Bruno' };
const quote = { type: 'TextQuoteSelector' as const, exact: 'the quoted text', prefix: 'before ' };
const position = { type: 'TextPositionSelector' as const, start: 10, end: 25 };

const chat: DiscussionT = {
  id: 'chat-aaaa',
  selectors: [quote, position],
  comments: [{ id: 'c-aaaaaaaa', author: ana, text: 'first', at: 1 }],
};
const created: DiscussionEventT = {
  type: 'new-text-chat',
  page: PAGE,
  seq: 1,
  broadcastId: '9b2f6c1e-3f5a-4c8e-9a41-2d7c0b5e8f13',
  chat,
};
const reply = (seq: number, author = bruno): DiscussionEventT => ({
  type: 'updated-text-chat',
  page: PAGE,
  seq,
  broadcastId: '0f7c2d9a-51b4-4a8e-8d3c-6e1f2a9b7c40',
  chatId: chat.id,
  change: { op: 'add-comment', comment: { id: `c-reply${seq}00`, author, text: 'reply', at: seq } },
});

function reader() {
  const frames: ServerFrameT[] = [];
  const unknown: string[] = [];
  const r = new WireReader({ frame: (f) => frames.push(f), unknownAuthor: (p) => unknown.push(p) });
  return { r, frames, unknown };
}

describe('live events', () => {
  it('name an author once per room, then by id alone, and keep only the quote of an anchor', () => {
    const named = new Map<string, string>();
    const first = liveEvent(created, 4, named);
    expect(first).toEqual({
      type: 'new-text-chat',
      alias: 4,
      seq: 1,
      broadcastId: created.broadcastId,
      chat: {
        id: chat.id,
        quote: { exact: quote.exact, prefix: quote.prefix },
        comments: [{ id: 'c-aaaaaaaa', author: ana.id, text: 'first', at: 1 }],
      },
      authors: { [ana.id]: 'Ana' },
    });
    expect(liveEvent(reply(2), 4, named).authors).toEqual({ [bruno.id]: 'Bruno' });
    expect(liveEvent(reply(3), 4, named)).not.toHaveProperty('authors');
    // A renamed author is named again.
    expect(liveEvent(reply(4, { ...bruno, name: 'Bruno B.' }), 4, named).authors).toEqual({
      [bruno.id]: 'Bruno B.',
    });
  });
});

describe('WireReader', () => {
  it('reads page frames back into page keys and named authors', () => {
    const { r, frames, unknown } = reader();
    const aliasOf = () => 7;
    r.read(toWire({ type: 'snapshot', page: PAGE, seq: 0, chats: [] }, aliasOf));
    const named = new Map<string, string>();
    r.read(liveEvent(created, 7, named));
    r.read(liveEvent(reply(2), 7, named));
    r.read(liveEvent(reply(3), 7, named));
    expect(unknown).toEqual([]);
    expect(frames).toEqual([
      { type: 'snapshot', page: PAGE, seq: 0, chats: [] },
      { ...created, chat: { ...chat, selectors: [quote] } },
      reply(2),
      reply(3),
    ]);
  });

  it('round-trips snapshots and replays with every selector', () => {
    const { r, frames } = reader();
    const snapshot: ServerFrameT = {
      type: 'snapshot',
      page: PAGE,
      seq: 1,
      chats: [chat],
      part: 1,
      more: true,
    };
    const replay: ServerFrameT = { type: 'replay', page: PAGE, seq: 3, events: [reply(2), reply(3, ana)] };
    r.read(toWire(snapshot, () => 2));
    r.read(toWire(replay, () => 2));
    expect(frames).toEqual([snapshot, replay]);
  });

  it('drops events of an alias it was never given, and reports an author without a name', () => {
    const { r, frames, unknown } = reader();
    r.read(liveEvent(created, 9, new Map()));
    expect(frames).toEqual([]);
    r.read(toWire({ type: 'snapshot', page: PAGE, seq: 0, chats: [] }, () => 9));
    const named = new Map([[bruno.id, 'Bruno']]);
    r.read(liveEvent(reply(1), 9, named));
    expect(unknown).toEqual([PAGE]);
    expect(frames).toHaveLength(1);
  });

  it('forgets aliases on reset but keeps names', () => {
    const { r, frames, unknown } = reader();
    r.read(toWire({ type: 'snapshot', page: PAGE, seq: 0, chats: [chat] }, () => 1));
    r.reset();
    const named = new Map([[ana.id, 'Ana']]);
    r.read(liveEvent(reply(2, ana), 1, named));
    expect(frames).toHaveLength(1);
    r.read(toWire({ type: 'replay', page: PAGE, seq: 1, events: [] }, () => 5));
    r.read(liveEvent(reply(2, ana), 5, named));
    expect(unknown).toEqual([]);
    expect(frames.at(-1)).toEqual(reply(2, ana));
  });
});

describe('resolved discussions', () => {
  const resolved = { by: bruno, at: 7 };
  const resolve: DiscussionEventT = {
    type: 'updated-text-chat',
    page: PAGE,
    seq: 2,
    broadcastId: '3d9a7c51-0e2b-4f6a-8c1d-5b7e9f0a2c64',
    chatId: chat.id,
    change: { op: 'resolve', resolved },
  };

  it('name the resolver by id, in authors, live and in snapshots, and read back with the name', () => {
    const named = new Map<string, string>([[ana.id, 'Ana']]);
    const live = liveEvent(resolve, 4, named);
    expect(live).toMatchObject({
      change: { op: 'resolve', resolved: { by: bruno.id, at: 7 } },
      authors: { [bruno.id]: 'Bruno' },
    });
    const snapshot: ServerFrameT = { type: 'snapshot', page: PAGE, seq: 2, chats: [{ ...chat, resolved }] };
    const wire = toWire(snapshot, () => 4);
    expect(wire).toMatchObject({
      chats: [{ resolved: { by: bruno.id, at: 7 } }],
      authors: { [bruno.id]: 'Bruno' },
    });
    const { r, frames } = reader();
    r.read(wire);
    r.read(live);
    expect(frames).toEqual([snapshot, resolve]);
  });

  it('read a reopen, which names nobody', () => {
    const reopen: DiscussionEventT = { ...resolve, seq: 3, change: { op: 'resolve', resolved: null } };
    const { r, frames, unknown } = reader();
    r.read(toWire({ type: 'snapshot', page: PAGE, seq: 2, chats: [chat] }, () => 4));
    const live = liveEvent(reopen, 4, new Map());
    expect(live).not.toHaveProperty('authors');
    r.read(live);
    expect(frames[1]).toEqual(reopen);
    expect(unknown).toEqual([]);
  });
});
