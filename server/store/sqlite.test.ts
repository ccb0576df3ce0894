import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createChat, PAGE } from '../../test/helpers/frames';
import { describeStoreContract } from '../../test/helpers/store-contract';
import { issueToken } from '../auth';
import { plannerFor, type Actor } from '../ops';
import { openStore } from './open';
import { openSqliteStore, schemaVersion, type SqliteStore } from './sqlite';

describeStoreContract('SqliteStore', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'collab-chat-contract-'));
  const store = openSqliteStore(join(dir, 'contract.db'));
  return {
    store,
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

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
    expect(schemaVersion(store.db)).toBe(2);
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
    expect((await store.snapshot('ten-a', PAGE)).chats.map((c) => c.id)).toEqual([write.chatId]);
  });

  it('is what openStore picks for a path, and openStore refuses other URLs clearly', async () => {
    const opened = await openStore(join(dir, 'picked.db'));
    expect(opened.kind).toBe('sqlite');
    await opened.close();
    await expect(openStore('mysql://localhost/x')).rejects.toThrow(/unsupported database/);
  });
});
