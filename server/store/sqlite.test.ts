import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addComment, createChat, PAGE } from '../../test/helpers/frames';
import { hashToken, issueToken } from '../auth';
import { plannerFor, type Actor } from '../ops';
import { openSqliteStore, schemaVersion, type SqliteStore } from './sqlite';

const actor: Actor = { user: { id: 'u1', name: 'Ana' }, role: 'member' };

describe('SqliteStore', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'collab-chat-store-'));
    store = openSqliteStore(join(dir, 'nested', 'store.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the file and its directory and migrates to the latest schema', () => {
    expect(schemaVersion(store.db)).toBe(1);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('refuses a second tenant with the same name, and finds tenants by id or name', async () => {
    const t = await store.createTenant('Team');
    await expect(store.createTenant('Team')).rejects.toThrow(/already exists/);
    expect(await store.findTenant(t.id)).toEqual(t);
    expect(await store.findTenant('Team')).toEqual(t);
    expect(await store.findTenant('nope')).toBeNull();
  });

  it('stores only the hash of a token and reports revocations since a time', async () => {
    const t = await store.createTenant('Team');
    const u = await store.createUser(t.id, 'Ana');
    const { secret, info } = await issueToken(store, { tenantId: t.id, userId: u.id, role: 'admin' });
    expect(secret).toMatch(/^cc_[A-Za-z0-9_-]{43}$/);
    const rows = store.db.prepare('SELECT * FROM tokens').all();
    expect(JSON.stringify(rows)).not.toContain(secret.slice(3));
    expect((await store.findTokenByHash(hashToken(secret)))?.user.name).toBe('Ana');
    const before = Date.now();
    expect(await store.tokensRevokedSince(before)).toEqual([]);
    const other = await store.createTenant('Other');
    expect(await store.revokeToken(info.id, other.id)).toBeNull();
    expect((await store.revokeToken(info.id, t.id))?.revokedAt).toBeGreaterThanOrEqual(before);
    expect((await store.tokensRevokedSince(before)).map((x) => x.id)).toEqual([info.id]);
  });

  it('gives each page gap-free seqs, applies a broadcastId once, and replays what was missed', async () => {
    const first = createChat();
    const r1 = await store.commit('ten-a', first, plannerFor(first, actor, 1));
    const r2 = await store.commit(
      'ten-a',
      addComment(first.chatId),
      plannerFor(addComment(first.chatId), actor, 2),
    );
    const other = createChat({ page: 'https://example.com/other' });
    const r3 = await store.commit('ten-a', other, plannerFor(other, actor, 3));
    expect([r1, r2, r3].map((r) => (r.status === 'applied' ? r.event.seq : r.status))).toEqual([1, 2, 1]);
    expect(await store.commit('ten-a', first, plannerFor(first, actor, 4))).toEqual({
      status: 'duplicate',
      page: PAGE,
      seq: 1,
    });
    // The same broadcastId in another tenant is another write.
    expect((await store.commit('ten-b', first, plannerFor(first, actor, 5))).status).toBe('applied');

    const snap = await store.snapshot('ten-a', PAGE);
    expect(snap.seq).toBe(2);
    expect(snap.chats.map((c) => c.comments.length)).toEqual([2]);
    expect((await store.eventsSince('ten-a', PAGE, 0, 10))?.events.map((e) => e.seq)).toEqual([1, 2]);
    expect((await store.eventsSince('ten-a', PAGE, 1, 10))?.events.map((e) => e.seq)).toEqual([2]);
    expect(await store.eventsSince('ten-a', PAGE, 2, 10)).toEqual({ seq: 2, events: [] });
    expect(await store.eventsSince('ten-a', PAGE, 3, 10)).toBeNull();
    expect(await store.eventsSince('ten-a', PAGE, 0, 1)).toBeNull();
  });

  it('keeps nothing of a rejected write', async () => {
    const reply = addComment('chat-missing');
    expect(await store.commit('ten-a', reply, plannerFor(reply, actor, 1))).toMatchObject({
      status: 'rejected',
      code: 'not-found',
    });
    expect(await store.snapshot('ten-a', PAGE)).toEqual({ seq: 0, chats: [] });
  });

  it('reopens a file with everything in it', async () => {
    const write = createChat();
    await store.commit('ten-a', write, plannerFor(write, actor, 1));
    await store.close();
    store = openSqliteStore(join(dir, 'nested', 'store.db'));
    expect((await store.snapshot('ten-a', PAGE)).chats.map((c) => c.id)).toEqual([write.chatId]);
  });
});
