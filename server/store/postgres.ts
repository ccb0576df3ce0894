// The PostgreSQL store (`pg`): the same contract as the SQLite store, for several server nodes
// sharing one database. Owns the schema (versioned migrations applied at open) and the write
// transaction that gives every change to a page the next seq in commit order.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { ChatEventT, DiscussionT, WriteFrameT } from '../../lib/protocol';
import { addUsagePg, POSTGRES_USAGE_MIGRATION, usagePg } from './postgres-usage';
import { ServiceUnavailableError } from '../unavailable';
import type {
  CommitResult,
  NewToken,
  Store,
  StoredDiscussion,
  Tenant,
  TokenAuth,
  TokenInfo,
  UsageDelta,
  UsageRow,
  User,
  WritePlanner,
} from './types';

/**
 * Versioned migrations, applied in order at open; each runs once, in its own transaction, and is
 * recorded in `schema_migrations`. Append new versions; never edit one that has shipped.
 */
export const POSTGRES_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'directory, pages, discussions, events',
    sql: `
      CREATE TABLE tenants (
        id text PRIMARY KEY,
        name text NOT NULL UNIQUE,
        created_at bigint NOT NULL
      );
      CREATE TABLE users (
        id text PRIMARY KEY,
        tenant_id text NOT NULL REFERENCES tenants(id),
        name text NOT NULL,
        created_at bigint NOT NULL
      );
      CREATE INDEX users_tenant ON users (tenant_id, created_at);
      CREATE TABLE tokens (
        id text PRIMARY KEY,
        tenant_id text NOT NULL REFERENCES tenants(id),
        user_id text NOT NULL REFERENCES users(id),
        role text NOT NULL CHECK (role IN ('member', 'admin')),
        label text NOT NULL,
        hash text NOT NULL UNIQUE,
        created_at bigint NOT NULL,
        revoked_at bigint
      );
      CREATE INDEX tokens_tenant ON tokens (tenant_id, created_at);
      CREATE INDEX tokens_revoked ON tokens (revoked_at) WHERE revoked_at IS NOT NULL;
      -- One row per page: its seq, bumped inside every write's transaction. The row lock also
      -- serialises concurrent writers of one page, so seqs follow commit order.
      CREATE TABLE pages (
        tenant_id text NOT NULL REFERENCES tenants(id),
        page text NOT NULL,
        seq bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, page)
      );
      CREATE TABLE discussions (
        tenant_id text NOT NULL REFERENCES tenants(id),
        id text NOT NULL,
        page text NOT NULL,
        created_seq bigint NOT NULL,
        chat jsonb NOT NULL,
        PRIMARY KEY (tenant_id, id)
      );
      CREATE INDEX discussions_page ON discussions (tenant_id, page, created_seq);
      CREATE TABLE events (
        tenant_id text NOT NULL REFERENCES tenants(id),
        page text NOT NULL,
        seq bigint NOT NULL,
        broadcast_id uuid NOT NULL,
        event jsonb NOT NULL,
        PRIMARY KEY (tenant_id, page, seq),
        CONSTRAINT events_broadcast_once UNIQUE (tenant_id, broadcast_id)
      );
    `,
  },
  { version: 2, ...POSTGRES_USAGE_MIGRATION },
];

/** Any fixed number: the advisory lock that keeps nodes starting at once from migrating twice. */
const MIGRATION_LOCK = 7_150_431_902;
const UNIQUE_VIOLATION = '23505';

export interface PostgresStoreOptions {
  /** A `postgres://` URL. `?options=-c search_path=name` puts the tables in another schema. */
  url: string;
  /** Most connections this node opens. */
  poolSize?: number;
  /** Where errors of idle connections go (the pool reconnects by itself). */
  onError?: (err: Error) => void;
}

export class PostgresUnavailableError extends ServiceUnavailableError {
  constructor(url: string, cause: unknown) {
    super(
      'PostgreSQL',
      url,
      cause,
      'Check that the server runs and that --db / DATABASE_URL names it (postgres://user:password@host:port/database).',
    );
  }
}

/** Opens the pool, checks the database answers and applies pending migrations. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // Without a listener an idle client's error (database restarted) would crash the process.
  pool.on('error', (err) => (options.onError ?? defaultOnError)(err));
  try {
    await migrate(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    if (isConnectionError(err)) throw new PostgresUnavailableError(options.url, err);
    throw err;
  }
  return new PostgresStore(pool, options.onError);
}

function defaultOnError(err: Error): void {
  console.error(`postgres: idle connection failed (${err.message}); the pool will reconnect`);
}

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    // Node socket errors, and PostgreSQL classes 08 (connection) and 57P0x (shutting down / cannot connect now).
    if (/^E[A-Z]+$/.test(code) || code.startsWith('08') || code.startsWith('57P0')) return true;
    if (code === '3D000' || code === '28000' || code === '28P01') return true; // no database / auth
  }
  return err instanceof Error && /timeout|terminated|ECONNREFUSED/i.test(err.message);
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  // Unhandled, an error of a checked-out client would end the process; the query fails anyway.
  const ignore = () => undefined;
  client.on('error', ignore);
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)',
    );
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    for (const m of POSTGRES_MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        Date.now(),
      ]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
    client.off('error', ignore);
  }
}

interface TenantRow {
  id: string;
  name: string;
  created_at: string;
}
interface UserRow {
  id: string;
  tenant_id: string;
  name: string;
  created_at: string;
}
interface TokenRow {
  id: string;
  tenant_id: string;
  user_id: string;
  role: 'member' | 'admin';
  label: string;
  created_at: string;
  revoked_at: string | null;
}

const tenantOf = (r: TenantRow): Tenant => ({ id: r.id, name: r.name, createdAt: Number(r.created_at) });
const userOf = (r: UserRow): User => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  createdAt: Number(r.created_at),
});
const tokenOf = (r: TokenRow): TokenInfo => ({
  id: r.id,
  tenantId: r.tenant_id,
  userId: r.user_id,
  role: r.role,
  label: r.label,
  createdAt: Number(r.created_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
});

const TOKEN_COLUMNS = 'id, tenant_id, user_id, role, label, created_at, revoked_at';

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;

  constructor(
    private readonly pool: pg.Pool,
    private readonly onError: (err: Error) => void = defaultOnError,
  ) {}

  /**
   * A client of our own for a transaction. While checked out, the pool does not listen to its
   * errors: a connection the database drops between two of our queries would emit an 'error'
   * nobody handles and end the process. The query under way fails on its own.
   */
  private async checkout(): Promise<pg.PoolClient> {
    const client = await this.pool.connect();
    client.on('error', this.onCheckedOutError);
    return client;
  }

  private readonly onCheckedOutError = (err: Error): void => this.onError(err);

  async close(): Promise<void> {
    await this.pool.end();
  }

  // ---------------------------------------------------------------- directory

  async createTenant(name: string): Promise<Tenant> {
    try {
      const { rows } = await this.pool.query<TenantRow>(
        'INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3) RETURNING *',
        [randomUUID(), name, Date.now()],
      );
      return tenantOf(rows[0]!);
    } catch (err) {
      if ((err as { code?: unknown }).code === UNIQUE_VIOLATION)
        throw new Error(`a tenant named ${JSON.stringify(name)} already exists`);
      throw err;
    }
  }

  async listTenants(): Promise<Tenant[]> {
    const { rows } = await this.pool.query<TenantRow>('SELECT * FROM tenants ORDER BY created_at, name');
    return rows.map(tenantOf);
  }

  async findTenant(idOrName: string): Promise<Tenant | null> {
    const { rows } = await this.pool.query<TenantRow>(
      'SELECT * FROM tenants WHERE id = $1 OR name = $1 ORDER BY (id = $1) DESC LIMIT 1',
      [idOrName],
    );
    return rows[0] ? tenantOf(rows[0]) : null;
  }

  async createUser(tenantId: string, name: string): Promise<User> {
    const { rows } = await this.pool.query<UserRow>(
      'INSERT INTO users (id, tenant_id, name, created_at) VALUES ($1, $2, $3, $4) RETURNING *',
      [randomUUID(), tenantId, name, Date.now()],
    );
    return userOf(rows[0]!);
  }

  async listUsers(tenantId: string): Promise<User[]> {
    const { rows } = await this.pool.query<UserRow>(
      'SELECT * FROM users WHERE tenant_id = $1 ORDER BY created_at, name',
      [tenantId],
    );
    return rows.map(userOf);
  }

  async insertToken(t: NewToken): Promise<TokenInfo> {
    const { rows } = await this.pool.query<TokenRow>(
      `INSERT INTO tokens (id, tenant_id, user_id, role, label, hash, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${TOKEN_COLUMNS}`,
      [t.id, t.tenantId, t.userId, t.role, t.label, t.hash, t.createdAt],
    );
    return tokenOf(rows[0]!);
  }

  async findTokenByHash(hash: string): Promise<TokenAuth | null> {
    const { rows } = await this.pool.query<
      TokenRow & { t_name: string; t_created_at: string; u_name: string; u_created_at: string }
    >(
      `SELECT k.id, k.tenant_id, k.user_id, k.role, k.label, k.created_at, k.revoked_at,
              t.name AS t_name, t.created_at AS t_created_at, u.name AS u_name, u.created_at AS u_created_at
       FROM tokens k JOIN tenants t ON t.id = k.tenant_id JOIN users u ON u.id = k.user_id
       WHERE k.hash = $1`,
      [hash],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      token: tokenOf(r),
      tenant: { id: r.tenant_id, name: r.t_name, createdAt: Number(r.t_created_at) },
      user: { id: r.user_id, tenantId: r.tenant_id, name: r.u_name, createdAt: Number(r.u_created_at) },
    };
  }

  async revokeToken(tokenId: string, tenantId?: string): Promise<TokenInfo | null> {
    // A second revoke keeps the first time.
    const { rows } = await this.pool.query<TokenRow>(
      `UPDATE tokens SET revoked_at = COALESCE(revoked_at, $3)
       WHERE id = $1 AND ($2::text IS NULL OR tenant_id = $2) RETURNING ${TOKEN_COLUMNS}`,
      [tokenId, tenantId ?? null, Date.now()],
    );
    return rows[0] ? tokenOf(rows[0]) : null;
  }

  async listTokens(tenantId: string): Promise<TokenInfo[]> {
    const { rows } = await this.pool.query<TokenRow>(
      `SELECT ${TOKEN_COLUMNS} FROM tokens WHERE tenant_id = $1 ORDER BY created_at, id`,
      [tenantId],
    );
    return rows.map(tokenOf);
  }

  async tokensRevokedSince(since: number): Promise<TokenInfo[]> {
    const { rows } = await this.pool.query<TokenRow>(
      `SELECT ${TOKEN_COLUMNS} FROM tokens WHERE revoked_at IS NOT NULL AND revoked_at >= $1 ORDER BY revoked_at`,
      [since],
    );
    return rows.map(tokenOf);
  }

  // ---------------------------------------------------------------- pages

  async snapshot(tenantId: string, page: string): Promise<{ seq: number; chats: DiscussionT[] }> {
    // One statement sees one snapshot of the database: the seq and the chats agree.
    const { rows } = await this.pool.query<{ seq: string | null; chats: DiscussionT[] | null }>(
      `SELECT (SELECT seq FROM pages WHERE tenant_id = $1 AND page = $2) AS seq,
              (SELECT json_agg(chat ORDER BY created_seq) FROM discussions
                WHERE tenant_id = $1 AND page = $2) AS chats`,
      [tenantId, page],
    );
    const r = rows[0]!;
    return { seq: Number(r.seq ?? 0), chats: r.chats ?? [] };
  }

  async eventsSince(
    tenantId: string,
    page: string,
    since: number,
    limit: number,
  ): Promise<{ seq: number; events: ChatEventT[] } | null> {
    const { rows } = await this.pool.query<{ seq: string | null; events: ChatEventT[] | null }>(
      `SELECT (SELECT seq FROM pages WHERE tenant_id = $1 AND page = $2) AS seq,
              (SELECT json_agg(event ORDER BY seq) FROM events
                WHERE tenant_id = $1 AND page = $2 AND seq > $3 AND seq <= $3 + $4) AS events`,
      [tenantId, page, since, limit],
    );
    const r = rows[0]!;
    const seq = Number(r.seq ?? 0);
    if (since > seq || seq - since > limit) return null;
    const events = r.events ?? [];
    if (events.length !== seq - since) return null;
    return { seq, events };
  }

  async latestSeqs(pages: readonly { tenantId: string; page: string }[]): Promise<number[]> {
    if (pages.length === 0) return [];
    // One round trip for every page asked: the pairs go in as two arrays, joined on the primary key.
    const { rows } = await this.pool.query<{ i: number; seq: string | null }>(
      `SELECT r.i, p.seq FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(tenant_id, page, i)
         LEFT JOIN pages p ON p.tenant_id = r.tenant_id AND p.page = r.page`,
      [pages.map((p) => p.tenantId), pages.map((p) => p.page)],
    );
    const seqs = pages.map(() => 0);
    for (const row of rows) seqs[Number(row.i) - 1] = Number(row.seq ?? 0);
    return seqs;
  }

  async commit(tenantId: string, write: WriteFrameT, plan: WritePlanner): Promise<CommitResult> {
    const client = await this.checkout();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      // Take the page's counter row first: it serialises the writers of this page (on every node),
      // so the duplicate check and the discussion read below see everything committed before us.
      await client.query(
        'INSERT INTO pages (tenant_id, page, seq) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING',
        [tenantId, write.page],
      );
      const bumped = await client.query<{ seq: string }>(
        'UPDATE pages SET seq = seq + 1 WHERE tenant_id = $1 AND page = $2 RETURNING seq',
        [tenantId, write.page],
      );
      const seq = Number(bumped.rows[0]!.seq);

      const original = await findApplied(client, tenantId, write.broadcastId);
      if (original) {
        await client.query('ROLLBACK');
        return { status: 'duplicate', ...original };
      }

      const found = await client.query<{ page: string; chat: DiscussionT }>(
        'SELECT page, chat FROM discussions WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
        [tenantId, write.chatId],
      );
      const current: StoredDiscussion | null = found.rows[0]
        ? { page: found.rows[0].page, chat: found.rows[0].chat }
        : null;
      const decision = plan(current);
      if (!decision.ok) {
        await client.query('ROLLBACK');
        return { status: 'rejected', code: decision.code, message: decision.message };
      }

      const event = { ...decision.event, seq } as ChatEventT;
      if (decision.chat === null) {
        await client.query('DELETE FROM discussions WHERE tenant_id = $1 AND id = $2', [
          tenantId,
          write.chatId,
        ]);
      } else if (current) {
        await client.query('UPDATE discussions SET chat = $3 WHERE tenant_id = $1 AND id = $2', [
          tenantId,
          write.chatId,
          JSON.stringify(decision.chat),
        ]);
      } else {
        await client.query(
          'INSERT INTO discussions (tenant_id, id, page, created_seq, chat) VALUES ($1, $2, $3, $4, $5)',
          [tenantId, decision.chat.id, write.page, seq, JSON.stringify(decision.chat)],
        );
      }
      await client.query(
        'INSERT INTO events (tenant_id, page, seq, broadcast_id, event) VALUES ($1, $2, $3, $4, $5)',
        [tenantId, write.page, seq, write.broadcastId, JSON.stringify(event)],
      );
      await client.query('COMMIT');
      return { status: 'applied', event };
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      // A retry of the same write on another page raced us past the check: it committed first.
      if ((err as { code?: unknown }).code === UNIQUE_VIOLATION) {
        const original = await findApplied(this.pool, tenantId, write.broadcastId);
        if (original) return { status: 'duplicate', ...original };
      }
      throw err;
    } finally {
      // A connection that cannot even roll back is dropped from the pool rather than reused.
      client.release(broken);
      client.off('error', this.onCheckedOutError);
    }
  }

  async addUsage(deltas: UsageDelta[]): Promise<void> {
    await addUsagePg(this.pool, deltas);
  }

  async usage(tenantId: string, fromHour: number, toHour: number): Promise<UsageRow[]> {
    return usagePg(this.pool, tenantId, fromHour, toHour);
  }
}

async function findApplied(
  db: pg.Pool | pg.PoolClient,
  tenantId: string,
  broadcastId: string,
): Promise<{ page: string; seq: number } | null> {
  const { rows } = await db.query<{ page: string; seq: string }>(
    'SELECT page, seq FROM events WHERE tenant_id = $1 AND broadcast_id = $2',
    [tenantId, broadcastId],
  );
  return rows[0] ? { page: rows[0].page, seq: Number(rows[0].seq) } : null;
}
