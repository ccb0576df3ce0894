// Every error code and every close code of the protocol's tables (lib/protocol/limits.ts, repeated in
// docs/protocol.md), each triggered against a real server. A code added to the tables without a
// trigger here fails to typecheck.
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLOSES,
  ERROR_CODES,
  LIMITS,
  PROTOCOL_VERSION,
  ServerFrame,
  type CloseCode,
  type ErrorCode,
  type ErrorFrameT,
} from '../../lib/protocol';
import { hashToken } from '../../server/auth';
import { MemoryBus } from '../../server/bus/memory';
import { commitWrite, DEFAULT_STORE_LIMITS, type StoreLimits } from '../../server/ops';
import { openStore } from '../../server/store/open';
import { TestClient, type Closed } from '../helpers/client';
import { faultyStore, type FaultyStore } from '../helpers/faulty-store';
import { addComment, createChat, editComment, PAGE } from '../helpers/frames';
import { startTestServer, type TestServer } from '../helpers/server';

let t: TestServer;
let faulty: FaultyStore;
beforeAll(async () => {
  faulty = faultyStore(await openStore(join(tmpdir(), `collab-chat-codes-${randomUUID()}.db`)));
  t = await startTestServer({}, { store: faulty.store });
});
afterAll(async () => {
  await t.close();
  await faulty.store.close();
});

async function firstError(
  send: (c: TestClient) => Promise<void> | void,
  token = t.tokens.alice,
): Promise<ErrorFrameT> {
  const c = await TestClient.connect(t.url, token);
  try {
    await send(c);
    return await c.next('error');
  } finally {
    await c.close();
  }
}

/** On a server with these storage limits, sends writes one by one until one is refused. */
async function errorUnderLimits(limits: Partial<StoreLimits>, next: () => object): Promise<ErrorFrameT> {
  const other = await startTestServer({ limits: { ...DEFAULT_STORE_LIMITS, ...limits } });
  try {
    const c = await TestClient.connect(other.url, other.tokens.alice);
    for (let i = 0; i < 10; i++) {
      c.send(next());
      const answer = await c.next((f) => f.type === 'ack' || f.type === 'error');
      if (answer.type === 'error') return answer;
    }
    throw new Error('no write was refused');
  } finally {
    await other.close();
  }
}

const ERROR_TRIGGERS: Record<ErrorCode, () => Promise<ErrorFrameT>> = {
  'bad-json': () => firstError((c) => c.send('{"type": "ping"')),
  'bad-frame': () => firstError((c) => c.send('[1, 2]')),
  'unknown-type': () => firstError((c) => c.send({ type: 'launch' })),
  'not-subscribed': () => firstError((c) => c.send({ type: 'unsubscribe', page: PAGE })),
  forbidden: async () => {
    const alice = await TestClient.connect(t.url, t.tokens.alice);
    const chat = createChat();
    alice.send(chat);
    await alice.next('ack');
    await alice.close();
    // Bob may not edit Alice's comment.
    return firstError((c) => c.send(editComment(chat.chatId, chat.commentId)), t.tokens.bob);
  },
  'not-found': () => firstError((c) => c.send(addComment('no-such-chat'))),
  conflict: () =>
    firstError(async (c) => {
      const chat = createChat();
      c.send(chat);
      await c.next('ack');
      c.send(createChat({ chatId: chat.chatId }));
    }),
  'rate-limited': () =>
    firstError((c) =>
      c.burst(Array.from({ length: LIMITS.rateBurst + LIMITS.rateStrikes - 1 }, () => ({ type: 'ping' }))),
    ),
  'too-many-subscriptions': () =>
    firstError((c) => {
      for (let i = 0; i <= LIMITS.subscriptionsPerConnection; i++) {
        c.send({ type: 'subscribe', page: `https://example.com/many/${i}` });
      }
    }),
  'page-full': () => errorUnderLimits({ discussionsPerPage: 1 }, () => createChat()),
  'thread-full': () => {
    const chat = createChat();
    let first = true;
    return errorUnderLimits({ commentsPerDiscussion: 2 }, () => {
      if (!first) return addComment(chat.chatId);
      first = false;
      return chat;
    });
  },
  'quota-exceeded': () => errorUnderLimits({ tenantBytes: 500 }, () => createChat({ text: 'x'.repeat(200) })),
  internal: async () => {
    faulty.failing.add('commit');
    try {
      return await firstError((c) => c.send(createChat()));
    } finally {
      faulty.failing.delete('commit');
    }
  },
};

describe('every error code', () => {
  it.each([...ERROR_CODES])('%s', async (code) => {
    const error = await ERROR_TRIGGERS[code]();
    expect(error.code).toBe(code);
    expect(ServerFrame.safeParse(error).success).toBe(true);
  });
});

async function closeOf(act: (c: TestClient) => Promise<void> | void, token?: string): Promise<Closed> {
  const c = token === undefined ? await TestClient.open(t.url) : await TestClient.connect(t.url, token);
  await act(c);
  return c.closed;
}

const hello = (token: string, protocol = PROTOCOL_VERSION) => ({ type: 'hello', token, protocol });

const CLOSE_TRIGGERS: Record<CloseCode, (() => Promise<Closed>) | null> = {
  // Sent by clients only; the server never closes with it (the close table leaves it out).
  1000: null,
  1001: async () => {
    const other = await startTestServer();
    const c = await TestClient.connect(other.url, other.tokens.alice);
    await other.close();
    return c.closed;
  },
  1013: async () => {
    // One socket still in its handshake is all this node takes at once.
    const other = await startTestServer({ maxHandshaking: 1 });
    try {
      const waiting = await TestClient.open(other.url);
      const refused = await TestClient.open(other.url);
      const closed = await refused.closed;
      await waiting.close();
      return closed;
    } finally {
      await other.close();
    }
  },
  1009: () =>
    closeOf((c) => c.send({ ...createChat(), text: 'x'.repeat(LIMITS.frameBytes) }), t.tokens.alice),
  1011: async () => {
    faulty.failing.add('findTokenByHash');
    try {
      return await closeOf((c) => c.send(hello(t.tokens.alice)));
    } finally {
      faulty.failing.delete('findTokenByHash');
    }
  },
  4400: () => closeOf((c) => c.send(hello(t.tokens.alice)), t.tokens.alice),
  4401: () => closeOf((c) => c.send(hello('cc_no-such-token'))),
  4403: async () => {
    const other = await startTestServer();
    try {
      await other.server.store.revokeToken(other.tokenIds.bob);
      const c = await TestClient.open(other.url);
      c.send(hello(other.tokens.bob));
      return await c.closed;
    } finally {
      await other.close();
    }
  },
  4419: async () => {
    // A signed-in session's access token past its expiry (server/sso.ts).
    const secret = `cc_expired-${randomUUID()}`;
    await t.server.store.sso.startSession({
      token: {
        id: `tok_${randomUUID()}`,
        tenantId: t.tenants.a.id,
        userId: t.users.alice.id,
        role: 'member',
        label: 'signed in',
        hash: hashToken(secret),
        createdAt: Date.now() - 10_000,
        expiresAt: Date.now() - 1,
      },
      refreshHash: hashToken(`ccr_${randomUUID()}`),
      refreshExpiresAt: Date.now() + 60_000,
    });
    return closeOf((c) => c.send(hello(secret)));
  },
  4408: async () => {
    const bus = new MemoryBus();
    const other = await startTestServer({ maxBufferedBytes: 64 * 1024 }, { bus });
    try {
      let tcp: Socket | undefined;
      const c = await TestClient.connect(other.url, other.tokens.bob, { onSocket: (s) => (tcp = s) });
      c.send({ type: 'subscribe', page: PAGE });
      await c.next('snapshot');
      tcp!.pause();
      const write = createChat({ text: 'x'.repeat(4000) });
      const actor = { user: { id: other.users.alice.id, name: 'Alice' }, role: 'member' as const };
      const result = await commitWrite(other.server.store, other.tenants.a.id, write, actor);
      if (result.status !== 'applied') throw new Error(result.status);
      let closed: Closed | null = null;
      void c.closed.then((x) => (closed = x));
      // Events faster than the paused client reads, until the server gives up on it.
      for (let i = 0; i < 50_000 && other.server.stats().authenticated > 0; i++) {
        const frame = JSON.stringify({ ...result.event, seq: result.event.seq + i });
        await bus.publish({ tenantId: other.tenants.a.id, page: PAGE }, frame);
        if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      tcp!.resume();
      return closed ?? (await c.closed);
    } finally {
      await other.close();
      await bus.close();
    }
  },
  4426: () => closeOf((c) => c.send(hello(t.tokens.alice, PROTOCOL_VERSION + 1))),
  4429: () =>
    closeOf(
      (c) =>
        c.burst(
          Array.from({ length: 4 * (LIMITS.rateBurst + LIMITS.rateStrikes) }, () => ({ type: 'ping' })),
        ),
      t.tokens.alice,
    ),
};

describe('every close code', () => {
  it('the table lists every code the server sends', () => {
    const sent = Object.entries(CLOSE_TRIGGERS)
      .filter(([, trigger]) => trigger !== null)
      .map(([code]) => Number(code));
    expect(CLOSES.map((c) => c.code).sort()).toEqual(sent.sort());
  });

  it.each(CLOSES.map((c) => [c.code, c.when]))('%i: %s', async (code) => {
    const closed = await CLOSE_TRIGGERS[code as CloseCode]!();
    expect(closed.code).toBe(code);
    expect(closed.reason.length).toBeGreaterThan(0);
  });
});
