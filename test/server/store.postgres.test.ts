// The PostgreSQL store: the store contract (one throwaway database per run, one schema per test)
// and what only PostgreSQL has: concurrent migrations, dropped connections, an unreachable server.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openPostgresStore,
  POSTGRES_MIGRATIONS,
  PostgresUnavailableError,
} from '../../server/store/postgres';
import {
  createTempDatabase,
  DATABASE_URL,
  freePort,
  probePostgres,
  serviceAvailable,
  type TempDatabase,
} from '../helpers/services';
import { commitWrite, plannerFor, type Actor } from '../../server/ops';
import type { StoreOptions } from '../../server/store/types';
import { addComment, createChat, deleteChat, PAGE, resolveChat } from '../helpers/frames';
import { describeSsoContract } from '../helpers/sso-contract';
import { describeReplayWindowContract, describeStoreContract } from '../helpers/store-contract';

/** Every row of every table in the URL's schema, as text. */
async function everyRow(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
    );
    const out: string[] = [];
    for (const { name } of tables) {
      const { rows } = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${name}" t`);
      out.push(`${name}: ${rows.map((r) => r.row).join('\n')}`);
    }
    return out.join('\n');
  } finally {
    await client.end();
  }
}

/**
 * A schema as the previous release left it: its migrations 1 and 2, and the rows its store wrote for
 * the scenario of test/fixtures/store-v2.db (test/fixtures/store-v2.postgres.json).
 */
async function loadPreviousRelease(url: string): Promise<void> {
  const rows = JSON.parse(
    readFileSync(new URL('../fixtures/store-v2.postgres.json', import.meta.url), 'utf8'),
  ) as Record<string, Record<string, unknown>[]>;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      'CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)',
    );
    for (const m of POSTGRES_MIGRATIONS.filter((m) => m.version <= 2)) {
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations VALUES ($1, $2, 0)', [m.version, m.name]);
    }
    for (const table of ['tenants', 'users', 'tokens', 'pages', 'discussions', 'events', 'usage']) {
      for (const row of rows[table] ?? []) {
        const cols = Object.keys(row);
        await client.query(
          `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
          cols.map((c) => (typeof row[c] === 'object' && row[c] !== null ? JSON.stringify(row[c]) : row[c])),
        );
      }
    }
  } finally {
    await client.end();
  }
}

const available = await serviceAvailable(`PostgreSQL at ${DATABASE_URL}`, 'DATABASE_URL', () =>
  probePostgres(),
);

describe.runIf(available)('PostgreSQL store', () => {
  let db: TempDatabase;
  beforeAll(async () => {
    db = await createTempDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  const schemaName = () => `s_${randomBytes(5).toString('hex')}`;
  const openContractStore = async (options?: StoreOptions) => {
    const url = await db.schemaUrl(schemaName());
    const store = await openPostgresStore({ url, ...options });
    return { store, dispose: () => store.close(), raw: () => everyRow(url) };
  };
  describeStoreContract('PostgresStore', openContractStore);
  describeReplayWindowContract('PostgresStore', openContractStore);
  describeSsoContract('PostgresStore', openContractStore);

  it('migrates a database made by the previous release and forgets what its log kept', async () => {
    const url = await db.schemaUrl(schemaName());
    await loadPreviousRelease(url);
    expect(await everyRow(url)).toContain('SECRET-CHAT-DELETED');
    const store = await openPostgresStore({ url });
    try {
      const acme = (await store.findTenant('Acme'))!;
      const [ada, bob] = await store.listUsers(acme.id);
      const snap = await store.snapshot(acme.id, 'https://example.com/article');
      expect(snap.seq).toBe(7);
      expect(
        snap.discussions.map((c) => [c.id, c.comments.map((m) => [m.id, m.author.name, m.text])]),
      ).toEqual([['chat-alpha', [['cmt-alpha-2', 'Bob', 'Bob final wording']]]]);
      const other = await store.snapshot(acme.id, 'https://example.com/other');
      expect(other.discussions[0]!.comments.map((c) => c.text)).toEqual([
        'Gamma opening',
        'Gamma reply one',
        'Gamma reply two, héllo ünïcode',
      ]);
      const replay = await store.eventsSince(acme.id, 'https://example.com/article', 0, 100);
      expect(replay?.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      const raw = (await everyRow(url)) + JSON.stringify(replay);
      for (const gone of ['SECRET-OPENING', 'SECRET-BEFORE-EDIT', 'SECRET-CHAT-DELETED', 'SECRET-QUOTE'])
        expect(raw).not.toContain(gone);
      const bobActor: Actor = { user: { id: bob!.id, name: 'Bob' }, role: 'member' };
      expect(await commitWrite(store, acme.id, deleteChat('chat-alpha'), bobActor)).toMatchObject({
        status: 'rejected',
        code: 'forbidden',
      });
      const retry = addComment('chat-gamma', { page: 'https://example.com/other', commentId: 'cmt-gamma-2' });
      // The fixture's writes were numbered on from the SQLite fixture's ten.
      retry.broadcastId = '00000000-0000-4000-8000-000000000019';
      expect(await commitWrite(store, acme.id, retry, bobActor)).toEqual({
        status: 'duplicate',
        page: 'https://example.com/other',
        seq: 2,
      });
      const adaActor: Actor = { user: { id: ada!.id, name: 'Ada' }, role: 'member' };
      // The participants of the migrated discussions are known, and resolves are taken by the log.
      const told = await commitWrite(store, acme.id, addComment('chat-alpha', { text: 'after' }), adaActor);
      expect(
        told.status === 'applied' && told.notifications.map((n) => [n.userId, n.notification.kind]),
      ).toEqual([[bob!.id, 'reply']]);
      const resolved = await commitWrite(store, acme.id, resolveChat('chat-alpha'), bobActor);
      expect(resolved.status === 'applied' && resolved.notifications.map((n) => n.userId)).toEqual([ada!.id]);
      expect((await commitWrite(store, acme.id, deleteChat('chat-alpha'), adaActor)).status).toBe('applied');
      const add = addComment('chat-gamma', { page: 'https://example.com/other' });
      expect(await commitWrite(store, acme.id, add, adaActor)).toMatchObject({
        status: 'applied',
        event: { seq: 4 },
      });
    } finally {
      await store.close();
    }
  });

  it('applies every migration once, also when several nodes open the database at once', async () => {
    const url = await db.schemaUrl(schemaName());
    const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore({ url })));
    await Promise.all(stores.map((s) => s.close()));
    const again = await openPostgresStore({ url });
    await again.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    await client.end();
    expect(rows.map((r) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
  });

  it('survives the database dropping its connections in the middle of transactions', async () => {
    const url = await db.schemaUrl(schemaName());
    const errors: Error[] = [];
    const store = await openPostgresStore({ url, poolSize: 6, onError: (e) => errors.push(e) });
    try {
      const tenant = await store.createTenant('t');
      const actor: Actor = { user: { id: 'u1', name: 'Ada' }, role: 'member' };
      const create = createChat();
      await store.commit(tenant.id, create, plannerFor(create, actor, Date.now()));
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      const outcomes: string[] = [];
      for (let round = 0; round < 10; round++) {
        const batch = Array.from({ length: 12 }, () => {
          const add = addComment(create.chatId);
          return store.commit(tenant.id, add, plannerFor(add, actor, Date.now())).then(
            (r) => outcomes.push(r.status),
            () => outcomes.push('failed'),
          );
        });
        await admin.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        );
        await Promise.all(batch);
      }
      await admin.end();
      expect(outcomes).toHaveLength(120);
      // Whatever failed, the store still works, and what it applied has gap-free seqs.
      const add = addComment(create.chatId);
      expect((await store.commit(tenant.id, add, plannerFor(add, actor, Date.now()))).status).toBe('applied');
      const events = (await store.eventsSince(tenant.id, PAGE, 0, 1000))!.events;
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    } finally {
      await store.close();
    }
  });

  it('says clearly when the database cannot be reached', async () => {
    const port = await freePort();
    const url = `postgres://postgres:secret@127.0.0.1:${port}/nowhere`;
    const err = await openPostgresStore({ url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PostgresUnavailableError);
    expect((err as Error).message).toContain(
      `cannot reach PostgreSQL at postgres://postgres:***@127.0.0.1:${port}/nowhere`,
    );
    expect((err as Error).message).not.toContain('secret');
  });
});
