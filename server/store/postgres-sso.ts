// The PostgreSQL side of single sign-on (SsoStore in ./types); the same rules as ./sqlite-sso.ts,
// made atomic across nodes with row locks and ON CONFLICT.
import { postgresAuditKindsThrough } from './audit-kinds';
import type pg from 'pg';
import type {
  NewSession,
  RotateResult,
  SessionRotation,
  SsoRequest,
  SsoStore,
  TokenAuth,
  TokenInfo,
  User,
} from './types';
import { ssoRequestOf, type SsoRequestRow } from './rows';

export const POSTGRES_SSO_MIGRATION = `
  ALTER TABLE tokens ADD COLUMN expires_at bigint;
  CREATE TABLE sso_identities (
    tenant_id text NOT NULL,
    issuer text NOT NULL,
    subject text NOT NULL,
    user_id text NOT NULL,
    created_at bigint NOT NULL,
    PRIMARY KEY (tenant_id, issuer, subject)
  );
  CREATE INDEX sso_identities_user ON sso_identities(user_id);
  CREATE TABLE sso_requests (
    id text PRIMARY KEY,
    tenant_id text NOT NULL,
    issuer text NOT NULL,
    subject text NOT NULL,
    email text NOT NULL,
    name text NOT NULL,
    requested_at bigint NOT NULL,
    decision text CHECK (decision IN ('approved', 'refused')),
    decided_at bigint,
    decided_by text,
    user_id text,
    UNIQUE (tenant_id, issuer, subject)
  );
  CREATE TABLE sso_pending (
    key text PRIMARY KEY,
    value text NOT NULL,
    expires_at bigint NOT NULL
  );
  CREATE INDEX sso_pending_expiry ON sso_pending(expires_at);
  CREATE TABLE session_refresh (
    hash text PRIMARY KEY,
    token_id text NOT NULL,
    expires_at bigint NOT NULL,
    used_at bigint
  );
  CREATE INDEX session_refresh_token ON session_refresh(token_id);
  CREATE INDEX session_refresh_expiry ON session_refresh(expires_at);
${postgresAuditKindsThrough('sso-refused')}`;

/** What the PostgreSQL store lends: its transactions and its reads of the directory. */
export interface PostgresDirectory {
  pool: pg.Pool;
  transaction<T>(work: (client: pg.PoolClient) => Promise<{ value: T; rollback?: boolean }>): Promise<T>;
  tokenById(q: pg.ClientBase | pg.Pool, id: string): Promise<TokenInfo | null>;
  userById(q: pg.ClientBase | pg.Pool, id: string): Promise<User | null>;
  authOf(q: pg.ClientBase | pg.Pool, tokenId: string): Promise<TokenAuth | null>;
  insertToken(q: pg.ClientBase, token: NewSession['token']): Promise<TokenInfo>;
}

const BATCH = 500;

export class PostgresSsoStore implements SsoStore {
  constructor(private readonly d: PostgresDirectory) {}

  async putOneTime(key: string, value: string, expiresAt: number): Promise<void> {
    await this.d.pool.query(
      `INSERT INTO sso_pending (key, value, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
      [key, value, expiresAt],
    );
  }

  async takeOneTime(key: string, now: number): Promise<string | null> {
    const { rows } = await this.d.pool.query<{ value: string; expires_at: string }>(
      'DELETE FROM sso_pending WHERE key = $1 RETURNING value, expires_at',
      [key],
    );
    const row = rows[0];
    return row && Number(row.expires_at) > now ? row.value : null;
  }

  async findMember(tenantId: string, issuer: string, subject: string): Promise<User | null> {
    const { rows } = await this.d.pool.query<{ user_id: string }>(
      'SELECT user_id FROM sso_identities WHERE tenant_id = $1 AND issuer = $2 AND subject = $3',
      [tenantId, issuer, subject],
    );
    return rows[0] ? this.d.userById(this.d.pool, rows[0].user_id) : null;
  }

  async addMember(
    tenantId: string,
    identity: { issuer: string; subject: string },
    member: { userId: string; name: string; at: number },
  ): Promise<{ user: User; created: boolean }> {
    return this.d.transaction<{ user: User; created: boolean }>(async (client) => {
      const link = await this.linkNewMember(client, tenantId, identity, member);
      const user = (await this.d.userById(client, link.userId))!;
      // Another sign-in linked the identity first: the member made here goes with the rollback.
      return link.linked
        ? { value: { user, created: true } }
        : { value: { user, created: false }, rollback: true };
    });
  }

  /**
   * In the caller's transaction: makes the member and links the identity to it, after dropping a
   * stale link (to a member no longer in the directory: erased). When the identity is linked
   * already, says to whom; the member made here is then the caller's to undo.
   */
  private async linkNewMember(
    client: pg.PoolClient,
    tenantId: string,
    identity: { issuer: string; subject: string },
    member: { userId: string; name: string; at: number },
  ): Promise<{ linked: boolean; userId: string }> {
    await client.query(
      `DELETE FROM sso_identities i WHERE tenant_id = $1 AND issuer = $2 AND subject = $3
         AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = i.user_id)`,
      [tenantId, identity.issuer, identity.subject],
    );
    await client.query('INSERT INTO users (id, tenant_id, name, created_at) VALUES ($1, $2, $3, $4)', [
      member.userId,
      tenantId,
      member.name,
      member.at,
    ]);
    const linked = await client.query(
      `INSERT INTO sso_identities (tenant_id, issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING`,
      [tenantId, identity.issuer, identity.subject, member.userId, member.at],
    );
    if (linked.rowCount === 1) return { linked: true, userId: member.userId };
    const { rows } = await client.query<{ user_id: string }>(
      'SELECT user_id FROM sso_identities WHERE tenant_id = $1 AND issuer = $2 AND subject = $3',
      [tenantId, identity.issuer, identity.subject],
    );
    return { linked: false, userId: rows[0]!.user_id };
  }

  async request(
    r: Omit<SsoRequest, 'decision' | 'decidedAt' | 'decidedBy' | 'userId'>,
  ): Promise<{ request: SsoRequest; created: boolean }> {
    const inserted = await this.d.pool.query(
      `INSERT INTO sso_requests (id, tenant_id, issuer, subject, email, name, requested_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, issuer, subject) DO NOTHING`,
      [r.id, r.tenantId, r.issuer, r.subject, r.email, r.name, r.requestedAt],
    );
    return {
      request: (await this.findRequest(r.tenantId, r.issuer, r.subject))!,
      created: inserted.rowCount === 1,
    };
  }

  async findRequest(tenantId: string, issuer: string, subject: string): Promise<SsoRequest | null> {
    const { rows } = await this.d.pool.query<SsoRequestRow>(
      'SELECT * FROM sso_requests WHERE tenant_id = $1 AND issuer = $2 AND subject = $3',
      [tenantId, issuer, subject],
    );
    return rows[0] ? ssoRequestOf(rows[0]) : null;
  }

  async listRequests(tenantId: string, limit: number): Promise<SsoRequest[]> {
    const { rows } = await this.d.pool.query<SsoRequestRow>(
      `SELECT * FROM sso_requests WHERE tenant_id = $1
       ORDER BY decision IS NOT NULL, COALESCE(decided_at, requested_at) DESC, id LIMIT $2`,
      [tenantId, limit],
    );
    return rows.map(ssoRequestOf);
  }

  async decide(
    tenantId: string,
    requestId: string,
    decision: 'approved' | 'refused',
    by: string,
    at: number,
    member: { userId: string },
  ): Promise<{ request: SsoRequest; changed: boolean } | null> {
    return this.d.transaction<{ request: SsoRequest; changed: boolean } | null>(async (client) => {
      const { rows } = await client.query<SsoRequestRow>(
        'SELECT * FROM sso_requests WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
        [tenantId, requestId],
      );
      const row = rows[0];
      if (!row) return { value: null };
      if (row.decision !== null) return { value: { request: ssoRequestOf(row), changed: false } };
      let userId: string | null = null;
      if (decision === 'approved') {
        const link = await this.linkNewMember(client, tenantId, row, {
          userId: member.userId,
          name: row.name,
          at,
        });
        // Linked already (by an email rule changed since): the new row is not needed.
        if (!link.linked) await client.query('DELETE FROM users WHERE id = $1', [member.userId]);
        userId = link.userId;
      }
      const updated = await client.query<SsoRequestRow>(
        `UPDATE sso_requests SET decision = $1, decided_at = $2, decided_by = $3, user_id = $4
         WHERE id = $5 RETURNING *`,
        [decision, at, by, userId, requestId],
      );
      return { value: { request: ssoRequestOf(updated.rows[0]!), changed: true } };
    });
  }

  async startSession(session: NewSession): Promise<TokenInfo> {
    return this.d.transaction(async (client) => {
      const token = await this.d.insertToken(client, session.token);
      await client.query('INSERT INTO session_refresh (hash, token_id, expires_at) VALUES ($1, $2, $3)', [
        session.refreshHash,
        session.token.id,
        session.refreshExpiresAt,
      ]);
      return { value: token };
    });
  }

  async rotateSession(refreshHash: string, now: number, next: SessionRotation): Promise<RotateResult> {
    return this.d.transaction<RotateResult>(async (client) => {
      // The row lock serialises two presenters of one refresh token: the second sees it spent.
      const { rows } = await client.query<{ token_id: string; expires_at: string; used_at: string | null }>(
        'SELECT token_id, expires_at, used_at FROM session_refresh WHERE hash = $1 FOR UPDATE',
        [refreshHash],
      );
      const row = rows[0];
      if (!row) return { value: { status: 'unknown' } };
      const token = await this.d.tokenById(client, row.token_id);
      if (!token) return { value: { status: 'unknown' } };
      if (token.revokedAt !== null) return { value: { status: 'revoked' } };
      if (row.used_at !== null) {
        await client.query('UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [
          now,
          token.id,
        ]);
        return { value: { status: 'reused', token: (await this.d.tokenById(client, token.id))! } };
      }
      if (Number(row.expires_at) <= now) return { value: { status: 'expired' } };
      await client.query('UPDATE session_refresh SET used_at = $1 WHERE hash = $2', [now, refreshHash]);
      await client.query('INSERT INTO session_refresh (hash, token_id, expires_at) VALUES ($1, $2, $3)', [
        next.refreshHash,
        token.id,
        next.refreshExpiresAt,
      ]);
      await client.query('UPDATE tokens SET hash = $1, expires_at = $2 WHERE id = $3', [
        next.accessHash,
        next.expiresAt,
        token.id,
      ]);
      const auth = await this.d.authOf(client, token.id);
      return { value: auth ? { status: 'rotated', auth } : { status: 'unknown' } };
    });
  }

  async compact(now: number): Promise<number> {
    const oneTime = await this.d.pool.query(
      `DELETE FROM sso_pending WHERE key IN (SELECT key FROM sso_pending WHERE expires_at <= $1 LIMIT ${BATCH})`,
      [now],
    );
    const refresh = await this.d.pool.query(
      `DELETE FROM session_refresh WHERE hash IN
         (SELECT hash FROM session_refresh WHERE expires_at <= $1 LIMIT ${BATCH})`,
      [now],
    );
    return (oneTime.rowCount ?? 0) + (refresh.rowCount ?? 0);
  }
}
