// The PostgreSQL store: the store contract (one throwaway database per run, one schema per test)
// and what only PostgreSQL has: concurrent migrations, dropped connections, an unreachable server.
import { randomBytes } from 'node:crypto';
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
import { plannerFor, type Actor } from '../../server/ops';
import { addComment, createChat, PAGE } from '../helpers/frames';
import { describeStoreContract } from '../helpers/store-contract';

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
  describeStoreContract('PostgresStore', async () => {
    const store = await openPostgresStore({ url: await db.schemaUrl(schemaName()) });
    return { store, dispose: () => store.close() };
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
