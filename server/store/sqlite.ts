// The embedded store: one SQLite file (better-sqlite3, WAL) holding the directory (tenants, users,
// hashed tokens), discussions and comments as rows, each page's seq counter and its event log (ids
// only, compacted to the replay window). better-sqlite3 is synchronous, so every commit is one
// transaction that no other write interleaves, and each read is bounded (snapshots come in pages).
// `secure_delete` zeroes what a delete or an edit frees, and compaction checkpoints the WAL, so
// deleted text leaves the file.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  LIMITS,
  mentionedIds,
  mentionToken,
  type DiscussionEventT,
  type CommentT,
  type DiscussionT,
  type NotificationKind,
  type RoleT,
  type SelectorT,
  type WriteFrameT,
} from '../../lib/protocol';
import { recipientsOf } from '../notify';
import { sqliteAuditKindsThrough } from './audit-kinds';
import { SQLITE_SSO_MIGRATION, SqliteSsoStore } from './sqlite-sso';
import { mergeHits, type DiscussionHitRow, type CommentHitRow } from './search-hits';
import {
  decodeListCursor,
  encodeListCursor,
  fts5Query,
  MARK_END,
  MARK_START,
  queryWords,
  quoteOf,
  SEARCH_CANDIDATES,
} from './search-text';
import { newId } from '../ids';
import { siteOf } from '../../lib/page-key/normalise';
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
  type StoreOptions,
  type Tenant,
  type TokenAuth,
  type TokenInfo,
  type UsageDelta,
  type UsageRow,
  type User,
  type WritePlanner,
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
  `
  ALTER TABLE discussions RENAME TO discussions_v2;
  ALTER TABLE events RENAME TO events_v2;
  CREATE TABLE discussions (
    ord INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    page TEXT NOT NULL,
    selectors TEXT NOT NULL,
    creator_id TEXT NOT NULL,
    opening_id TEXT NOT NULL,
    comment_count INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    token_id TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, id)
  );
  CREATE TABLE comments (
    ord INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    id TEXT NOT NULL,
    author_id TEXT NOT NULL,
    author_name TEXT NOT NULL,
    text TEXT NOT NULL,
    at INTEGER NOT NULL,
    edited_at INTEGER,
    token_id TEXT,
    UNIQUE (tenant_id, chat_id, id)
  );
  CREATE TABLE events (
    tenant_id TEXT NOT NULL,
    page TEXT NOT NULL,
    seq INTEGER NOT NULL,
    broadcast_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('create', 'add', 'edit', 'remove', 'drop')),
    chat_id TEXT NOT NULL,
    comment_id TEXT,
    token_id TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, page, seq)
  ) WITHOUT ROWID;
  CREATE TABLE writes (
    tenant_id TEXT NOT NULL,
    broadcast_id TEXT NOT NULL,
    page TEXT NOT NULL,
    seq INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, broadcast_id)
  ) WITHOUT ROWID;
  CREATE TABLE tenant_bytes (
    tenant_id TEXT PRIMARY KEY,
    bytes INTEGER NOT NULL
  ) WITHOUT ROWID;
  ALTER TABLE pages ADD COLUMN chats INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE tokens ADD COLUMN created_by TEXT;

  INSERT INTO discussions (ord, tenant_id, id, page, selectors, creator_id, opening_id, comment_count,
                           bytes, token_id, created_at)
  SELECT d.ord, d.tenant_id, d.id, d.page, json_extract(d.doc, '$.selectors'),
         COALESCE(c.creator, json_extract(d.doc, '$.comments[0].author.id'), ''),
         COALESCE(c.opening, json_extract(d.doc, '$.comments[0].id'), ''),
         json_array_length(d.doc, '$.comments'),
         length(CAST(json_extract(d.doc, '$.selectors') AS BLOB)) + COALESCE(
           (SELECT SUM(length(CAST(json_extract(j.value, '$.text') AS BLOB)))
            FROM json_each(d.doc, '$.comments') j), 0),
         NULL, COALESCE(c.at, json_extract(d.doc, '$.comments[0].at'), 0)
  FROM discussions_v2 d LEFT JOIN (
    SELECT tenant_id, json_extract(frame, '$.chat.id') AS chat_id,
           json_extract(frame, '$.chat.comments[0].author.id') AS creator,
           json_extract(frame, '$.chat.comments[0].id') AS opening,
           json_extract(frame, '$.chat.comments[0].at') AS at, MAX(created_at)
    FROM events_v2 WHERE json_extract(frame, '$.type') = 'new-text-chat'
    GROUP BY 1, 2
  ) c ON c.tenant_id = d.tenant_id AND c.chat_id = d.id
  ORDER BY d.ord;
  INSERT INTO comments (tenant_id, chat_id, id, author_id, author_name, text, at, edited_at)
  SELECT d.tenant_id, d.id, json_extract(j.value, '$.id'), json_extract(j.value, '$.author.id'),
         json_extract(j.value, '$.author.name'), json_extract(j.value, '$.text'),
         json_extract(j.value, '$.at'), json_extract(j.value, '$.editedAt')
  FROM discussions_v2 d, json_each(d.doc, '$.comments') j
  ORDER BY d.ord, j.key;
  INSERT INTO events (tenant_id, page, seq, broadcast_id, kind, chat_id, comment_id, created_at)
  SELECT tenant_id, page, seq, broadcast_id,
         CASE json_extract(frame, '$.type')
           WHEN 'new-text-chat' THEN 'create'
           WHEN 'deleted-text-chat' THEN 'drop'
           ELSE CASE json_extract(frame, '$.change.op')
             WHEN 'add-comment' THEN 'add' WHEN 'edit-comment' THEN 'edit' ELSE 'remove' END
         END,
         COALESCE(json_extract(frame, '$.chat.id'), json_extract(frame, '$.chatId')),
         CASE json_extract(frame, '$.type')
           WHEN 'new-text-chat' THEN json_extract(frame, '$.chat.comments[0].id')
           WHEN 'deleted-text-chat' THEN NULL
           ELSE COALESCE(json_extract(frame, '$.change.comment.id'), json_extract(frame, '$.change.commentId'))
         END,
         created_at
  FROM events_v2;
  INSERT INTO writes (tenant_id, broadcast_id, page, seq, created_at)
  SELECT tenant_id, broadcast_id, page, seq, created_at FROM events_v2;
  UPDATE pages SET chats = (SELECT count(*) FROM discussions d
                            WHERE d.tenant_id = pages.tenant_id AND d.page = pages.page);
  INSERT INTO tenant_bytes (tenant_id, bytes) SELECT tenant_id, SUM(bytes) FROM discussions GROUP BY tenant_id;
  DROP TABLE discussions_v2;
  DROP TABLE events_v2;
  CREATE INDEX discussions_page ON discussions(tenant_id, page, ord);
  CREATE INDEX comments_chat ON comments(tenant_id, chat_id, ord);
  CREATE INDEX events_age ON events(created_at);
  CREATE INDEX writes_age ON writes(created_at);
  `,
  `
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('token-created', 'token-revoked', 'admin-delete', 'delegated-write')),
    actor_id TEXT,
    subject_id TEXT,
    token_id TEXT,
    page TEXT,
    chat_id TEXT,
    comment_id TEXT,
    seq INTEGER,
    detail TEXT NOT NULL
  );
  CREATE INDEX audit_tenant ON audit(tenant_id, id);
  `,
  // Page titles, the quote and site as columns, activity times, and full-text search. The FTS5
  // tables index the rows' own text (external content) and are kept equal to them by triggers, so
  // deleting or editing a row takes its words out of the index in the same transaction;
  // 'secure-delete' removes them from the index's pages at once instead of leaving them under a
  // delete marker until the next merge. Prefix indexes of 1 to 3 characters make the prefix query
  // of search as you type a lookup instead of a merge of every word that starts with it.
  `
  ALTER TABLE discussions ADD COLUMN title TEXT;
  ALTER TABLE discussions ADD COLUMN quote TEXT NOT NULL DEFAULT '';
  ALTER TABLE discussions ADD COLUMN site TEXT NOT NULL DEFAULT '';
  ALTER TABLE discussions ADD COLUMN last_activity_at INTEGER NOT NULL DEFAULT 0;
  UPDATE discussions SET
    quote = COALESCE((SELECT json_extract(j.value, '$.exact') FROM json_each(discussions.selectors) j
                      WHERE json_extract(j.value, '$.type') = 'TextQuoteSelector'), ''),
    site = site_of(page),
    last_activity_at = MAX(created_at, COALESCE(
      (SELECT MAX(COALESCE(m.edited_at, m.at)) FROM comments m
       WHERE m.tenant_id = discussions.tenant_id AND m.chat_id = discussions.id), 0));
  CREATE INDEX discussions_activity ON discussions(tenant_id, last_activity_at DESC, ord DESC);
  CREATE INDEX comments_author ON comments(tenant_id, author_id, chat_id);
  CREATE VIRTUAL TABLE comments_fts USING fts5(
    text, content = 'comments', content_rowid = 'ord', tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3');
  CREATE VIRTUAL TABLE discussions_fts USING fts5(
    quote, title, content = 'discussions', content_rowid = 'ord', tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3');
  INSERT INTO comments_fts(comments_fts, rank) VALUES ('secure-delete', 1);
  INSERT INTO discussions_fts(discussions_fts, rank) VALUES ('secure-delete', 1);
  CREATE TRIGGER comments_fts_insert AFTER INSERT ON comments BEGIN
    INSERT INTO comments_fts(rowid, text) VALUES (new.ord, new.text);
  END;
  CREATE TRIGGER comments_fts_delete AFTER DELETE ON comments BEGIN
    INSERT INTO comments_fts(comments_fts, rowid, text) VALUES ('delete', old.ord, old.text);
  END;
  CREATE TRIGGER comments_fts_update AFTER UPDATE OF text ON comments BEGIN
    INSERT INTO comments_fts(comments_fts, rowid, text) VALUES ('delete', old.ord, old.text);
    INSERT INTO comments_fts(rowid, text) VALUES (new.ord, new.text);
  END;
  CREATE TRIGGER discussions_fts_insert AFTER INSERT ON discussions BEGIN
    INSERT INTO discussions_fts(rowid, quote, title) VALUES (new.ord, new.quote, new.title);
  END;
  CREATE TRIGGER discussions_fts_delete AFTER DELETE ON discussions BEGIN
    INSERT INTO discussions_fts(discussions_fts, rowid, quote, title) VALUES ('delete', old.ord, old.quote, old.title);
  END;
  CREATE TRIGGER discussions_fts_update AFTER UPDATE OF quote, title ON discussions BEGIN
    INSERT INTO discussions_fts(discussions_fts, rowid, quote, title) VALUES ('delete', old.ord, old.quote, old.title);
    INSERT INTO discussions_fts(rowid, quote, title) VALUES (new.ord, new.quote, new.title);
  END;
  INSERT INTO comments_fts(comments_fts) VALUES ('rebuild');
  INSERT INTO discussions_fts(discussions_fts) VALUES ('rebuild');
  `,
  `
  ALTER TABLE discussions ADD COLUMN resolved_by TEXT;
  ALTER TABLE discussions ADD COLUMN resolved_by_name TEXT;
  ALTER TABLE discussions ADD COLUMN resolved_at INTEGER;
  ALTER TABLE users ADD COLUMN removed_at INTEGER;
  ALTER TABLE events RENAME TO events_v4;
  CREATE TABLE events (
    tenant_id TEXT NOT NULL,
    page TEXT NOT NULL,
    seq INTEGER NOT NULL,
    broadcast_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('create', 'add', 'edit', 'remove', 'drop', 'resolve')),
    chat_id TEXT NOT NULL,
    comment_id TEXT,
    token_id TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, page, seq)
  ) WITHOUT ROWID;
  INSERT INTO events (tenant_id, page, seq, broadcast_id, kind, chat_id, comment_id, token_id, created_at)
  SELECT tenant_id, page, seq, broadcast_id, kind, chat_id, comment_id, token_id, created_at FROM events_v4;
  DROP TABLE events_v4;
  CREATE INDEX events_age ON events(created_at);
  CREATE TABLE participants (
    tenant_id TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, chat_id, user_id)
  ) WITHOUT ROWID;
  INSERT OR IGNORE INTO participants (tenant_id, chat_id, user_id)
  SELECT tenant_id, id, creator_id FROM discussions;
  INSERT OR IGNORE INTO participants (tenant_id, chat_id, user_id)
  SELECT tenant_id, chat_id, author_id FROM comments;
  CREATE TABLE watches (
    tenant_id TEXT NOT NULL,
    page TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, page, user_id)
  ) WITHOUT ROWID;
  CREATE INDEX watches_user ON watches(tenant_id, user_id);
  CREATE TABLE inboxes (
    tenant_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
  ) WITHOUT ROWID;
  CREATE TABLE notifications (
    tenant_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('mention', 'reply', 'new-chat', 'resolve')),
    page TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    comment_id TEXT,
    actor_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    read_at INTEGER,
    PRIMARY KEY (tenant_id, user_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE read_positions (
    tenant_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    page TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id, chat_id)
  ) WITHOUT ROWID;
  CREATE INDEX read_positions_page ON read_positions(tenant_id, user_id, page);
  CREATE INDEX read_positions_chat ON read_positions(tenant_id, chat_id);
  `,
  // Invite links (only their secret's hash), and the audit's kinds for roles, removals and invites.
  `
${sqliteAuditKindsThrough('invite-redeemed', 6)}
  CREATE TABLE invites (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('member', 'admin')),
    hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    max_uses INTEGER NOT NULL,
    uses INTEGER NOT NULL DEFAULT 0,
    revoked_at INTEGER
  );
  CREATE INDEX invites_tenant ON invites(tenant_id, created_at);
  `,
  // Single sign-on: identities, waiting requests, one-time values (sign-ins under way, codes), sessions
  // (./sqlite-sso.ts).
  SQLITE_SSO_MIGRATION,
  // Retention, erasure requests, erased members, and their audit kinds. A removed member's name
  // leaves their comments and resolutions (they read as a former member's).
  `
${sqliteAuditKindsThrough('erasure-declined', 8)}
  CREATE TABLE tenant_settings (
    tenant_id TEXT PRIMARY KEY,
    retention_days INTEGER
  ) WITHOUT ROWID;
  CREATE TABLE erasure_requests (
    tenant_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
  ) WITHOUT ROWID;
  ALTER TABLE users ADD COLUMN erased_at INTEGER;
  CREATE INDEX discussions_creator ON discussions(tenant_id, creator_id);
  UPDATE comments SET author_name = '' WHERE author_id IN (SELECT id FROM users WHERE removed_at IS NOT NULL);
  UPDATE discussions SET resolved_by_name = ''
    WHERE resolved_by IN (SELECT id FROM users WHERE removed_at IS NOT NULL);
  `,
];

interface InviteRow {
  id: string;
  tenant_id: string;
  role: RoleT;
  created_at: number;
  created_by: string;
  expires_at: number;
  max_uses: number;
  uses: number;
  revoked_at: number | null;
}

/** What a write's planner learns of its token's row as it is now. */
function tokenState(row: { role: RoleT; revoked_at: number | null } | undefined) {
  return row ? { tokenRole: row.role, tokenRevoked: row.revoked_at !== null } : {};
}

function inviteInfo(r: InviteRow): InviteInfo {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    role: r.role,
    createdAt: r.created_at,
    createdBy: r.created_by,
    expiresAt: r.expires_at,
    maxUses: r.max_uses,
    uses: r.uses,
    revokedAt: r.revoked_at,
  };
}

interface TokenRow {
  id: string;
  tenant_id: string;
  user_id: string;
  role: RoleT;
  label: string;
  created_at: number;
  revoked_at: number | null;
  created_by: string | null;
  expires_at: number | null;
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
    createdBy: row.created_by,
    expiresAt: row.expires_at,
  };
}

interface AuditRow {
  id: number;
  tenant_id: string;
  at: number;
  kind: AuditEntry['kind'];
  actor_id: string | null;
  subject_id: string | null;
  token_id: string | null;
  page: string | null;
  chat_id: string | null;
  comment_id: string | null;
  seq: number | null;
  detail: string;
}

const auditEntry = (r: AuditRow): AuditEntry => ({
  id: r.id,
  tenantId: r.tenant_id,
  at: r.at,
  kind: r.kind,
  actorId: r.actor_id,
  subjectId: r.subject_id,
  tokenId: r.token_id,
  page: r.page,
  chatId: r.chat_id,
  commentId: r.comment_id,
  seq: r.seq,
  detail: r.detail,
});

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
  removed_at: number | null;
  erased_at: number | null;
}
const user = (r: UserRow): User => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  createdAt: r.created_at,
  removedAt: r.removed_at,
  ...(r.erased_at !== null && { erasedAt: r.erased_at }),
});

/** Opens (creating it and its directory when missing) and migrates an SQLite store. */
export function openSqliteStore(path: string, options: StoreOptions = {}): SqliteStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // What a delete or an update frees is overwritten with zeros, so deleted text leaves the file.
  db.pragma('secure_delete = ON');
  // Another process (the CLI) may write while the server runs; wait for its lock instead of failing.
  db.pragma('busy_timeout = 5000');
  // Used by a migration (and only there) to give existing discussions their site.
  db.function('site_of', { deterministic: true }, (page: unknown) => siteOf(String(page)));
  migrate(db);
  return new SqliteStore(db, options.replayWindow ?? DEFAULT_REPLAY_WINDOW);
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
  // The old schema's copies of deleted text leave the WAL as well.
  if (current < MIGRATIONS.length) db.pragma('wal_checkpoint(TRUNCATE)');
}

interface LogRowSql {
  seq: number;
  broadcast_id: string;
  kind: LogKind;
  chat_id: string;
  comment_id: string | null;
  selectors: string | null;
  m_id: string | null;
  author_id: string;
  author_name: string;
  text: string;
  at: number;
  edited_at: number | null;
  resolved_by: string | null;
  resolved_by_name: string | null;
  resolved_at: number | null;
}

interface SnapshotRowSql {
  d_ord: number;
  d_id: string;
  selectors: string;
  m_ord: number | null;
  m_id: string | null;
  author_id: string;
  author_name: string;
  text: string;
  at: number;
  edited_at: number | null;
  resolved_by: string | null;
  resolved_by_name: string | null;
  resolved_at: number | null;
}

interface NotificationRowSql {
  seq: number;
  kind: NotificationKind;
  page: string;
  chat_id: string;
  comment_id: string | null;
  actor_id: string;
  actor_name: string | null;
  at: number;
  read_at: number | null;
  text: string | null;
}

/** The conditions of a DiscussionFilter on `d` (discussions), with the parameters filterParams names. */
const FILTER_SQL = `(@page IS NULL OR d.page = @page) AND (@site IS NULL OR d.site = @site)
  AND (@creator IS NULL OR d.creator_id = @creator)
  AND (@author IS NULL OR EXISTS (SELECT 1 FROM comments a
       WHERE a.tenant_id = d.tenant_id AND a.author_id = @author AND a.chat_id = d.id))
  AND (@from IS NULL OR d.last_activity_at >= @from) AND (@to IS NULL OR d.last_activity_at <= @to)
  AND (@state IS NULL OR (@state = 'resolved') = (d.resolved_at IS NOT NULL))
  AND (@mention IS NULL OR EXISTS (SELECT 1 FROM comments m
       WHERE m.tenant_id = d.tenant_id AND m.chat_id = d.id AND instr(m.text, @mention) > 0))`;

function filterParams(f: DiscussionFilter): Record<string, string | number | null> {
  return {
    page: f.page ?? null,
    site: f.site ?? null,
    creator: f.creatorId ?? null,
    author: f.authorId ?? null,
    from: f.from ?? null,
    to: f.to ?? null,
    state: f.state ?? null,
    mention: f.mentionsId === undefined ? null : mentionToken(f.mentionsId),
  };
}

interface HeadRowSql {
  id: string;
  page: string;
  title: string | null;
  selectors: string;
  creator_id: string;
  creator_name: string;
  opening_id: string;
  created_at: number;
  last_activity_at: number;
}

/** Rows compaction deletes per statement: each batch is a short, bounded stall of the loop. */
const COMPACT_BATCH = 500;

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly stmts;
  readonly sso: SqliteSsoStore;

  constructor(
    readonly db: Database.Database,
    readonly replayWindow: ReplayWindow = DEFAULT_REPLAY_WINDOW,
  ) {
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
        `INSERT INTO tokens (id, tenant_id, user_id, role, label, hash, created_at, created_by)
         VALUES (@id, @tenantId, @userId, @role, @label, @hash, @createdAt, @createdBy)`,
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
      pageSeq: db.prepare<[string, string], { seq: number; chats: number }>(
        'SELECT seq, chats FROM pages WHERE tenant_id = ? AND page = ?',
      ),
      bumpSeq: db.prepare<[string, string, number], { seq: number }>(
        `INSERT INTO pages (tenant_id, page, seq, chats) VALUES (?, ?, 1, ?)
         ON CONFLICT (tenant_id, page) DO UPDATE SET seq = seq + 1, chats = chats + excluded.chats
         RETURNING seq`,
      ),
      discussionHead: db.prepare<
        [string, string],
        {
          id: string;
          page: string;
          creator_id: string;
          comment_count: number;
          bytes: number;
          resolved_by: string | null;
          last_activity_at: number;
        }
      >(
        `SELECT id, page, creator_id, comment_count, bytes, resolved_by, last_activity_at FROM discussions
         WHERE tenant_id = ? AND id = ?`,
      ),
      commentHead: db.prepare<
        [string, string, string],
        { id: string; author_id: string; at: number; bytes: number; text: string }
      >(
        `SELECT id, author_id, at, length(CAST(text AS BLOB)) AS bytes, text FROM comments
         WHERE tenant_id = ? AND chat_id = ? AND id = ?`,
      ),
      resolveDiscussion: db.prepare(
        `UPDATE discussions SET resolved_by = ?, resolved_by_name = ?, resolved_at = ?
         WHERE tenant_id = ? AND id = ?`,
      ),
      addParticipant: db.prepare(
        'INSERT OR IGNORE INTO participants (tenant_id, chat_id, user_id) VALUES (?, ?, ?)',
      ),
      participants: db.prepare<[string, string], { user_id: string }>(
        'SELECT user_id FROM participants WHERE tenant_id = ? AND chat_id = ?',
      ),
      dropParticipants: db.prepare('DELETE FROM participants WHERE tenant_id = ? AND chat_id = ?'),
      dropReadPositions: db.prepare('DELETE FROM read_positions WHERE tenant_id = ? AND chat_id = ?'),
      watchers: db.prepare<[string, string], { user_id: string }>(
        `SELECT w.user_id FROM watches w JOIN users u ON u.id = w.user_id AND u.tenant_id = w.tenant_id
         WHERE w.tenant_id = ? AND w.page = ? AND u.removed_at IS NULL`,
      ),
      member: db.prepare<[string, string], { id: string }>(
        'SELECT id FROM users WHERE tenant_id = ? AND id = ? AND removed_at IS NULL',
      ),
      bumpInbox: db.prepare<[string, string], { seq: number }>(
        `INSERT INTO inboxes (tenant_id, user_id, seq) VALUES (?, ?, 1)
         ON CONFLICT (tenant_id, user_id) DO UPDATE SET seq = seq + 1 RETURNING seq`,
      ),
      inboxSeq: db.prepare<[string, string], { seq: number }>(
        'SELECT seq FROM inboxes WHERE tenant_id = ? AND user_id = ?',
      ),
      insertNotification: db.prepare(
        `INSERT INTO notifications (tenant_id, user_id, seq, kind, page, chat_id, comment_id, actor_id, at)
         VALUES (@tenantId, @userId, @seq, @kind, @page, @discussionId, @commentId, @actorId, @at)`,
      ),
      trimNotifications: db.prepare(
        'DELETE FROM notifications WHERE tenant_id = ? AND user_id = ? AND seq <= ?',
      ),
      notificationsAfter: db.prepare<[string, string, number, number], NotificationRowSql>(
        `SELECT n.seq, n.kind, n.page, n.chat_id, n.comment_id, n.actor_id, CASE WHEN u.removed_at IS NULL THEN u.name ELSE '' END AS actor_name, n.at,
                n.read_at, m.text
         FROM notifications n
         LEFT JOIN users u ON u.id = n.actor_id
         LEFT JOIN comments m ON m.tenant_id = n.tenant_id AND m.chat_id = n.chat_id AND m.id = n.comment_id
         WHERE n.tenant_id = ? AND n.user_id = ? AND n.seq > ? ORDER BY n.seq LIMIT ?`,
      ),
      newestNotifications: db.prepare<[string, string, number], NotificationRowSql>(
        `SELECT * FROM (
           SELECT n.seq, n.kind, n.page, n.chat_id, n.comment_id, n.actor_id, CASE WHEN u.removed_at IS NULL THEN u.name ELSE '' END AS actor_name, n.at,
                  n.read_at, m.text
           FROM notifications n
           LEFT JOIN users u ON u.id = n.actor_id
           LEFT JOIN comments m ON m.tenant_id = n.tenant_id AND m.chat_id = n.chat_id AND m.id = n.comment_id
           WHERE n.tenant_id = ? AND n.user_id = ? ORDER BY n.seq DESC LIMIT ?)
         ORDER BY seq`,
      ),
      unreadCount: db.prepare<[string, string], { n: number }>(
        'SELECT count(*) AS n FROM notifications WHERE tenant_id = ? AND user_id = ? AND read_at IS NULL',
      ),
      readUpTo: db.prepare(
        `UPDATE notifications SET read_at = ?
         WHERE tenant_id = ? AND user_id = ? AND seq <= ? AND read_at IS NULL`,
      ),
      readOne: db.prepare(
        `UPDATE notifications SET read_at = ?
         WHERE tenant_id = ? AND user_id = ? AND seq = ? AND read_at IS NULL`,
      ),
      watch: db.prepare(
        'INSERT OR IGNORE INTO watches (tenant_id, page, user_id, created_at) VALUES (?, ?, ?, ?)',
      ),
      unwatch: db.prepare('DELETE FROM watches WHERE tenant_id = ? AND page = ? AND user_id = ?'),
      watching: db.prepare<[string, string, string], { one: number }>(
        'SELECT 1 AS one FROM watches WHERE tenant_id = ? AND page = ? AND user_id = ?',
      ),
      readPositions: db.prepare<[string, string, string], { chat_id: string; at: number }>(
        'SELECT chat_id, at FROM read_positions WHERE tenant_id = ? AND user_id = ? AND page = ?',
      ),
      markRead: db.prepare<[string, string, string, string, number], { at: number }>(
        `INSERT INTO read_positions (tenant_id, user_id, chat_id, page, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, user_id, chat_id) DO UPDATE SET at = max(at, excluded.at), page = excluded.page
         RETURNING at`,
      ),
      removeUser: db.prepare(
        'UPDATE users SET removed_at = ? WHERE id = ? AND tenant_id = ? AND removed_at IS NULL',
      ),
      userTokens: db.prepare<[string], TokenRow>(
        'SELECT * FROM tokens WHERE user_id = ? AND revoked_at IS NULL',
      ),
      otherAdmins: db.prepare<[string, string], { n: number }>(
        `SELECT COUNT(DISTINCT k.user_id) AS n FROM tokens k JOIN users u ON u.id = k.user_id
         WHERE k.tenant_id = ? AND k.user_id <> ? AND k.role = 'admin' AND k.revoked_at IS NULL
           AND u.removed_at IS NULL`,
      ),
      setTokenRole: db.prepare('UPDATE tokens SET role = ? WHERE id = ?'),
      tokenRole: db.prepare<[string], { role: RoleT; revoked_at: number | null }>(
        'SELECT role, revoked_at FROM tokens WHERE id = ?',
      ),
      insertInvite: db.prepare(
        `INSERT INTO invites (id, tenant_id, role, hash, created_at, created_by, expires_at, max_uses)
         VALUES (@id, @tenantId, @role, @hash, @createdAt, @createdBy, @expiresAt, @maxUses)`,
      ),
      inviteById: db.prepare<[string], InviteRow>('SELECT * FROM invites WHERE id = ?'),
      inviteByHash: db.prepare<[string], InviteRow>('SELECT * FROM invites WHERE hash = ?'),
      listInvites: db.prepare<[string], InviteRow>(
        'SELECT * FROM invites WHERE tenant_id = ? ORDER BY created_at DESC, id',
      ),
      revokeInvite: db.prepare(
        'UPDATE invites SET revoked_at = ? WHERE id = ? AND tenant_id = ? AND revoked_at IS NULL',
      ),
      useInvite: db.prepare('UPDATE invites SET uses = uses + 1 WHERE id = ?'),
      dropUserNotifications: db.prepare('DELETE FROM notifications WHERE tenant_id = ? AND user_id = ?'),
      dropUserInbox: db.prepare('DELETE FROM inboxes WHERE tenant_id = ? AND user_id = ?'),
      dropUserWatches: db.prepare('DELETE FROM watches WHERE tenant_id = ? AND user_id = ?'),
      dropUserReads: db.prepare('DELETE FROM read_positions WHERE tenant_id = ? AND user_id = ?'),
      unnameComments: db.prepare(
        "UPDATE comments SET author_name = '' WHERE tenant_id = ? AND author_id = ? AND author_name <> ''",
      ),
      unnameResolutions: db.prepare(
        "UPDATE discussions SET resolved_by_name = '' WHERE tenant_id = ? AND resolved_by = ?",
      ),
      tenantBytes: db.prepare<[string], { bytes: number }>(
        'SELECT bytes FROM tenant_bytes WHERE tenant_id = ?',
      ),
      addTenantBytes: db.prepare(
        `INSERT INTO tenant_bytes (tenant_id, bytes) VALUES (?, ?)
         ON CONFLICT (tenant_id) DO UPDATE SET bytes = bytes + excluded.bytes`,
      ),
      insertDiscussion: db.prepare(
        `INSERT INTO discussions (tenant_id, id, page, selectors, creator_id, opening_id, comment_count, bytes,
                                  token_id, created_at, title, quote, site, last_activity_at)
         VALUES (@tenantId, @id, @page, @selectors, @creatorId, @openingId, 1, @bytes, @tokenId, @at,
                 @title, @quote, @site, @at)`,
      ),
      updateDiscussion: db.prepare(
        `UPDATE discussions SET comment_count = comment_count + ?, bytes = bytes + ?,
                                last_activity_at = MAX(last_activity_at, ?)
         WHERE tenant_id = ? AND id = ?`,
      ),
      deleteDiscussion: db.prepare('DELETE FROM discussions WHERE tenant_id = ? AND id = ?'),
      deleteDiscussionComments: db.prepare('DELETE FROM comments WHERE tenant_id = ? AND chat_id = ?'),
      insertComment: db.prepare(
        `INSERT INTO comments (tenant_id, chat_id, id, author_id, author_name, text, at, edited_at, token_id)
         VALUES (@tenantId, @discussionId, @id, @authorId, @authorName, @text, @at, @editedAt, @tokenId)`,
      ),
      editComment: db.prepare(
        `UPDATE comments SET text = ?, edited_at = ?, token_id = ?
         WHERE tenant_id = ? AND chat_id = ? AND id = ?`,
      ),
      deleteComment: db.prepare('DELETE FROM comments WHERE tenant_id = ? AND chat_id = ? AND id = ?'),
      writeByBroadcast: db.prepare<[string, string], { page: string; seq: number }>(
        'SELECT page, seq FROM writes WHERE tenant_id = ? AND broadcast_id = ?',
      ),
      insertWrite: db.prepare(
        'INSERT INTO writes (tenant_id, broadcast_id, page, seq, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      insertEvent: db.prepare(
        `INSERT INTO events (tenant_id, page, seq, broadcast_id, kind, chat_id, comment_id, token_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      trimEvents: db.prepare('DELETE FROM events WHERE tenant_id = ? AND page = ? AND seq <= ?'),
      eventsAfter: db.prepare<[string, string, number, number], LogRowSql>(
        `SELECT e.seq, e.broadcast_id, e.kind, e.chat_id, e.comment_id, d.selectors,
                m.id AS m_id, m.author_id, m.author_name, m.text, m.at, m.edited_at,
                d.resolved_by, d.resolved_by_name, d.resolved_at
         FROM events e
         LEFT JOIN discussions d ON d.tenant_id = e.tenant_id AND d.id = e.chat_id AND d.page = e.page
         LEFT JOIN comments m ON m.tenant_id = e.tenant_id AND m.chat_id = e.chat_id AND m.id = e.comment_id
         WHERE e.tenant_id = ? AND e.page = ? AND e.seq > ? ORDER BY e.seq LIMIT ?`,
      ),
      snapshotRows: db.prepare<
        [{ t: string; p: string; discussion: number; comment: number }],
        SnapshotRowSql
      >(
        `SELECT d.ord AS d_ord, d.id AS d_id, d.selectors, m.ord AS m_ord, m.id AS m_id, m.author_id,
                m.author_name, m.text, m.at, m.edited_at, d.resolved_by, d.resolved_by_name, d.resolved_at
         FROM discussions d
         LEFT JOIN comments m ON m.tenant_id = d.tenant_id AND m.chat_id = d.id
                              AND (d.ord > @discussion OR m.ord >= @comment)
         WHERE d.tenant_id = @t AND d.page = @p AND d.ord >= @discussion
         ORDER BY d.ord, m.ord`,
      ),
      insertAudit: db.prepare(
        `INSERT INTO audit (tenant_id, at, kind, actor_id, subject_id, token_id, page, chat_id, comment_id, seq, detail)
         VALUES (@tenantId, @at, @kind, @actorId, @subjectId, @tokenId, @page, @chatId, @commentId, @seq, @detail)`,
      ),
      listAudit: db.prepare<[string, number, number], AuditRow>(
        'SELECT * FROM audit WHERE tenant_id = ? AND id < ? ORDER BY id DESC LIMIT ?',
      ),
      oldEvents: db.prepare(
        `DELETE FROM events WHERE (tenant_id, page, seq) IN
           (SELECT tenant_id, page, seq FROM events WHERE created_at < ? LIMIT ${COMPACT_BATCH})`,
      ),
      oldWrites: db.prepare(
        `DELETE FROM writes WHERE (tenant_id, broadcast_id) IN
           (SELECT tenant_id, broadcast_id FROM writes WHERE created_at < ? LIMIT ${COMPACT_BATCH})`,
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
    const s = this.stmts;
    this.sso = new SqliteSsoStore(db, {
      tokenById: (id) => {
        const row = s.tokenById.get(id);
        return row ? tokenInfo(row) : null;
      },
      userById: (id) => {
        const row = s.userById.get(id);
        return row ? user(row) : null;
      },
      tenantById: (id) => {
        const row = s.tenantById.get(id);
        return row ? tenant(row) : null;
      },
    });
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
    const u: User = { id: newId('usr'), tenantId, name, createdAt: Date.now(), removedAt: null };
    this.stmts.insertUser.run(u.id, u.tenantId, u.name, u.createdAt);
    return u;
  }

  async listUsers(tenantId: string): Promise<User[]> {
    return this.stmts.listUsers.all(tenantId).map(user);
  }

  async insertToken(token: NewToken): Promise<TokenInfo> {
    this.stmts.insertToken.run({ ...token, createdBy: token.createdBy ?? null });
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
    const from = decodeCursor(cursor);
    // One read transaction so the seq and the rows belong together; the statement stops at the
    // first row that does not fit, so a page costs its own size, not the page's.
    return this.db.transaction((): SnapshotPage => {
      const seq = this.stmts.pageSeq.get(tenantId, page)?.seq ?? 0;
      const cut = new PageCutter(maxBytes);
      for (const r of this.stmts.snapshotRows.iterate({ t: tenantId, p: page, ...from })) {
        const ok = cut.add({
          discussionOrd: r.d_ord,
          discussionId: r.d_id,
          selectors: JSON.parse(r.selectors) as SelectorT[],
          commentOrd: r.m_ord,
          comment: r.m_id === null ? null : commentOf({ ...r, id: r.m_id }),
          resolved: resolutionOf(r),
        });
        if (!ok) break;
      }
      return { seq, discussions: cut.discussions, next: cut.next && encodeCursor(cut.next) };
    })();
  }

  async eventsSince(
    tenantId: string,
    page: string,
    since: number,
    limit: number,
  ): Promise<{ seq: number; events: DiscussionEventT[] } | null> {
    return this.db.transaction(() => {
      const seq = this.stmts.pageSeq.get(tenantId, page)?.seq ?? 0;
      if (since > seq || seq - since > limit) return null;
      const events = this.stmts.eventsAfter.all(tenantId, page, since, limit).map((r) =>
        renderLogRow(page, {
          seq: r.seq,
          broadcastId: r.broadcast_id,
          kind: r.kind,
          discussionId: r.chat_id,
          commentId: r.comment_id,
          selectors: r.selectors === null ? null : (JSON.parse(r.selectors) as SelectorT[]),
          comment: r.m_id === null ? null : commentOf({ ...r, id: r.m_id }),
          resolved: r.selectors === null ? null : resolutionOf(r),
        }),
      );
      // Compacted away (or never there): the client takes a snapshot.
      if (events.length !== seq - since || (events.length > 0 && events[0]!.seq !== since + 1)) return null;
      return { seq, events };
    })();
  }

  async latestSeqs(pages: readonly { tenantId: string; page: string }[]): Promise<number[]> {
    return this.db.transaction(() =>
      pages.map(({ tenantId, page }) => this.stmts.pageSeq.get(tenantId, page)?.seq ?? 0),
    )();
  }

  async commit(
    tenantId: string,
    write: WriteFrameT,
    plan: WritePlanner,
    tokenId: string | null = null,
  ): Promise<CommitResult> {
    return this.db
      .transaction((): CommitResult => {
        const s = this.stmts;
        const done = s.writeByBroadcast.get(tenantId, write.broadcastId);
        if (done) return { status: 'duplicate', page: done.page, seq: done.seq };
        const head = s.discussionHead.get(tenantId, write.chatId);
        const commentRow =
          head && 'commentId' in write
            ? s.commentHead.get(tenantId, write.chatId, write.commentId)
            : undefined;
        const decision = plan({
          discussion: head
            ? {
                id: head.id,
                page: head.page,
                creatorId: head.creator_id,
                commentCount: head.comment_count,
                bytes: head.bytes,
                resolvedBy: head.resolved_by,
                lastActivityAt: head.last_activity_at,
              }
            : null,
          comment: commentRow
            ? {
                id: commentRow.id,
                authorId: commentRow.author_id,
                at: commentRow.at,
                bytes: commentRow.bytes,
                mentions: mentionedIds(commentRow.text),
              }
            : null,
          pageDiscussions: s.pageSeq.get(tenantId, write.page)?.chats ?? 0,
          tenantBytes: s.tenantBytes.get(tenantId)?.bytes ?? 0,
          ...tokenState(tokenId === null ? undefined : s.tokenRole.get(tokenId)),
        });
        if (!decision.ok) return { status: 'rejected', code: decision.code, message: decision.message };
        const now = Date.now();
        const ev = decision.event;
        const page = ev.page;
        let discussionsDelta = 0;
        if (ev.type === 'new-text-chat') {
          const opening = ev.chat.comments[0]!;
          s.insertDiscussion.run({
            tenantId,
            id: ev.chat.id,
            page,
            selectors: JSON.stringify(ev.chat.selectors),
            creatorId: opening.author.id,
            openingId: opening.id,
            bytes: decision.bytes,
            tokenId,
            at: opening.at,
            title: write.type === 'create-chat' ? (write.title ?? null) : null,
            quote: quoteOf(ev.chat.selectors),
            site: siteOf(page),
          });
          this.insertComment(tenantId, ev.chat.id, opening, tokenId);
          discussionsDelta = 1;
        } else if (ev.type === 'deleted-text-chat') {
          s.deleteDiscussionComments.run(tenantId, ev.chatId);
          s.deleteDiscussion.run(tenantId, ev.chatId);
          s.dropParticipants.run(tenantId, ev.chatId);
          s.dropReadPositions.run(tenantId, ev.chatId);
          discussionsDelta = -1;
        } else {
          const c = ev.change;
          let count = 0;
          let activity = 0;
          if (c.op === 'add-comment') {
            this.insertComment(tenantId, ev.chatId, c.comment, tokenId);
            count = 1;
            activity = c.comment.editedAt ?? c.comment.at;
          } else if (c.op === 'resolve') {
            const r = c.resolved;
            s.resolveDiscussion.run(r?.by.id ?? null, r?.by.name ?? null, r?.at ?? null, tenantId, ev.chatId);
          } else if (c.op === 'edit-comment') {
            s.editComment.run(c.text, c.editedAt, tokenId, tenantId, ev.chatId, c.commentId);
            activity = c.editedAt;
          } else {
            s.deleteComment.run(tenantId, ev.chatId, c.commentId);
            count = -1;
          }
          s.updateDiscussion.run(count, decision.bytes, activity, tenantId, ev.chatId);
        }
        if (decision.bytes !== 0) s.addTenantBytes.run(tenantId, decision.bytes);
        const seq = s.bumpSeq.get(tenantId, page, discussionsDelta)!.seq;
        const entry = logEntryOf(ev);
        const notifications = decision.notify
          ? this.notify(tenantId, page, entry.discussionId, decision.notify, now)
          : [];
        s.insertEvent.run(
          tenantId,
          page,
          seq,
          write.broadcastId,
          entry.kind,
          entry.discussionId,
          entry.commentId,
          tokenId,
          now,
        );
        s.insertWrite.run(tenantId, write.broadcastId, page, seq, now);
        for (const note of decision.audit ?? []) {
          s.insertAudit.run({
            ...note,
            tenantId,
            at: now,
            tokenId,
            page,
            chatId: entry.discussionId,
            commentId: entry.commentId,
            seq,
            detail: write.type,
          });
        }
        // The log keeps the replay window's count; older entries go now, a few at a time.
        if (seq > this.replayWindow.events) s.trimEvents.run(tenantId, page, seq - this.replayWindow.events);
        return { status: 'applied', event: { ...ev, seq } as DiscussionEventT, notifications };
      })
      .immediate();
  }

  /** Inside a write's transaction: picks and stores its notifications, then records its writer as a participant. */
  private notify(
    tenantId: string,
    page: string,
    discussionId: string,
    plan: NotifyPlan,
    now: number,
  ): StoredNotification[] {
    const s = this.stmts;
    const facts: NotifyFacts = {
      members: plan.mentions.filter((id) => s.member.get(tenantId, id) !== undefined),
      participants: plan.reply ? s.participants.all(tenantId, discussionId).map((r) => r.user_id) : [],
      watchers: plan.newDiscussion ? s.watchers.all(tenantId, page).map((r) => r.user_id) : [],
    };
    const out: StoredNotification[] = [];
    for (const draft of recipientsOf(plan, facts, plan.actor.id)) {
      const seq = s.bumpInbox.get(tenantId, draft.userId)!.seq;
      s.insertNotification.run({
        tenantId,
        userId: draft.userId,
        seq,
        kind: draft.kind,
        page,
        discussionId,
        commentId: plan.commentId,
        actorId: plan.actor.id,
        at: now,
      });
      if (seq > LIMITS.notificationsPerUser) {
        s.trimNotifications.run(tenantId, draft.userId, seq - LIMITS.notificationsPerUser);
      }
      out.push({ userId: draft.userId, notification: fresh(draft, seq, page, discussionId, plan, now) });
    }
    if (plan.reply || plan.newDiscussion) s.addParticipant.run(tenantId, discussionId, plan.actor.id);
    return out;
  }

  async removeUser(tenantId: string, userId: string): Promise<TokenInfo[] | null> {
    return this.db.transaction(() => this.removeUserNow(tenantId, userId)).immediate();
  }

  /** Whether the user is an admin now (a live admin token) and no other member is. */
  private isLastAdmin(tenantId: string, userId: string): boolean {
    const s = this.stmts;
    const admin = s.userTokens.all(userId).some((t) => t.role === 'admin');
    return admin && s.otherAdmins.get(tenantId, userId)!.n === 0;
  }

  async removeMember(tenantId: string, userId: string): Promise<MemberChange> {
    const s = this.stmts;
    return this.db
      .transaction((): MemberChange => {
        const row = s.userById.get(userId);
        if (!row || row.tenant_id !== tenantId || row.removed_at !== null) return { status: 'not-found' };
        if (this.isLastAdmin(tenantId, userId)) return { status: 'last-admin' };
        const tokens = this.removeUserNow(tenantId, userId)!;
        return { status: 'done', user: user(s.userById.get(userId)!), tokens };
      })
      .immediate();
  }

  async setMemberRole(tenantId: string, userId: string, role: RoleT): Promise<MemberChange> {
    const s = this.stmts;
    return this.db
      .transaction((): MemberChange => {
        const row = s.userById.get(userId);
        if (!row || row.tenant_id !== tenantId || row.removed_at !== null) return { status: 'not-found' };
        if (role === 'member' && this.isLastAdmin(tenantId, userId)) return { status: 'last-admin' };
        const changed = s.userTokens.all(userId).filter((t) => t.role !== role);
        for (const t of changed) s.setTokenRole.run(role, t.id);
        return {
          status: 'done',
          user: user(row),
          tokens: changed.map((t) => tokenInfo(s.tokenById.get(t.id)!)),
        };
      })
      .immediate();
  }

  async insertInvite(invite: NewInvite): Promise<InviteInfo> {
    this.stmts.insertInvite.run(invite);
    return inviteInfo(this.stmts.inviteById.get(invite.id)!);
  }

  async listInvites(tenantId: string): Promise<InviteInfo[]> {
    return this.stmts.listInvites.all(tenantId).map(inviteInfo);
  }

  async findInviteByHash(hash: string): Promise<{ invite: InviteInfo; tenant: Tenant } | null> {
    const row = this.stmts.inviteByHash.get(hash);
    const t = row && this.stmts.tenantById.get(row.tenant_id);
    return row && t ? { invite: inviteInfo(row), tenant: tenant(t) } : null;
  }

  async revokeInvite(tenantId: string, inviteId: string): Promise<InviteInfo | null> {
    const row = this.stmts.inviteById.get(inviteId);
    if (!row || row.tenant_id !== tenantId) return null;
    this.stmts.revokeInvite.run(Date.now(), inviteId, tenantId);
    return inviteInfo(this.stmts.inviteById.get(inviteId)!);
  }

  async redeemInvite(
    hash: string,
    now: number,
    member: { name: string; userId: string; tokenId: string; tokenHash: string; label: string },
  ): Promise<RedeemResult> {
    const s = this.stmts;
    return this.db
      .transaction((): RedeemResult => {
        const row = s.inviteByHash.get(hash);
        const refusal = inviteRefusal(row, now);
        if (refusal) return { status: refusal };
        const t = s.tenantById.get(row!.tenant_id)!;
        s.useInvite.run(row!.id);
        s.insertUser.run(member.userId, row!.tenant_id, member.name, now);
        s.insertToken.run({
          id: member.tokenId,
          tenantId: row!.tenant_id,
          userId: member.userId,
          role: row!.role,
          label: member.label,
          hash: member.tokenHash,
          createdAt: now,
          createdBy: row!.created_by,
        });
        return {
          status: 'joined',
          invite: inviteInfo(s.inviteById.get(row!.id)!),
          tenant: tenant(t),
          user: user(s.userById.get(member.userId)!),
          token: tokenInfo(s.tokenById.get(member.tokenId)!),
        };
      })
      .immediate();
  }

  /** Marks the user removed, revokes their tokens and drops their own state; inside a transaction. */
  private removeUserNow(tenantId: string, userId: string): TokenInfo[] | null {
    const s = this.stmts;
    const row = s.userById.get(userId);
    if (!row || row.tenant_id !== tenantId) return null;
    const now = Date.now();
    s.removeUser.run(now, userId, tenantId);
    const tokens = s.userTokens.all(userId);
    for (const t of tokens) s.revokeToken.run(now, t.id);
    s.dropUserNotifications.run(tenantId, userId);
    s.dropUserInbox.run(tenantId, userId);
    s.dropUserWatches.run(tenantId, userId);
    s.dropUserReads.run(tenantId, userId);
    // What they wrote stays, as a former member's: their name leaves it.
    s.unnameComments.run(tenantId, userId);
    s.unnameResolutions.run(tenantId, userId);
    return tokens.map((t) => tokenInfo(s.tokenById.get(t.id)!));
  }

  async dropUnusedMember(tenantId: string, userId: string): Promise<boolean> {
    const p = { t: tenantId, u: userId };
    return this.db
      .transaction((): boolean => {
        const used = this.db
          .prepare<typeof p, { used: number }>(
            `SELECT EXISTS (SELECT 1 FROM tokens WHERE user_id = @u)
                 OR EXISTS (SELECT 1 FROM discussions WHERE tenant_id = @t AND creator_id = @u)
                 OR EXISTS (SELECT 1 FROM comments WHERE tenant_id = @t AND author_id = @u)
                 OR EXISTS (SELECT 1 FROM notifications WHERE tenant_id = @t AND actor_id = @u)
                 OR EXISTS (SELECT 1 FROM audit WHERE tenant_id = @t AND (actor_id = @u OR subject_id = @u))
               AS used`,
          )
          .get(p)!.used;
        if (used) return false;
        for (const table of ['participants', 'watches', 'inboxes', 'notifications', 'read_positions'])
          this.db.prepare(`DELETE FROM ${table} WHERE tenant_id = @t AND user_id = @u`).run(p);
        return this.db.prepare('DELETE FROM users WHERE tenant_id = @t AND id = @u').run(p).changes > 0;
      })
      .immediate();
  }

  async setWatch(tenantId: string, userId: string, page: string, watch: boolean): Promise<void> {
    if (watch) this.stmts.watch.run(tenantId, page, userId, Date.now());
    else this.stmts.unwatch.run(tenantId, page, userId);
  }

  async pageUserState(tenantId: string, userId: string, page: string): Promise<PageUserState> {
    return this.db.transaction((): PageUserState => {
      const read: Record<string, number> = {};
      for (const r of this.stmts.readPositions.all(tenantId, userId, page)) read[r.chat_id] = r.at;
      return { watching: this.stmts.watching.get(tenantId, page, userId) !== undefined, read };
    })();
  }

  async markRead(
    tenantId: string,
    userId: string,
    page: string,
    discussionId: string,
    at: number,
  ): Promise<number | null> {
    return this.db
      .transaction((): number | null => {
        const head = this.stmts.discussionHead.get(tenantId, discussionId);
        if (!head || head.page !== page) return null;
        return this.stmts.markRead.get(tenantId, userId, discussionId, page, at)!.at;
      })
      .immediate();
  }

  async notificationsSince(
    tenantId: string,
    userId: string,
    after: number | null,
    limit: number,
  ): Promise<NotificationList> {
    return this.db.transaction((): NotificationList => {
      const s = this.stmts;
      const latest = s.inboxSeq.get(tenantId, userId)?.seq ?? 0;
      const rows =
        after === null
          ? s.newestNotifications.all(tenantId, userId, limit)
          : s.notificationsAfter.all(tenantId, userId, after, limit);
      const notifications = rows.map(notificationOf);
      const last = notifications.at(-1)?.seq ?? after ?? latest;
      return { notifications, unread: s.unreadCount.get(tenantId, userId)!.n, latest, more: last < latest };
    })();
  }

  async markNotificationsRead(
    tenantId: string,
    userId: string,
    read: { seqs?: readonly number[]; upTo?: number },
    now = Date.now(),
  ): Promise<number> {
    const s = this.stmts;
    return this.db
      .transaction((): number => {
        if (read.upTo !== undefined) s.readUpTo.run(now, tenantId, userId, read.upTo);
        for (const seq of read.seqs ?? []) s.readOne.run(now, tenantId, userId, seq);
        return s.unreadCount.get(tenantId, userId)!.n;
      })
      .immediate();
  }

  private insertComment(tenantId: string, discussionId: string, c: CommentT, tokenId: string | null): void {
    this.stmts.insertComment.run({
      tenantId,
      discussionId,
      id: c.id,
      authorId: c.author.id,
      authorName: c.author.name,
      text: c.text,
      at: c.at,
      editedAt: c.editedAt ?? null,
      tokenId,
    });
  }

  async listDiscussions(
    tenantId: string,
    filter: DiscussionFilter,
    cursor: string | null,
    limit: number,
  ): Promise<DiscussionListing> {
    const after = decodeListCursor(cursor);
    const rows = this.db
      .prepare<Record<string, unknown>, SummaryRow>(
        `SELECT d.ord, d.id, d.page, d.title, d.quote, d.creator_id, COALESCE(CASE WHEN u.removed_at IS NULL THEN u.name END, '') AS creator_name,
                d.created_at, d.last_activity_at, d.comment_count,
                d.resolved_by, d.resolved_by_name, d.resolved_at,
                (SELECT m.text FROM comments m WHERE m.tenant_id = d.tenant_id AND m.chat_id = d.id
                 ORDER BY m.ord LIMIT 1) AS first_text
         FROM discussions d LEFT JOIN users u ON u.id = d.creator_id
         WHERE d.tenant_id = @t AND ${FILTER_SQL}
           AND (@cat IS NULL OR d.last_activity_at < @cat OR (d.last_activity_at = @cat AND d.ord < @cord))
         ORDER BY d.last_activity_at DESC, d.ord DESC LIMIT @limit`,
      )
      .all({ t: tenantId, ...filterParams(filter), cat: after?.at ?? null, cord: after?.ord ?? null, limit });
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
    const head = this.db.prepare<[string, string], HeadRowSql>(
      `SELECT d.id, d.page, d.title, d.selectors, d.creator_id, COALESCE(CASE WHEN u.removed_at IS NULL THEN u.name END, '') AS creator_name,
              d.opening_id, d.created_at, d.last_activity_at
       FROM discussions d LEFT JOIN users u ON u.id = d.creator_id WHERE d.tenant_id = ? AND d.id = ?`,
    );
    const thread = this.db.prepare<
      [string, string],
      {
        id: string;
        author_id: string;
        author_name: string;
        text: string;
        at: number;
        edited_at: number | null;
      }
    >(
      `SELECT id, author_id, author_name, text, at, edited_at FROM comments
       WHERE tenant_id = ? AND chat_id = ? ORDER BY ord`,
    );
    return this.db.transaction(() => {
      const out: DiscussionRecord[] = [];
      for (const id of ids) {
        const h = head.get(tenantId, id);
        if (!h) continue;
        out.push({
          id: h.id,
          page: h.page,
          title: h.title,
          selectors: JSON.parse(h.selectors) as SelectorT[],
          creator: { id: h.creator_id, name: h.creator_name },
          openingId: h.opening_id,
          createdAt: h.created_at,
          lastActivityAt: h.last_activity_at,
          comments: thread.all(tenantId, id).map(commentOf),
        });
      }
      return out;
    })();
  }

  async search(tenantId: string, query: SearchQuery): Promise<SearchHit[]> {
    const words = queryWords(query.text);
    if (words.words.length === 0) return [];
    const params = {
      t: tenantId,
      q: fts5Query(words),
      cap: SEARCH_CANDIDATES,
      ...filterParams(query.filter ?? {}),
    };
    const s = MARK_START;
    const e = MARK_END;
    // The newest SEARCH_CANDIDATES matches, which FTS5 finds walking its index newest first and
    // stopping there, with their words marked; ranked and cut into snippets in mergeHits. (bm25()
    // would first count every match of the query, which for a one-letter prefix is most of a large
    // team's comments.)
    const comments = this.db
      .prepare<Record<string, unknown>, CommentHitRow>(
        `SELECT d.id AS chat_id, d.page, d.title, d.quote, d.created_at, d.last_activity_at,
                d.resolved_by, d.resolved_by_name, d.resolved_at, c.id AS comment_id,
                c.author_id, c.author_name, c.at, highlight(comments_fts, 0, '${s}', '${e}') AS marked
         FROM comments_fts
         JOIN comments c ON c.ord = comments_fts.rowid
         JOIN discussions d ON d.tenant_id = c.tenant_id AND d.id = c.chat_id
         WHERE comments_fts MATCH @q AND c.tenant_id = @t AND ${FILTER_SQL}
         ORDER BY comments_fts.rowid DESC LIMIT @cap`,
      )
      .all(params);
    const discussions = this.db
      .prepare<Record<string, unknown>, DiscussionHitRow>(
        `SELECT d.id AS chat_id, d.page, d.title, d.quote, d.created_at, d.last_activity_at,
                d.resolved_by, d.resolved_by_name, d.resolved_at,
                highlight(discussions_fts, 0, '${s}', '${e}') AS quote_marked,
                highlight(discussions_fts, 1, '${s}', '${e}') AS title_marked
         FROM discussions_fts JOIN discussions d ON d.ord = discussions_fts.rowid
         WHERE discussions_fts MATCH @q AND d.tenant_id = @t AND ${FILTER_SQL}
         ORDER BY discussions_fts.rowid DESC LIMIT @cap`,
      )
      .all(params);
    return mergeHits(comments, discussions, query.limit);
  }

  async retentionDays(tenantId: string): Promise<number | null> {
    const row = this.db
      .prepare<[string], { retention_days: number | null }>(
        'SELECT retention_days FROM tenant_settings WHERE tenant_id = ?',
      )
      .get(tenantId);
    return row?.retention_days ?? null;
  }

  async setRetentionDays(tenantId: string, days: number | null): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO tenant_settings (tenant_id, retention_days) VALUES (?, ?)
         ON CONFLICT (tenant_id) DO UPDATE SET retention_days = excluded.retention_days`,
      )
      .run(tenantId, days);
  }

  async retentionTenants(): Promise<{ tenantId: string; days: number }[]> {
    return this.db
      .prepare<[], { tenant_id: string; retention_days: number }>(
        'SELECT tenant_id, retention_days FROM tenant_settings WHERE retention_days IS NOT NULL ORDER BY tenant_id',
      )
      .all()
      .map((r) => ({ tenantId: r.tenant_id, days: r.retention_days }));
  }

  async staleDiscussions(tenantId: string, before: number, limit: number): Promise<DiscussionRef[]> {
    return this.db
      .prepare<[string, number, number], { id: string; page: string }>(
        `SELECT id, page FROM discussions WHERE tenant_id = ? AND last_activity_at < ?
         ORDER BY last_activity_at, ord LIMIT ?`,
      )
      .all(tenantId, before, limit)
      .map((r) => ({ page: r.page, discussionId: r.id }));
  }

  async commentsBy(tenantId: string, userId: string, limit: number, after = 0): Promise<AuthoredComment[]> {
    return this.db
      .prepare<
        [string, string, number, number],
        {
          ord: number;
          page: string;
          chat_id: string;
          quote: string;
          id: string;
          author_id: string;
          author_name: string;
          text: string;
          at: number;
          edited_at: number | null;
        }
      >(
        `SELECT c.ord, d.page, c.chat_id, d.quote, c.id, c.author_id, c.author_name, c.text, c.at, c.edited_at
         FROM comments c JOIN discussions d ON d.tenant_id = c.tenant_id AND d.id = c.chat_id
         WHERE c.tenant_id = ? AND c.author_id = ? AND c.ord > ? ORDER BY c.ord LIMIT ?`,
      )
      .all(tenantId, userId, after, limit)
      .map((r) => ({
        page: r.page,
        discussionId: r.chat_id,
        quote: r.quote,
        comment: commentOf(r),
        cursor: r.ord,
      }));
  }

  async emptyDiscussionsBy(tenantId: string, userId: string, limit: number): Promise<DiscussionRef[]> {
    return this.db
      .prepare<[string, string, number], { id: string; page: string }>(
        `SELECT id, page FROM discussions WHERE tenant_id = ? AND creator_id = ? AND comment_count = 0
         ORDER BY ord LIMIT ?`,
      )
      .all(tenantId, userId, limit)
      .map((r) => ({ page: r.page, discussionId: r.id }));
  }

  async ownState(tenantId: string, userId: string): Promise<OwnState> {
    const watches = this.db
      .prepare<[string, string], { page: string; created_at: number }>(
        'SELECT page, created_at FROM watches WHERE tenant_id = ? AND user_id = ? ORDER BY page',
      )
      .all(tenantId, userId)
      .map((r) => ({ page: r.page, since: r.created_at }));
    const reads = this.db
      .prepare<[string, string], { page: string; chat_id: string; at: number }>(
        'SELECT page, chat_id, at FROM read_positions WHERE tenant_id = ? AND user_id = ? ORDER BY page, chat_id',
      )
      .all(tenantId, userId)
      .map((r) => ({ page: r.page, discussionId: r.chat_id, at: r.at }));
    return { watches, reads };
  }

  async forgetUser(tenantId: string, userId: string): Promise<TokenInfo[] | null> {
    const p = { t: tenantId, u: userId, now: Date.now() };
    return this.db
      .transaction((): TokenInfo[] | null => {
        const row = this.stmts.userById.get(userId);
        if (!row || row.tenant_id !== tenantId) return null;
        const revoked = row.removed_at === null ? this.removeUserNow(tenantId, userId)! : [];
        this.stmts.unnameComments.run(tenantId, userId);
        this.stmts.unnameResolutions.run(tenantId, userId);
        this.db
          .prepare("UPDATE users SET name = '', erased_at = @now WHERE tenant_id = @t AND id = @u")
          .run(p);
        this.db.prepare("UPDATE tokens SET label = '' WHERE tenant_id = @t AND user_id = @u").run(p);
        // Token events name the token's label; the entries stay, the label goes.
        this.db
          .prepare(
            `UPDATE audit SET detail = '' WHERE tenant_id = @t AND kind IN ('token-created', 'token-revoked')
             AND token_id IN (SELECT id FROM tokens WHERE user_id = @u)`,
          )
          .run(p);
        // Single sign-on: the emails the audit and the waiting list hold, the identity link (a later
        // sign-in starts afresh), the sessions' refresh tokens.
        this.db
          .prepare(
            `UPDATE audit SET detail = '' WHERE tenant_id = @t AND (
               (kind IN ('sso-joined', 'sso-approved') AND subject_id = @u)
               OR (kind = 'sso-requested' AND detail IN
                    (SELECT id || ': ' || email FROM sso_requests WHERE tenant_id = @t AND user_id = @u)))`,
          )
          .run(p);
        this.db.prepare('DELETE FROM sso_requests WHERE tenant_id = @t AND user_id = @u').run(p);
        this.db.prepare('DELETE FROM sso_identities WHERE tenant_id = @t AND user_id = @u').run(p);
        this.db
          .prepare('DELETE FROM session_refresh WHERE token_id IN (SELECT id FROM tokens WHERE user_id = @u)')
          .run(p);
        this.db.prepare('DELETE FROM notifications WHERE tenant_id = @t AND actor_id = @u').run(p);
        for (const table of ['participants', 'watches', 'inboxes', 'notifications', 'read_positions'])
          this.db.prepare(`DELETE FROM ${table} WHERE tenant_id = @t AND user_id = @u`).run(p);
        this.db.prepare('DELETE FROM erasure_requests WHERE tenant_id = @t AND user_id = @u').run(p);
        return revoked;
      })
      .immediate();
  }

  async requestErasure(tenantId: string, userId: string, at: number): Promise<boolean> {
    return this.db
      .transaction((): boolean => {
        if (!this.stmts.member.get(tenantId, userId)) return false;
        this.db
          .prepare(
            `INSERT INTO erasure_requests (tenant_id, user_id, requested_at) VALUES (?, ?, ?)
             ON CONFLICT (tenant_id, user_id) DO NOTHING`,
          )
          .run(tenantId, userId, at);
        return true;
      })
      .immediate();
  }

  async listErasureRequests(tenantId: string): Promise<ErasureRequest[]> {
    return this.db
      .prepare<[string], { user_id: string; requested_at: number }>(
        'SELECT user_id, requested_at FROM erasure_requests WHERE tenant_id = ? ORDER BY requested_at, user_id',
      )
      .all(tenantId)
      .map((r) => ({ userId: r.user_id, requestedAt: r.requested_at }));
  }

  async dropErasureRequest(tenantId: string, userId: string): Promise<boolean> {
    return (
      this.db
        .prepare('DELETE FROM erasure_requests WHERE tenant_id = ? AND user_id = ?')
        .run(tenantId, userId).changes > 0
    );
  }

  async addAudit(entry: NewAuditEntry): Promise<void> {
    this.stmts.insertAudit.run(entry);
  }

  async listAudit(tenantId: string, limit: number, before = Number.MAX_SAFE_INTEGER): Promise<AuditEntry[]> {
    return this.stmts.listAudit.all(tenantId, before, limit).map(auditEntry);
  }

  async compact(now = Date.now()): Promise<number> {
    const before = now - this.replayWindow.ageMs;
    let removed = 0;
    for (;;) {
      const n = this.stmts.oldEvents.run(before).changes + this.stmts.oldWrites.run(before).changes;
      removed += n;
      if (n === 0) break;
      // Let the server serve others between batches.
      await new Promise((resolve) => setImmediate(resolve));
      if (!this.db.open) return removed;
    }
    removed += await this.sso.compact(now);
    // Deleted and edited text may still sit in the WAL's older frames: copy and truncate it.
    if (this.db.open) this.db.pragma('wal_checkpoint(TRUNCATE)');
    return removed;
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
