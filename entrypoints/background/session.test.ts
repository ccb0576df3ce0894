import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { LIMITS, PROTOCOL_VERSION, type DiscussionEventT, type WriteFrameT } from '@/lib/protocol';
import type { BackgroundToFrameT } from '@/lib/messaging';
import { legacyTokenStorage, outboxStorage, serverUrlStorage } from '@/lib/storage';
import { socketFactory } from '@/test/unit/fake-socket';
import { Outbox } from './outbox';
import { Session } from './session';

const page = 'https://example.com/a';
const welcome = {
  type: 'welcome' as const,
  protocol: PROTOCOL_VERSION,
  user: { id: 'u-alice', name: 'Alice' },
  tenant: { id: 't-a', name: 'Tenant A' },
  role: 'member' as const,
};

function created(
  seq: number,
  id: string,
  broadcastId: string = crypto.randomUUID(),
): Extract<DiscussionEventT, { type: 'new-text-chat' }> {
  return {
    type: 'new-text-chat',
    page,
    seq,
    broadcastId,
    chat: {
      id,
      selectors: [{ type: 'TextQuoteSelector', exact: 'quote' }],
      comments: [{ id: `${id}-c1`, author: { id: 'u-bob', name: 'Bob' }, text: 'hi', at: 1 }],
    },
  };
}

function reply(text = 'a reply'): WriteFrameT {
  return {
    type: 'add-comment',
    broadcastId: crypto.randomUUID(),
    page,
    chatId: 'chat-aaaa',
    commentId: `c-${crypto.randomUUID().slice(0, 8)}`,
    text,
  };
}

function makeSession() {
  const sockets = socketFactory();
  const delivered: Array<[number, BackgroundToFrameT]> = [];
  const session = new Session({
    createSocket: sockets.create,
    loadSettings: async () => ({
      serverUrl: await serverUrlStorage.getValue(),
      token: await legacyTokenStorage.getValue(),
    }),
    outbox: new Outbox(outboxStorage),
    deliver: (tabId, message) => delivered.push([tabId, message]),
    random: () => 0.5,
  });
  const to = (tabId: number) => delivered.filter(([t]) => t === tabId).map(([, m]) => m);
  return { session, sockets, delivered, to };
}

/** Opens the latest socket and plays the server's welcome. */
async function goLive(sockets: ReturnType<typeof socketFactory>) {
  await vi.waitFor(() => expect(sockets.sockets.length).toBeGreaterThan(0));
  const socket = sockets.last();
  socket.open();
  expect(socket.sent[0]).toMatchObject({ type: 'hello', token: 'tok-alice' });
  socket.receive(welcome);
  return socket;
}

beforeEach(async () => {
  fakeBrowser.reset();
  vi.useRealTimers();
  await serverUrlStorage.setValue('ws://127.0.0.1:9999');
  await legacyTokenStorage.setValue('tok-alice');
});

describe('Session: tabs and subscriptions', () => {
  it('subscribes a page once for its first tab and unsubscribes after its last', async () => {
    const { session, sockets } = makeSession();
    session.tabOpened(1, page);
    const socket = await goLive(sockets);
    expect(socket.sentOf('subscribe')).toEqual([{ type: 'subscribe', page }]);
    session.tabOpened(2, page);
    expect(socket.sentOf('subscribe')).toHaveLength(1);
    session.tabClosed(1);
    expect(socket.sentOf('unsubscribe')).toHaveLength(0);
    session.tabClosed(2);
    expect(socket.sentOf('unsubscribe')).toEqual([{ type: 'unsubscribe', page }]);
    // Nothing is subscribed any more: the socket is closed.
    expect(socket.closedByClient).toBe(true);
    expect(session.status().state).toBe('idle');
  });

  it('keeps following a page its last tab left while a write for it waits, and lets it go once acked', async () => {
    const { session, sockets } = makeSession();
    session.tabOpened(1, page);
    const socket = await goLive(sockets);
    const write = reply();
    await session.write(write);
    session.tabClosed(1);
    // The write still needs its answer: the page stays subscribed, the socket open.
    expect(socket.sentOf('unsubscribe')).toHaveLength(0);
    expect(socket.closedByClient).toBe(false);
    socket.receive({ type: 'ack', broadcastId: write.broadcastId, page, seq: 1 });
    expect(socket.sentOf('unsubscribe')).toEqual([{ type: 'unsubscribe', page }]);
    expect(socket.closedByClient).toBe(true);
  });

  it('gives a second tab the cached page at once, without asking the server', async () => {
    const { session, sockets, to } = makeSession();
    session.tabOpened(1, page);
    const socket = await goLive(sockets);
    socket.receive({ type: 'snapshot', page, seq: 3, chats: [created(1, 'chat-aaaa').chat] });
    session.tabOpened(2, page);
    const cached = to(2).find((m) => m.kind === 'state');
    expect(cached).toMatchObject({ kind: 'state', synced: true });
    expect(cached?.kind === 'state' && cached.discussions.map((d) => d.id)).toEqual(['chat-aaaa']);
    expect(socket.sentOf('subscribe')).toHaveLength(1);
  });

  it("gives a tab's reconnected frame the page and its cached state, and leaves a frame without a page alone", async () => {
    const { session, sockets, to } = makeSession();
    session.frameAttached(1);
    expect(to(1).map((m) => m.kind)).toEqual(['status']);
    session.tabOpened(1, page);
    expect(to(1).find((m) => m.kind === 'page')).toEqual({ kind: 'page', page });
    const socket = await goLive(sockets);
    socket.receive({ type: 'snapshot', page, seq: 3, chats: [created(1, 'chat-aaaa').chat] });
    const before = to(1).length;
    session.frameAttached(1);
    expect(
      to(1)
        .slice(before)
        .map((m) => m.kind),
    ).toEqual(['status', 'page', 'state', 'outbox']);
    session.tabClosed(1);
    expect(to(1).at(-1)).toEqual({ kind: 'page', page: null });
  });

  it('relays the person’s watch and read positions to the tabs of the page, and to a new tab from memory', async () => {
    const { session, sockets, to } = makeSession();
    session.tabOpened(1, page);
    const socket = await goLive(sockets);
    socket.receive({ type: 'snapshot', page, seq: 0, chats: [] });
    socket.receive({ type: 'watching', page, watch: true });
    socket.receive({ type: 'read-positions', page, chats: { 'chat-aaaa': 7 } });
    expect(to(1)).toContainEqual({ kind: 'watching', page, watch: true });
    expect(to(1)).toContainEqual({ kind: 'read-positions', page, positions: { 'chat-aaaa': 7 } });
    session.tabOpened(2, page);
    expect(to(2)).toContainEqual({ kind: 'watching', page, watch: true });
    expect(to(2)).toContainEqual({ kind: 'read-positions', page, positions: { 'chat-aaaa': 7 } });
    session.userState.listMembers(2);
    expect(socket.sentOf('list-members')).toHaveLength(1);
    socket.receive({ type: 'members', members: [{ id: 'u-bob', name: 'Bob' }] });
    expect(to(2)).toContainEqual({ kind: 'members', members: [{ id: 'u-bob', name: 'Bob' }] });
    expect(to(1).some((m) => m.kind === 'members')).toBe(false);
  });

  it('sends presence to the tabs of its page', async () => {
    const { session, sockets, to } = makeSession();
    session.tabOpened(1, page);
    const socket = await goLive(sockets);
    socket.receive({ type: 'batch', events: [{ type: 'presence', page, count: 2 }] });
    expect(to(1)).toContainEqual({ kind: 'presence', page, count: 2 });
    expect(session.viewersOf(1)).toEqual({ page, count: 2 });
  });
});

describe('Session: events', () => {
  it('forwards each applied event once, ignores duplicates and resyncs on a gap', async () => {
    const { session, sockets, to } = makeSession();
    session.tabOpened(1, page);
    const socket = await goLive(sockets);
    socket.receive({ type: 'snapshot', page, seq: 0, chats: [] });
    const first = created(1, 'chat-aaaa');
    socket.receive(first);
    socket.receive(first);
    expect(to(1).filter((m) => m.kind === 'event')).toHaveLength(1);
    socket.receive(created(3, 'chat-cccc'));
    expect(to(1).filter((m) => m.kind === 'event')).toHaveLength(1);
    // The gap asks for what was missed: since = the last seq held.
    expect(socket.sentOf('subscribe').at(-1)).toEqual({ type: 'subscribe', page, since: 1 });
    const missed = created(2, 'chat-bbbb');
    socket.receive({ type: 'replay', page, seq: 3, events: [missed, created(3, 'chat-cccc')] });
    expect(session.cache.get(page)?.discussions.map((c) => c.id)).toEqual([
      'chat-aaaa',
      'chat-bbbb',
      'chat-cccc',
    ]);
    expect(session.cache.get(page)?.seq).toBe(3);
    const state = to(1).at(-1);
    expect(state?.kind === 'state' && state.discussions.map((d) => d.id)).toEqual([
      'chat-aaaa',
      'chat-bbbb',
      'chat-cccc',
    ]);
  });

  it('assembles a snapshot sent in parts, a long thread continuing across them, and tells tabs once', async () => {
    const { session, sockets, to } = makeSession();
    session.tabOpened(1, page);
    const socket = await goLive(sockets);
    const a = created(1, 'chat-aaaa').chat;
    const b = created(2, 'chat-bbbb').chat;
    const more = { ...a, comments: [{ ...a.comments[0]!, id: 'chat-aaaa-c2', text: 'second' }] };
    socket.receive({ type: 'snapshot', page, seq: 7, chats: [a], more: true });
    socket.receive({ type: 'snapshot', page, seq: 7, chats: [more], part: 1, more: true });
    expect(to(1).filter((m) => m.kind === 'state')).toHaveLength(0);
    socket.receive({ type: 'snapshot', page, seq: 7, chats: [b], part: 2 });
    const states = to(1).filter((m) => m.kind === 'state');
    expect(states).toHaveLength(1);
    expect(session.cache.get(page)).toMatchObject({ seq: 7 });
    expect(session.cache.get(page)!.discussions.map((c) => [c.id, c.comments.map((x) => x.id)])).toEqual([
      ['chat-aaaa', ['chat-aaaa-c1', 'chat-aaaa-c2']],
      ['chat-bbbb', ['chat-bbbb-c1']],
    ]);
  });

  it('asks for the snapshot again when a part arrives without the ones before it', async () => {
    const { session, sockets } = makeSession();
    session.tabOpened(1, page);
    const socket = await goLive(sockets);
    socket.receive({ type: 'snapshot', page, seq: 7, chats: [created(1, 'chat-aaaa').chat], part: 2 });
    expect(session.cache.get(page)).toBeUndefined();
    expect(socket.sentOf('subscribe')).toEqual([
      { type: 'subscribe', page },
      { type: 'subscribe', page },
    ]);
  });

  it('holds live events that arrive before the answer to a resubscribe and applies them after it, once', async () => {
    // Before its first answer a page has no alias, so its events cannot arrive; a resubscribe (here
    // after a gap) is answered while the page's events keep coming.
    const { session, sockets, to } = makeSession();
    session.tabOpened(1, page);
    const socket = await goLive(sockets);
    socket.receive({ type: 'snapshot', page, seq: 2, chats: [] });
    const missed = created(3, 'chat-bbbb');
    const before = created(4, 'chat-cccc');
    const after = created(5, 'chat-dddd');
    socket.receive(before);
    expect(socket.sentOf('subscribe').at(-1)).toEqual({ type: 'subscribe', page, since: 2 });
    socket.receive(after);
    socket.receive({ type: 'replay', page, seq: 4, events: [missed, before] });
    expect(to(1).filter((m) => m.kind === 'event')).toEqual([{ kind: 'event', event: after }]);
    expect(session.cache.get(page)?.seq).toBe(5);
    expect(session.cache.get(page)?.discussions.map((c) => c.id)).toEqual([
      'chat-bbbb',
      'chat-cccc',
      'chat-dddd',
    ]);
    expect(socket.sentOf('subscribe')).toHaveLength(2);
  });

  it('resubscribes with since = last seq after a reconnect, and applies the replay', async () => {
    vi.useFakeTimers();
    const { session, sockets, to } = makeSession();
    session.tabOpened(1, page);
    const socket = await goLive(sockets);
    socket.receive({ type: 'snapshot', page, seq: 5, chats: [] });
    socket.drop(1006);
    expect(session.status().state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(4_001);
    // The attempt after a connection reads as reconnecting, not as a first connection.
    expect(session.status()).toMatchObject({ state: 'connecting', resuming: true });
    const second = await goLive(sockets);
    expect(session.status().resuming).toBeUndefined();
    expect(second).not.toBe(socket);
    expect(second.sentOf('subscribe')).toEqual([{ type: 'subscribe', page, since: 5 }]);
    second.receive({ type: 'replay', page, seq: 6, events: [created(6, 'chat-ffff')] });
    expect(session.cache.get(page)?.seq).toBe(6);
    const state = to(1).at(-1);
    expect(state?.kind === 'state' && state.discussions.map((d) => d.id)).toEqual(['chat-ffff']);
    vi.useRealTimers();
  });

  it('retries at once on the online event, never giving up', async () => {
    vi.useFakeTimers();
    const { session, sockets } = makeSession();
    session.tabOpened(1, page);
    await goLive(sockets);
    for (let i = 0; i < 12; i++) {
      sockets.last().drop(1006);
      const retryAt = session.connection.retryAt!;
      expect(retryAt - Date.now()).toBeLessThanOrEqual(4_000);
      await vi.advanceTimersByTimeAsync(retryAt - Date.now() + 1);
    }
    expect(sockets.sockets.length).toBe(13);
    sockets.last().drop(1006);
    session.connection.online();
    await vi.advanceTimersByTimeAsync(0);
    expect(sockets.sockets.length).toBe(14);
    vi.useRealTimers();
  });

  it('reads every attempt after a connection as reconnecting: after idle, and after a settings event that changed nothing', async () => {
    const { session, sockets } = makeSession();
    session.tabOpened(1, page);
    await vi.waitFor(() => expect(sockets.sockets.length).toBe(1));
    expect(session.status()).toMatchObject({ state: 'connecting' });
    expect(session.status().resuming).toBeUndefined();
    await goLive(sockets);
    session.tabClosed(1);
    expect(session.status().state).toBe('idle');
    session.tabOpened(1, page);
    expect(session.status()).toMatchObject({ state: 'connecting', resuming: true });
    await vi.waitFor(() => expect(sockets.sockets.length).toBe(2));
    await goLive(sockets);
    session.connection.restart();
    expect(session.status()).toMatchObject({ state: 'connecting', resuming: true });
    await vi.waitFor(() => expect(sockets.sockets.length).toBe(3));
    expect(session.status()).toMatchObject({ state: 'connecting', resuming: true });
    // Another token is another connection: its first attempt is a first one.
    sockets.last().open();
    sockets.last().receive(welcome);
    await legacyTokenStorage.setValue('tok-bob');
    session.connection.restart();
    await vi.waitFor(() => expect(sockets.sockets.length).toBe(4));
    expect(session.status().resuming).toBeUndefined();
  });

  it('stops retrying a refused token until the settings change', async () => {
    const { session, sockets } = makeSession();
    session.tabOpened(1, page);
    const socket = await goLive(sockets);
    socket.drop(4401, 'unknown token');
    expect(session.status()).toMatchObject({ state: 'refused', detail: 'token-refused' });
    session.connection.restart();
    await vi.waitFor(() => expect(sockets.sockets.length).toBe(2));
  });

  it('renews an expired sign-in and reconnects at once with the new token; refused when renewal fails', async () => {
    const sockets = socketFactory();
    let token = 'tok-expired';
    const renewals: boolean[] = [];
    let renewWith: string | null = 'tok-renewed';
    const session = new Session({
      createSocket: sockets.create,
      loadSettings: async () => ({ serverUrl: await serverUrlStorage.getValue(), token }),
      renewToken: async () => {
        if (renewWith) token = renewWith;
        renewals.push(!!renewWith);
        return !!renewWith;
      },
      outbox: new Outbox(outboxStorage),
      deliver: () => {},
      random: () => 0.5,
    });
    session.tabOpened(1, page);
    await vi.waitFor(() => expect(sockets.sockets.length).toBe(1));
    sockets.last().open();
    sockets.last().drop(4419, 'this sign-in has expired');
    await vi.waitFor(() => expect(sockets.sockets.length).toBe(2));
    expect(renewals).toEqual([true]);
    const second = sockets.last();
    second.open();
    expect(second.sent[0]).toMatchObject({ type: 'hello', token: 'tok-renewed' });
    second.receive(welcome);
    expect(session.status().state).toBe('live');
    // Expired again and the session cannot be renewed (it ended): refused, as a revoked token is.
    renewWith = null;
    second.drop(4419, 'this sign-in has expired');
    await vi.waitFor(() => expect(session.status().state).toBe('refused'));
    expect(session.tokenRefused).toBe(true);
    expect(renewals).toEqual([true, false]);
  });

  it('pings every clientPingMs while live and the server answers', async () => {
    vi.useFakeTimers();
    const { session, sockets } = makeSession();
    session.tabOpened(1, page);
    const socket = await goLive(sockets);
    for (let i = 0; i < 3; i++) {
      await vi.advanceTimersByTimeAsync(LIMITS.clientPingMs);
      socket.receive({ type: 'pong', t: socket.sentOf('ping').at(-1)!.t });
    }
    await vi.advanceTimersByTimeAsync(LIMITS.clientPongTimeoutMs);
    expect(socket.sentOf('ping')).toHaveLength(3);
    expect(session.status().state).toBe('live');
    expect(sockets.sockets).toHaveLength(1);
    vi.useRealTimers();
  });

  it('treats a silent socket as dead: reconnects and resyncs with since, showing reconnecting', async () => {
    vi.useFakeTimers();
    const { session, sockets, to } = makeSession();
    session.tabOpened(1, page);
    const socket = await goLive(sockets);
    socket.receive({ type: 'snapshot', page, seq: 3, chats: [] });
    // The path stalls: the socket stays open, nothing comes back.
    await vi.advanceTimersByTimeAsync(LIMITS.clientPingMs + LIMITS.clientPongTimeoutMs - 1);
    expect(session.status().state).toBe('live');
    await vi.advanceTimersByTimeAsync(1);
    expect(session.status()).toMatchObject({
      state: 'reconnecting',
      detail: expect.stringMatching(/no answer/),
    });
    expect(to(1).at(-1)).toMatchObject({ kind: 'status', status: { state: 'reconnecting' } });
    expect(socket.closedByClient).toBe(true);
    await vi.advanceTimersByTimeAsync(session.connection.retryAt! - Date.now());
    const next = await goLive(sockets);
    expect(next).not.toBe(socket);
    expect(next.sentOf('subscribe')).toEqual([{ type: 'subscribe', page, since: 3 }]);
    vi.useRealTimers();
  });
});

describe('Session: outbox', () => {
  it('queues writes while offline and sends them, with their broadcastId, after a worker restart', async () => {
    const first = makeSession();
    first.session.tabOpened(1, page);
    await vi.waitFor(() => expect(first.sockets.sockets.length).toBe(1));
    first.sockets.last().drop(1006);
    const write = reply();
    await first.session.write(write);
    expect(first.session.status().queued).toBe(1);
    // The worker stops: everything in memory is gone, the storage stays.
    first.session.connection.setWanted(false);

    const second = makeSession();
    await vi.waitFor(() => expect(second.sockets.sockets.length).toBe(1));
    expect(second.session.status().queued).toBe(1);
    const socket = await goLive(second.sockets);
    // The page is subscribed for the queued write even though no tab has reopened yet.
    expect(socket.sentOf('subscribe')).toEqual([{ type: 'subscribe', page }]);
    expect(socket.sentOf('add-comment')).toEqual([write]);
    socket.receive({ type: 'ack', broadcastId: write.broadcastId, page, seq: 7 });
    expect(second.session.status().queued).toBe(0);
    await vi.waitFor(async () => expect(await outboxStorage.getValue()).toEqual([]));
  });

  it('keeps a resolve made before the connection is live in the outbox and sends it with its broadcastId when live', async () => {
    const { session, sockets } = makeSession();
    session.tabOpened(1, page);
    // Not live yet: the write waits in the outbox.
    await vi.waitFor(() => expect(sockets.sockets.length).toBe(1));
    const write: WriteFrameT = {
      type: 'resolve-chat',
      broadcastId: crypto.randomUUID(),
      page,
      chatId: 'chat-aaaa',
      resolved: true,
    };
    await session.write(write);
    expect(session.status().queued).toBe(1);
    expect((await outboxStorage.getValue()).map((q) => q.write)).toEqual([write]);
    const socket = await goLive(sockets);
    expect(socket.sentOf('resolve-chat')).toEqual([write]);
    socket.receive({ type: 'ack', broadcastId: write.broadcastId, page, seq: 3 });
    expect(session.status().queued).toBe(0);
  });

  it('refuses a write larger than a frame may be without sending it, and keeps it as failed', async () => {
    const { session, sockets, to } = makeSession();
    session.tabOpened(1, page);
    const socket = await goLive(sockets);
    const write = reply('\u0001'.repeat(3000));
    await session.write(write);
    expect(to(1).at(-1)).toMatchObject({
      kind: 'refused',
      broadcastId: write.broadcastId,
      code: 'bad-frame',
    });
    expect(session.status()).toMatchObject({ queued: 0, unsent: 1 });
    expect(socket.sentOf('add-comment')).toEqual([]);
  });

  it('keeps a write refused for good as failed, tells the tabs, never sends it again, until discarded', async () => {
    vi.useFakeTimers();
    const { session, sockets, to } = makeSession();
    session.tabOpened(1, page);
    const socket = await goLive(sockets);
    const write = reply();
    await session.write(write);
    socket.receive({
      type: 'error',
      code: 'forbidden',
      message: 'only the author may edit a comment',
      broadcastId: write.broadcastId,
    });
    expect(to(1)).toContainEqual({
      kind: 'refused',
      broadcastId: write.broadcastId,
      code: 'forbidden',
      message: 'only the author may edit a comment',
    });
    expect(session.status()).toMatchObject({ queued: 0, unsent: 1 });
    const outbox = to(1).findLast((m) => m.kind === 'outbox');
    expect(outbox).toMatchObject({
      page,
      writes: [{ write, state: 'failed', code: 'forbidden', by: { id: 'u-alice', name: 'Alice' } }],
    });
    // The outbox goes first, so that the tab keeps the write in place rather than rolling it back.
    expect(to(1).indexOf(outbox!)).toBeLessThan(to(1).findIndex((m) => m.kind === 'refused'));
    socket.drop(1006);
    await vi.advanceTimersByTimeAsync(5_000);
    const next = await goLive(sockets);
    expect(next.sentOf('add-comment')).toEqual([]);
    // A waiting write cannot be discarded (it may be on its way); a failed one can.
    session.discard(write.broadcastId);
    expect(session.status().unsent).toBeUndefined();
    expect(to(1).at(-2)).toEqual({ kind: 'outbox', page, writes: [] });
    await vi.waitFor(async () => expect(await outboxStorage.getValue()).toEqual([]));
    vi.useRealTimers();
  });

  it.each<[string, WriteFrameT]>([
    ['delete', { type: 'delete-chat', broadcastId: crypto.randomUUID(), page, chatId: 'chat-aaaa' }],
    [
      'resolve',
      { type: 'resolve-chat', broadcastId: crypto.randomUUID(), page, chatId: 'chat-aaaa', resolved: true },
    ],
  ])('drops a refused %s (nothing typed to keep) and tells the tabs', async (_kind, write) => {
    const { session, sockets, to } = makeSession();
    session.tabOpened(1, page);
    const socket = await goLive(sockets);
    await session.write(write);
    socket.receive({
      type: 'error',
      code: 'not-found',
      message: 'no such discussion',
      broadcastId: write.broadcastId,
    });
    expect(session.status()).toMatchObject({ queued: 0 });
    expect(session.status().unsent).toBeUndefined();
    // The refusal before the outbox that no longer lists it: the tab rolls it back with a notice.
    const kinds = to(1).map((m) => m.kind);
    expect(kinds.lastIndexOf('refused')).toBeLessThan(kinds.lastIndexOf('outbox'));
    expect(to(1).findLast((m) => m.kind === 'refused')).toMatchObject({ code: 'not-found' });
    expect(to(1).findLast((m) => m.kind === 'outbox')).toEqual({ kind: 'outbox', page, writes: [] });
  });

  it('holds what waits when the token is refused, holds new writes without dialling, and sends a held one when asked', async () => {
    vi.useFakeTimers();
    const { session, sockets, to } = makeSession();
    session.tabOpened(1, page);
    const socket = await goLive(sockets);
    socket.drop(1006);
    const offline = reply('written offline');
    await session.write(offline);
    expect(session.status()).toMatchObject({ state: 'connecting', queued: 1 });
    await vi.waitFor(() => expect(sockets.sockets.length).toBe(2));
    // The server is back but the token was revoked meanwhile.
    sockets.last().open();
    sockets.last().drop(4403, 'this token was revoked');
    expect(session.status()).toMatchObject({
      state: 'refused',
      detail: 'token-refused',
      queued: 0,
      unsent: 1,
    });
    expect(to(1).findLast((m) => m.kind === 'outbox')).toMatchObject({
      writes: [{ write: offline, state: 'held', by: { id: 'u-alice', name: 'Alice' } }],
    });
    const dialled = sockets.sockets.length;
    const later = reply('written after the refusal');
    await session.write(later);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets.sockets.length).toBe(dialled);
    expect(session.status()).toMatchObject({ queued: 0, unsent: 2 });
    expect(to(1).findLast((m) => m.kind === 'outbox')).toMatchObject({
      writes: [{ state: 'held' }, { write: later, state: 'held', by: { name: 'Alice' } }],
    });
    // A new token: live again, and nothing held goes without the person.
    session.connection.restart();
    await vi.waitFor(() => expect(sockets.sockets.length).toBe(dialled + 1));
    const next = await goLive(sockets);
    expect(next.sentOf('add-comment')).toEqual([]);
    session.resend(offline.broadcastId);
    expect(next.sentOf('add-comment')).toEqual([offline]);
    expect(session.status()).toMatchObject({ queued: 1, unsent: 1 });
    next.receive({ type: 'ack', broadcastId: offline.broadcastId, page, seq: 1 });
    expect(session.status()).toMatchObject({ queued: 0, unsent: 1 });
    vi.useRealTimers();
  });

  it('knows no viewer count while not live, and tells a tab none', async () => {
    const { session, sockets, to } = makeSession();
    session.tabOpened(1, page);
    const socket = await goLive(sockets);
    socket.receive({ type: 'presence', page, count: 2 });
    expect(session.viewersOf(1)).toEqual({ page, count: 2 });
    socket.drop(1006);
    expect(session.viewersOf(1)).toEqual({ page, count: null });
    const before = to(1).length;
    session.frameAttached(1);
    expect(
      to(1)
        .slice(before)
        .filter((m) => m.kind === 'presence'),
    ).toEqual([]);
  });

  it('tells the tabs of a role an admin changed at once, and keeps it across a reconnect', async () => {
    const { session, sockets, to } = makeSession();
    session.tabOpened(1, page);
    const socket = await goLive(sockets);
    expect(session.status().role).toBe('member');
    const before = to(1).length;
    socket.receive({ type: 'role', role: 'admin' });
    expect(session.status().role).toBe('admin');
    const told = to(1)
      .slice(before)
      .filter((m) => m.kind === 'status');
    expect(told.at(-1)).toMatchObject({ status: { role: 'admin' } });
    // Offline, the person still sees what they may do as they last knew it.
    socket.drop(1006);
    expect(session.status().role).toBe('admin');
  });

  it('keeps a write after a retryable error and resends it on the next connection', async () => {
    vi.useFakeTimers();
    const { session, sockets } = makeSession();
    session.tabOpened(1, page);
    const socket = await goLive(sockets);
    const write = reply();
    await session.write(write);
    socket.receive({
      type: 'error',
      code: 'rate-limited',
      message: 'slow down',
      broadcastId: write.broadcastId,
    });
    expect(session.status().queued).toBe(1);
    socket.drop(1006);
    await vi.advanceTimersByTimeAsync(30_000);
    const next = await goLive(sockets);
    expect(next.sentOf('add-comment')).toEqual([write]);
    vi.useRealTimers();
  });
});

describe('Session: coming back after an outage', () => {
  it("waits as long as the server's retry-after asks, and nudges do not cut it short", async () => {
    vi.useFakeTimers();
    const { session, sockets } = makeSession();
    session.tabOpened(1, page);
    await goLive(sockets);
    sockets.last().drop(1013, 'retry-after-ms=2500; the server is busy');
    expect(session.status()).toMatchObject({ state: 'reconnecting', detail: 'the server is busy' });
    expect(session.connection.retryAt! - Date.now()).toBe(2500);
    expect(session.connection.nudge('visible')).toBe(false);
    await session.write(reply());
    await vi.advanceTimersByTimeAsync(2499);
    expect(sockets.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets.sockets).toHaveLength(2);
    vi.useRealTimers();
  });

  it('clamps a retry-after to a minute and ignores a malformed one', async () => {
    vi.useFakeTimers();
    const { session, sockets } = makeSession();
    session.tabOpened(1, page);
    await goLive(sockets);
    sockets.last().drop(1013, 'retry-after-ms=99999999; starting');
    expect(session.connection.retryAt! - Date.now()).toBe(60_000);
    await vi.advanceTimersByTimeAsync(60_000);
    await goLive(sockets);
    sockets.last().drop(1013, 'retry-after-ms=-5; nonsense');
    // Not a valid retry-after: the ordinary backoff (first step, up to 500 ms) applies.
    expect(session.connection.retryAt! - Date.now()).toBeLessThanOrEqual(500);
    vi.useRealTimers();
  });

  it('tries at once when the user writes while reconnecting, showing "trying now", at most once a second', async () => {
    vi.useFakeTimers();
    const { session, sockets, to } = makeSession();
    session.tabOpened(1, page);
    await goLive(sockets);
    // A long outage: the backoff has grown to its cap.
    for (let i = 0; i < 8; i++) {
      sockets.last().drop(1006);
      await vi.advanceTimersByTimeAsync(session.connection.retryAt! - Date.now());
    }
    sockets.last().drop(1006);
    expect(session.connection.retryAt! - Date.now()).toBe(2000); // random 0.5 of the 4 s cap
    const before = sockets.sockets.length;
    await session.write(reply());
    await vi.advanceTimersByTimeAsync(0);
    expect(sockets.sockets).toHaveLength(before + 1);
    expect(session.status()).toMatchObject({ state: 'connecting', trying: true, queued: 1 });
    expect(to(1).at(-1)).toMatchObject({ kind: 'status', status: { state: 'connecting', trying: true } });
    sockets.last().drop(1006);
    expect(session.status().trying).toBeUndefined();
    await session.write(reply());
    await vi.advanceTimersByTimeAsync(0);
    expect(sockets.sockets).toHaveLength(before + 1); // within a second of the last nudge
    await vi.advanceTimersByTimeAsync(1000);
    const now = sockets.sockets.length;
    expect(session.connection.nudge('visible')).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(sockets.sockets).toHaveLength(now + 1);
    // The nudged attempt succeeds: live, and both queued writes go out.
    const live = await goLive(sockets);
    expect(live.sentOf('add-comment')).toHaveLength(2);
    expect(session.status().state).toBe('live');
    vi.useRealTimers();
  });

  it('gives up a socket that does not open and welcome in time, and tries again', async () => {
    vi.useFakeTimers();
    const { session, sockets } = makeSession();
    session.tabOpened(1, page);
    await vi.advanceTimersByTimeAsync(0);
    expect(sockets.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(LIMITS.helloTimeoutMs * 2);
    expect(session.status()).toMatchObject({
      state: 'reconnecting',
      detail: expect.stringMatching(/welcome/),
    });
    expect(sockets.last().closedByClient).toBe(true);
    await vi.advanceTimersByTimeAsync(session.connection.retryAt! - Date.now());
    expect(sockets.sockets).toHaveLength(2);
    vi.useRealTimers();
  });
});
