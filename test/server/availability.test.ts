// When the node cannot serve, it says so and says when to come back: close 1013 with
// `retry-after-ms=N` for sockets and HTTP 503 with Retry-After, while it starts (the port is bound
// before the database answers), while it shuts down, and while too many handshakes are under way.
// And a socket whose path goes silent is closed within the pong timeout and leaves presence.
import { connect, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE, PROTOCOL_VERSION, retryAfterOf } from '../../lib/protocol';
import { createCollabServer } from '../../server/app';
import { DEFAULTS, type ServerConfig } from '../../server/config';
import { TcpProxy } from '../e2e/tcp-proxy';
import { TestClient } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { freePort, until } from '../helpers/services';

/** Opens a raw socket and waits for how it ends. */
function closeOf(url: string): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('error', reject);
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
}

/** A WebSocket upgrade done by hand, after which the peer reads nothing and answers nothing. */
async function rawUpgrade(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write(
    'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  return socket;
}

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('refusing with a retry-after', () => {
  it('refuses sockets and HTTP while starting, before the database answers', async () => {
    // A "database" that accepts connections and never says a word.
    const held: Socket[] = [];
    const hole = createServer((s) => held.push(s.on('error', () => {})));
    await new Promise<void>((ok) => hole.listen(0, '127.0.0.1', ok));
    const holePort = (hole.address() as { port: number }).port;
    const port = await freePort();
    const config: ServerConfig = {
      host: '127.0.0.1',
      port,
      db: `postgres://nobody@127.0.0.1:${holePort}/none`,
      helloTimeoutMs: DEFAULTS.helloTimeoutMs,
      heartbeatMs: DEFAULTS.heartbeatMs,
      revocationPollMs: 1000,
      maxBufferedBytes: DEFAULTS.maxBufferedBytes,
    };
    const starting = createCollabServer(config, { log: () => {} });
    const failed = starting.then(
      () => null,
      (err: Error) => err,
    );
    try {
      await until('the database connection', () => held.length > 0);
      const closed = await closeOf(`ws://127.0.0.1:${port}`);
      expect(closed.code).toBe(CLOSE.tryAgainLater);
      expect(closed.reason).toMatch(/^retry-after-ms=\d+; the server is starting/);
      expect(retryAfterOf(closed.reason)).toBeGreaterThanOrEqual(200);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(503);
      expect(Number(health.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await health.json()).toMatchObject({ service: 'collab-chat', status: 'starting' });
    } finally {
      for (const s of held) s.destroy();
      hole.close();
    }
    // The database never answered: start-up fails with its error and the port is free again.
    expect(await failed).toBeInstanceOf(Error);
    await until('the port released', async () => {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        () => 'open',
        () => 'closed',
      );
      return r === 'closed';
    });
  });

  it('tells open sockets when to come back, and refuses newcomers while shutting down', async () => {
    const t = await startTestServer();
    const alice = await TestClient.connect(t.url, t.tokens.alice);
    // A peer that never answers the close handshake keeps the node draining for a moment.
    const stubborn = await rawUpgrade(t.server.port);
    const closing = t.server.close();
    const goodbye = await alice.closed;
    expect(goodbye.code).toBe(CLOSE.goingAway);
    expect(retryAfterOf(goodbye.reason)).toBeGreaterThanOrEqual(250);
    const newcomer = await closeOf(t.url);
    expect(newcomer.code).toBe(CLOSE.tryAgainLater);
    expect(newcomer.reason).toMatch(/^retry-after-ms=\d+; the server is shutting down/);
    const health = await fetch(`${t.server.httpUrl}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'draining' });
    await closing;
    stubborn.destroy();
  });

  it('refuses new sockets while too many handshakes are under way, and admits them again after', async () => {
    const t = await startTestServer({ maxHandshaking: 2 });
    servers.push(t);
    const quiet = [await TestClient.open(t.url), await TestClient.open(t.url)];
    const refused = await closeOf(t.url);
    expect(refused.code).toBe(CLOSE.tryAgainLater);
    expect(refused.reason).toMatch(/^retry-after-ms=\d+; the server is busy/);
    expect(retryAfterOf(refused.reason)).toBeGreaterThanOrEqual(250);
    // HTTP is still served while busy.
    expect((await fetch(`${t.server.httpUrl}/healthz`)).status).toBe(200);
    // One handshake completes: there is room again.
    quiet[0]!.send({ type: 'hello', token: t.tokens.alice, protocol: PROTOCOL_VERSION });
    await quiet[0]!.next('welcome');
    const bob = await TestClient.connect(t.url, t.tokens.bob);
    expect(bob.welcome?.user.name).toBe('Bob');
    await Promise.all([...quiet, bob].map((c) => c.close()));
  });
});

describe('liveness', () => {
  it(`closes a stalled socket within the pong timeout and drops it from presence at once`, async () => {
    // The real timings: a ping every 5 s, 10 s to answer it.
    expect(DEFAULTS.heartbeatMs + DEFAULTS.pongTimeoutMs).toBeLessThanOrEqual(15_000);
    const t = await startTestServer();
    servers.push(t);
    const proxy = await TcpProxy.start(t.server.port);
    try {
      const page = 'https://example.com/stall';
      const watcher = await TestClient.connect(t.url, t.tokens.alice);
      const sleeper = await TestClient.connect(`ws://127.0.0.1:${proxy.port}`, t.tokens.bob);
      for (const c of [watcher, sleeper]) {
        c.send({ type: 'subscribe', page });
        await c.next('snapshot');
      }
      await until('both counted', () => watcher.received.some((f) => f.type === 'presence' && f.count === 2));
      const from = watcher.received.length;
      expect(proxy.stallOpen()).toBe(1);
      const stalledAt = Date.now();
      await until(
        'the stalled viewer dropped from presence',
        () => watcher.received.slice(from).some((f) => f.type === 'presence' && f.count === 1),
        30_000,
      );
      const detectedMs = Date.now() - stalledAt;
      console.log(`server noticed the stalled socket after ${detectedMs} ms`);
      expect(t.server.stats().authenticated).toBe(1);
      await watcher.close();
    } finally {
      await proxy.close();
    }
  }, 40_000);
});
