// Usage counters in PostgreSQL: the migration (version 2 of the store's list) and the two queries
// behind `PostgresStore.addUsage` / `usage`, which the usage contract (test/helpers/usage-contract.ts)
// covers against a real database. Several nodes add to the same rows at once.
import type { Pool, PoolClient } from 'pg';
import type { UsageDelta, UsageRow } from './types';

/** The migration that creates the usage table (appended to the store's migration list). */
export const POSTGRES_USAGE_MIGRATION = {
  name: 'usage counters per tenant, site and hour',
  sql: `
    CREATE TABLE usage (
      tenant_id text NOT NULL,
      hour bigint NOT NULL,
      site text NOT NULL,
      messages bigint NOT NULL,
      bytes bigint NOT NULL,
      PRIMARY KEY (tenant_id, hour, site)
    );
  `,
};

/**
 * Adds deltas in one statement. Rows are grouped and taken in key order, so that two nodes
 * flushing overlapping keys lock them in the same order and cannot deadlock.
 */
export async function addUsagePg(db: Pool | PoolClient, deltas: UsageDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await db.query(
    `INSERT INTO usage (tenant_id, hour, site, messages, bytes)
     SELECT tenant_id, hour, site, sum(messages), sum(bytes)
     FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[])
       AS d(tenant_id, hour, site, messages, bytes)
     GROUP BY tenant_id, hour, site
     ORDER BY tenant_id, hour, site
     ON CONFLICT (tenant_id, hour, site) DO UPDATE
     SET messages = usage.messages + EXCLUDED.messages, bytes = usage.bytes + EXCLUDED.bytes`,
    [
      deltas.map((d) => d.tenantId),
      deltas.map((d) => d.hour),
      deltas.map((d) => d.site),
      deltas.map((d) => d.messages),
      deltas.map((d) => d.bytes),
    ],
  );
}

export async function usagePg(
  db: Pool | PoolClient,
  tenantId: string,
  fromHour: number,
  toHour: number,
): Promise<UsageRow[]> {
  // bigint comes back as text; usage counts stay far below 2^53.
  const { rows } = await db.query<{ hour: string; site: string; messages: string; bytes: string }>(
    `SELECT hour, site, messages, bytes FROM usage
     WHERE tenant_id = $1 AND hour >= $2 AND hour <= $3 ORDER BY hour, site`,
    [tenantId, fromHour, toHour],
  );
  return rows.map((r) => ({
    hour: Number(r.hour),
    site: r.site,
    messages: Number(r.messages),
    bytes: Number(r.bytes),
  }));
}
