// The usage contract against the PostgreSQL store, one schema per test in a throwaway database.
// Skipped when no PostgreSQL answers at DATABASE_URL (a failure under CI).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { openPostgresStore } from '../../server/store/postgres';
import {
  createTempDatabase,
  DATABASE_URL,
  probePostgres,
  serviceAvailable,
  type TempDatabase,
} from '../helpers/services';
import { describeUsageContract } from '../helpers/usage-contract';

const available = await serviceAvailable(`PostgreSQL at ${DATABASE_URL}`, 'DATABASE_URL', () =>
  probePostgres(),
);

describe.runIf(available)('PostgreSQL store usage', () => {
  let db: TempDatabase;
  beforeAll(async () => {
    db = await createTempDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  describeUsageContract('PostgresStore', async () => {
    const store = await openPostgresStore({ url: await db.schemaUrl(`s_${randomBytes(5).toString('hex')}`) });
    return { store, dispose: () => store.close() };
  });
});
