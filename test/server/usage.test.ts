// Usage metering end to end: a fixed scenario's counts and bytes, computed from the frames the
// clients really received, match /api/usage and /metrics exactly and survive a restart; the admin
// API answers a tenant's admins only.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOSE, PROTOCOL_VERSION } from '../../lib/protocol';
import { issueToken } from '../../server/auth';
import { wireBytes } from '../../server/fanout';
import { TestClient } from '../helpers/client';
import { addComment, createChat, PAGE } from '../helpers/frames';
import { startTestServer, type TestServer } from '../helpers/server';

interface UsageRowJson {
  hour: string;
  site: string;
  pubSubMessageCount: number;
  pubSubBandwidth: number;
}

async function api(t: TestServer, path: string, token?: string, init: RequestInit = {}) {
  const res = await fetch(t.server.httpUrl + path, {
    ...init,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** Sums usage rows per site over the hours returned. */
function perSite(rows: UsageRowJson[]): Record<string, { messages: number; bytes: number }> {
  const out: Record<string, { messages: number; bytes: number }> = {};
  for (const r of rows) {
    const s = (out[r.site] ??= { messages: 0, bytes: 0 });
    s.messages += r.pubSubMessageCount;
    s.bytes += r.pubSubBandwidth;
  }
  return out;
}

describe('usage metering', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(async () => {
    await t.close();
  });

  it('counts 3 clients and 5 events exactly as the clients received them, across a restart', async () => {
    const expected: Record<string, { messages: number; bytes: number }> = {};
    const count = (site: string, messages: number, bytes: number) => {
      const s = (expected[site] ??= { messages: 0, bytes: 0 });
      s.messages += messages;
      s.bytes += bytes;
    };
    const clients: TestClient[] = [];
    for (const name of ['alice', 'bob', 'admin'] as const) {
      const client = await TestClient.open(t.url);
      client.ws.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString()) as {
          type: string;
          page?: string;
          alias?: number;
          events?: unknown[];
        };
        count(
          // A page's events name it by its alias.
          frame.page === undefined && frame.alias === undefined && frame.type !== 'batch'
            ? ''
            : 'example.com',
          frame.type === 'batch' ? frame.events!.length : 1,
          wireBytes(data.length),
        );
      });
      client.send({ type: 'hello', token: t.tokens[name], protocol: PROTOCOL_VERSION });
      await client.next('welcome');
      client.send({ type: 'subscribe', page: PAGE });
      await client.next('snapshot');
      clients.push(client);
    }
    for (const c of clients) await c.next((f) => f.type === 'presence' && f.count === 3);

    const [alice] = clients;
    const chat = createChat({ text: 'Five events: this is the first' });
    const writes = [chat, ...[1, 2, 3, 4].map((i) => addComment(chat.chatId, { text: `reply ${i}` }))];
    for (const write of writes) {
      alice!.send(write);
      await alice!.next((f) => f.type === 'ack' && f.broadcastId === write.broadcastId);
    }
    for (const c of clients) await c.next((f) => f.type === 'updated-text-chat' && f.seq === 5);
    const events = clients.map(
      (c) => c.received.filter((f) => f.type === 'new-text-chat' || f.type === 'updated-text-chat').length,
    );
    expect(events).toEqual([5, 5, 5]);
    expect(expected['']!.messages).toBe(3); // the three welcomes

    const usage = await api(t, '/api/usage', t.tokens.admin);
    expect(usage.status).toBe(200);
    expect(usage.body.tenant).toEqual({ id: t.tenants.a.id, name: 'Tenant A' });
    expect(perSite(usage.body.rows as UsageRowJson[])).toEqual(expected);

    const metrics = await fetch(`${t.server.httpUrl}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await metrics.text();
    const tenant = t.tenants.a.id;
    expect(text).toContain(
      `collab_chat_pubsub_messages_total{tenant="${tenant}",site="example.com"} ${expected['example.com']!.messages}`,
    );
    expect(text).toContain(
      `collab_chat_pubsub_bandwidth_bytes_total{tenant="${tenant}",site="example.com"} ${expected['example.com']!.bytes}`,
    );
    expect(text).toContain(`collab_chat_connections{tenant="${tenant}"} 3`);
    expect(text).not.toContain(PAGE);

    // Saved to the store: a new server on the same file reports the same. Closing sockets makes
    // presence frames to those still open, so compare with what the first server saw at the end.
    for (const c of clients) await c.close();
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${t.server.httpUrl}/healthz`)).json()) as { connections: number })
            .connections,
      )
      .toBe(0);
    const before = perSite((await api(t, '/api/usage', t.tokens.admin)).body.rows as UsageRowJson[]);
    expect(before['example.com']!.messages).toBeGreaterThanOrEqual(expected['example.com']!.messages);
    await t.restart();
    const after = await api(t, '/api/usage', t.tokens.admin);
    expect(perSite(after.body.rows as UsageRowJson[])).toEqual(before);
  });

  it('answers the tenant admins only, with JSON errors', async () => {
    const none = await api(t, '/api/usage');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(none.body.error).toMatch(/Bearer/);
    expect((await api(t, '/api/usage', 'cc_unknown')).status).toBe(401);
    const member = await api(t, '/api/usage', t.tokens.alice);
    expect(member.status).toBe(403);
    expect(member.body.error).toMatch(/not an admin token/);
    const bad = await api(t, '/api/usage?from=yesterday', t.tokens.admin);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/from must be an ISO date/);

    // Tenant B's admin sees none of tenant A's usage.
    const alice = await TestClient.connect(t.url, t.tokens.alice);
    alice.send({ type: 'subscribe', page: PAGE });
    await alice.next('snapshot');
    const bAdmin = await issueToken(t.server.store, {
      tenantId: t.tenants.b.id,
      userId: t.users.eve.id,
      role: 'admin',
    });
    const b = await api(t, '/api/usage', bAdmin.secret);
    expect(b.status).toBe(200);
    expect(b.body.rows).toEqual([]);
    const a = await api(t, '/api/usage', t.tokens.admin);
    expect((a.body.rows as UsageRowJson[]).length).toBeGreaterThan(0);
    await alice.close();
  });
});

describe('admin API: live view, tokens and revocation', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(async () => {
    await t.close();
  });

  it('lists live pages and tokens, and revoking a token closes its sockets at once with 4403', async () => {
    const bob = await TestClient.connect(t.url, t.tokens.bob);
    bob.send({ type: 'subscribe', page: PAGE });
    await bob.next('snapshot');
    const eve = await TestClient.connect(t.url, t.tokens.eve);

    const live = await api(t, '/api/live', t.tokens.admin);
    expect(live.body).toEqual({
      connections: 1,
      pages: [{ page: PAGE, site: 'example.com', connections: 1, viewers: 1 }],
    });
    const users = await api(t, '/api/users', t.tokens.admin);
    const listed = (users.body.users as { name: string; tokens: { id: string; liveConnections: number }[] }[])
      .map((u) => u.name)
      .sort();
    expect(listed).toEqual(['Admin', 'Alice', 'Bob']);

    expect(
      (await api(t, `/api/tokens/${t.tokenIds.bob}/revoke`, t.tokens.alice, { method: 'POST' })).status,
    ).toBe(403);
    const other = await api(t, `/api/tokens/${t.tokenIds.eve}/revoke`, t.tokens.admin, { method: 'POST' });
    expect(other.status).toBe(404);

    const revoked = await api(t, `/api/tokens/${t.tokenIds.bob}/revoke`, t.tokens.admin, { method: 'POST' });
    expect(revoked.status).toBe(200);
    expect(revoked.body.closedConnections).toBe(1);
    expect((revoked.body.token as { revokedAt: number | null }).revokedAt).not.toBeNull();
    const closed = await bob.closed;
    expect(closed.code).toBe(CLOSE.revoked);
    await expect(TestClient.connect(t.url, t.tokens.bob)).rejects.toThrow(/revoked/);

    // Eve, of another tenant, is untouched.
    eve.send({ type: 'ping', t: 1 });
    expect(await eve.next('pong')).toEqual({ type: 'pong', t: 1 });
    await eve.close();
  });

  it('issues a token for a user of the tenant, shown once', async () => {
    const created = await api(t, '/api/tokens', t.tokens.admin, {
      method: 'POST',
      body: JSON.stringify({ userId: t.users.bob.id, role: 'member', label: 'laptop' }),
    });
    expect(created.status).toBe(201);
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^cc_/);
    const client = await TestClient.connect(t.url, secret);
    expect(client.welcome?.user.id).toBe(t.users.bob.id);
    await client.close();

    const foreign = await api(t, '/api/tokens', t.tokens.admin, {
      method: 'POST',
      body: JSON.stringify({ userId: t.users.eve.id }),
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error).toMatch(/user of your team/);
    const badJson = await api(t, '/api/tokens', t.tokens.admin, { method: 'POST', body: '{nope' });
    expect(badJson.status).toBe(400);
  });
});

describe('/metrics with a metrics token', () => {
  it('answers only the configured Bearer token', async () => {
    const t = await startTestServer({ metricsToken: 'prom-secret' });
    try {
      const open = await fetch(`${t.server.httpUrl}/metrics`);
      expect(open.status).toBe(401);
      expect(((await open.json()) as { error: string }).error).toMatch(/METRICS_TOKEN/);
      const wrong = await fetch(`${t.server.httpUrl}/metrics`, { headers: { authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
      const right = await fetch(`${t.server.httpUrl}/metrics`, {
        headers: { authorization: 'Bearer prom-secret' },
      });
      expect(right.status).toBe(200);
      expect(await right.text()).toContain('# TYPE collab_chat_pubsub_messages_total counter');
    } finally {
      await t.close();
    }
  });
});
