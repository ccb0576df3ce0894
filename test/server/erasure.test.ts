// Retention, erasure and former members on one real server (port 0, real ws clients): an admin
// erases a member and a viewer sees their comments go live; a retention sweep (set on the admin API,
// and the periodic one) deletes live; a member exports their data and asks for erasure, which an
// admin declines or carries out; a removed member reads as a former member.
import { afterEach, describe, expect, it } from 'vitest';
import type { WriteFrameT } from '../../lib/protocol';
import { plannerFor } from '../../server/ops';
import { TestClient } from '../helpers/client';
import { addComment, createChat, PAGE } from '../helpers/frames';
import { startTestServer, type TestServer } from '../helpers/server';

let t: TestServer;
afterEach(async () => {
  await t.close();
});

type Json = Record<string, unknown> & { error?: string };

async function api(path: string, token: string, body?: unknown) {
  const res = await fetch(`${t.server.httpUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

async function trail(): Promise<{ kind: string; detail: string; subject: { id: string } | null }[]> {
  return (await api('/api/audit', t.tokens.admin)).body.entries as never;
}

const acked = async (c: TestClient, write: { broadcastId: string }) => {
  c.send(write);
  return c.next((f) => (f.type === 'ack' || f.type === 'error') && f.broadcastId === write.broadcastId);
};

async function viewer(token: string, page = PAGE) {
  const c = await TestClient.connect(t.url, token);
  c.send({ type: 'subscribe', page });
  await c.next('snapshot');
  return c;
}

/** A discussion written straight into the store with its activity `daysAgo` days back. */
async function oldDiscussion(daysAgo: number, text: string) {
  const write = createChat({ text });
  const at = Date.now() - daysAgo * 24 * 3600 * 1000;
  const actor = { user: { id: t.users.alice.id, name: 'Alice' }, role: 'member' as const };
  const r = await t.server.store.commit(t.tenants.a.id, write, plannerFor(write as WriteFrameT, actor, at));
  expect(r.status).toBe('applied');
  return write;
}

describe('erasing a member', () => {
  it('removes them, and a viewer sees their comments and lone discussions go live while others’ replies stay', async () => {
    t = await startTestServer();
    const bob = await viewer(t.tokens.bob);
    const alice = await viewer(t.tokens.alice);
    const bobsShared = createChat({ text: 'BOB-OPENING-secret' });
    expect((await acked(bob, bobsShared)).type).toBe('ack');
    const aliceReply = addComment(bobsShared.chatId, { text: 'alice reply stays' });
    expect((await acked(alice, aliceReply)).type).toBe('ack');
    const bobsLone = createChat({ text: 'BOB-LONE-secret' });
    expect((await acked(bob, bobsLone)).type).toBe('ack');
    // Alice has seen everything so far.
    await alice.next((f) => f.type === 'new-text-chat' && f.chat.id === bobsLone.chatId);

    const done = await api(`/api/users/${t.users.bob.id}/erase`, t.tokens.admin, {});
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ erased: { comments: 2, discussions: 1 }, closedConnections: 1 });
    expect((await bob.closed).code).toBe(4403);

    const removedComment = await alice.next(
      (f) =>
        f.type === 'updated-text-chat' && f.change.op === 'delete-comment' && f.chatId === bobsShared.chatId,
    );
    expect(removedComment).toMatchObject({ change: { commentId: bobsShared.commentId } });
    await alice.next((f) => f.type === 'deleted-text-chat' && f.chatId === bobsLone.chatId);

    // A fresh viewer sees the same, and nothing names Bob.
    const carol = await viewer(t.tokens.admin);
    const snap = JSON.stringify(carol.received.find((f) => f.type === 'snapshot'));
    expect(snap).toContain('alice reply stays');
    expect(snap).not.toContain('BOB-');
    expect(snap).not.toContain('Bob');

    const users = (await api('/api/users', t.tokens.admin)).body.users as {
      id: string;
      name: string;
      erasedAt: number | null;
    }[];
    expect(users.find((u) => u.id === t.users.bob.id)).toMatchObject({
      name: '',
      erasedAt: expect.any(Number),
    });
    const entry = (await trail()).find((e) => e.kind === 'member-erased')!;
    expect(entry.subject?.id).toBe(t.users.bob.id);
    expect(entry.detail).toBe('2 comment(s) and 1 discussion(s) erased');
    await Promise.all([alice.close(), carol.close()]);
  });

  it('refuses to erase the team’s last admin, before anything is deleted; a member may not erase', async () => {
    t = await startTestServer();
    const admin = await viewer(t.tokens.admin);
    const chat = createChat({ text: 'admin keeps this' });
    expect((await acked(admin, chat)).type).toBe('ack');
    const refused = await api(`/api/users/${t.users.admin.id}/erase`, t.tokens.admin, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(/last admin/);
    expect((await t.server.store.snapshot(t.tenants.a.id, PAGE)).discussions).toHaveLength(1);
    expect((await api(`/api/users/${t.users.bob.id}/erase`, t.tokens.alice, {})).status).toBe(403);
    expect((await api(`/api/users/${t.users.eve.id}/erase`, t.tokens.admin, {})).status).toBe(404);
    await admin.close();
  });
});

describe('retention', () => {
  it('is off by default; an admin sets it, what it covers goes at once and live, both audited', async () => {
    t = await startTestServer();
    expect((await api('/api/retention', t.tokens.admin)).body).toEqual({ days: null });
    expect((await api('/api/retention', t.tokens.alice)).status).toBe(403);
    for (const days of [0, -1, 1.5, 'ten', 99999]) {
      const bad = await api('/api/retention', t.tokens.admin, { days });
      expect(bad.status, String(days)).toBe(400);
      expect(bad.body.error).toMatch(/days must be/);
    }
    const old = await oldDiscussion(40, 'OLD-secret-words');
    const alice = await viewer(t.tokens.alice);
    const fresh = createChat({ text: 'recent words' });
    expect((await acked(alice, fresh)).type).toBe('ack');

    const set = await api('/api/retention', t.tokens.admin, { days: 30 });
    expect(set.body).toEqual({ days: 30, removed: 1 });
    await alice.next((f) => f.type === 'deleted-text-chat' && f.chatId === old.chatId);
    expect((await api('/api/retention', t.tokens.admin)).body).toEqual({ days: 30 });
    const snap = await t.server.store.snapshot(t.tenants.a.id, PAGE);
    expect(snap.discussions.map((c) => c.id)).toEqual([fresh.chatId]);
    const entries = await trail();
    expect(entries.filter((e) => e.kind === 'retention-changed').map((e) => e.detail)).toEqual([
      'off → 30 day(s)',
    ]);
    expect(entries.filter((e) => e.kind === 'retention-sweep').map((e) => e.detail)).toEqual([
      '1 discussion(s) without activity for 30 day(s) removed',
    ]);
    expect((await api('/api/retention', t.tokens.admin, { days: null })).body).toEqual({
      days: null,
      removed: 0,
    });
    await alice.close();
  });

  it('sweeps periodically and broadcasts each removal to the page’s viewers', async () => {
    t = await startTestServer({ retentionSweepMs: 100 });
    await t.server.store.setRetentionDays(t.tenants.a.id, 7);
    const alice = await viewer(t.tokens.alice);
    const old = await oldDiscussion(8, 'swept by the timer');
    await alice.next((f) => f.type === 'deleted-text-chat' && f.chatId === old.chatId);
    expect((await t.server.store.snapshot(t.tenants.a.id, PAGE)).discussions).toEqual([]);
    await alice.close();
  });
});

describe('a member’s own data and erasure request', () => {
  it('exports what the server holds of them (not others’ words), and asks for erasure, which an admin declines or carries out', async () => {
    t = await startTestServer();
    const alice = await viewer(t.tokens.alice);
    const bob = await viewer(t.tokens.bob);
    const mine = createChat({ text: 'alice opening words' });
    expect((await acked(alice, mine)).type).toBe('ack');
    expect((await acked(bob, addComment(mine.chatId, { text: 'BOB-words-not-hers' }))).type).toBe('ack');
    alice.send({ type: 'watch', page: PAGE, watch: true });
    await alice.next('watching');

    const exported = await api('/api/own-data', t.tokens.alice);
    expect(exported.status).toBe(200);
    expect(exported.body).toMatchObject({
      format: 'collab-chat-own-data',
      member: { id: t.users.alice.id, name: 'Alice', role: 'member' },
      comments: [{ text: 'alice opening words', page: PAGE, discussion: mine.chatId }],
      discussionsStarted: [{ id: mine.chatId, repliesByOthers: 1 }],
      watchedPages: [{ page: PAGE }],
      erasureRequestedAt: null,
    });
    expect(JSON.stringify(exported.body)).not.toContain('BOB-words');
    expect(JSON.stringify(exported.body)).not.toMatch(/hash|cc_/);

    expect((await api('/api/own-data/erasure-request', t.tokens.alice, {})).body.requestedAt).toEqual(
      expect.any(Number),
    );
    const listed = await api('/api/erasure-requests', t.tokens.admin);
    expect(listed.body.requests).toEqual([
      { userId: t.users.alice.id, name: 'Alice', requestedAt: expect.any(Number) },
    ]);
    expect((await api('/api/erasure-requests', t.tokens.alice)).status).toBe(403);
    const declined = await api(`/api/erasure-requests/${t.users.alice.id}/decline`, t.tokens.admin, {});
    expect(declined.status).toBe(200);
    expect((await api('/api/own-data/erasure-request', t.tokens.alice)).body).toEqual({ requestedAt: null });
    expect((await api(`/api/erasure-requests/${t.users.alice.id}/decline`, t.tokens.admin, {})).status).toBe(
      404,
    );

    await api('/api/own-data/erasure-request', t.tokens.alice, {});
    expect((await api(`/api/users/${t.users.alice.id}/erase`, t.tokens.admin, {})).status).toBe(200);
    expect((await api('/api/erasure-requests', t.tokens.admin)).body.requests).toEqual([]);
    // Her discussion stays for Bob's reply, without her.
    await bob.next((f) => f.type === 'updated-text-chat' && f.change.op === 'delete-comment');
    const kinds = (await trail()).map((e) => e.kind);
    expect(kinds.slice(0, 5)).toEqual([
      'member-erased',
      'member-removed',
      'erasure-requested',
      'erasure-declined',
      'erasure-requested',
    ]);
    await bob.close();
  });
});

describe('former members', () => {
  it('shows a removed member’s discussions and comments without their name, on the wire and the team API', async () => {
    t = await startTestServer();
    const bob = await viewer(t.tokens.bob);
    const chat = createChat({ text: 'bob wrote this' });
    expect((await acked(bob, chat)).type).toBe('ack');
    // A viewer whose snapshot the node keeps (parts cached under the page's seq) before the removal.
    const early = await viewer(t.tokens.admin);
    expect(JSON.stringify(early.received.find((f) => f.type === 'snapshot'))).toContain('Bob');
    expect((await api(`/api/users/${t.users.bob.id}/remove`, t.tokens.admin, {})).status).toBe(200);
    const alice = await viewer(t.tokens.alice);
    const snap = alice.received.find((f) => f.type === 'snapshot');
    expect(snap).toMatchObject({
      chats: [{ comments: [{ text: 'bob wrote this', author: { id: t.users.bob.id, name: '' } }] }],
    });
    const listed = (await api('/api/discussions', t.tokens.alice)).body.discussions as {
      creator: { name: string };
    }[];
    expect(listed[0]!.creator).toEqual({ id: t.users.bob.id, name: '' });
    // Exports say "former member" rather than leave a blank (and a re-import names nobody).
    const csv = await fetch(`${t.server.httpUrl}/api/export?format=csv`, {
      headers: { authorization: `Bearer ${t.tokens.admin}` },
    }).then((r) => r.text());
    expect(csv).toContain('former member');
    expect(csv).not.toContain('Bob');
    const jsonld = await fetch(`${t.server.httpUrl}/api/export`, {
      headers: { authorization: `Bearer ${t.tokens.admin}` },
    }).then((r) => r.text());
    expect(jsonld).toContain('"name": "former member"');
    expect(jsonld).not.toContain('Bob');
    await Promise.all([alice.close(), early.close()]);
  });
});
