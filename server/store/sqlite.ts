// The embedded store: one SQLite file (better-sqlite3, WAL) holding the directory (tenants, users,
// hashed tokens), every discussion as a JSON document, each page's seq counter and its event log.
// better-sqlite3 is synchronous, so every commit is one transaction that no other write interleaves.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ChatEventT, DiscussionT, RoleT, WriteFrameT } from '../../lib/protocol';
import { newId } from '../ids';
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

/** Each entry moves the schema from version i to i + 1; never edit one that has shipped. */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX users_tenant ON users(tenant_id);
  CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL CHECK (role IN ('member', 'admin')),
    label TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE INDEX tokens_tenant ON tokens(tenant_id);
  CREATE INDEX tokens_revoked ON tokens(revoked_at) WHERE revoked_at IS NOT NULL;
  CREATE TABLE discussions (
    ord INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    page TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (tenant_id, id)
  );
  CREATE INDEX discussions_page ON discussions(tenant_id, page, ord);
  CREATE TABLE pages (
    tenant_id TEXT NOT NULL,
    page TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, page)
  ) WITHOUT ROWID;
  CREATE TABLE events (
    tenant_id TEXT NOT NULL,
    page TEXT NOT NULL,
    seq INTEGER NOT NULL,
    broadcast_id TEXT NOT NULL,
    frame TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, page, seq),
    UNIQUE (tenant_id, broadcast_id)
  ) WITHOUT ROWID;
  `,
  `
  CREATE TABLE usage (
    tenant_id TEXT NOT NULL,
    hour INTEGER NOT NULL,
    site TEXT NOT NULL,
    messages INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, hour, site)
  ) WITHOUT ROWID;
  `,
];

interface TokenRow {
  id: string;
  tenant_id: string;
  user_id: string;
  role: RoleT;
  label: string;
  created_at: number;
  revoked_at: number | null;
}

function tokenInfo(row: TokenRow): TokenInfo {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    role: row.role,
    label: row.label,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

interface TenantRow {
  id: string;
  name: string;
  created_at: number;
}
const tenant = (r: TenantRow): Tenant => ({ id: r.id, name: r.name, createdAt: r.created_at });

interface UserRow {
  id: string;
  tenant_id: string;
  name: string;
  created_at: number;
}
const user = (r: UserRow): User => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  createdAt: r.created_at,
});

/** Opens (creating it and its directory when missing) and migrates an SQLite store. */
export function openSqliteStore(path: string): SqliteStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Another process (the CLI) may write while the server runs; wait for its lock instead of failing.
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return new SqliteStore(db);
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Database.Database): void {
  const current = schemaVersion(db);
  if (current > MIGRATIONS.length) {
    throw new Error(
      `the database has schema version ${current} but this server knows only ${MIGRATIONS.length}; upgrade the server`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly stmts;

  constructor(readonly db: Database.Database) {
    this.stmts = {
      insertTenant: db.prepare('INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)'),
      listTenants: db.prepare<[], TenantRow>('SELECT * FROM tenants ORDER BY created_at, name'),
      findTenant: db.prepare<[{ v: string }], TenantRow>(
        'SELECT * FROM tenants WHERE id = @v OR name = @v ORDER BY (id = @v) DESC LIMIT 1',
      ),
      insertUser: db.prepare('INSERT INTO users (id, tenant_id, name, created_at) VALUES (?, ?, ?, ?)'),
      listUsers: db.prepare<[string], UserRow>(
        'SELECT * FROM users WHERE tenant_id = ? ORDER BY created_at, name',
      ),
      insertToken: db.prepare(
        `INSERT INTO tokens (id, tenant_id, user_id, role, label, hash, created_at)
         VALUES (@id, @tenantId, @userId, @role, @label, @hash, @createdAt)`,
      ),
      tokenByHash: db.prepare<[string], TokenRow>('SELECT * FROM tokens WHERE hash = ?'),
      tokenById: db.prepare<[string], TokenRow>('SELECT * FROM tokens WHERE id = ?'),
      tenantById: db.prepare<[string], TenantRow>('SELECT * FROM tenants WHERE id = ?'),
      userById: db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?'),
      revokeToken: db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      listTokens: db.prepare<[string], TokenRow>(
        'SELECT * FROM tokens WHERE tenant_id = ? ORDER BY created_at, id',
      ),
      revokedSince: db.prepare<[number], TokenRow>(
        'SELECT * FROM tokens WHERE revoked_at IS NOT NULL AND revoked_at >= ? ORDER BY revoked_at',
      ),
      pageSeq: db.prepare<[string, string], { seq: number }>(
        'SELECT seq FROM pages WHERE tenant_id = ? AND page = ?',
      ),
      bumpSeq: db.prepare<[string, string], { seq: number }>(
        `INSERT INTO pages (tenant_id, page, seq) VALUES (?, ?, 1)
         ON CONFLICT (tenant_id, page) DO UPDATE SET seq = seq + 1 RETURNING seq`,
      ),
      pageChats: db.prepare<[string, string], { doc: string }>(
        'SELECT doc FROM discussions WHERE tenant_id = ? AND page = ? ORDER BY ord',
      ),
      discussion: db.prepare<[string, string], { page: string; doc: string }>(
        'SELECT page, doc FROM discussions WHERE tenant_id = ? AND id = ?',
      ),
      insertDiscussion: db.prepare('INSERT INTO discussions (tenant_id, id, page, doc) VALUES (?, ?, ?, ?)'),
      updateDiscussion: db.prepare('UPDATE discussions SET doc = ? WHERE tenant_id = ? AND id = ?'),
      deleteDiscussion: db.prepare('DELETE FROM discussions WHERE tenant_id = ? AND id = ?'),
      eventByBroadcast: db.prepare<[string, string], { page: string; seq: number }>(
        'SELECT page, seq FROM events WHERE tenant_id = ? AND broadcast_id = ?',
      ),
      insertEvent: db.prepare(
        'INSERT INTO events (tenant_id, page, seq, broadcast_id, frame, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      eventsAfter: db.prepare<[string, string, number, number], { frame: string }>(
        'SELECT frame FROM events WHERE tenant_id = ? AND page = ? AND seq > ? ORDER BY seq LIMIT ?',
      ),
      addUsage: db.prepare<[UsageDelta]>(
        `INSERT INTO usage (tenant_id, hour, site, messages, bytes)
         VALUES (@tenantId, @hour, @site, @messages, @bytes)
         ON CONFLICT (tenant_id, hour, site) DO UPDATE
         SET messages = messages + excluded.messages, bytes = bytes + excluded.bytes`,
      ),
      usage: db.prepare<[string, number, number], UsageRow>(
        `SELECT hour, site, messages, bytes FROM usage
         WHERE tenant_id = ? AND hour >= ? AND hour <= ? ORDER BY hour, site`,
      ),
    };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async createTenant(name: string): Promise<Tenant> {
    const t: Tenant = { id: newId('ten'), name, createdAt: Date.now() };
    try {
      this.stmts.insertTenant.run(t.id, t.name, t.createdAt);
    } catch (err) {
      if (isUniqueViolation(err)) throw new Error(`a tenant named ${JSON.stringify(name)} already exists`);
      throw err;
    }
    return t;
  }

  async listTenants(): Promise<Tenant[]> {
    return this.stmts.listTenants.all().map(tenant);
  }

  async findTenant(idOrName: string): Promise<Tenant | null> {
    const row = this.stmts.findTenant.get({ v: idOrName });
    return row ? tenant(row) : null;
  }

  async createUser(tenantId: string, name: string): Promise<User> {
    const u: User = { id: newId('usr'), tenantId, name, createdAt: Date.now() };
    this.stmts.insertUser.run(u.id, u.tenantId, u.name, u.createdAt);
    return u;
  }

  async listUsers(tenantId: string): Promise<User[]> {
    return this.stmts.listUsers.all(tenantId).map(user);
  }

  async insertToken(token: NewToken): Promise<TokenInfo> {
    this.stmts.insertToken.run(token);
    return tokenInfo(this.stmts.tokenById.get(token.id)!);
  }

  async findTokenByHash(hash: string): Promise<TokenAuth | null> {
    const row = this.stmts.tokenByHash.get(hash);
    if (!row) return null;
    const t = this.stmts.tenantById.get(row.tenant_id);
    const u = this.stmts.userById.get(row.user_id);
    if (!t || !u) return null;
    return { token: tokenInfo(row), tenant: tenant(t), user: user(u) };
  }

  async revokeToken(tokenId: string, tenantId?: string): Promise<TokenInfo | null> {
    const row = this.stmts.tokenById.get(tokenId);
    if (!row || (tenantId !== undefined && row.tenant_id !== tenantId)) return null;
    this.stmts.revokeToken.run(Date.now(), tokenId);
    return tokenInfo(this.stmts.tokenById.get(tokenId)!);
  }

  async listTokens(tenantId: string): Promise<TokenInfo[]> {
    return this.stmts.listTokens.all(tenantId).map(tokenInfo);
  }

  async tokensRevokedSince(since: number): Promise<TokenInfo[]> {
    return this.stmts.revokedSince.all(since).map(tokenInfo);
  }

  async snapshot(tenantId: string, page: string): Promise<{ seq: number; chats: DiscussionT[] }> {
    // One read transaction so the seq and the discussions belong together.
    return this.db.transaction(() => ({
      seq: this.stmts.pageSeq.get(tenantId, page)?.seq ?? 0,
      chats: this.stmts.pageChats.all(tenantId, page).map((r) => JSON.parse(r.doc) as DiscussionT),
    }))();
  }

  async eventsSince(
    tenantId: string,
    page: string,
    since: number,
    limit: number,
  ): Promise<{ seq: number; events: ChatEventT[] } | null> {
    return this.db.transaction(() => {
      const seq = this.stmts.pageSeq.get(tenantId, page)?.seq ?? 0;
      if (since > seq || seq - since > limit) return null;
      const events = this.stmts.eventsAfter
        .all(tenantId, page, since, limit)
        .map((r) => JSON.parse(r.frame) as ChatEventT);
      if (events.length !== seq - since) return null;
      return { seq, events };
    })();
  }

  async latestSeqs(pages: readonly { tenantId: string; page: string }[]): Promise<number[]> {
    return this.db.transaction(() =>
      pages.map(({ tenantId, page }) => this.stmts.pageSeq.get(tenantId, page)?.seq ?? 0),
    )();
  }

  async commit(tenantId: string, write: WriteFrameT, plan: WritePlanner): Promise<CommitResult> {
    return this.db
      .transaction((): CommitResult => {
        const done = this.stmts.eventByBroadcast.get(tenantId, write.broadcastId);
        if (done) return { status: 'duplicate', page: done.page, seq: done.seq };
        const row = this.stmts.discussion.get(tenantId, write.chatId);
        const current: StoredDiscussion | null = row
          ? { page: row.page, chat: JSON.parse(row.doc) as DiscussionT }
          : null;
        const decision = plan(current);
        if (!decision.ok) return { status: 'rejected', code: decision.code, message: decision.message };
        const page = decision.event.page;
        if (decision.chat === null) {
          this.stmts.deleteDiscussion.run(tenantId, write.chatId);
        } else if (current) {
          this.stmts.updateDiscussion.run(JSON.stringify(decision.chat), tenantId, write.chatId);
        } else {
          this.stmts.insertDiscussion.run(tenantId, write.chatId, page, JSON.stringify(decision.chat));
        }
        const seq = this.stmts.bumpSeq.get(tenantId, page)!.seq;
        const event = { ...decision.event, seq } as ChatEventT;
        this.stmts.insertEvent.run(tenantId, page, seq, write.broadcastId, JSON.stringify(event), Date.now());
        return { status: 'applied', event };
      })
      .immediate();
  }

  async addUsage(deltas: UsageDelta[]): Promise<void> {
    this.db
      .transaction(() => {
        for (const d of deltas) this.stmts.addUsage.run(d);
      })
      .immediate();
  }

  async usage(tenantId: string, fromHour: number, toHour: number): Promise<UsageRow[]> {
    return this.stmts.usage.all(tenantId, fromHour, toHour);
  }
}

function isUniqueViolation(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    'code' in err &&
    (err as { code: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE'
  );
}
