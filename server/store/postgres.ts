// The PostgreSQL store (`pg`): the same contract as the SQLite store, for several server nodes
// sharing one database. Owns the schema (versioned migrations applied at open) and the write
// transaction that gives every change to a page the next seq in commit order. Discussions and
// comments are rows; the event log holds ids only and is compacted to the replay window.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  LIMITS,
  mentionedIds,
  mentionToken,
  type DiscussionEventT,
  type DiscussionT,
  type NotificationKind,
  type RoleT,
  type SelectorT,
  type WriteFrameT,
} from '../../lib/protocol';
import { recipientsOf } from '../notify';
import { addUsagePg, POSTGRES_USAGE_MIGRATION, usagePg } from './postgres-usage';
import { postgresAuditKindsThrough } from './audit-kinds';
import { POSTGRES_SSO_MIGRATION, PostgresSsoStore } from './postgres-sso';
import { ServiceUnavailableError } from '../unavailable';
import { siteOf } from '../../lib/page-key/normalise';
import { mergeHits, type DiscussionHitRow, type CommentHitRow } from './search-hits';
import {
  decodeListCursor,
  encodeListCursor,
  MARK_END,
  MARK_START,
  queryWords,
  quoteOf,
  SEARCH_CANDIDATES,
  tsQuery,
} from './search-text';
import {
  commentOf,
  summaryOf,
  type SummaryRow,
  decodeCursor,
  encodeCursor,
  logEntryOf,
  fresh,
  notificationOf,
  PageCutter,
  renderLogRow,
  resolutionOf,
  inviteRefusal,
  type LogKind,
} from './rows';
import {
  DEFAULT_REPLAY_WINDOW,
  type AuthoredComment,
  type DiscussionRef,
  type ErasureRequest,
  type OwnState,
  type AuditEntry,
  type InviteInfo,
  type MemberChange,
  type NewInvite,
  type RedeemResult,
  type CommitResult,
  type DiscussionFilter,
  type DiscussionListing,
  type DiscussionRecord,
  type NewAuditEntry,
  type SearchHit,
  type SearchQuery,
  type NewToken,
  type NotificationList,
  type NotifyFacts,
  type NotifyPlan,
  type PageUserState,
  type ReplayWindow,
  type StoredNotification,
  type SnapshotPage,
  type Store,
  type Tenant,
  type TokenAuth,
  type TokenInfo,
  type UsageDelta,
  type UsageRow,
  type User,
  type WritePlanner,
} from './types';

const NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

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
  {
    version: 3,
    name: 'discussions and comments as rows, event log without text',
    sql: `
      CREATE TABLE discussions_v3 (
        tenant_id text NOT NULL REFERENCES tenants(id),
        id text NOT NULL,
        page text NOT NULL,
        ord bigint NOT NULL,
        selectors text NOT NULL,
        creator_id text NOT NULL,
        opening_id text NOT NULL,
        comment_count integer NOT NULL,
        bytes bigint NOT NULL,
        token_id text,
        created_at bigint NOT NULL,
        PRIMARY KEY (tenant_id, id)
      );
      CREATE TABLE comments (
        ord bigserial PRIMARY KEY,
        tenant_id text NOT NULL REFERENCES tenants(id),
        chat_id text NOT NULL,
        id text NOT NULL,
        author_id text NOT NULL,
        author_name text NOT NULL,
        text text NOT NULL,
        at bigint NOT NULL,
        edited_at bigint,
        token_id text,
        UNIQUE (tenant_id, chat_id, id)
      );
      CREATE TABLE events_v3 (
        tenant_id text NOT NULL REFERENCES tenants(id),
        page text NOT NULL,
        seq bigint NOT NULL,
        broadcast_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('create', 'add', 'edit', 'remove', 'drop')),
        chat_id text NOT NULL,
        comment_id text,
        token_id text,
        created_at bigint NOT NULL,
        PRIMARY KEY (tenant_id, page, seq)
      );
      -- Applied writes by broadcastId, for idempotent retries; kept as long as the replay window's age.
      CREATE TABLE writes (
        tenant_id text NOT NULL REFERENCES tenants(id),
        broadcast_id uuid NOT NULL,
        page text NOT NULL,
        seq bigint NOT NULL,
        created_at bigint NOT NULL,
        PRIMARY KEY (tenant_id, broadcast_id)
      );
      CREATE TABLE tenant_bytes (
        tenant_id text PRIMARY KEY REFERENCES tenants(id),
        bytes bigint NOT NULL
      );
      ALTER TABLE pages ADD COLUMN chats integer NOT NULL DEFAULT 0;
      ALTER TABLE tokens ADD COLUMN created_by text;

      INSERT INTO discussions_v3 (tenant_id, id, page, ord, selectors, creator_id, opening_id, comment_count,
                                  bytes, token_id, created_at)
      SELECT d.tenant_id, d.id, d.page, d.created_seq, (d.chat->'selectors')::text,
             COALESCE(c.creator, d.chat#>>'{comments,0,author,id}', ''),
             COALESCE(c.opening, d.chat#>>'{comments,0,id}', ''),
             jsonb_array_length(d.chat->'comments'),
             octet_length((d.chat->'selectors')::text) + COALESCE(
               (SELECT SUM(octet_length(x->>'text')) FROM jsonb_array_elements(d.chat->'comments') x), 0),
             NULL, COALESCE(c.at::bigint, (d.chat#>>'{comments,0,at}')::bigint, 0)
      FROM discussions d LEFT JOIN LATERAL (
        SELECT e.event#>>'{chat,comments,0,author,id}' AS creator, e.event#>>'{chat,comments,0,id}' AS opening,
               e.event#>>'{chat,comments,0,at}' AS at
        FROM events e
        WHERE e.tenant_id = d.tenant_id AND e.page = d.page AND e.event->>'type' = 'new-text-chat'
          AND e.event#>>'{chat,id}' = d.id
        ORDER BY e.seq DESC LIMIT 1
      ) c ON true;
      INSERT INTO comments (tenant_id, chat_id, id, author_id, author_name, text, at, edited_at)
      SELECT d.tenant_id, d.id, x->>'id', x#>>'{author,id}', x#>>'{author,name}', x->>'text',
             (x->>'at')::bigint, (x->>'editedAt')::bigint
      FROM discussions d, jsonb_array_elements(d.chat->'comments') WITH ORDINALITY AS t(x, n)
      ORDER BY d.tenant_id, d.created_seq, n;
      INSERT INTO events_v3 (tenant_id, page, seq, broadcast_id, kind, chat_id, comment_id, created_at)
      SELECT tenant_id, page, seq, broadcast_id,
             CASE event->>'type'
               WHEN 'new-text-chat' THEN 'create'
               WHEN 'deleted-text-chat' THEN 'drop'
               ELSE CASE event#>>'{change,op}'
                 WHEN 'add-comment' THEN 'add' WHEN 'edit-comment' THEN 'edit' ELSE 'remove' END
             END,
             COALESCE(event#>>'{chat,id}', event->>'chatId'),
             CASE event->>'type'
               WHEN 'new-text-chat' THEN event#>>'{chat,comments,0,id}'
               WHEN 'deleted-text-chat' THEN NULL
               ELSE COALESCE(event#>>'{change,comment,id}', event#>>'{change,commentId}')
             END,
             ${NOW_MS}
      FROM events;
      INSERT INTO writes (tenant_id, broadcast_id, page, seq, created_at)
      SELECT tenant_id, broadcast_id, page, seq, ${NOW_MS} FROM events;
      UPDATE pages p SET chats = (SELECT count(*) FROM discussions_v3 d
                                  WHERE d.tenant_id = p.tenant_id AND d.page = p.page);
      INSERT INTO tenant_bytes (tenant_id, bytes)
      SELECT tenant_id, SUM(bytes) FROM discussions_v3 GROUP BY tenant_id;
      DROP TABLE discussions;
      DROP TABLE events;
      ALTER TABLE discussions_v3 RENAME TO discussions;
      ALTER TABLE events_v3 RENAME TO events;
      CREATE INDEX discussions_page ON discussions (tenant_id, page, ord);
      CREATE INDEX comments_chat ON comments (tenant_id, chat_id, ord);
      CREATE INDEX events_age ON events (created_at);
      CREATE INDEX writes_age ON writes (created_at);
    `,
  },
  {
    version: 4,
    name: 'audit trail',
    sql: `
      CREATE TABLE audit (
        id bigserial PRIMARY KEY,
        tenant_id text NOT NULL REFERENCES tenants(id),
        at bigint NOT NULL,
        kind text NOT NULL CHECK (kind IN ('token-created', 'token-revoked', 'admin-delete', 'delegated-write')),
        actor_id text,
        subject_id text,
        token_id text,
        page text,
        chat_id text,
        comment_id text,
        seq bigint,
        detail text NOT NULL
      );
      CREATE INDEX audit_tenant ON audit (tenant_id, id);
    `,
  },
  {
    version: 5,
    name: 'page titles, activity times and full-text search',
    // The tsvector columns are generated from the row's own text, so an edit or a delete changes or
    // removes them with the row: the index never holds words the rows no longer have. 'simple'
    // (lower-casing, no stemming) because a team writes in more than one language and a stemmer of
    // one mangles the others; the last word of a query matches as a prefix instead.
    sql: `
      ALTER TABLE discussions ADD COLUMN title text,
        ADD COLUMN quote text NOT NULL DEFAULT '',
        ADD COLUMN site text NOT NULL DEFAULT '',
        ADD COLUMN last_activity_at bigint NOT NULL DEFAULT 0;
      UPDATE discussions d SET
        quote = COALESCE((SELECT x->>'exact' FROM jsonb_array_elements(d.selectors::jsonb) x
                          WHERE x->>'type' = 'TextQuoteSelector' LIMIT 1), ''),
        site = COALESCE(lower(substring(d.page from '^[a-zA-Z]+://([^/?#]+)')), ''),
        last_activity_at = GREATEST(d.created_at, COALESCE(
          (SELECT MAX(COALESCE(m.edited_at, m.at)) FROM comments m
           WHERE m.tenant_id = d.tenant_id AND m.chat_id = d.id), 0));
      ALTER TABLE discussions ADD COLUMN search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, quote), 'A') ||
        setweight(to_tsvector('simple'::regconfig, COALESCE(title, '')), 'B')) STORED;
      ALTER TABLE comments ADD COLUMN search tsvector GENERATED ALWAYS AS (
        to_tsvector('simple'::regconfig, text)) STORED;
      CREATE INDEX discussions_search ON discussions USING gin (search);
      CREATE INDEX comments_search ON comments USING gin (search);
      CREATE INDEX discussions_activity ON discussions (tenant_id, last_activity_at DESC, ord DESC);
      CREATE INDEX comments_author ON comments (tenant_id, author_id, chat_id);
      -- A team's newest comments first: the candidates of a search with a common word.
      CREATE INDEX comments_recent ON comments (tenant_id, ord);
    `,
  },
  {
    version: 6,
    name: 'resolve, participants, watches, notifications, read positions, removed users',
    sql: `
      ALTER TABLE discussions ADD COLUMN resolved_by text;
      ALTER TABLE discussions ADD COLUMN resolved_by_name text;
      ALTER TABLE discussions ADD COLUMN resolved_at bigint;
      ALTER TABLE users ADD COLUMN removed_at bigint;
      DO $$
      DECLARE c text;
      BEGIN
        FOR c IN SELECT conname FROM pg_constraint
                 WHERE conrelid = 'events'::regclass AND contype = 'c' LOOP
          EXECUTE format('ALTER TABLE events DROP CONSTRAINT %I', c);
        END LOOP;
      END $$;
      ALTER TABLE events ADD CONSTRAINT events_kind_check
        CHECK (kind IN ('create', 'add', 'edit', 'remove', 'drop', 'resolve'));
      CREATE TABLE participants (
        tenant_id text NOT NULL,
        chat_id text NOT NULL,
        user_id text NOT NULL,
        PRIMARY KEY (tenant_id, chat_id, user_id)
      );
      INSERT INTO participants (tenant_id, chat_id, user_id)
      SELECT tenant_id, id, creator_id FROM discussions
      UNION SELECT tenant_id, chat_id, author_id FROM comments
      ON CONFLICT DO NOTHING;
      CREATE TABLE watches (
        tenant_id text NOT NULL,
        page text NOT NULL,
        user_id text NOT NULL,
        created_at bigint NOT NULL,
        PRIMARY KEY (tenant_id, page, user_id)
      );
      CREATE INDEX watches_user ON watches (tenant_id, user_id);
      -- Each user's notification counter: bumped in the write's transaction, so seqs are commit-ordered.
      CREATE TABLE inboxes (
        tenant_id text NOT NULL,
        user_id text NOT NULL,
        seq bigint NOT NULL,
        PRIMARY KEY (tenant_id, user_id)
      );
      CREATE TABLE notifications (
        tenant_id text NOT NULL,
        user_id text NOT NULL,
        seq bigint NOT NULL,
        kind text NOT NULL CHECK (kind IN ('mention', 'reply', 'new-chat', 'resolve')),
        page text NOT NULL,
        chat_id text NOT NULL,
        comment_id text,
        actor_id text NOT NULL,
        at bigint NOT NULL,
        read_at bigint,
        PRIMARY KEY (tenant_id, user_id, seq)
      );
      CREATE TABLE read_positions (
        tenant_id text NOT NULL,
        user_id text NOT NULL,
        chat_id text NOT NULL,
        page text NOT NULL,
        at bigint NOT NULL,
        PRIMARY KEY (tenant_id, user_id, chat_id)
      );
      CREATE INDEX read_positions_page ON read_positions (tenant_id, user_id, page);
      CREATE INDEX read_positions_chat ON read_positions (tenant_id, chat_id);
    `,
  },
  {
    version: 7,
    name: 'invites, audit of roles, removals and invites',
    sql: `
      ${postgresAuditKindsThrough('invite-redeemed')}
      CREATE TABLE invites (
        id text PRIMARY KEY,
        tenant_id text NOT NULL REFERENCES tenants(id),
        role text NOT NULL CHECK (role IN ('member', 'admin')),
        hash text NOT NULL UNIQUE,
        created_at bigint NOT NULL,
        created_by text NOT NULL,
        expires_at bigint NOT NULL,
        max_uses integer NOT NULL,
        uses integer NOT NULL DEFAULT 0,
        revoked_at bigint
      );
      CREATE INDEX invites_tenant ON invites (tenant_id, created_at);
    `,
  },
  {
    version: 8,
    name: 'single sign-on: identities, waiting requests, pending sign-ins, sessions',
    sql: POSTGRES_SSO_MIGRATION,
  },
  {
    version: 9,
    name: 'retention, erasure requests, erased and former members',
    sql: `
      ${postgresAuditKindsThrough('erasure-declined')}
      CREATE TABLE tenant_settings (
        tenant_id text PRIMARY KEY REFERENCES tenants(id),
        retention_days integer
      );
      CREATE TABLE erasure_requests (
        tenant_id text NOT NULL,
        user_id text NOT NULL,
        requested_at bigint NOT NULL,
        PRIMARY KEY (tenant_id, user_id)
      );
      ALTER TABLE users ADD COLUMN erased_at bigint;
      CREATE INDEX discussions_creator ON discussions (tenant_id, creator_id);
      UPDATE comments SET author_name = '' WHERE author_id IN (SELECT id FROM users WHERE removed_at IS NOT NULL);
      UPDATE discussions SET resolved_by_name = ''
        WHERE resolved_by IN (SELECT id FROM users WHERE removed_at IS NOT NULL);
    `,
  },
];

interface InviteRow {
  id: string;
  tenant_id: string;
  role: RoleT;
  created_at: string;
  created_by: string;
  expires_at: string;
  max_uses: number;
  uses: number;
  revoked_at: string | null;
}

const inviteOf = (r: InviteRow): InviteInfo => ({
  id: r.id,
  tenantId: r.tenant_id,
  role: r.role,
  createdAt: Number(r.created_at),
  createdBy: r.created_by,
  expiresAt: Number(r.expires_at),
  maxUses: r.max_uses,
  uses: r.uses,
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
});

const INVITE_COLUMNS = 'id, tenant_id, role, created_at, created_by, expires_at, max_uses, uses, revoked_at';

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
  replayWindow?: ReplayWindow;
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

/** Opens the pool, checks the database answers and applies the migrations it lacks. */
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
  return new PostgresStore(pool, options.onError, options.replayWindow);
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
  removed_at: string | null;
  erased_at: string | null;
}
interface TokenRow {
  id: string;
  tenant_id: string;
  user_id: string;
  role: 'member' | 'admin';
  label: string;
  created_at: string;
  revoked_at: string | null;
  created_by: string | null;
  expires_at: string | null;
}

interface AuditRowPg {
  id: string;
  tenant_id: string;
  at: string;
  kind: AuditEntry['kind'];
  actor_id: string | null;
  subject_id: string | null;
  token_id: string | null;
  page: string | null;
  chat_id: string | null;
  comment_id: string | null;
  seq: string | null;
  detail: string;
}

const tenantOf = (r: TenantRow): Tenant => ({ id: r.id, name: r.name, createdAt: Number(r.created_at) });
const userOf = (r: UserRow): User => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  createdAt: Number(r.created_at),
  removedAt: r.removed_at === null ? null : Number(r.removed_at),
  ...(r.erased_at !== null && { erasedAt: Number(r.erased_at) }),
});
const tokenOf = (r: TokenRow): TokenInfo => ({
  id: r.id,
  tenantId: r.tenant_id,
  userId: r.user_id,
  role: r.role,
  label: r.label,
  createdAt: Number(r.created_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  createdBy: r.created_by,
  expiresAt: r.expires_at === null ? null : Number(r.expires_at),
});

const TOKEN_COLUMNS = 'id, tenant_id, user_id, role, label, created_at, revoked_at, created_by, expires_at';

const AUDIT_INSERT = `INSERT INTO audit (tenant_id, at, kind, actor_id, subject_id, token_id, page, chat_id, comment_id, seq, detail)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly sso: PostgresSsoStore;

  constructor(
    private readonly pool: pg.Pool,
    private readonly onError: (err: Error) => void = defaultOnError,
    readonly replayWindow: ReplayWindow = DEFAULT_REPLAY_WINDOW,
  ) {
    this.sso = new PostgresSsoStore({
      pool,
      transaction: (work) => this.transaction(work),
      tokenById: async (q, id) => {
        const { rows } = await q.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM tokens WHERE id = $1`, [id]);
        return rows[0] ? tokenOf(rows[0]) : null;
      },
      userById: async (q, id) => {
        const { rows } = await q.query<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
        return rows[0] ? userOf(rows[0]) : null;
      },
      authOf: (q, tokenId) => this.authWhere(q, 'k.id = $1', tokenId),
      insertToken: async (q, t) => {
        const { rows } = await q.query<TokenRow>(
          `INSERT INTO tokens (id, tenant_id, user_id, role, label, hash, created_at, created_by, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${TOKEN_COLUMNS}`,
          [
            t.id,
            t.tenantId,
            t.userId,
            t.role,
            t.label,
            t.hash,
            t.createdAt,
            t.createdBy ?? null,
            t.expiresAt,
          ],
        );
        return tokenOf(rows[0]!);
      },
    });
  }

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

  /** Runs `work` in a transaction of its own client; rolls back when it throws or answers `rollback`. */
  private async transaction<T>(
    work: (client: pg.PoolClient) => Promise<{ value: T; rollback?: boolean }>,
  ): Promise<T> {
    const client = await this.checkout();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const { value, rollback } = await work(client);
      await client.query(rollback ? 'ROLLBACK' : 'COMMIT');
      return value;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      client.release(broken);
      client.off('error', this.onCheckedOutError);
    }
  }

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
      `INSERT INTO tokens (id, tenant_id, user_id, role, label, hash, created_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${TOKEN_COLUMNS}`,
      [t.id, t.tenantId, t.userId, t.role, t.label, t.hash, t.createdAt, t.createdBy ?? null],
    );
    return tokenOf(rows[0]!);
  }

  async findTokenByHash(hash: string): Promise<TokenAuth | null> {
    return this.authWhere(this.pool, 'k.hash = $1', hash);
  }

  /** A token with its tenant and user, by one condition on the token (`k`). */
  private async authWhere(
    q: pg.ClientBase | pg.Pool,
    where: string,
    value: string,
  ): Promise<TokenAuth | null> {
    const { rows } = await q.query<
      TokenRow & {
        t_name: string;
        t_created_at: string;
        u_name: string;
        u_created_at: string;
        u_removed_at: string | null;
      }
    >(
      `SELECT k.id, k.tenant_id, k.user_id, k.role, k.label, k.created_at, k.revoked_at, k.created_by,
              k.expires_at, t.name AS t_name, t.created_at AS t_created_at, u.name AS u_name,
              u.created_at AS u_created_at, u.removed_at AS u_removed_at
       FROM tokens k JOIN tenants t ON t.id = k.tenant_id JOIN users u ON u.id = k.user_id
       WHERE ${where}`,
      [value],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      token: tokenOf(r),
      tenant: { id: r.tenant_id, name: r.t_name, createdAt: Number(r.t_created_at) },
      user: {
        id: r.user_id,
        tenantId: r.tenant_id,
        name: r.u_name,
        createdAt: Number(r.u_created_at),
        removedAt: r.u_removed_at === null ? null : Number(r.u_removed_at),
      },
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

  async snapshot(tenantId: string, page: string): Promise<{ seq: number; discussions: DiscussionT[] }> {
    const { seq, discussions } = await this.snapshotPage(tenantId, page, null, Number.MAX_SAFE_INTEGER);
    return { seq, discussions };
  }

  async snapshotPage(
    tenantId: string,
    page: string,
    cursor: string | null,
    maxBytes: number,
  ): Promise<SnapshotPage> {
    let from = decodeCursor(cursor);
    const cut = new PageCutter(maxBytes);
    let seq: number | null = null;
    // Rows come in bounded batches; a page needs more than one only when its comments are tiny.
    for (;;) {
      const { rows } = await this.pool.query<SnapshotRowPg>(
        `SELECT (SELECT seq FROM pages WHERE tenant_id = $1 AND page = $2) AS page_seq,
                d.ord AS d_ord, d.id AS d_id, d.selectors, m.ord AS m_ord, m.id AS m_id, m.author_id,
                m.author_name, m.text, m.at, m.edited_at, d.resolved_by, d.resolved_by_name, d.resolved_at
         FROM discussions d
         LEFT JOIN comments m ON m.tenant_id = d.tenant_id AND m.chat_id = d.id AND (d.ord > $3 OR m.ord >= $4)
         WHERE d.tenant_id = $1 AND d.page = $2 AND d.ord >= $3
         ORDER BY d.ord, m.ord LIMIT ${SNAPSHOT_BATCH}`,
        [tenantId, page, from.discussion, from.comment],
      );
      seq ??= Number(rows[0]?.page_seq ?? (await this.pageSeq(tenantId, page)));
      let full = false;
      let last: SnapshotRowPg | undefined;
      for (const r of rows) {
        const ok = cut.add({
          discussionOrd: Number(r.d_ord),
          discussionId: r.d_id,
          selectors: JSON.parse(r.selectors) as SelectorT[],
          commentOrd: r.m_ord === null ? null : Number(r.m_ord),
          comment: r.m_id === null ? null : commentOf({ ...r, id: r.m_id }),
          resolved: resolutionOf(r),
        });
        if (!ok) {
          full = true;
          break;
        }
        last = r;
      }
      if (full || rows.length < SNAPSHOT_BATCH || !last) break;
      // The batch ended inside the page: go on after its last row.
      from =
        last.m_ord === null
          ? { discussion: Number(last.d_ord) + 1, comment: 0 }
          : { discussion: Number(last.d_ord), comment: Number(last.m_ord) + 1 };
    }
    return { seq, discussions: cut.discussions, next: cut.next && encodeCursor(cut.next) };
  }

  private async pageSeq(tenantId: string, page: string): Promise<number> {
    const { rows } = await this.pool.query<{ seq: string }>(
      'SELECT seq FROM pages WHERE tenant_id = $1 AND page = $2',
      [tenantId, page],
    );
    return Number(rows[0]?.seq ?? 0);
  }

  async eventsSince(
    tenantId: string,
    page: string,
    since: number,
    limit: number,
  ): Promise<{ seq: number; events: DiscussionEventT[] } | null> {
    // One statement sees one snapshot of the database: the seq and the rendered events agree.
    const { rows } = await this.pool.query<LogRowPg>(
      `WITH p AS (SELECT seq FROM pages WHERE tenant_id = $1 AND page = $2)
       SELECT (SELECT seq FROM p) AS page_seq, e.seq, e.broadcast_id, e.kind, e.chat_id, e.comment_id,
              d.selectors, m.id AS m_id, m.author_id, m.author_name, m.text, m.at, m.edited_at,
              d.resolved_by, d.resolved_by_name, d.resolved_at
       FROM (SELECT 1) one
       LEFT JOIN events e ON e.tenant_id = $1 AND e.page = $2 AND e.seq > $3 AND e.seq <= $3 + $4
       LEFT JOIN discussions d ON d.tenant_id = e.tenant_id AND d.id = e.chat_id AND d.page = e.page
       LEFT JOIN comments m ON m.tenant_id = e.tenant_id AND m.chat_id = e.chat_id AND m.id = e.comment_id
       ORDER BY e.seq`,
      [tenantId, page, since, limit],
    );
    const seq = Number(rows[0]?.page_seq ?? 0);
    if (since > seq || seq - since > limit) return null;
    const events = rows
      .filter((r) => r.seq !== null)
      .map((r) =>
        renderLogRow(page, {
          seq: Number(r.seq),
          broadcastId: r.broadcast_id!,
          kind: r.kind!,
          discussionId: r.chat_id!,
          commentId: r.comment_id,
          selectors: r.selectors === null ? null : (JSON.parse(r.selectors) as SelectorT[]),
          comment: r.m_id === null ? null : commentOf({ ...r, id: r.m_id }),
          resolved: r.selectors === null ? null : resolutionOf(r),
        }),
      );
    if (events.length !== seq - since || (events.length > 0 && events[0]!.seq !== since + 1)) return null;
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

  async commit(
    tenantId: string,
    write: WriteFrameT,
    plan: WritePlanner,
    tokenId: string | null = null,
  ): Promise<CommitResult> {
    const client = await this.checkout();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      // Take the page's counter row first: it serialises the writers of this page (on every node),
      // so the duplicate check and the reads below see everything committed before us.
      await client.query(
        'INSERT INTO pages (tenant_id, page, seq) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING',
        [tenantId, write.page],
      );
      const bumped = await client.query<{ seq: string; chats: number }>(
        'UPDATE pages SET seq = seq + 1 WHERE tenant_id = $1 AND page = $2 RETURNING seq, chats',
        [tenantId, write.page],
      );
      const seq = Number(bumped.rows[0]!.seq);

      // Everything the planner needs in one round trip: never the thread, only its head.
      const commentId = 'commentId' in write ? write.commentId : null;
      const { rows } = await client.query<{
        done: { page: string; seq: string } | null;
        discussion: {
          id: string;
          page: string;
          creator_id: string;
          comment_count: number;
          bytes: string;
          resolved_by: string | null;
          last_activity_at: string | number;
        } | null;
        comment: { id: string; author_id: string; at: string | number; bytes: number; text: string } | null;
        tenant_bytes: string | null;
        token_role: RoleT | null;
        token_revoked: boolean | null;
      }>(
        `SELECT
           (SELECT row_to_json(w) FROM (SELECT page, seq FROM writes
              WHERE tenant_id = $1 AND broadcast_id = $2) w) AS done,
           (SELECT row_to_json(d) FROM (SELECT id, page, creator_id, comment_count, bytes, resolved_by,
              last_activity_at FROM discussions WHERE tenant_id = $1 AND id = $3) d) AS discussion,
           (SELECT row_to_json(c) FROM (SELECT id, author_id, at, octet_length(text) AS bytes, text FROM comments
              WHERE tenant_id = $1 AND chat_id = $3 AND id = $4) c) AS comment,
           (SELECT bytes FROM tenant_bytes WHERE tenant_id = $1) AS tenant_bytes,
           (SELECT role FROM tokens WHERE id = $5) AS token_role,
           (SELECT revoked_at IS NOT NULL FROM tokens WHERE id = $5) AS token_revoked`,
        [tenantId, write.broadcastId, write.chatId, commentId, tokenId],
      );
      const read = rows[0]!;
      if (read.done) {
        await client.query('ROLLBACK');
        return { status: 'duplicate', page: read.done.page, seq: Number(read.done.seq) };
      }
      const decision = plan({
        discussion: read.discussion
          ? {
              id: read.discussion.id,
              page: read.discussion.page,
              creatorId: read.discussion.creator_id,
              commentCount: read.discussion.comment_count,
              bytes: Number(read.discussion.bytes),
              resolvedBy: read.discussion.resolved_by,
              lastActivityAt: Number(read.discussion.last_activity_at),
            }
          : null,
        comment: read.comment
          ? {
              id: read.comment.id,
              authorId: read.comment.author_id,
              at: Number(read.comment.at),
              bytes: read.comment.bytes,
              mentions: mentionedIds(read.comment.text),
            }
          : null,
        pageDiscussions: bumped.rows[0]!.chats,
        tenantBytes: Number(read.tenant_bytes ?? 0),
        ...(read.token_role !== null && {
          tokenRole: read.token_role,
          tokenRevoked: read.token_revoked === true,
        }),
      });
      if (!decision.ok) {
        await client.query('ROLLBACK');
        return { status: 'rejected', code: decision.code, message: decision.message };
      }

      const ev = decision.event;
      const now = Date.now();
      let discussionsDelta = 0;
      if (ev.type === 'new-text-chat') {
        const opening = ev.chat.comments[0]!;
        await client.query(
          `WITH d AS (
             INSERT INTO discussions (tenant_id, id, page, ord, selectors, creator_id, opening_id, comment_count,
                                      bytes, token_id, created_at, title, quote, site, last_activity_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10, $13, $14, $15, $10))
           INSERT INTO comments (tenant_id, chat_id, id, author_id, author_name, text, at, token_id, edited_at)
           VALUES ($1, $2, $7, $6, $11, $12, $10, $9, $16)`,
          [
            tenantId,
            ev.chat.id,
            write.page,
            seq,
            JSON.stringify(ev.chat.selectors),
            opening.author.id,
            opening.id,
            decision.bytes,
            tokenId,
            opening.at,
            opening.author.name,
            opening.text,
            write.type === 'create-chat' ? (write.title ?? null) : null,
            quoteOf(ev.chat.selectors),
            siteOf(write.page),
            opening.editedAt ?? null,
          ],
        );
        discussionsDelta = 1;
      } else if (ev.type === 'deleted-text-chat') {
        await client.query(
          `WITH c AS (DELETE FROM comments WHERE tenant_id = $1 AND chat_id = $2),
                p AS (DELETE FROM participants WHERE tenant_id = $1 AND chat_id = $2),
                r AS (DELETE FROM read_positions WHERE tenant_id = $1 AND chat_id = $2)
           DELETE FROM discussions WHERE tenant_id = $1 AND id = $2`,
          [tenantId, ev.chatId],
        );
        discussionsDelta = -1;
      } else {
        const c = ev.change;
        let change: string;
        let params: unknown[];
        let count = 0;
        let activity = 0;
        if (c.op === 'add-comment') {
          change = `INSERT INTO comments (tenant_id, chat_id, id, author_id, author_name, text, at, token_id, edited_at)
                    VALUES ($1, $2, $6, $7, $8, $9, $10, $11, $12)`;
          params = [
            c.comment.id,
            c.comment.author.id,
            c.comment.author.name,
            c.comment.text,
            c.comment.at,
            tokenId,
            c.comment.editedAt ?? null,
          ];
          count = 1;
          activity = c.comment.editedAt ?? c.comment.at;
        } else if (c.op === 'edit-comment') {
          change = `UPDATE comments SET text = $7, edited_at = $8, token_id = $9
                    WHERE tenant_id = $1 AND chat_id = $2 AND id = $6`;
          params = [c.commentId, c.text, c.editedAt, tokenId];
          activity = c.editedAt;
        } else if (c.op === 'resolve') {
          // Not a CTE beside the counters' update below: one statement cannot update a row twice.
          await client.query(
            `UPDATE discussions SET resolved_by = $3, resolved_by_name = $4, resolved_at = $5
             WHERE tenant_id = $1 AND id = $2`,
            [
              tenantId,
              ev.chatId,
              c.resolved?.by.id ?? null,
              c.resolved?.by.name ?? null,
              c.resolved?.at ?? null,
            ],
          );
          change = 'SELECT 1';
          params = [];
        } else {
          change = 'DELETE FROM comments WHERE tenant_id = $1 AND chat_id = $2 AND id = $6';
          params = [c.commentId];
          count = -1;
        }
        await client.query(
          `WITH c AS (${change})
           UPDATE discussions SET comment_count = comment_count + $3, bytes = bytes + $4,
                                  last_activity_at = GREATEST(last_activity_at, $5::bigint)
           WHERE tenant_id = $1 AND id = $2`,
          [tenantId, ev.chatId, count, decision.bytes, activity, ...params],
        );
      }
      const entry = logEntryOf(ev);
      await client.query(
        `WITH ev AS (
           INSERT INTO events (tenant_id, page, seq, broadcast_id, kind, chat_id, comment_id, token_id, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)),
         wr AS (
           INSERT INTO writes (tenant_id, broadcast_id, page, seq, created_at) VALUES ($1, $4, $2, $3, $9)),
         tb AS (
           INSERT INTO tenant_bytes (tenant_id, bytes) SELECT $1, $10::bigint WHERE $10::bigint <> 0
           ON CONFLICT (tenant_id) DO UPDATE SET bytes = tenant_bytes.bytes + excluded.bytes),
         pc AS (
           UPDATE pages SET chats = chats + $11 WHERE tenant_id = $1 AND page = $2 AND $11::integer <> 0)
         DELETE FROM events WHERE tenant_id = $1 AND page = $2 AND seq <= $12`,
        [
          tenantId,
          write.page,
          seq,
          write.broadcastId,
          entry.kind,
          entry.discussionId,
          entry.commentId,
          tokenId,
          now,
          decision.bytes,
          discussionsDelta,
          seq - this.replayWindow.events,
        ],
      );
      const notifications = decision.notify
        ? await this.notify(client, tenantId, write.page, entry.discussionId, decision.notify, now)
        : [];
      for (const note of decision.audit ?? []) {
        await client.query(AUDIT_INSERT, [
          tenantId,
          now,
          note.kind,
          note.actorId,
          note.subjectId,
          tokenId,
          write.page,
          entry.discussionId,
          entry.commentId,
          seq,
          write.type,
        ]);
      }
      await client.query('COMMIT');
      return { status: 'applied', event: { ...ev, seq } as DiscussionEventT, notifications };
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

  /** Inside a write's transaction: picks and stores its notifications, then records its writer as a participant. */
  private async notify(
    client: pg.PoolClient,
    tenantId: string,
    page: string,
    discussionId: string,
    plan: NotifyPlan,
    now: number,
  ): Promise<StoredNotification[]> {
    const { rows } = await client.query<{
      members: string[] | null;
      participants: string[] | null;
      watchers: string[] | null;
    }>(
      `SELECT
         (SELECT array_agg(id) FROM users
            WHERE tenant_id = $1 AND id = ANY($2::text[]) AND removed_at IS NULL) AS members,
         (SELECT array_agg(user_id) FROM participants WHERE $3 AND tenant_id = $1 AND chat_id = $4) AS participants,
         (SELECT array_agg(w.user_id) FROM watches w JOIN users u ON u.id = w.user_id AND u.tenant_id = w.tenant_id
            WHERE $5 AND w.tenant_id = $1 AND w.page = $6 AND u.removed_at IS NULL) AS watchers`,
      [tenantId, plan.mentions, plan.reply, discussionId, plan.newDiscussion, page],
    );
    const found = rows[0]!;
    const facts: NotifyFacts = {
      members: plan.mentions.filter((id) => found.members?.includes(id)),
      participants: found.participants ?? [],
      watchers: found.watchers ?? [],
    };
    const out: StoredNotification[] = [];
    // In user id order (recipientsOf sorts): each inbox row is locked in that order, so no deadlock.
    for (const draft of recipientsOf(plan, facts, plan.actor.id)) {
      const bumped = await client.query<{ seq: string }>(
        `WITH b AS (
           INSERT INTO inboxes (tenant_id, user_id, seq) VALUES ($1, $2, 1)
           ON CONFLICT (tenant_id, user_id) DO UPDATE SET seq = inboxes.seq + 1 RETURNING seq),
         n AS (
           INSERT INTO notifications (tenant_id, user_id, seq, kind, page, chat_id, comment_id, actor_id, at)
           SELECT $1, $2, b.seq, $3, $4, $5, $6, $7, $8 FROM b),
         t AS (
           DELETE FROM notifications WHERE tenant_id = $1 AND user_id = $2 AND seq <= (SELECT seq FROM b) - $9)
         SELECT seq FROM b`,
        [
          tenantId,
          draft.userId,
          draft.kind,
          page,
          discussionId,
          plan.commentId,
          plan.actor.id,
          now,
          LIMITS.notificationsPerUser,
        ],
      );
      const seq = Number(bumped.rows[0]!.seq);
      out.push({ userId: draft.userId, notification: fresh(draft, seq, page, discussionId, plan, now) });
    }
    if (plan.reply || plan.newDiscussion) {
      await client.query(
        'INSERT INTO participants (tenant_id, chat_id, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [tenantId, discussionId, plan.actor.id],
      );
    }
    return out;
  }

  async removeUser(tenantId: string, userId: string): Promise<TokenInfo[] | null> {
    return this.transaction(async (client) => {
      const tokens = await this.removeUserWith(client, tenantId, userId);
      return { value: tokens, rollback: tokens === null };
    });
  }

  /** Marks the user removed, revokes their tokens and drops their own state, in the client's transaction. */
  private async removeUserWith(
    client: pg.PoolClient,
    tenantId: string,
    userId: string,
  ): Promise<TokenInfo[] | null> {
    const now = Date.now();
    const { rowCount } = await client.query(
      'UPDATE users SET removed_at = COALESCE(removed_at, $3) WHERE id = $1 AND tenant_id = $2',
      [userId, tenantId, now],
    );
    if (rowCount === 0) return null;
    const { rows } = await client.query<TokenRow>(
      `UPDATE tokens SET revoked_at = $3 WHERE user_id = $1 AND tenant_id = $2 AND revoked_at IS NULL
       RETURNING ${TOKEN_COLUMNS}`,
      [userId, tenantId, now],
    );
    await client.query(
      `WITH n AS (DELETE FROM notifications WHERE tenant_id = $1 AND user_id = $2),
            i AS (DELETE FROM inboxes WHERE tenant_id = $1 AND user_id = $2),
            w AS (DELETE FROM watches WHERE tenant_id = $1 AND user_id = $2)
       DELETE FROM read_positions WHERE tenant_id = $1 AND user_id = $2`,
      [tenantId, userId],
    );
    await this.unname(client, tenantId, userId);
    return rows.map(tokenOf);
  }

  /** What a former member wrote or resolved stays, without their name. */
  private async unname(client: pg.PoolClient, tenantId: string, userId: string): Promise<void> {
    await client.query(
      `WITH c AS (UPDATE comments SET author_name = '' WHERE tenant_id = $1 AND author_id = $2 AND author_name <> '')
       UPDATE discussions SET resolved_by_name = '' WHERE tenant_id = $1 AND resolved_by = $2`,
      [tenantId, userId],
    );
  }

  /**
   * Locks the tenant's row (serialising every role change and removal of the tenant, on every node),
   * then reads the member and whether they are its last admin.
   */
  private async memberForChange(
    client: pg.PoolClient,
    tenantId: string,
    userId: string,
  ): Promise<{ user: User; lastAdmin: boolean } | null> {
    await client.query('SELECT id FROM tenants WHERE id = $1 FOR UPDATE', [tenantId]);
    const { rows } = await client.query<UserRow & { admin: boolean; others: string }>(
      `SELECT u.*,
         EXISTS (SELECT 1 FROM tokens WHERE user_id = u.id AND role = 'admin' AND revoked_at IS NULL) AS admin,
         (SELECT COUNT(DISTINCT k.user_id) FROM tokens k JOIN users o ON o.id = k.user_id
          WHERE k.tenant_id = $1 AND k.user_id <> $2 AND k.role = 'admin' AND k.revoked_at IS NULL
            AND o.removed_at IS NULL) AS others
       FROM users u WHERE u.tenant_id = $1 AND u.id = $2 AND u.removed_at IS NULL`,
      [tenantId, userId],
    );
    const r = rows[0];
    if (!r) return null;
    return { user: userOf(r), lastAdmin: r.admin && Number(r.others) === 0 };
  }

  async removeMember(tenantId: string, userId: string): Promise<MemberChange> {
    return this.transaction<MemberChange>(async (client) => {
      const member = await this.memberForChange(client, tenantId, userId);
      if (!member) return { value: { status: 'not-found' }, rollback: true };
      if (member.lastAdmin) return { value: { status: 'last-admin' }, rollback: true };
      const tokens = (await this.removeUserWith(client, tenantId, userId))!;
      const { rows } = await client.query<UserRow>('SELECT * FROM users WHERE id = $1', [userId]);
      return { value: { status: 'done', user: userOf(rows[0]!), tokens } };
    });
  }

  async setMemberRole(tenantId: string, userId: string, role: RoleT): Promise<MemberChange> {
    return this.transaction<MemberChange>(async (client) => {
      const member = await this.memberForChange(client, tenantId, userId);
      if (!member) return { value: { status: 'not-found' }, rollback: true };
      if (role === 'member' && member.lastAdmin) return { value: { status: 'last-admin' }, rollback: true };
      const { rows } = await client.query<TokenRow>(
        `UPDATE tokens SET role = $3 WHERE user_id = $1 AND tenant_id = $2 AND revoked_at IS NULL AND role <> $3
         RETURNING ${TOKEN_COLUMNS}`,
        [userId, tenantId, role],
      );
      return { value: { status: 'done', user: member.user, tokens: rows.map(tokenOf) } };
    });
  }

  // ---------------------------------------------------------------- invites

  async insertInvite(i: NewInvite): Promise<InviteInfo> {
    const { rows } = await this.pool.query<InviteRow>(
      `INSERT INTO invites (id, tenant_id, role, hash, created_at, created_by, expires_at, max_uses)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${INVITE_COLUMNS}`,
      [i.id, i.tenantId, i.role, i.hash, i.createdAt, i.createdBy, i.expiresAt, i.maxUses],
    );
    return inviteOf(rows[0]!);
  }

  async listInvites(tenantId: string): Promise<InviteInfo[]> {
    const { rows } = await this.pool.query<InviteRow>(
      `SELECT ${INVITE_COLUMNS} FROM invites WHERE tenant_id = $1 ORDER BY created_at DESC, id`,
      [tenantId],
    );
    return rows.map(inviteOf);
  }

  async findInviteByHash(hash: string): Promise<{ invite: InviteInfo; tenant: Tenant } | null> {
    const { rows } = await this.pool.query<InviteRow & { t_name: string; t_created_at: string }>(
      `SELECT i.id, i.tenant_id, i.role, i.created_at, i.created_by, i.expires_at, i.max_uses, i.uses,
              i.revoked_at, t.name AS t_name, t.created_at AS t_created_at
       FROM invites i JOIN tenants t ON t.id = i.tenant_id WHERE i.hash = $1`,
      [hash],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      invite: inviteOf(r),
      tenant: { id: r.tenant_id, name: r.t_name, createdAt: Number(r.t_created_at) },
    };
  }

  async revokeInvite(tenantId: string, inviteId: string): Promise<InviteInfo | null> {
    const { rows } = await this.pool.query<InviteRow>(
      `UPDATE invites SET revoked_at = COALESCE(revoked_at, $3) WHERE id = $1 AND tenant_id = $2
       RETURNING ${INVITE_COLUMNS}`,
      [inviteId, tenantId, Date.now()],
    );
    return rows[0] ? inviteOf(rows[0]) : null;
  }

  async redeemInvite(
    hash: string,
    now: number,
    member: { name: string; userId: string; tokenId: string; tokenHash: string; label: string },
  ): Promise<RedeemResult> {
    return this.transaction<RedeemResult>(async (client) => {
      // The row lock makes a use count once: a racer waits here and then sees the new count.
      const { rows } = await client.query<InviteRow>(
        `SELECT ${INVITE_COLUMNS} FROM invites WHERE hash = $1 FOR UPDATE`,
        [hash],
      );
      const row = rows[0];
      const refusal = inviteRefusal(row, now);
      if (refusal) return { value: { status: refusal }, rollback: true };
      const used = await client.query<InviteRow>(
        `UPDATE invites SET uses = uses + 1 WHERE id = $1 RETURNING ${INVITE_COLUMNS}`,
        [row!.id],
      );
      const users = await client.query<UserRow>(
        'INSERT INTO users (id, tenant_id, name, created_at) VALUES ($1, $2, $3, $4) RETURNING *',
        [member.userId, row!.tenant_id, member.name, now],
      );
      const tokens = await client.query<TokenRow>(
        `INSERT INTO tokens (id, tenant_id, user_id, role, label, hash, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${TOKEN_COLUMNS}`,
        [
          member.tokenId,
          row!.tenant_id,
          member.userId,
          row!.role,
          member.label,
          member.tokenHash,
          now,
          row!.created_by,
        ],
      );
      const tenants = await client.query<TenantRow>('SELECT * FROM tenants WHERE id = $1', [row!.tenant_id]);
      return {
        value: {
          status: 'joined',
          invite: inviteOf(used.rows[0]!),
          tenant: tenantOf(tenants.rows[0]!),
          user: userOf(users.rows[0]!),
          token: tokenOf(tokens.rows[0]!),
        },
      };
    });
  }

  async dropUnusedMember(tenantId: string, userId: string): Promise<boolean> {
    // One statement: the deletes happen only when nothing refers to the member, as of one snapshot.
    const { rows } = await this.pool.query<{ dropped: number }>(
      `WITH unused AS (
         SELECT u.id FROM users u
         WHERE u.tenant_id = $1 AND u.id = $2
           AND NOT EXISTS (SELECT 1 FROM tokens WHERE user_id = $2)
           AND NOT EXISTS (SELECT 1 FROM discussions WHERE tenant_id = $1 AND creator_id = $2)
           AND NOT EXISTS (SELECT 1 FROM comments WHERE tenant_id = $1 AND author_id = $2)
           AND NOT EXISTS (SELECT 1 FROM notifications WHERE tenant_id = $1 AND actor_id = $2)
           AND NOT EXISTS (SELECT 1 FROM audit WHERE tenant_id = $1 AND (actor_id = $2 OR subject_id = $2))
         FOR UPDATE
       ),
       p AS (DELETE FROM participants WHERE tenant_id = $1 AND user_id IN (SELECT id FROM unused)),
       w AS (DELETE FROM watches WHERE tenant_id = $1 AND user_id IN (SELECT id FROM unused)),
       i AS (DELETE FROM inboxes WHERE tenant_id = $1 AND user_id IN (SELECT id FROM unused)),
       n AS (DELETE FROM notifications WHERE tenant_id = $1 AND user_id IN (SELECT id FROM unused)),
       r AS (DELETE FROM read_positions WHERE tenant_id = $1 AND user_id IN (SELECT id FROM unused)),
       d AS (DELETE FROM users WHERE id IN (SELECT id FROM unused) RETURNING id)
       SELECT count(*)::int AS dropped FROM d`,
      [tenantId, userId],
    );
    return rows[0]!.dropped > 0;
  }

  async setWatch(tenantId: string, userId: string, page: string, watch: boolean): Promise<void> {
    if (watch) {
      await this.pool.query(
        `INSERT INTO watches (tenant_id, page, user_id, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING`,
        [tenantId, page, userId, Date.now()],
      );
    } else {
      await this.pool.query('DELETE FROM watches WHERE tenant_id = $1 AND page = $2 AND user_id = $3', [
        tenantId,
        page,
        userId,
      ]);
    }
  }

  async pageUserState(tenantId: string, userId: string, page: string): Promise<PageUserState> {
    const { rows } = await this.pool.query<{ watching: boolean; read: Record<string, string> | null }>(
      `SELECT EXISTS (SELECT 1 FROM watches WHERE tenant_id = $1 AND page = $3 AND user_id = $2) AS watching,
              (SELECT json_object_agg(chat_id, at) FROM read_positions
                 WHERE tenant_id = $1 AND user_id = $2 AND page = $3) AS read`,
      [tenantId, userId, page],
    );
    const read: Record<string, number> = {};
    for (const [id, at] of Object.entries(rows[0]?.read ?? {})) read[id] = Number(at);
    return { watching: rows[0]?.watching ?? false, read };
  }

  async markRead(
    tenantId: string,
    userId: string,
    page: string,
    discussionId: string,
    at: number,
  ): Promise<number | null> {
    const { rows } = await this.pool.query<{ at: string }>(
      `INSERT INTO read_positions (tenant_id, user_id, chat_id, page, at)
       SELECT $1, $2, $3, $4, $5 FROM discussions WHERE tenant_id = $1 AND id = $3 AND page = $4
       ON CONFLICT (tenant_id, user_id, chat_id)
       DO UPDATE SET at = GREATEST(read_positions.at, excluded.at), page = excluded.page
       RETURNING at`,
      [tenantId, userId, discussionId, page, at],
    );
    return rows[0] ? Number(rows[0].at) : null;
  }

  async notificationsSince(
    tenantId: string,
    userId: string,
    after: number | null,
    limit: number,
  ): Promise<NotificationList> {
    // One statement: the list, the latest seq and the unread count agree.
    const { rows } = await this.pool.query<NotificationRowPg>(
      `WITH list AS (
         SELECT n.seq, n.kind, n.page, n.chat_id, n.comment_id, n.actor_id, CASE WHEN u.removed_at IS NULL THEN u.name ELSE '' END AS actor_name, n.at,
                n.read_at, m.text
         FROM notifications n
         LEFT JOIN users u ON u.id = n.actor_id
         LEFT JOIN comments m ON m.tenant_id = n.tenant_id AND m.chat_id = n.chat_id AND m.id = n.comment_id
         WHERE n.tenant_id = $1 AND n.user_id = $2 AND ($3::bigint IS NULL OR n.seq > $3)
         ORDER BY CASE WHEN $3::bigint IS NULL THEN -n.seq ELSE n.seq END
         LIMIT $4)
       SELECT (SELECT seq FROM inboxes WHERE tenant_id = $1 AND user_id = $2) AS latest,
              (SELECT count(*) FROM notifications WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL) AS unread,
              list.*
       FROM (SELECT 1) one LEFT JOIN list ON true ORDER BY list.seq`,
      [tenantId, userId, after, limit],
    );
    const latest = Number(rows[0]?.latest ?? 0);
    const notifications = rows
      .filter((r) => r.seq !== null)
      .map((r) => notificationOf(r as NotificationRowPgFull));
    const last = notifications.at(-1)?.seq ?? after ?? latest;
    return { notifications, unread: Number(rows[0]?.unread ?? 0), latest, more: last < latest };
  }

  async markNotificationsRead(
    tenantId: string,
    userId: string,
    read: { seqs?: readonly number[]; upTo?: number },
    now = Date.now(),
  ): Promise<number> {
    const { rows } = await this.pool.query<{ unread: string }>(
      `WITH r AS (
         UPDATE notifications SET read_at = $5
         WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL AND (seq <= $3 OR seq = ANY($4::bigint[]))
         RETURNING seq)
       SELECT count(*) - (SELECT count(*) FROM r) AS unread FROM notifications
       WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL`,
      [tenantId, userId, read.upTo ?? -1, read.seqs ?? [], now],
    );
    return Number(rows[0]!.unread);
  }

  async listDiscussions(
    tenantId: string,
    filter: DiscussionFilter,
    cursor: string | null,
    limit: number,
  ): Promise<DiscussionListing> {
    const after = decodeListCursor(cursor);
    const { rows } = await this.pool.query<SummaryRow>(
      `SELECT d.ord, d.id, d.page, d.title, d.quote, d.creator_id, COALESCE(CASE WHEN u.removed_at IS NULL THEN u.name END, '') AS creator_name,
              d.created_at, d.last_activity_at, d.comment_count,
              d.resolved_by, d.resolved_by_name, d.resolved_at,
              (SELECT m.text FROM comments m WHERE m.tenant_id = d.tenant_id AND m.chat_id = d.id
               ORDER BY m.ord LIMIT 1) AS first_text
       FROM discussions d LEFT JOIN users u ON u.id = d.creator_id
       WHERE d.tenant_id = $1 AND ${PG_FILTER_SQL}
         AND ($10::bigint IS NULL OR (d.last_activity_at, d.ord) < ($10::bigint, $11::bigint))
       ORDER BY d.last_activity_at DESC, d.ord DESC LIMIT $12`,
      [tenantId, ...pgFilterParams(filter), after?.at ?? null, after?.ord ?? null, limit],
    );
    const last = rows[rows.length - 1];
    return {
      discussions: rows.map(summaryOf),
      next:
        rows.length === limit && last
          ? encodeListCursor({ at: Number(last.last_activity_at), ord: Number(last.ord) })
          : null,
    };
  }

  async readDiscussions(tenantId: string, ids: readonly string[]): Promise<DiscussionRecord[]> {
    if (ids.length === 0) return [];
    // One statement, so every discussion is read as of one moment.
    const { rows } = await this.pool.query<{
      i: string;
      id: string;
      page: string;
      title: string | null;
      selectors: string;
      creator_id: string;
      creator_name: string;
      opening_id: string;
      created_at: string;
      last_activity_at: string;
      comments: {
        id: string;
        author_id: string;
        author_name: string;
        text: string;
        at: string;
        edited_at: string | null;
      }[];
    }>(
      `SELECT r.i, d.id, d.page, d.title, d.selectors, d.creator_id, COALESCE(CASE WHEN u.removed_at IS NULL THEN u.name END, '') AS creator_name,
              d.opening_id, d.created_at, d.last_activity_at,
              COALESCE((SELECT json_agg(json_build_object('id', m.id, 'author_id', m.author_id,
                         'author_name', m.author_name, 'text', m.text, 'at', m.at, 'edited_at', m.edited_at)
                         ORDER BY m.ord)
                        FROM comments m WHERE m.tenant_id = d.tenant_id AND m.chat_id = d.id), '[]') AS comments
       FROM unnest($2::text[]) WITH ORDINALITY AS r(id, i)
       JOIN discussions d ON d.tenant_id = $1 AND d.id = r.id
       LEFT JOIN users u ON u.id = d.creator_id
       ORDER BY r.i`,
      [tenantId, ids],
    );
    return rows.map((r) => ({
      id: r.id,
      page: r.page,
      title: r.title,
      selectors: JSON.parse(r.selectors) as SelectorT[],
      creator: { id: r.creator_id, name: r.creator_name },
      openingId: r.opening_id,
      createdAt: Number(r.created_at),
      lastActivityAt: Number(r.last_activity_at),
      comments: r.comments.map(commentOf),
    }));
  }

  async search(tenantId: string, query: SearchQuery): Promise<SearchHit[]> {
    const words = queryWords(query.text);
    if (words.words.length === 0) return [];
    const f = query.filter ?? {};
    const filter = pgFilterParams(f);
    // Rank the newest SEARCH_CANDIDATES matches, keep the best, and only then build their snippets:
    // ts_headline re-reads the text, which is worth doing for the rows shown, not for every match.
    // The query is written into each condition (not read from a CTE) so that the planner can see
    // how common its words are: a common prefix walks the newest rows and stops at the cap, a rare
    // word goes through the GIN index. Discussions are joined to the candidates only when a filter
    // needs them.
    const filtered = Object.values(f).some((v) => v !== undefined);
    const commentFilter = filtered
      ? `EXISTS (SELECT 1 FROM discussions d WHERE d.tenant_id = c.tenant_id AND d.id = c.chat_id AND ${PG_FILTER_SQL})`
      : NO_FILTER_SQL;
    const headline = `'StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=24, MinWords=8, MaxFragments=1, FragmentDelimiter=…'`;
    const whole = `'HighlightAll=true, StartSel=${MARK_START}, StopSel=${MARK_END}'`;
    const tsq = `to_tsquery('simple', $10)`;
    const [comments, discussions] = await Promise.all([
      this.pool.query<CommentHitRow>(
        `WITH cand AS (
           SELECT c.ord, c.search FROM comments c
           WHERE c.tenant_id = $1 AND c.search @@ ${tsq} AND ${commentFilter}
           ORDER BY c.ord DESC LIMIT $12),
         best AS (SELECT cand.ord, ts_rank(cand.search, ${tsq}) AS score FROM cand ORDER BY score DESC LIMIT $11)
         SELECT d.id AS chat_id, d.page, d.title, d.quote, d.created_at, d.last_activity_at,
                d.resolved_by, d.resolved_by_name, d.resolved_at, c.id AS comment_id,
                c.author_id, c.author_name, c.at, best.score,
                ts_headline('simple', c.text, ${tsq}, ${headline}) AS snippet
         FROM best JOIN comments c ON c.ord = best.ord
         JOIN discussions d ON d.tenant_id = c.tenant_id AND d.id = c.chat_id
         ORDER BY best.score DESC`,
        [tenantId, ...filter, tsQuery(words), query.limit * 4, SEARCH_CANDIDATES],
      ),
      this.pool.query<DiscussionHitRow>(
        `WITH cand AS (
           SELECT d.ord, d.search FROM discussions d
           WHERE d.tenant_id = $1 AND d.search @@ ${tsq} AND ${filtered ? PG_FILTER_SQL : NO_FILTER_SQL}
           ORDER BY d.ord DESC LIMIT $12),
         best AS (SELECT cand.ord, ts_rank(cand.search, ${tsq}) AS score FROM cand ORDER BY score DESC LIMIT $11)
         SELECT d.id AS chat_id, d.page, d.title, d.quote, d.created_at, d.last_activity_at,
                d.resolved_by, d.resolved_by_name, d.resolved_at, best.score,
                ts_headline('simple', d.quote, ${tsq}, ${whole}) AS quote_marked,
                ts_headline('simple', COALESCE(d.title, ''), ${tsq}, ${whole}) AS title_marked
         FROM best JOIN discussions d ON d.ord = best.ord AND d.tenant_id = $1
         ORDER BY best.score DESC`,
        [tenantId, ...filter, tsQuery(words), query.limit, SEARCH_CANDIDATES],
      ),
    ]);
    return mergeHits(comments.rows, discussions.rows, query.limit);
  }

  // ---------------------------------------------------------------- retention and erasure

  async retentionDays(tenantId: string): Promise<number | null> {
    const { rows } = await this.pool.query<{ retention_days: number | null }>(
      'SELECT retention_days FROM tenant_settings WHERE tenant_id = $1',
      [tenantId],
    );
    return rows[0]?.retention_days ?? null;
  }

  async setRetentionDays(tenantId: string, days: number | null): Promise<void> {
    await this.pool.query(
      `INSERT INTO tenant_settings (tenant_id, retention_days) VALUES ($1, $2)
       ON CONFLICT (tenant_id) DO UPDATE SET retention_days = excluded.retention_days`,
      [tenantId, days],
    );
  }

  async retentionTenants(): Promise<{ tenantId: string; days: number }[]> {
    const { rows } = await this.pool.query<{ tenant_id: string; retention_days: number }>(
      'SELECT tenant_id, retention_days FROM tenant_settings WHERE retention_days IS NOT NULL ORDER BY tenant_id',
    );
    return rows.map((r) => ({ tenantId: r.tenant_id, days: r.retention_days }));
  }

  async staleDiscussions(tenantId: string, before: number, limit: number): Promise<DiscussionRef[]> {
    const { rows } = await this.pool.query<{ id: string; page: string }>(
      `SELECT id, page FROM discussions WHERE tenant_id = $1 AND last_activity_at < $2
       ORDER BY last_activity_at, ord LIMIT $3`,
      [tenantId, before, limit],
    );
    return rows.map((r) => ({ page: r.page, discussionId: r.id }));
  }

  async commentsBy(tenantId: string, userId: string, limit: number, after = 0): Promise<AuthoredComment[]> {
    const { rows } = await this.pool.query<{
      ord: string;
      page: string;
      chat_id: string;
      quote: string;
      id: string;
      author_id: string;
      author_name: string;
      text: string;
      at: string;
      edited_at: string | null;
    }>(
      `SELECT c.ord, d.page, c.chat_id, d.quote, c.id, c.author_id, c.author_name, c.text, c.at, c.edited_at
       FROM comments c JOIN discussions d ON d.tenant_id = c.tenant_id AND d.id = c.chat_id
       WHERE c.tenant_id = $1 AND c.author_id = $2 AND c.ord > $3 ORDER BY c.ord LIMIT $4`,
      [tenantId, userId, after, limit],
    );
    return rows.map((r) => ({
      page: r.page,
      discussionId: r.chat_id,
      quote: r.quote,
      comment: commentOf(r),
      cursor: Number(r.ord),
    }));
  }

  async emptyDiscussionsBy(tenantId: string, userId: string, limit: number): Promise<DiscussionRef[]> {
    const { rows } = await this.pool.query<{ id: string; page: string }>(
      `SELECT id, page FROM discussions WHERE tenant_id = $1 AND creator_id = $2 AND comment_count = 0
       ORDER BY ord LIMIT $3`,
      [tenantId, userId, limit],
    );
    return rows.map((r) => ({ page: r.page, discussionId: r.id }));
  }

  async ownState(tenantId: string, userId: string): Promise<OwnState> {
    const [watches, reads] = await Promise.all([
      this.pool.query<{ page: string; created_at: string }>(
        'SELECT page, created_at FROM watches WHERE tenant_id = $1 AND user_id = $2 ORDER BY page',
        [tenantId, userId],
      ),
      this.pool.query<{ page: string; chat_id: string; at: string }>(
        `SELECT page, chat_id, at FROM read_positions WHERE tenant_id = $1 AND user_id = $2
         ORDER BY page, chat_id`,
        [tenantId, userId],
      ),
    ]);
    return {
      watches: watches.rows.map((r) => ({ page: r.page, since: Number(r.created_at) })),
      reads: reads.rows.map((r) => ({ page: r.page, discussionId: r.chat_id, at: Number(r.at) })),
    };
  }

  async forgetUser(tenantId: string, userId: string): Promise<TokenInfo[] | null> {
    return this.transaction(async (client) => {
      const { rows } = await client.query<{ removed_at: string | null }>(
        'SELECT removed_at FROM users WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
        [tenantId, userId],
      );
      if (rows.length === 0) return { value: null, rollback: true };
      const revoked =
        rows[0]!.removed_at === null ? ((await this.removeUserWith(client, tenantId, userId)) ?? []) : [];
      await this.unname(client, tenantId, userId);
      // Single sign-on: the emails the audit and the waiting list hold, the identity link (a later
      // sign-in starts afresh), the sessions' refresh tokens.
      await client.query(
        `UPDATE audit SET detail = '' WHERE tenant_id = $1 AND (
           (kind IN ('sso-joined', 'sso-approved') AND subject_id = $2)
           OR (kind = 'sso-requested' AND detail IN
                (SELECT id || ': ' || email FROM sso_requests WHERE tenant_id = $1 AND user_id = $2)))`,
        [tenantId, userId],
      );
      await client.query(
        `WITH r AS (DELETE FROM sso_requests WHERE tenant_id = $1 AND user_id = $2),
              i AS (DELETE FROM sso_identities WHERE tenant_id = $1 AND user_id = $2)
         DELETE FROM session_refresh WHERE token_id IN (SELECT id FROM tokens WHERE user_id = $2)`,
        [tenantId, userId],
      );
      await client.query(
        `WITH u AS (UPDATE users SET name = '', erased_at = $3 WHERE tenant_id = $1 AND id = $2),
              a AS (UPDATE audit SET detail = '' WHERE tenant_id = $1
                      AND kind IN ('token-created', 'token-revoked')
                      AND token_id IN (SELECT id FROM tokens WHERE user_id = $2)),
              n AS (DELETE FROM notifications WHERE tenant_id = $1 AND (actor_id = $2 OR user_id = $2)),
              p AS (DELETE FROM participants WHERE tenant_id = $1 AND user_id = $2),
              w AS (DELETE FROM watches WHERE tenant_id = $1 AND user_id = $2),
              i AS (DELETE FROM inboxes WHERE tenant_id = $1 AND user_id = $2),
              r AS (DELETE FROM read_positions WHERE tenant_id = $1 AND user_id = $2),
              e AS (DELETE FROM erasure_requests WHERE tenant_id = $1 AND user_id = $2)
         UPDATE tokens SET label = '' WHERE tenant_id = $1 AND user_id = $2`,
        [tenantId, userId, Date.now()],
      );
      return { value: revoked };
    });
  }

  async requestErasure(tenantId: string, userId: string, at: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO erasure_requests (tenant_id, user_id, requested_at)
       SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2 AND removed_at IS NULL)
       ON CONFLICT (tenant_id, user_id) DO NOTHING`,
      [tenantId, userId, at],
    );
    if ((rowCount ?? 0) > 0) return true;
    const { rows } = await this.pool.query(
      'SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2 AND removed_at IS NULL',
      [tenantId, userId],
    );
    return rows.length > 0;
  }

  async listErasureRequests(tenantId: string): Promise<ErasureRequest[]> {
    const { rows } = await this.pool.query<{ user_id: string; requested_at: string }>(
      `SELECT user_id, requested_at FROM erasure_requests WHERE tenant_id = $1
       ORDER BY requested_at, user_id`,
      [tenantId],
    );
    return rows.map((r) => ({ userId: r.user_id, requestedAt: Number(r.requested_at) }));
  }

  async dropErasureRequest(tenantId: string, userId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'DELETE FROM erasure_requests WHERE tenant_id = $1 AND user_id = $2',
      [tenantId, userId],
    );
    return (rowCount ?? 0) > 0;
  }

  async addAudit(e: NewAuditEntry): Promise<void> {
    await this.pool.query(AUDIT_INSERT, [
      e.tenantId,
      e.at,
      e.kind,
      e.actorId,
      e.subjectId,
      e.tokenId,
      e.page,
      e.chatId,
      e.commentId,
      e.seq,
      e.detail,
    ]);
  }

  async listAudit(tenantId: string, limit: number, before = Number.MAX_SAFE_INTEGER): Promise<AuditEntry[]> {
    const { rows } = await this.pool.query<AuditRowPg>(
      'SELECT * FROM audit WHERE tenant_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3',
      [tenantId, before, limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      tenantId: r.tenant_id,
      at: Number(r.at),
      kind: r.kind,
      actorId: r.actor_id,
      subjectId: r.subject_id,
      tokenId: r.token_id,
      page: r.page,
      chatId: r.chat_id,
      commentId: r.comment_id,
      seq: r.seq === null ? null : Number(r.seq),
      detail: r.detail,
    }));
  }

  async compact(now = Date.now()): Promise<number> {
    const before = now - this.replayWindow.ageMs;
    let removed = 0;
    for (;;) {
      const { rows } = await this.pool.query<{ n: string }>(
        `WITH e AS (DELETE FROM events WHERE (tenant_id, page, seq) IN
                      (SELECT tenant_id, page, seq FROM events WHERE created_at < $1 LIMIT ${COMPACT_BATCH})
                    RETURNING 1),
              w AS (DELETE FROM writes WHERE (tenant_id, broadcast_id) IN
                      (SELECT tenant_id, broadcast_id FROM writes WHERE created_at < $1 LIMIT ${COMPACT_BATCH})
                    RETURNING 1)
         SELECT (SELECT count(*) FROM e) + (SELECT count(*) FROM w) AS n`,
        [before],
      );
      const n = Number(rows[0]!.n);
      removed += n;
      if (n === 0) return removed + (await this.sso.compact(now));
    }
  }

  async addUsage(deltas: UsageDelta[]): Promise<void> {
    await addUsagePg(this.pool, deltas);
  }

  async usage(tenantId: string, fromHour: number, toHour: number): Promise<UsageRow[]> {
    return usagePg(this.pool, tenantId, fromHour, toHour);
  }
}

/** A DiscussionFilter's conditions on `d`, parameters $2 to $9 (see pgFilterParams). */
const PG_FILTER_SQL = `($2::text IS NULL OR d.page = $2) AND ($3::text IS NULL OR d.site = $3)
  AND ($4::text IS NULL OR d.creator_id = $4)
  AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM comments a
       WHERE a.tenant_id = d.tenant_id AND a.author_id = $5 AND a.chat_id = d.id))
  AND ($6::bigint IS NULL OR d.last_activity_at >= $6) AND ($7::bigint IS NULL OR d.last_activity_at <= $7)
  AND ($8::text IS NULL OR ($8::text = 'resolved') = (d.resolved_at IS NOT NULL))
  AND ($9::text IS NULL OR EXISTS (SELECT 1 FROM comments m
       WHERE m.tenant_id = d.tenant_id AND m.chat_id = d.id AND strpos(m.text, $9::text) > 0))`;

/** The same parameters when no filter is set: each is null, a condition PostgreSQL decides once. */
const NO_FILTER_SQL = `($2::text IS NULL AND $3::text IS NULL AND $4::text IS NULL AND $5::text IS NULL
  AND $6::bigint IS NULL AND $7::bigint IS NULL AND $8::text IS NULL AND $9::text IS NULL)`;

function pgFilterParams(f: DiscussionFilter): (string | number | null)[] {
  return [
    f.page ?? null,
    f.site ?? null,
    f.creatorId ?? null,
    f.authorId ?? null,
    f.from ?? null,
    f.to ?? null,
    f.state ?? null,
    f.mentionsId === undefined ? null : mentionToken(f.mentionsId),
  ];
}

const SNAPSHOT_BATCH = 2000;
const COMPACT_BATCH = 500;

interface CommentRowPg {
  author_id: string;
  author_name: string;
  text: string;
  at: string;
  edited_at: string | null;
}

interface NotificationRowPgFull {
  seq: string;
  kind: NotificationKind;
  page: string;
  chat_id: string;
  comment_id: string | null;
  actor_id: string;
  actor_name: string | null;
  at: string;
  read_at: string | null;
  text: string | null;
}

type NotificationRowPg = { latest: string | null; unread: string } & {
  [K in keyof NotificationRowPgFull]: NotificationRowPgFull[K] | null;
};

interface ResolutionRowPg {
  resolved_by: string | null;
  resolved_by_name: string | null;
  resolved_at: string | null;
}

interface SnapshotRowPg extends CommentRowPg, ResolutionRowPg {
  page_seq: string | null;
  d_ord: string;
  d_id: string;
  selectors: string;
  m_ord: string | null;
  m_id: string | null;
}

interface LogRowPg extends CommentRowPg, ResolutionRowPg {
  page_seq: string | null;
  seq: string | null;
  broadcast_id: string | null;
  kind: LogKind | null;
  chat_id: string | null;
  comment_id: string | null;
  selectors: string | null;
  m_id: string | null;
}

async function findApplied(
  db: pg.Pool | pg.PoolClient,
  tenantId: string,
  broadcastId: string,
): Promise<{ page: string; seq: number } | null> {
  const { rows } = await db.query<{ page: string; seq: string }>(
    'SELECT page, seq FROM writes WHERE tenant_id = $1 AND broadcast_id = $2',
    [tenantId, broadcastId],
  );
  return rows[0] ? { page: rows[0].page, seq: Number(rows[0].seq) } : null;
}
