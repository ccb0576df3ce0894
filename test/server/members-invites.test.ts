// Teams managing themselves on one real server (port 0, real ws clients): members' roles and
// removal on the admin API, the last admin kept, and invite links (valid, expired, used up, revoked,
// raced for, rate-limited, refused to web pages).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestClient } from '../helpers/client';
import { addComment, createChat, deleteComment, PAGE } from '../helpers/frames';
import { startTestServer, type TestServer } from '../helpers/server';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer({
    inviteLimits: { redeemPerWindow: 20, previewPerWindow: 50, windowMs: 60_000 },
  });
});
afterEach(async () => {
  await t.close();
});

interface Member {
  id: string;
  name: string;
  role: string;
  removedAt: number | null;
  tokens: { revokedAt: number | null }[];
}
interface Person {
  id: string;
  name: string;
  removed: boolean;
}
/** The JSON answers these tests read. */
interface Answer {
  error: string;
  code: string;
  users: Member[];
  invites: { id: string; state: string; uses: number; maxUses: number }[];
  token: string;
  role: string;
  [key: string]: unknown;
}

async function api(path: string, token: string, body?: unknown) {
  const res = await fetch(`${t.server.httpUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Answer };
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.server.httpUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer };
}

async function trail(): Promise<
  { kind: string; actor: Person | null; subject: Person | null; detail: string }[]
> {
  return (await api('/api/audit', t.tokens.admin)).body.entries as never;
}

const acked = async (c: TestClient, write: { broadcastId: string }) => {
  c.send(write);
  return c.next((f) => (f.type === 'ack' || f.type === 'error') && f.broadcastId === write.broadcastId);
};

async function invite(opts: { role?: string; expiresInHours?: number; maxUses?: number } = {}) {
  const made = await api('/api/invites', t.tokens.admin, opts);
  expect(made.status).toBe(201);
  return made.body as unknown as { secret: string; path: string; invite: { id: string } };
}

describe('members', () => {
  it('lists members with role, live tokens and whether they were removed', async () => {
    const { body } = await api('/api/users', t.tokens.admin);
    const byName = Object.fromEntries(body.users.map((u) => [u.name, u]));
    expect(byName.Admin!.role).toBe('admin');
    expect(byName.Alice!.role).toBe('member');
    expect(byName.Alice!.removedAt).toBeNull();
    expect(byName.Alice!.tokens).toHaveLength(1);
    expect(Object.keys(byName)).not.toContain('Eve');
  });

  it('a member made admin may delete others’ comments on the same connection, and loses it when made member again', async () => {
    const alice = await TestClient.connect(t.url, t.tokens.alice);
    const bob = await TestClient.connect(t.url, t.tokens.bob);
    for (const c of [alice, bob]) {
      c.send({ type: 'subscribe', page: PAGE });
      await c.next('snapshot');
    }
    const chat = createChat();
    expect((await acked(alice, chat)).type).toBe('ack');
    const one = addComment(chat.chatId);
    const two = addComment(chat.chatId);
    expect((await acked(alice, one)).type).toBe('ack');
    expect((await acked(alice, two)).type).toBe('ack');

    const refused = await acked(bob, deleteComment(chat.chatId, one.commentId));
    expect(refused).toMatchObject({ type: 'error', code: 'forbidden' });

    const promoted = await api(`/api/users/${t.users.bob.id}/role`, t.tokens.admin, { role: 'admin' });
    expect(promoted.status).toBe(200);
    expect((await acked(bob, deleteComment(chat.chatId, one.commentId))).type).toBe('ack');

    const demoted = await api(`/api/users/${t.users.bob.id}/role`, t.tokens.admin, { role: 'member' });
    expect(demoted.status).toBe(200);
    expect(await acked(bob, deleteComment(chat.chatId, two.commentId))).toMatchObject({
      type: 'error',
      code: 'forbidden',
    });
    // The connection stayed open throughout.
    expect(bob.ws.readyState).toBe(bob.ws.OPEN);

    const kinds = (await trail()).filter((e) => e.kind === 'role-changed').map((e) => e.detail);
    expect(kinds).toEqual(['admin → member', 'member → admin']);
    await Promise.all([alice.close(), bob.close()]);
  });

  it('removing a member revokes their tokens, closes their connections at once and keeps their discussions', async () => {
    const bob = await TestClient.connect(t.url, t.tokens.bob);
    bob.send({ type: 'subscribe', page: PAGE });
    await bob.next('snapshot');
    const chat = createChat();
    expect((await acked(bob, chat)).type).toBe('ack');

    const removed = await api(`/api/users/${t.users.bob.id}/remove`, t.tokens.admin, {});
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ revokedTokens: 1, closedConnections: 1 });
    expect((await bob.closed).code).toBe(4403);
    await expect(TestClient.connect(t.url, t.tokens.bob)).rejects.toThrow();

    const { body } = await api('/api/users', t.tokens.admin);
    const former = body.users.find((u) => u.id === t.users.bob.id)!;
    expect(former.removedAt).not.toBeNull();
    expect(former.tokens.every((tk) => tk.revokedAt !== null)).toBe(true);

    // The discussion stays, as a former member's: his id, no longer his name.
    const alice = await TestClient.connect(t.url, t.tokens.alice);
    alice.send({ type: 'subscribe', page: PAGE });
    const snap = await alice.next('snapshot');
    expect(snap.chats[0]!.comments[0]!.author).toEqual({ id: t.users.bob.id, name: '' });
    await alice.close();

    const entry = (await trail()).find((e) => e.kind === 'member-removed')!;
    expect(entry.subject).toMatchObject({ name: 'Bob', removed: true });
    expect(entry.actor).toMatchObject({ name: 'Admin', removed: false });
    // Removing again: no such member.
    expect((await api(`/api/users/${t.users.bob.id}/remove`, t.tokens.admin, {})).status).toBe(404);
  });

  it('refuses to demote or remove the last admin, with a clear error', async () => {
    const demote = await api(`/api/users/${t.users.admin.id}/role`, t.tokens.admin, { role: 'member' });
    expect(demote.status).toBe(409);
    expect(demote.body.error).toMatch(/last admin/);
    const remove = await api(`/api/users/${t.users.admin.id}/remove`, t.tokens.admin, {});
    expect(remove.status).toBe(409);
    expect(remove.body.error).toMatch(/last admin/);
    // With a second admin, the first may step down.
    expect((await api(`/api/users/${t.users.alice.id}/role`, t.tokens.admin, { role: 'admin' })).status).toBe(
      200,
    );
    expect(
      (await api(`/api/users/${t.users.admin.id}/role`, t.tokens.admin, { role: 'member' })).status,
    ).toBe(200);
    // Now Admin is a member: the admin API refuses their token at once.
    expect((await api('/api/users', t.tokens.admin)).status).toBe(403);
    // Alice is the last admin now.
    const last = await api(`/api/users/${t.users.alice.id}/remove`, t.tokens.alice, {});
    expect(last.status).toBe(409);
  });

  it('two admins removing each other at once: exactly one succeeds', async () => {
    expect((await api(`/api/users/${t.users.alice.id}/role`, t.tokens.admin, { role: 'admin' })).status).toBe(
      200,
    );
    const [a, b] = await Promise.all([
      api(`/api/users/${t.users.alice.id}/remove`, t.tokens.admin, {}),
      api(`/api/users/${t.users.admin.id}/remove`, t.tokens.alice, {}),
    ]);
    // One wins; the other is refused, as the last admin (409) or because its own admin was just
    // removed (401), depending on which request the server reads first. An admin always remains.
    expect([a.status, b.status].filter((s) => s === 200)).toHaveLength(1);
    expect([401, 409]).toContain([a.status, b.status].find((s) => s !== 200));
    const { body } = await api('/api/users', a.status === 200 ? t.tokens.admin : t.tokens.alice);
    expect(body.users.filter((u) => u.role === 'admin' && u.removedAt === null)).toHaveLength(1);
  });

  it('does not let an admin of another team touch this team’s members', async () => {
    const res = await api(`/api/users/${t.users.eve.id}/remove`, t.tokens.admin, {});
    expect(res.status).toBe(404);
  });
});

describe('invite links', () => {
  it('an admin makes an invite; its page shows what it is; redeeming makes a member with a token of their own', async () => {
    const made = await invite({ role: 'member', expiresInHours: 24, maxUses: 2 });
    expect(made.path).toBe(`/invite#${made.secret}`);
    expect(made.secret).toMatch(/^cci_/);
    // The page of the link.
    const page = await fetch(`${t.server.httpUrl}/invite`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).toContain('Join with an invite link');
    const preview = await post('/invite/preview', { invite: `${t.server.httpUrl}${made.path}` });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ team: 'Tenant A', role: 'member', usesLeft: 2 });

    const joined = await post(
      '/invite/redeem',
      { invite: `${t.server.httpUrl}${made.path}`, name: '  Dana  ' },
      { origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop' },
    );
    expect(joined.status).toBe(201);
    expect(joined.headers.get('access-control-allow-origin')).toBe(
      'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
    );
    expect(joined.body).toMatchObject({
      user: { name: 'Dana' },
      tenant: { name: 'Tenant A' },
      role: 'member',
    });
    const dana = await TestClient.connect(t.url, joined.body.token);
    expect(dana.welcome?.user.name).toBe('Dana');
    await dana.close();

    const { body } = await api('/api/invites', t.tokens.admin);
    expect(body.invites[0]).toMatchObject({ id: made.invite.id, uses: 1, maxUses: 2, state: 'active' });
    expect(JSON.stringify(body)).not.toContain(made.secret);
    const kinds = (await trail()).map((e) => e.kind);
    expect(kinds.slice(0, 2)).toEqual(['invite-redeemed', 'invite-created']);
  });

  it('refuses expired, used-up, revoked and unknown invites with distinct errors', async () => {
    const short = await invite({ expiresInHours: 0.0001 }); // 0.36 s
    await expect
      .poll(async () => (await post('/invite/preview', { invite: short.secret })).body.code)
      .toBe('invite-expired');
    const expired = await post('/invite/redeem', { invite: short.secret, name: 'Late' });
    expect(expired).toMatchObject({ status: 410, body: { code: 'invite-expired' } });
    expect(expired.body.error).toMatch(/expired/);

    const once = await invite({ maxUses: 1 });
    expect((await post('/invite/redeem', { invite: once.secret, name: 'First' })).status).toBe(201);
    const usedUp = await post('/invite/redeem', { invite: once.secret, name: 'Second' });
    expect(usedUp).toMatchObject({ status: 410, body: { code: 'invite-used-up' } });

    const withdrawn = await invite();
    expect((await api(`/api/invites/${withdrawn.invite.id}/revoke`, t.tokens.admin, {})).status).toBe(200);
    const revoked = await post('/invite/redeem', { invite: withdrawn.secret, name: 'Nope' });
    expect(revoked).toMatchObject({ status: 410, body: { code: 'invite-revoked' } });

    const unknown = await post('/invite/redeem', { invite: `cci_${'x'.repeat(43)}`, name: 'Who' });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'invite-unknown' } });
    expect(new Set([expired, usedUp, revoked, unknown].map((r) => r.body.error)).size).toBe(4);

    const { body } = await api('/api/invites', t.tokens.admin);
    expect(body.invites.map((i) => i.state).sort()).toEqual(['expired', 'revoked', 'used-up']);
    expect((await trail()).some((e) => e.kind === 'invite-revoked')).toBe(true);
  });

  it('two people racing for the last use: exactly one joins', async () => {
    const last = await invite({ maxUses: 1 });
    const results = await Promise.all(
      ['Racer 1', 'Racer 2', 'Racer 3'].map((name) => post('/invite/redeem', { invite: last.secret, name })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 410, 410]);
    const members = (await api('/api/users', t.tokens.admin)).body.users.filter((u) =>
      u.name.startsWith('Racer'),
    );
    expect(members).toHaveLength(1);
  });

  it('a web page may not redeem (and reads no token); an admin invite makes an admin', async () => {
    const made = await invite({ role: 'admin' });
    const fromPage = await post(
      '/invite/redeem',
      { invite: made.secret, name: 'Page' },
      { origin: 'https://evil.example' },
    );
    expect(fromPage.status).toBe(403);
    expect(fromPage.headers.get('access-control-allow-origin')).toBeNull();
    expect(JSON.stringify(fromPage.body)).not.toContain('cc_');
    const joined = await post('/invite/redeem', { invite: made.secret, name: 'New admin' });
    expect(joined.body.role).toBe('admin');
    expect((await api('/api/me', joined.body.token)).status).toBe(200);
  });

  it('checks the name and the invite’s limits', async () => {
    const made = await invite();
    expect((await post('/invite/redeem', { invite: made.secret, name: '   ' })).status).toBe(400);
    expect((await post('/invite/redeem', { invite: made.secret, name: 'x'.repeat(81) })).status).toBe(400);
    expect((await api('/api/invites', t.tokens.admin, { maxUses: 0 })).status).toBe(400);
    expect((await api('/api/invites', t.tokens.admin, { expiresInHours: 24 * 365 })).status).toBe(400);
    expect((await api('/api/invites', t.tokens.alice, {})).status).toBe(403);
  });

  it('limits redeem attempts per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      statuses.push(
        (await post('/invite/redeem', { invite: `cci_${'y'.repeat(43)}`, name: 'Guess' })).status,
      );
    }
    expect(statuses.slice(0, 20).every((s) => s === 404)).toBe(true);
    expect(statuses[20]).toBe(429);
  });
});
