// The SQLite side of single sign-on (SsoStore in ./types): identities linked to members, requests
// waiting for an admin, short-lived one-time values (sign-ins under way, one-time codes) and the
// refresh tokens of signed-in sessions. Only hashes of secrets are kept. Tables: see the migration
// "single sign-on" in ./sqlite.ts.
import { sqliteAuditKindsThrough } from './audit-kinds';
import type Database from 'better-sqlite3';
import type {
  NewSession,
  RotateResult,
  SessionRotation,
  SsoRequest,
  SsoStore,
  Tenant,
  TokenInfo,
  User,
} from './types';
import { ssoRequestOf, type SsoRequestRow } from './rows';

export const SQLITE_SSO_MIGRATION = `
  ALTER TABLE tokens ADD COLUMN expires_at INTEGER;
  CREATE TABLE sso_identities (
    tenant_id TEXT NOT NULL,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, issuer, subject)
  ) WITHOUT ROWID;
  CREATE INDEX sso_identities_user ON sso_identities(user_id);
  CREATE TABLE sso_requests (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    decision TEXT CHECK (decision IN ('approved', 'refused')),
    decided_at INTEGER,
    decided_by TEXT,
    user_id TEXT,
    UNIQUE (tenant_id, issuer, subject)
  );
  CREATE TABLE sso_pending (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX sso_pending_expiry ON sso_pending(expires_at);
  CREATE TABLE session_refresh (
    hash TEXT PRIMARY KEY,
    token_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX session_refresh_token ON session_refresh(token_id);
  CREATE INDEX session_refresh_expiry ON session_refresh(expires_at);
${sqliteAuditKindsThrough('sso-refused', 7)}`;

/** What the SQLite store lends: its rows as the directory reads them. */
export interface SqliteDirectory {
  tokenById(id: string): TokenInfo | null;
  userById(id: string): User | null;
  tenantById(id: string): Tenant | null;
}

/** Rows dropped per compaction statement. */
const BATCH = 500;

export class SqliteSsoStore implements SsoStore {
  private readonly s;

  constructor(
    private readonly db: Database.Database,
    private readonly dir: SqliteDirectory,
  ) {
    this.s = {
      putOneTime: db.prepare('INSERT OR REPLACE INTO sso_pending (key, value, expires_at) VALUES (?, ?, ?)'),
      takeOneTime: db.prepare<[string], { value: string; expires_at: number }>(
        'DELETE FROM sso_pending WHERE key = ? RETURNING value, expires_at',
      ),
      findMember: db.prepare<[string, string, string], { user_id: string }>(
        'SELECT user_id FROM sso_identities WHERE tenant_id = ? AND issuer = ? AND subject = ?',
      ),
      link: db.prepare(
        'INSERT INTO sso_identities (tenant_id, issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      unlink: db.prepare('DELETE FROM sso_identities WHERE tenant_id = ? AND issuer = ? AND subject = ?'),
      insertUser: db.prepare('INSERT INTO users (id, tenant_id, name, created_at) VALUES (?, ?, ?, ?)'),
      findRequest: db.prepare<[string, string, string], SsoRequestRow>(
        'SELECT * FROM sso_requests WHERE tenant_id = ? AND issuer = ? AND subject = ?',
      ),
      requestById: db.prepare<[string, string], SsoRequestRow>(
        'SELECT * FROM sso_requests WHERE tenant_id = ? AND id = ?',
      ),
      insertRequest: db.prepare(
        `INSERT INTO sso_requests (id, tenant_id, issuer, subject, email, name, requested_at)
         VALUES (@id, @tenantId, @issuer, @subject, @email, @name, @requestedAt)
         ON CONFLICT (tenant_id, issuer, subject) DO NOTHING`,
      ),
      listRequests: db.prepare<[string, number], SsoRequestRow>(
        `SELECT * FROM sso_requests WHERE tenant_id = ?
         ORDER BY decision IS NOT NULL, COALESCE(decided_at, requested_at) DESC, id LIMIT ?`,
      ),
      decide: db.prepare(
        `UPDATE sso_requests SET decision = ?, decided_at = ?, decided_by = ?, user_id = ?
         WHERE id = ? AND decision IS NULL`,
      ),
      insertToken: db.prepare(
        `INSERT INTO tokens (id, tenant_id, user_id, role, label, hash, created_at, created_by, expires_at)
         VALUES (@id, @tenantId, @userId, @role, @label, @hash, @createdAt, @createdBy, @expiresAt)`,
      ),
      insertRefresh: db.prepare('INSERT INTO session_refresh (hash, token_id, expires_at) VALUES (?, ?, ?)'),
      refreshByHash: db.prepare<[string], { token_id: string; expires_at: number; used_at: number | null }>(
        'SELECT token_id, expires_at, used_at FROM session_refresh WHERE hash = ?',
      ),
      spendRefresh: db.prepare('UPDATE session_refresh SET used_at = ? WHERE hash = ? AND used_at IS NULL'),
      rotateAccess: db.prepare('UPDATE tokens SET hash = ?, expires_at = ? WHERE id = ?'),
      revokeToken: db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      dropOneTime: db.prepare(
        `DELETE FROM sso_pending WHERE key IN (SELECT key FROM sso_pending WHERE expires_at <= ? LIMIT ${BATCH})`,
      ),
      dropRefresh: db.prepare(
        `DELETE FROM session_refresh WHERE hash IN (SELECT hash FROM session_refresh WHERE expires_at <= ? LIMIT ${BATCH})`,
      ),
    };
  }

  async putOneTime(key: string, value: string, expiresAt: number): Promise<void> {
    this.s.putOneTime.run(key, value, expiresAt);
  }

  async takeOneTime(key: string, now: number): Promise<string | null> {
    const row = this.s.takeOneTime.get(key);
    return row && row.expires_at > now ? row.value : null;
  }

  async findMember(tenantId: string, issuer: string, subject: string): Promise<User | null> {
    const row = this.s.findMember.get(tenantId, issuer, subject);
    return row ? this.dir.userById(row.user_id) : null;
  }

  async addMember(
    tenantId: string,
    identity: { issuer: string; subject: string },
    member: { userId: string; name: string; at: number },
  ): Promise<{ user: User; created: boolean }> {
    return this.db
      .transaction(() => {
        const linked = this.s.findMember.get(tenantId, identity.issuer, identity.subject);
        const known = linked ? this.dir.userById(linked.user_id) : null;
        if (known) return { user: known, created: false };
        // A link to a member no longer in the directory (erased) is stale: it goes.
        if (linked) this.s.unlink.run(tenantId, identity.issuer, identity.subject);
        this.s.insertUser.run(member.userId, tenantId, member.name, member.at);
        this.s.link.run(tenantId, identity.issuer, identity.subject, member.userId, member.at);
        return { user: this.dir.userById(member.userId)!, created: true };
      })
      .immediate();
  }

  async request(
    r: Omit<SsoRequest, 'decision' | 'decidedAt' | 'decidedBy' | 'userId'>,
  ): Promise<{ request: SsoRequest; created: boolean }> {
    const created = this.s.insertRequest.run(r).changes === 1;
    return { request: ssoRequestOf(this.s.findRequest.get(r.tenantId, r.issuer, r.subject)!), created };
  }

  async findRequest(tenantId: string, issuer: string, subject: string): Promise<SsoRequest | null> {
    const row = this.s.findRequest.get(tenantId, issuer, subject);
    return row ? ssoRequestOf(row) : null;
  }

  async listRequests(tenantId: string, limit: number): Promise<SsoRequest[]> {
    return this.s.listRequests.all(tenantId, limit).map(ssoRequestOf);
  }

  async decide(
    tenantId: string,
    requestId: string,
    decision: 'approved' | 'refused',
    by: string,
    at: number,
    member: { userId: string },
  ): Promise<{ request: SsoRequest; changed: boolean } | null> {
    return this.db
      .transaction(() => {
        const row = this.s.requestById.get(tenantId, requestId);
        if (!row) return null;
        if (row.decision !== null) return { request: ssoRequestOf(row), changed: false };
        let userId: string | null = null;
        if (decision === 'approved') {
          const linked = this.s.findMember.get(tenantId, row.issuer, row.subject);
          const known = linked ? this.dir.userById(linked.user_id) : null;
          userId = known?.id ?? member.userId;
          if (!known) {
            if (linked) this.s.unlink.run(tenantId, row.issuer, row.subject);
            this.s.insertUser.run(userId, tenantId, row.name, at);
            this.s.link.run(tenantId, row.issuer, row.subject, userId, at);
          }
        }
        this.s.decide.run(decision, at, by, userId, requestId);
        return { request: ssoRequestOf(this.s.requestById.get(tenantId, requestId)!), changed: true };
      })
      .immediate();
  }

  async startSession(session: NewSession): Promise<TokenInfo> {
    return this.db
      .transaction(() => {
        this.s.insertToken.run({ ...session.token, createdBy: session.token.createdBy ?? null });
        this.s.insertRefresh.run(session.refreshHash, session.token.id, session.refreshExpiresAt);
        return this.dir.tokenById(session.token.id)!;
      })
      .immediate();
  }

  async rotateSession(refreshHash: string, now: number, next: SessionRotation): Promise<RotateResult> {
    return this.db
      .transaction((): RotateResult => {
        const row = this.s.refreshByHash.get(refreshHash);
        if (!row) return { status: 'unknown' };
        const token = this.dir.tokenById(row.token_id);
        if (!token) return { status: 'unknown' };
        if (token.revokedAt !== null) return { status: 'revoked' };
        if (row.used_at !== null) {
          // A spent refresh token came back: another holder has a copy. The session ends.
          this.s.revokeToken.run(now, token.id);
          return { status: 'reused', token: this.dir.tokenById(token.id)! };
        }
        if (row.expires_at <= now) return { status: 'expired' };
        this.s.spendRefresh.run(now, refreshHash);
        this.s.insertRefresh.run(next.refreshHash, token.id, next.refreshExpiresAt);
        this.s.rotateAccess.run(next.accessHash, next.expiresAt, token.id);
        const rotated = this.dir.tokenById(token.id)!;
        const user = this.dir.userById(rotated.userId);
        const tenant = this.dir.tenantById(rotated.tenantId);
        if (!user || !tenant) return { status: 'unknown' };
        return { status: 'rotated', auth: { token: rotated, user, tenant } };
      })
      .immediate();
  }

  async compact(now: number): Promise<number> {
    return this.s.dropOneTime.run(now).changes + this.s.dropRefresh.run(now).changes;
  }
}
