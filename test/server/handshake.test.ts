// The hello/auth flow, close codes, revocation by the CLI from "another process", and /healthz.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLOSE, PROTOCOL_VERSION } from '../../lib/protocol';
import { runCli, type CliIo } from '../../server/cli';
import { TestClient } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';

function captureIo(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), env: {} };
}

describe('handshake', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(async () => {
    await t.close();
  });

  it('answers GET /healthz with 200 JSON', async () => {
    const res = await fetch(`${t.server.httpUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.json()).toMatchObject({
      service: 'collab-chat',
      protocol: PROTOCOL_VERSION,
      status: 'ok',
      store: 'sqlite',
    });
    expect((await fetch(`${t.server.httpUrl}/other`)).status).toBe(404);
  });

  it('closes with 4401 when no hello comes in time', async () => {
    const quick = await startTestServer({ helloTimeoutMs: 200 });
    try {
      const c = await TestClient.open(quick.url);
      const closed = await c.closed;
      expect(closed.code).toBe(CLOSE.unauthenticated);
      expect(closed.reason).toMatch(/no hello/);
    } finally {
      await quick.close();
    }
  });

  it('welcomes a hello that arrived in time while the server was held up past the deadline', async () => {
    const quick = await startTestServer({ helloTimeoutMs: 200 });
    try {
      const c = await TestClient.open(quick.url);
      c.send({ type: 'hello', token: quick.tokens.alice, protocol: PROTOCOL_VERSION });
      // The server's thread is busy (a long GC, a starved CPU) from before the hello is read until
      // after its deadline: when it wakes, the deadline's timer runs before the waiting data is read.
      const until = performance.now() + 400;
      while (performance.now() < until);
      expect(await c.next('welcome')).toMatchObject({ user: { name: 'Alice' } });
    } finally {
      await quick.close();
    }
  });

  it.each([
    [
      'an unknown token',
      { type: 'hello', token: 'cc_not-a-real-token', protocol: PROTOCOL_VERSION },
      4401,
      /unknown token/,
    ],
    [
      'a token of another kind',
      { type: 'hello', token: 'sk-123', protocol: PROTOCOL_VERSION },
      4401,
      /not a Collab Chat token/,
    ],
    ['a missing token', { type: 'hello', protocol: PROTOCOL_VERSION }, 4401, /no token/],
    ['an empty token', { type: 'hello', token: '', protocol: PROTOCOL_VERSION }, 4401, /no token/],
    ['another protocol version', { type: 'hello', token: 'cc_x', protocol: 99 }, 4426, /protocol 3/],
    [
      'protocol 1 (a client from before page aliases)',
      { type: 'hello', token: 'cc_x', protocol: 1 },
      4426,
      /server speaks protocol 3, client 1; update/,
    ],
    [
      'protocol 2 (a client from before resolving, which could not read a resolve)',
      { type: 'hello', token: 'cc_x', protocol: 2 },
      4426,
      /server speaks protocol 3, client 2; update/,
    ],
    [
      'another frame first',
      { type: 'subscribe', page: 'https://example.com/' },
      4400,
      /first frame must be hello/,
    ],
    ['invalid JSON first', '{hello', 4400, /not valid JSON/],
    ['a first type whose toString is not a function', '{"type":{"toString":1}}', 4400, /must be hello/],
    ['a hello without protocol', { type: 'hello', token: 'cc_x' }, 4400, /invalid hello/],
    [
      'a token that is not a string',
      { type: 'hello', token: 42, protocol: PROTOCOL_VERSION },
      4400,
      /invalid hello/,
    ],
    [
      'a protocol that is not a number',
      { type: 'hello', token: 'cc_x', protocol: '1' },
      4400,
      /invalid hello/,
    ],
    ['a JSON array first', '[]', 4400, /must be hello/],
  ])('closes on %s', async (_name, frame, code, reason) => {
    const c = await TestClient.open(t.url);
    c.send(frame);
    const closed = await c.closed;
    expect(closed.code).toBe(code);
    expect(closed.reason).toMatch(reason);
  });

  it('closes on a second hello', async () => {
    const c = await TestClient.connect(t.url, t.tokens.alice);
    c.send({ type: 'hello', token: t.tokens.alice, protocol: PROTOCOL_VERSION });
    expect((await c.closed).code).toBe(CLOSE.badHello);
  });

  it('refuses a revoked token with 4403', async () => {
    const io = captureIo();
    expect(await runCli(['token', 'revoke', t.tokenIds.bob, '--db', t.dbPath], io)).toBe(0);
    const c = await TestClient.open(t.url);
    c.send({ type: 'hello', token: t.tokens.bob, protocol: PROTOCOL_VERSION });
    const closed = await c.closed;
    expect(closed.code).toBe(CLOSE.revoked);
    expect(closed.reason).toMatch(/revoked/);
  });

  it('closes the live sockets of a token revoked through the CLI, and only those', async () => {
    const bob1 = await TestClient.connect(t.url, t.tokens.bob);
    const bob2 = await TestClient.connect(t.url, t.tokens.bob);
    const alice = await TestClient.connect(t.url, t.tokens.alice);
    const io = captureIo();
    // The CLI opens its own store on the same file, as a separate process would.
    expect(await runCli(['token', 'revoke', t.tokenIds.bob, '--db', t.dbPath], io)).toBe(0);
    expect(io.lines.join('\n')).toMatch(/Revoked token/);
    for (const c of [bob1, bob2]) {
      const closed = await c.closed;
      expect(closed.code).toBe(CLOSE.revoked);
      expect(closed.reason).toMatch(/revoked/);
    }
    alice.send({ type: 'ping', t: 7 });
    expect(await alice.next('pong')).toEqual({ type: 'pong', t: 7 });
    await alice.close();
  });
});

describe('heartbeat', () => {
  it('terminates a socket that stops answering pings', async () => {
    const t = await startTestServer({ heartbeatMs: 100, pongTimeoutMs: 250 });
    try {
      const dead = await TestClient.connect(t.url, t.tokens.bob, { autoPong: false });
      dead.send({ type: 'subscribe', page: 'https://example.com/' });
      await dead.next('snapshot');
      expect((await dead.closed).code).toBe(1006);
    } finally {
      await t.close();
    }
  });

  it('keeps the sockets that answered while the server was held up past the pong timeout', async () => {
    const t = await startTestServer({ heartbeatMs: 100, pongTimeoutMs: 250 });
    try {
      const alive = await TestClient.connect(t.url, t.tokens.bob);
      let pings = 0;
      alive.ws.on('ping', () => {
        // The client has answered the first ping; then the server's thread is busy for longer than
        // the pong timeout (a long GC, a starved CPU), with the pong waiting unread.
        if (++pings > 1) return;
        const until = performance.now() + 600;
        while (performance.now() < until);
      });
      // Three more beats: the socket answered each ping, and is still open.
      await vi.waitFor(() => expect(pings).toBeGreaterThan(4), { timeout: 5000 });
      expect(alive.ws.readyState).toBe(alive.ws.OPEN);
      alive.send({ type: 'ping', t: 1 });
      expect(await alive.next('pong')).toEqual({ type: 'pong', t: 1 });
    } finally {
      await t.close();
    }
  });
});
