// Who did what: the audit trail an admin reads at /api/audit. Tokens record who created them, every
// stored change records its token, and the trail lists token creation and revocation, admin
// deletions, and the changes made with a token an admin created for someone else, all by ids.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestClient } from '../helpers/client';
import { addComment, createChat, deleteChat, PAGE } from '../helpers/frames';
import { startTestServer, type TestServer } from '../helpers/server';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await t.close();
});

async function api(path: string, token: string, init: RequestInit = {}) {
  const res = await fetch(`${t.server.httpUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

interface Entry {
  kind: string;
  actor: { id: string; name: string } | null;
  subject: { id: string; name: string } | null;
  tokenId: string | null;
  chatId: string | null;
  detail: string;
}

async function trail(): Promise<Entry[]> {
  const res = await api('/api/audit', t.tokens.admin);
  expect(res.status).toBe(200);
  return res.body.entries as Entry[];
}

describe('audit trail', () => {
  it('lists token creation and revocation, admin deletions and writes made with a token an admin made', async () => {
    // The seeded tokens of this team (alice, bob, admin) come from the operator (no actor).
    const seeded = await trail();
    expect(seeded.filter((e) => e.kind === 'token-created')).toHaveLength(3);
    expect(seeded.every((e) => e.actor === null)).toBe(true);

    // The admin makes a token for Bob and writes with it.
    const made = await api('/api/tokens', t.tokens.admin, {
      method: 'POST',
      body: JSON.stringify({ userId: t.users.bob.id, label: 'for bob' }),
    });
    expect(made.status).toBe(201);
    const minted = made.body.token as { id: string; createdBy: string };
    expect(minted.createdBy).toBe(t.users.admin.id);
    const asBob = await TestClient.connect(t.url, made.body.secret as string);
    asBob.send({ type: 'subscribe', page: PAGE });
    await asBob.next('snapshot');
    const create = createChat({ text: 'SECRET-TEXT-NOT-IN-AUDIT' });
    asBob.send(create);
    await asBob.next('ack');

    // Alice replies with her own token: nothing to note. The admin deletes Bob's discussion.
    const alice = await TestClient.connect(t.url, t.tokens.alice);
    const reply = addComment(create.chatId);
    alice.send(reply);
    await alice.next('ack');
    const admin = await TestClient.connect(t.url, t.tokens.admin);
    admin.send(deleteChat(create.chatId));
    await admin.next('ack');

    const revoked = await api(`/api/tokens/${minted.id}/revoke`, t.tokens.admin, { method: 'POST' });
    expect(revoked.status).toBe(200);
    // Revoking again changes nothing and notes nothing.
    await api(`/api/tokens/${minted.id}/revoke`, t.tokens.admin, { method: 'POST' });

    const entries = (await trail()).slice(0, 4);
    const who = (p: { name: string } | null) => p?.name ?? null;
    expect(entries.map((e) => [e.kind, who(e.actor), who(e.subject), e.tokenId])).toEqual([
      ['token-revoked', 'Admin', 'Bob', minted.id],
      ['admin-delete', 'Admin', 'Bob', t.tokenIds.admin],
      ['delegated-write', 'Admin', 'Bob', minted.id],
      ['token-created', 'Admin', 'Bob', minted.id],
    ]);
    expect(entries[1]).toMatchObject({ chatId: create.chatId, detail: 'delete-chat' });
    expect(entries[2]).toMatchObject({ chatId: create.chatId, detail: 'create-chat' });
    expect(JSON.stringify(await trail())).not.toContain('SECRET-TEXT-NOT-IN-AUDIT');

    // Members cannot read it; admins of another team see none of it.
    expect((await api('/api/audit', t.tokens.alice)).status).toBe(403);
    expect((await api('/api/audit?limit=0', t.tokens.admin)).status).toBe(400);
    const page = await api('/api/audit?limit=2', t.tokens.admin);
    expect((page.body.entries as Entry[]).map((e) => e.kind)).toEqual(['token-revoked', 'admin-delete']);
    for (const c of [asBob, alice, admin]) await c.close();
  });
});
