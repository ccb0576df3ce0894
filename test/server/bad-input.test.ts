// Every kind of bad input gets a clear answer, changes nothing, and leaves other connections alone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOSE, LIMITS } from '../../lib/protocol';
import { TestClient } from '../helpers/client';
import { addComment, createChat, PAGE } from '../helpers/frames';
import { startTestServer, type TestServer } from '../helpers/server';

describe('bad input', () => {
  let t: TestServer;
  let bad: TestClient;
  let bystander: TestClient;
  beforeEach(async () => {
    t = await startTestServer();
    bad = await TestClient.connect(t.url, t.tokens.alice);
    bystander = await TestClient.connect(t.url, t.tokens.bob);
    bystander.send({ type: 'subscribe', page: PAGE });
    await bystander.next('snapshot');
  });
  afterEach(async () => {
    await Promise.all([bad.close(), bystander.close()]);
    await t.close();
  });

  /** The bystander can still read and write, and the page holds only what it wrote. */
  async function expectUnharmed(expectedSeq: number) {
    const write = createChat();
    bystander.send(write);
    expect(await bystander.next('ack')).toMatchObject({ broadcastId: write.broadcastId, seq: expectedSeq });
  }

  const valid = createChat();
  it.each([
    ['invalid JSON', '{"type": "create-chat",', 'bad-json', /not valid JSON/],
    ['a JSON array', '[1, 2]', 'bad-frame', /JSON object/],
    ['an unknown type', { type: 'launch-rockets' }, 'unknown-type', /unknown frame type "launch-rockets"/],
    ['a missing type', { page: PAGE }, 'unknown-type', /unknown frame type/],
    // Found by the fuzzer: String() of this throws, which used to crash the server.
    ['a type whose toString is not a function', '{"type":{"toString":1}}', 'unknown-type', /\(an object\)/],
    [
      'a bad page',
      { type: 'subscribe', page: 'javascript:alert(1)' },
      'bad-frame',
      /invalid subscribe: page/,
    ],
    ['a bad broadcastId', { ...valid, broadcastId: 'not-a-uuid' }, 'bad-frame', /broadcastId/],
    ['an empty comment', { ...valid, text: '   ' }, 'bad-frame', /cannot be empty/],
    ['an overlong comment', { ...valid, text: 'x'.repeat(LIMITS.commentChars + 1) }, 'bad-frame', /at most/],
    [
      'an anchor without a quote',
      { ...valid, selectors: [{ type: 'TextPositionSelector', start: 1, end: 2 }] },
      'bad-frame',
      /exactly one TextQuoteSelector/,
    ],
    ['a bad chat id', { ...valid, chatId: 'a b' }, 'bad-frame', /chatId/],
    [
      'an unsubscribe of a page never subscribed',
      { type: 'unsubscribe', page: 'https://example.com/x' },
      'not-subscribed',
      /not subscribed/,
    ],
    ['a reply to a missing discussion', addComment('chat-missing-1'), 'not-found', /no discussion/],
  ])('answers %s with a clear error', async (_name, frame, code, message) => {
    bad.send(frame);
    const error = await bad.next('error');
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    // The connection stays usable and nothing was stored.
    bad.send({ type: 'ping', t: 1 });
    expect(await bad.next('pong')).toEqual({ type: 'pong', t: 1 });
    await expectUnharmed(1);
  });

  it('echoes the broadcastId of an invalid write so the client can match the error', async () => {
    const write = { ...createChat(), text: '' };
    bad.send(write);
    expect(await bad.next('error')).toMatchObject({
      code: 'bad-frame',
      broadcastId: write.broadcastId,
      page: PAGE,
    });
  });

  it('answers a binary frame with an error', async () => {
    bad.ws.send(Buffer.from([1, 2, 3]));
    expect(await bad.next('error')).toMatchObject({
      code: 'bad-frame',
      message: expect.stringMatching(/binary/),
    });
  });

  it('refuses more subscriptions than the limit', async () => {
    for (let i = 0; i < LIMITS.subscriptionsPerConnection; i++) {
      bad.send({ type: 'subscribe', page: `https://example.com/p${i}` });
    }
    for (let i = 0; i < LIMITS.subscriptionsPerConnection; i++) await bad.next('snapshot');
    bad.send({ type: 'subscribe', page: 'https://example.com/one-too-many' });
    expect(await bad.next('error')).toMatchObject({ code: 'too-many-subscriptions' });
    // Unsubscribing frees a slot.
    bad.send({ type: 'unsubscribe', page: 'https://example.com/p0' });
    bad.send({ type: 'subscribe', page: 'https://example.com/one-too-many' });
    expect(await bad.next('snapshot')).toMatchObject({ page: 'https://example.com/one-too-many' });
  });

  it('closes an oversize frame’s socket with 1009 and changes nothing', async () => {
    bad.send({ ...createChat(), text: 'x'.repeat(LIMITS.frameBytes) });
    expect((await bad.closed).code).toBe(CLOSE.tooBig);
    await expectUnharmed(1);
  });

  it('rate-limits a flood with errors, then closes it with 4429, storing none of the dropped writes', async () => {
    const chat = createChat();
    bad.send(chat);
    await bad.next('ack');
    const flood = Array.from({ length: 4 * (LIMITS.rateBurst + LIMITS.rateStrikes) }, () =>
      addComment(chat.chatId),
    );
    bad.burst(flood);
    const limited = await bad.next('error');
    expect(limited).toMatchObject({
      code: 'rate-limited',
      message: expect.stringMatching(/frames per second/),
    });
    const closed = await bad.closed;
    expect(closed.code).toBe(CLOSE.rateLimited);
    // Writes accepted before the close may lose their ack with the socket (a retry is acked as a
    // duplicate); the dropped ones are not stored: the page holds at most the accepted ones.
    const acked = bad.received.filter((f) => f.type === 'ack').length;
    const check = await TestClient.connect(t.url, t.tokens.bob);
    check.send({ type: 'subscribe', page: PAGE });
    const snap = await check.next('snapshot');
    expect(snap.seq).toBeGreaterThanOrEqual(acked);
    expect(snap.seq).toBeLessThan(flood.length + 1);
    expect(snap.chats[0]!.comments).toHaveLength(snap.seq);
    await check.close();
    await expectUnharmed(snap.seq + 1);
  });
});
