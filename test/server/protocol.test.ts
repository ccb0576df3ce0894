// What docs/protocol.md promises a client that did not read the source, checked against a real
// server: frames sent before the welcome are answered in order, every stored write is acked before
// a close and every refused one is named, each subscribe is answered, the server applies the page-key
// rule, and the text, selector and id rules are the documented ones.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOSE, LIMITS, PROTOCOL_VERSION } from '../../lib/protocol';
import { commitWrite } from '../../server/ops';
import { openStore } from '../../server/store/open';
import { TestClient, type Frame } from '../helpers/client';
import { faultyStore, type FaultyStore } from '../helpers/faulty-store';
import { addComment, createChat, deleteChat, deleteComment, entityId, PAGE } from '../helpers/frames';
import { startTestServer, type TestServer } from '../helpers/server';

/** Waits until `client` has received `n` frames that match. */
async function collect(client: TestClient, match: (f: Frame) => boolean, n: number): Promise<Frame[]> {
  const got: Frame[] = [];
  while (got.length < n) got.push(await client.next(match, 10_000));
  return got;
}

const answerOf = (page: string) => (f: Frame) =>
  (f.type === 'snapshot' || f.type === 'replay' || f.type === 'error') && f.page === page;

describe('protocol guarantees', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(async () => {
    await t.close();
  });

  describe('frames sent right after hello', () => {
    it('are answered in order after the welcome, every time', async () => {
      for (let round = 0; round < 5; round++) {
        const c = await TestClient.open(t.url);
        const write = createChat();
        // One tick: none of these waits for the welcome.
        c.send({ type: 'hello', token: t.tokens.alice, protocol: PROTOCOL_VERSION });
        c.send({ type: 'ping', t: round });
        c.send({ type: 'subscribe', page: PAGE });
        c.send(write);
        expect(await c.next('pong')).toEqual({ type: 'pong', t: round });
        expect(await c.next('snapshot')).toMatchObject({ page: PAGE });
        expect(await c.next('ack')).toMatchObject({ broadcastId: write.broadcastId });
        expect(c.received[0]!.type).toBe('welcome');
        expect(c.received[1]).toEqual({ type: 'pong', t: round });
        await c.close();
      }
    });

    it(`keeps ${LIMITS.framesBeforeWelcome} of them and refuses the rest by broadcastId, storing none of those`, async () => {
      let tcp: Socket | undefined;
      const c = await TestClient.open(t.url, { onSocket: (s) => (tcp = s) });
      // One TCP write, so the server reads them all before the token check can finish.
      tcp!.cork();
      c.send({ type: 'hello', token: t.tokens.alice, protocol: PROTOCOL_VERSION });
      for (let i = 0; i < LIMITS.framesBeforeWelcome; i++) c.send({ type: 'ping', t: i });
      const late = [createChat(), createChat(), createChat()];
      for (const w of late) c.send(w);
      tcp!.uncork();
      const pongs = await collect(c, (f) => f.type === 'pong', LIMITS.framesBeforeWelcome);
      expect(pongs.map((p) => (p as { t: number }).t)).toEqual(
        Array.from({ length: LIMITS.framesBeforeWelcome }, (_, i) => i),
      );
      const refused = await collect(c, (f) => f.type === 'error', late.length);
      expect(refused.map((e) => e.type === 'error' && [e.code, e.broadcastId, e.page])).toEqual(
        late.map((w) => ['rate-limited', w.broadcastId, PAGE]),
      );
      c.send({ type: 'subscribe', page: PAGE });
      expect((await c.next('snapshot')).chats).toEqual([]);
      await c.close();
    });
  });

  describe('writes and closes', () => {
    it('acks every stored write of a flood before closing it with 4429, and names every refused one', async () => {
      const flood = await TestClient.connect(t.url, t.tokens.alice);
      const writes = Array.from({ length: 4 * (LIMITS.rateBurst + LIMITS.rateStrikes) }, () => createChat());
      flood.burst(writes);
      expect((await flood.closed).code).toBe(CLOSE.rateLimited);

      const sent = new Set(writes.map((w) => w.broadcastId));
      const answers = new Map<string, string>();
      for (const f of flood.received) {
        if (f.type !== 'ack' && f.type !== 'error') continue;
        expect(f.broadcastId, `${f.type} names its write`).toBeDefined();
        expect(sent.has(f.broadcastId!)).toBe(true);
        expect(answers.has(f.broadcastId!), 'one answer per write').toBe(false);
        answers.set(f.broadcastId!, f.type === 'ack' ? 'ack' : f.code);
      }
      const acked = writes.filter((w) => answers.get(w.broadcastId) === 'ack').map((w) => w.chatId);
      expect([...answers.values()].filter((a) => a !== 'ack').every((a) => a === 'rate-limited')).toBe(true);
      expect(acked.length).toBeGreaterThan(0);

      // Exactly the acked writes are stored: nothing stored went unacked, nothing refused was stored.
      const check = await TestClient.connect(t.url, t.tokens.bob);
      check.send({ type: 'subscribe', page: PAGE });
      const snap = await check.next('snapshot');
      expect(snap.chats.map((c) => c.id).sort()).toEqual([...acked].sort());
      await check.close();
    });

    it('acks the writes under way before closing for a revoked token', async () => {
      const c = await TestClient.connect(t.url, t.tokens.bob);
      const writes = Array.from({ length: 20 }, () => createChat());
      for (const w of writes) c.send(w);
      await c.next('ack');
      await t.server.store.revokeToken(t.tokenIds.bob);
      expect((await c.closed).code).toBe(CLOSE.revoked);
      const acked = new Set(c.received.flatMap((f) => (f.type === 'ack' ? [f.broadcastId] : [])));
      const check = await TestClient.connect(t.url, t.tokens.alice);
      check.send({ type: 'subscribe', page: PAGE });
      const stored = (await check.next('snapshot')).chats.map((ch) => ch.id);
      expect(stored.sort()).toEqual(
        writes
          .filter((w) => acked.has(w.broadcastId))
          .map((w) => w.chatId)
          .sort(),
      );
      await check.close();
    });
  });

  it('acks the writes under way before closing for a shutdown, and stores no other', async () => {
    const c = await TestClient.connect(t.url, t.tokens.alice);
    const writes = Array.from({ length: 40 }, () => createChat());
    c.burst(writes);
    await c.next('ack');
    const closing = t.server.close();
    expect((await c.closed).code).toBe(CLOSE.goingAway);
    await closing;
    const acked = new Set(c.received.flatMap((f) => (f.type === 'ack' ? [f.broadcastId] : [])));
    await t.restart();
    const check = await TestClient.connect(t.url, t.tokens.bob);
    check.send({ type: 'subscribe', page: PAGE });
    const stored = (await check.next('snapshot')).chats.map((ch) => ch.id);
    expect(stored.sort()).toEqual(
      writes
        .filter((w) => acked.has(w.broadcastId))
        .map((w) => w.chatId)
        .sort(),
    );
    await check.close();
  });

  describe('repeated subscribes', () => {
    it('answers each subscribe of one page, in order', async () => {
      const writer = await TestClient.connect(t.url, t.tokens.bob);
      const first = createChat();
      writer.send(first);
      await writer.next('ack');
      writer.send(addComment(first.chatId));
      await writer.next('ack');

      const c = await TestClient.connect(t.url, t.tokens.alice);
      c.send({ type: 'subscribe', page: PAGE });
      c.send({ type: 'subscribe', page: PAGE });
      c.send({ type: 'subscribe', page: PAGE, since: 2 });
      c.send({ type: 'subscribe', page: PAGE, since: 0 });
      c.send({ type: 'subscribe', page: PAGE, since: 99 });
      const answers = await collect(c, answerOf(PAGE), 5);
      expect(
        answers.map((a) =>
          a.type === 'replay' ? `replay ${a.seq} ${a.events.length}` : `${a.type} ${'seq' in a ? a.seq : ''}`,
        ),
      ).toEqual(['snapshot 2', 'snapshot 2', 'replay 2 0', 'replay 2 2', 'snapshot 2']);
      // Each answer is followed by the page's presence.
      await collect(c, (f) => f.type === 'presence', 5);
      await Promise.all([c.close(), writer.close()]);
    });
  });

  describe('page keys', () => {
    it('puts every spelling of one page on the same page, and says so in its answers', async () => {
      const key = 'https://example.com/doc?a=1&b=2';
      const alice = await TestClient.connect(t.url, t.tokens.alice);
      alice.send({ type: 'subscribe', page: 'https://EXAMPLE.com:443/doc?b=2&a=1#intro' });
      expect((await alice.next('snapshot')).page).toBe(key);

      const bob = await TestClient.connect(t.url, t.tokens.bob);
      const spellings = [
        'https://example.com/doc?a=1&b=2',
        'https://example.com/doc?b=2&a=1',
        'https://example.com/doc?a=1&b=2#section-2',
        'https://example.com/doc?utm_source=news&a=1&fbclid=xyz&b=2',
        'https://Example.Com/doc?a=1&b=2',
      ];
      for (const page of spellings) {
        const w = createChat({ page });
        bob.send(w);
        expect(await bob.next('ack')).toMatchObject({ broadcastId: w.broadcastId, page: key });
        expect(await alice.next('new-text-chat')).toMatchObject({ broadcastId: w.broadcastId, page: key });
      }
      alice.send({ type: 'unsubscribe', page: 'https://example.com/doc?b=2&a=1' });
      alice.send({ type: 'unsubscribe', page: key });
      expect(await alice.next('error')).toMatchObject({ code: 'not-subscribed', page: key });
      await Promise.all([alice.close(), bob.close()]);
    });

    it.each([
      ['an ftp URL', 'ftp://example.com/file', 'subscribe'],
      ['about:blank', 'about:blank', 'subscribe'],
      ['text that is no URL', 'not a url', 'create-chat'],
      [
        'a key over the length limit',
        `https://example.com/${'a'.repeat(LIMITS.pageKeyChars)}`,
        'create-chat',
      ],
    ])('refuses %s as a page (%s)', async (_name, page, type) => {
      const c = await TestClient.connect(t.url, t.tokens.alice);
      const frame = type === 'subscribe' ? { type, page } : createChat({ page });
      c.send(frame);
      const error = await c.next('error');
      expect(error).toMatchObject({ code: 'bad-frame', message: expect.stringMatching(/page/) });
      if ('broadcastId' in frame) expect(error.broadcastId).toBe(frame.broadcastId);
      await c.close();
    });
  });

  describe('text, selectors and ids', () => {
    let c: TestClient;
    beforeEach(async () => {
      c = await TestClient.connect(t.url, t.tokens.alice);
    });
    afterEach(async () => {
      await c.close();
    });

    async function answer(frame: object): Promise<Frame> {
      c.send(frame);
      return c.next((f) => f.type === 'ack' || f.type === 'error');
    }

    it('counts text limits in code points, not UTF-16 units', async () => {
      // 4000 emoji: 8000 UTF-16 units, 16000 bytes, within the frame limit.
      const longest = createChat({ text: '😀'.repeat(LIMITS.commentChars) });
      expect(Buffer.byteLength(JSON.stringify(longest))).toBeLessThanOrEqual(LIMITS.frameBytes);
      expect(await answer(longest)).toMatchObject({ type: 'ack' });
      expect(
        await answer(createChat({ text: '😀'.repeat(LIMITS.commentChars - 100) + 'x'.repeat(101) })),
      ).toMatchObject({
        type: 'error',
        code: 'bad-frame',
        message: expect.stringMatching(/code points/),
      });
      expect(await answer(createChat({ quote: '𝒜'.repeat(LIMITS.quoteChars) }))).toMatchObject({
        type: 'ack',
      });
      expect(await answer(createChat({ quote: '𝒜'.repeat(LIMITS.quoteChars + 1) }))).toMatchObject({
        code: 'bad-frame',
      });
    });

    const quote = { type: 'TextQuoteSelector', exact: 'quoted' };
    const position = { type: 'TextPositionSelector', start: 3, end: 9 };
    const range = { type: 'RangeSelector', startContainer: '/p[1]/text()[1]', startOffset: 3, endOffset: 9 };
    it.each([
      ['a quote alone', [quote], true],
      ['all three, in any order', [range, quote, position], true],
      ['no quote', [position, range], false],
      ['two quotes', [quote, { ...quote, exact: 'other' }], false],
      ['two positions', [quote, position, { ...position, start: 1 }], false],
      ['two ranges', [quote, range, range], false],
      ['an unknown selector', [quote, { type: 'CssSelector', value: 'p' }], false],
      ['none', [], false],
    ])('selectors: %s', async (_name, selectors, valid) => {
      const result = await answer({ ...createChat(), selectors });
      if (valid) expect(result.type).toBe('ack');
      else expect(result).toMatchObject({ type: 'error', code: 'bad-frame' });
    });

    it('keeps chat ids unique per tenant and comment ids per discussion; deleted ids may be used again', async () => {
      const first = createChat();
      expect(await answer(first)).toMatchObject({ type: 'ack' });
      // The same chat id on another page of the tenant.
      expect(
        await answer(createChat({ chatId: first.chatId, page: 'https://example.com/other' })),
      ).toMatchObject({
        code: 'conflict',
      });
      // Another tenant may use it.
      const eve = await TestClient.connect(t.url, t.tokens.eve);
      eve.send(createChat({ chatId: first.chatId }));
      expect(await eve.next('ack')).toBeDefined();
      await eve.close();
      // The comment id of the first discussion's opening comment, in another discussion: fine.
      const second = createChat({ commentId: first.commentId });
      expect(await answer(second)).toMatchObject({ type: 'ack' });
      expect(await answer(addComment(second.chatId, { commentId: first.commentId }))).toMatchObject({
        code: 'conflict',
      });
      // Once deleted, the id is free.
      expect(await answer(deleteComment(second.chatId, first.commentId))).toMatchObject({ type: 'ack' });
      expect(await answer(addComment(second.chatId, { commentId: first.commentId }))).toMatchObject({
        type: 'ack',
      });
      expect(await answer(deleteChat(first.chatId))).toMatchObject({ type: 'ack' });
      expect(await answer(createChat({ chatId: first.chatId }))).toMatchObject({ type: 'ack' });
    });
  });
});

describe('subscribe cost', () => {
  let t: TestServer;
  let faulty: FaultyStore;
  beforeEach(async () => {
    const dir = `${process.env.TMPDIR ?? '/tmp'}/collab-chat-cost-${randomUUID()}.db`;
    faulty = faultyStore(await openStore(dir));
    t = await startTestServer({}, { store: faulty.store });
  });
  afterEach(async () => {
    await t.close();
    await faulty.store.close();
  });

  const reads = () => (faulty.calls.get('snapshot') ?? 0) + (faulty.calls.get('eventsSince') ?? 0);

  it('answers a resubscribe with nothing new without reading the store', async () => {
    const c = await TestClient.connect(t.url, t.tokens.alice);
    const w = createChat();
    c.send(w);
    await c.next('ack');
    c.send({ type: 'subscribe', page: PAGE });
    const snap = await c.next('snapshot');
    const before = reads();
    for (let i = 0; i < 60; i++) c.send({ type: 'subscribe', page: PAGE, since: snap.seq });
    const answers = await collect(c, answerOf(PAGE), 60);
    expect(answers.every((a) => a.type === 'replay' && a.seq === snap.seq && a.events.length === 0)).toBe(
      true,
    );
    expect(reads()).toBe(before);
    await c.close();
  });

  it('keeps a subscribe storm from one member from stalling another tenant', async () => {
    // A page of about 1 MB: 64 discussions of four 4000-character comments.
    const bob = { user: { id: t.users.bob.id, name: 'Bob' }, role: 'member' as const };
    for (let i = 0; i < 64; i++) {
      const chat = createChat({ text: `${i} ${'x'.repeat(3990)}` });
      const writes = [chat, ...[1, 2, 3].map(() => addComment(chat.chatId, { text: 'y'.repeat(3995) }))];
      for (const w of writes) {
        expect((await commitWrite(t.server.store, t.tenants.a.id, w, bob)).status).toBe('applied');
      }
    }

    const storm = await TestClient.connect(t.url, t.tokens.alice);
    const eve = await TestClient.connect(t.url, t.tokens.eve);
    eve.send({ type: 'subscribe', page: PAGE });
    await eve.next('snapshot');

    const storms = 90;
    for (let i = 0; i < storms; i++) storm.send({ type: 'subscribe', page: PAGE });
    await storm.next('snapshot', 10_000);
    // While the storm waits for its budget, another tenant reads, writes and sees its events, and
    // the health check answers.
    for (let i = 0; i < 5; i++) {
      const w = createChat({ chatId: entityId('eve') });
      eve.send(w);
      expect(await eve.next('ack')).toMatchObject({ broadcastId: w.broadcastId });
      expect(await eve.next('new-text-chat')).toMatchObject({ broadcastId: w.broadcastId });
      expect((await fetch(`${t.server.httpUrl}/healthz`)).status).toBe(200);
    }
    const answered = storm.received.filter(answerOf(PAGE)).length;
    // The storm is still waiting for its budget: a few full reads went out, one at a time (eve's
    // own snapshot is the other read).
    expect(answered).toBeLessThan(storms);
    expect(faulty.calls.get('snapshot') ?? 0).toBeLessThanOrEqual(answered + 2);
    await Promise.all([storm.close(), eve.close()]);
  });
});
