import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createChat, PAGE } from '../../test/helpers/frames';
import { describeSsoContract } from '../../test/helpers/sso-contract';
import { describeReplayWindowContract, describeStoreContract } from '../../test/helpers/store-contract';
import { issueToken } from '../auth';
import { commitWrite, plannerFor, type Actor } from '../ops';
import { openStore } from './open';
import { openSqliteStore, schemaVersion, type SqliteStore } from './sqlite';
import type { StoreOptions } from './types';
import { addComment, deleteChat, deleteComment, editComment, resolveChat } from '../../test/helpers/frames';

/** The file and its WAL as bytes, read as latin1 so any ASCII string can be searched for. */
function rawFiles(path: string): string {
  return [path, `${path}-wal`, `${path}-journal`]
    .filter((p) => existsSync(p))
    .map((p) => readFileSync(p).toString('latin1'))
    .join('\n');
}

const openContractStore = async (options?: StoreOptions) => {
  const dir = mkdtempSync(join(tmpdir(), 'collab-chat-contract-'));
  const path = join(dir, 'contract.db');
  const store = openSqliteStore(path, options);
  return {
    store,
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
    async raw() {
      // What the server's periodic compaction does: drop expired entries and checkpoint the WAL.
      await store.compact();
      return rawFiles(path);
    },
  };
};
describeStoreContract('SqliteStore', openContractStore);
describeReplayWindowContract('SqliteStore', openContractStore);
describeSsoContract('SqliteStore', openContractStore);

const actor: Actor = { user: { id: 'u1', name: 'Ana' }, role: 'member' };

describe('SqliteStore file', () => {
  let dir: string;
  let path: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'collab-chat-store-'));
    path = join(dir, 'nested', 'store.db');
    store = openSqliteStore(path);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the file and its directory, in WAL mode, migrated to the latest schema', () => {
    expect(schemaVersion(store.db)).toBe(9);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('refuses a database from a newer server', async () => {
    store.db.pragma('user_version = 99');
    await store.close();
    expect(() => openSqliteStore(path)).toThrow(/schema version 99.*upgrade the server/);
    store = openSqliteStore(join(dir, 'other.db'));
  });

  it('stores only the hash of a token', async () => {
    const t = await store.createTenant('Team');
    const u = await store.createUser(t.id, 'Ana');
    const { secret } = await issueToken(store, { tenantId: t.id, userId: u.id, role: 'member' });
    expect(secret).toMatch(/^cc_[A-Za-z0-9_-]{43}$/);
    const rows = JSON.stringify(store.db.prepare('SELECT * FROM tokens').all());
    expect(rows).not.toContain(secret.slice(3));
  });

  it('reopens a file with everything in it', async () => {
    const write = createChat();
    await store.commit('ten-a', write, plannerFor(write, actor, 1));
    await store.close();
    store = openSqliteStore(path);
    expect((await store.snapshot('ten-a', PAGE)).discussions.map((c) => c.id)).toEqual([write.chatId]);
  });

  it('is what openStore picks for a path, and openStore refuses other URLs clearly', async () => {
    const opened = await openStore(join(dir, 'picked.db'));
    expect(opened.kind).toBe('sqlite');
    await opened.close();
    await expect(openStore('mysql://localhost/x')).rejects.toThrow(/unsupported database/);
  });
});

describe('SqliteStore migration from the previous release', () => {
  // test/fixtures/store-v2.db was written by the previous release's store (schema 2: discussions
  // as JSON documents, events with their full frames): Ada opened chat-alpha, Bob replied, Ada
  // deleted her opening comment and Bob edited his reply; Bob created chat-beta and deleted it;
  // chat-gamma has three comments on another page.
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'collab-chat-migrate-'));
    path = join(dir, 'old.db');
    copyFileSync(join(__dirname, '../../test/fixtures/store-v2.db'), path);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts from schema 2 with the old texts in the file', () => {
    expect(rawFiles(path)).toContain('SECRET-CHAT-DELETED');
  });

  it('moves every discussion, comment, seq and token forward and forgets what the old log kept', async () => {
    const store = openSqliteStore(path);
    try {
      expect(schemaVersion(store.db)).toBe(9);
      const acme = (await store.findTenant('Acme'))!;
      const [ada, bob] = await store.listUsers(acme.id);
      expect((await store.findTokenByHash('aa'.repeat(32)))?.user.name).toBe('Ada');
      const snap = await store.snapshot(acme.id, 'https://example.com/article');
      expect(snap.seq).toBe(7);
      expect(
        snap.discussions.map((c) => [c.id, c.comments.map((m) => [m.id, m.author.name, m.text])]),
      ).toEqual([['chat-alpha', [['cmt-alpha-2', 'Bob', 'Bob final wording']]]]);
      expect(snap.discussions[0]!.comments[0]!.editedAt).toEqual(expect.any(Number));
      const other = await store.snapshot(acme.id, 'https://example.com/other');
      expect(other.discussions[0]!.comments.map((c) => c.text)).toEqual([
        'Gamma opening',
        'Gamma reply one',
        'Gamma reply two, héllo ünïcode',
      ]);
      // The replay is rendered from the migrated rows: no text of what was deleted or edited away.
      const replay = await store.eventsSince(acme.id, 'https://example.com/article', 0, 100);
      expect(replay?.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      const raw = rawFiles(path) + JSON.stringify(replay);
      for (const gone of ['SECRET-OPENING', 'SECRET-BEFORE-EDIT', 'SECRET-CHAT-DELETED', 'SECRET-QUOTE'])
        expect(raw).not.toContain(gone);
      // Migrated discussions are listed by activity and searchable; what was deleted is not.
      const listed = await store.listDiscussions(acme.id, {}, null, 10);
      expect(listed.discussions.map((d) => d.id).sort()).toEqual(['chat-alpha', 'chat-gamma']);
      expect(listed.discussions.every((d) => d.lastActivityAt >= d.createdAt)).toBe(true);
      expect((await store.search(acme.id, { text: 'unicode', limit: 5 })).map((h) => h.chatId)).toEqual([
        'chat-gamma',
      ]);
      expect(
        (await store.listDiscussions(acme.id, { site: 'example.com' }, null, 10)).discussions,
      ).toHaveLength(2);
      for (const gone of ['SECRET', 'secret'])
        expect(await store.search(acme.id, { text: gone, limit: 5 })).toEqual([]);

      // The creator came from the creation event, not the first remaining comment: Bob, whose
      // reply is now first, may not delete Ada's discussion; Ada may.
      const asBob = await commitWrite(store, acme.id, deleteChat('chat-alpha'), {
        user: { id: bob!.id, name: 'Bob' },
        role: 'member',
      });
      expect(asBob).toMatchObject({ status: 'rejected', code: 'forbidden' });
      // Retries of writes made before the migration are still duplicates.
      const retry = {
        ...addComment('chat-gamma', { page: 'https://example.com/other', commentId: 'cmt-gamma-2' }),
      };
      retry.broadcastId = '00000000-0000-4000-8000-000000000009';
      expect(
        await commitWrite(store, acme.id, retry, { user: { id: bob!.id, name: 'Bob' }, role: 'member' }),
      ).toEqual({
        status: 'duplicate',
        page: 'https://example.com/other',
        seq: 2,
      });
      // And the migrated rows take new writes.
      const actorAda = { user: { id: ada!.id, name: 'Ada' }, role: 'member' as const };
      expect(
        (
          await commitWrite(
            store,
            acme.id,
            editComment('chat-gamma', 'cmt-gamma-3', 'x', 'https://example.com/other'),
            actorAda,
          )
        ).status,
      ).toBe('applied');
      expect(
        (
          await commitWrite(
            store,
            acme.id,
            deleteComment('chat-gamma', 'cmt-gamma-1', 'https://example.com/other'),
            actorAda,
          )
        ).status,
      ).toBe('applied');
      // The participants of the migrated discussions are known: Ada's reply in Bob's thread tells him,
      // and a resolve of Ada's discussion by Bob tells her.
      const told = await commitWrite(store, acme.id, addComment('chat-alpha', { text: 'after' }), actorAda);
      expect(
        told.status === 'applied' && told.notifications.map((n) => [n.userId, n.notification.kind]),
      ).toEqual([[bob!.id, 'reply']]);
      const resolved = await commitWrite(store, acme.id, resolveChat('chat-alpha'), {
        user: { id: bob!.id, name: 'Bob' },
        role: 'member',
      });
      expect(resolved.status === 'applied' && resolved.notifications.map((n) => n.userId)).toEqual([ada!.id]);
      expect((await commitWrite(store, acme.id, deleteChat('chat-alpha'), actorAda)).status).toBe('applied');
      expect((await store.usage(acme.id, 0, Date.now()))[0]).toMatchObject({ messages: 12, bytes: 3456 });
    } finally {
      await store.close();
    }
  });
});
