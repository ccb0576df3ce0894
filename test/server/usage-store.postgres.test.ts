// The usage contract against real PostgreSQL, through the queries the PostgreSQL store uses, in a
// throwaway schema. Skipped when no PostgreSQL answers at DATABASE_URL (a failure under CI).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { addUsagePg, POSTGRES_USAGE_MIGRATION, usagePg } from '../../server/store/postgres-usage';
import type { Store } from '../../server/store/types';
import { describeUsageContract } from '../helpers/usage-contract';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (err) {
    if (process.env.CI === 'true') {
      throw new Error(
        `PostgreSQL is required under CI but ${DATABASE_URL} did not answer: ${(err as Error).message}`,
      );
    }
    console.warn(`Skipping PostgreSQL usage tests: ${DATABASE_URL} did not answer`);
    return false;
  }
}

if (await reachable()) {
  describeUsageContract('PostgreSQL usage queries', async () => {
    const schema = `usage_${randomBytes(5).toString('hex')}`;
    // Every connection of the pool works in the throwaway schema.
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2, options: `-c search_path=${schema}` });
    await pool.query(`CREATE SCHEMA ${schema}`);
    await pool.query(POSTGRES_USAGE_MIGRATION.sql);
    const store = {
      addUsage: (deltas) => addUsagePg(pool, deltas),
      usage: (tenantId, from, to) => usagePg(pool, tenantId, from, to),
    } as Pick<Store, 'addUsage' | 'usage'> as Store;
    return {
      store,
      async dispose() {
        await pool.query(`DROP SCHEMA ${schema} CASCADE`);
        await pool.end();
      },
    };
  });
}
