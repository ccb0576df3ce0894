// The store interface: everything the server keeps. Two implementations share it and one contract
// test suite: SQLite (the embedded default) and PostgreSQL (several nodes).
import type {
  DiscussionEventT,
  CommentT,
  DiscussionT,
  ErrorCode,
  NotificationKind,
  NotificationT,
  PersonT,
  ResolutionT,
  RoleT,
  SelectorT,
  WriteFrameT,
} from '../../lib/protocol';

export interface Tenant {
  id: string;
  name: string;
  createdAt: number;
}

export interface User {
  id: string;
  tenantId: string;
  name: string;
  createdAt: number;
  /** When the user was removed from the tenant (tokens revoked, not mentionable); null while a member. */
  removedAt: number | null;
  /** When an admin erased the user's content and name (then `name` is empty); null otherwise. */
  erasedAt?: number | null;
}

/** A member's request that their content be erased, waiting for an admin. */
export interface ErasureRequest {
  userId: string;
  requestedAt: number;
}

/** One comment a member wrote, where it is: for their export and for erasing it. */
export interface AuthoredComment {
  page: string;
  discussionId: string;
  /** The discussion's quote (the page's text it is anchored to). */
  quote: string;
  comment: CommentT;
  /** Where the next call continues (`after`). */
  cursor: number;
}

/** What the store keeps of a member beyond their comments: watches and read positions. */
export interface OwnState {
  watches: { page: string; since: number }[];
  reads: { page: string; discussionId: string; at: number }[];
}

/** A discussion by page and id, as a sweep or an erasure names it. */
export interface DiscussionRef {
  page: string;
  discussionId: string;
}

/** What a user keeps about one page: whether they watch it, and how far they read each discussion. */
export interface PageUserState {
  watching: boolean;
  /** Discussion id → the comment time the user has read it up to. */
  read: Record<string, number>;
}

/** A token as the directory lists it. The secret itself is never stored, only its hash. */
export interface TokenInfo {
  id: string;
  tenantId: string;
  userId: string;
  role: RoleT;
  label: string;
  createdAt: number;
  revokedAt: number | null;
  /** The user (an admin) who created it through the admin API; null when the operator's CLI did. */
  createdBy: string | null;
  /**
   * When it stops being accepted (a signed-in session's access token, renewed by each refresh);
   * null for tokens that last until revoked (pasted, invite).
   */
  expiresAt: number | null;
}

export interface NewToken {
  id: string;
  tenantId: string;
  userId: string;
  role: RoleT;
  label: string;
  /** SHA-256 of the secret, hex. */
  hash: string;
  createdAt: number;
  /** The admin who creates it for its user; absent or null for the operator's CLI. */
  createdBy?: string | null;
}

/** Every kind of audit entry. Only ever appended to: each migration's check takes the kinds up to its own. */
export const AUDIT_KINDS = [
  'token-created',
  'token-revoked',
  'admin-delete',
  'delegated-write',
  'role-changed',
  'member-removed',
  'invite-created',
  'invite-revoked',
  'invite-redeemed',
  'sso-joined',
  'sso-requested',
  'sso-approved',
  'sso-refused',
  'retention-changed',
  'retention-sweep',
  'member-erased',
  'erasure-requested',
  'erasure-declined',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/**
 * One entry of a tenant's audit trail: who did what, by ids (never any text of a discussion).
 * - `token-created` / `token-revoked`: `actorId` the admin (null: the operator's CLI), `subjectId` the
 *   token's user.
 * - `admin-delete`: an admin deleted another user's comment or discussion; `subjectId` its author
 *   or creator.
 * - `delegated-write`: a change made with a token an admin created for someone else; `actorId` that
 *   admin, `subjectId` the token's user, in whose name the change appears.
 * - `role-changed`: an admin changed a member's role (`detail`: "member → admin"); `subjectId` the member.
 * - `member-removed`: an admin removed a member (their tokens revoked); `subjectId` the member.
 * - `invite-created` / `invite-revoked`: `actorId` the admin; `detail` the invite's id, role and limits.
 * - `invite-redeemed`: someone joined with an invite; `actorId` the admin who made it, `subjectId`
 *   the new member, `tokenId` their new token.
 * - `sso-joined`: someone signed in with the identity provider for the first time and became a
 *   member (allowed by the email rules, or approved); `subjectId` the new member.
 * - `sso-requested`: someone the email rules do not allow signed in and waits for an admin;
 *   `detail` the request's id and the email the identity provider vouched for.
 * - `sso-approved` / `sso-refused`: an admin decided a waiting request; `actorId` the admin,
 *   `subjectId` the new member (approved only).
 * - `retention-changed`: an admin set how long discussions live (`detail`: "off → 90 days").
 * - `retention-sweep`: the server removed discussions past the retention (`actorId` null, `detail`
 *   the count; never which text).
 * - `member-erased`: an admin erased a member's content (`detail`: what went, counted).
 * - `erasure-requested` / `erasure-declined`: a member asked for erasure (`actorId` the member); an
 *   admin declined it (`actorId` the admin, `subjectId` the member).
 */
export interface AuditEntry {
  id: number;
  tenantId: string;
  at: number;
  kind: AuditKind;
  actorId: string | null;
  subjectId: string | null;
  tokenId: string | null;
  page: string | null;
  chatId: string | null;
  commentId: string | null;
  seq: number | null;
  /** The write's type for changes, the token's label for token events. */
  detail: string;
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

/** The place of an audit entry about no page: token, member, invite, sign-in and sweep events. */
export const NO_PLACE = { page: null, chatId: null, commentId: null, seq: null } as const;

/** What a write adds to the audit trail; the store fills in tenant, time, token, ids and seq. */
export interface AuditNote {
  kind: 'admin-delete' | 'delegated-write';
  actorId: string;
  subjectId: string;
}

/** An invite link as the directory lists it; only the SHA-256 of its secret is stored. */
export interface InviteInfo {
  id: string;
  tenantId: string;
  /** The role of the members it makes. */
  role: RoleT;
  createdAt: number;
  /** The admin who made it. */
  createdBy: string;
  expiresAt: number;
  /** How many people may join with it, and how many have. */
  maxUses: number;
  uses: number;
  revokedAt: number | null;
}

export interface NewInvite {
  id: string;
  tenantId: string;
  role: RoleT;
  /** SHA-256 of the secret, hex. */
  hash: string;
  createdAt: number;
  createdBy: string;
  expiresAt: number;
  maxUses: number;
}

/** Why an invite cannot be used (each has its own words for the person holding it). */
export type InviteRefusal = 'unknown' | 'expired' | 'used-up' | 'revoked';

export type RedeemResult =
  | { status: 'joined'; invite: InviteInfo; tenant: Tenant; user: User; token: TokenInfo }
  | { status: InviteRefusal };

/** What changing a member's role or removing them did; `last-admin`: refused, the team would have no admin. */
export type MemberChange =
  { status: 'done'; user: User; tokens: TokenInfo[] } | { status: 'not-found' } | { status: 'last-admin' };

/** Who a token speaks for. */
export interface TokenAuth {
  token: TokenInfo;
  tenant: Tenant;
  user: User;
}

/**
 * What a write's planner sees of the discussion it touches: the row's head, never its thread, so a
 * write costs the same on a 10- and a 10,000-comment thread.
 */
export interface StoredDiscussion {
  id: string;
  page: string;
  /** The user who created the discussion, stored when it was created (not its first comment's author). */
  creatorId: string;
  commentCount: number;
  /** Bytes the discussion holds in the store (its selectors and its comments' text), for the tenant quota. */
  bytes: number;
  /** Who resolved it, null while open. */
  resolvedBy: string | null;
  /** Its last activity (creation, a comment, an edit): the retention sweep deletes only what is still stale. */
  lastActivityAt: number;
}

/** The one comment a write names, as stored. */
export interface StoredComment {
  id: string;
  authorId: string;
  /** When it was written (ms since the epoch, the server's clock then). */
  at: number;
  /** UTF-8 bytes of its text. */
  bytes: number;
  /** The user ids its text mentions now (an edit notifies only those it adds). */
  mentions: string[];
}

/**
 * Whom a write may notify, as the planner decides it; the store reads who those are (members,
 * participants, watchers) inside the write's transaction and `server/notify.ts` picks the recipients.
 */
export interface NotifyPlan {
  /** The writer, who is never told of their own write. */
  actor: PersonT;
  /** User ids the write's text newly mentions, not yet checked against the tenant's members. */
  mentions: string[];
  /** A reply: the discussion's participants (its creator and everyone who commented) are told. */
  reply: boolean;
  /** A new discussion: the page's watchers are told. */
  newDiscussion: boolean;
  /** A resolve: this user (the discussion's creator) is told. */
  resolveFor: string | null;
  /** The comment the notification points at (the new or edited one), if any. */
  commentId: string | null;
  /** That comment's text, for the live notification's excerpt. */
  text: string | null;
}

/** What the store read for a NotifyPlan. */
export interface NotifyFacts {
  /** Of the plan's mentions, those that are current members of the tenant. */
  members: string[];
  /** The discussion's participants before this write (reply only). */
  participants: string[];
  /** The page's watchers (new discussion only). */
  watchers: string[];
}

/** A notification to store: the store gives it the user's next seq. */
export interface NotificationDraft {
  userId: string;
  kind: NotificationKind;
}

/** Everything a planner decides on, read inside the write's transaction. */
export interface PlanInput {
  /** The discussion `write.chatId` names in this tenant, or null. */
  discussion: StoredDiscussion | null;
  /** The comment `write.commentId` names in that discussion, or null (also for writes without one). */
  comment: StoredComment | null;
  /** Discussions on the write's page now. */
  pageDiscussions: number;
  /** Bytes the tenant stores now. */
  tenantBytes: number;
  /**
   * The role the write's token has now, read in the transaction (a role changed by an admin applies
   * to live connections at once); undefined when the write names no token.
   */
  tokenRole?: RoleT;
  /** True when the write's token is revoked (its holder removed on another node, say). */
  tokenRevoked?: boolean;
}

/**
 * What ops decides for one write. `event` is the broadcast without its seq; the store applies the
 * change it describes to its rows. `bytes` is how much the tenant's stored bytes change (negative
 * for deletes).
 */
export type WritePlan =
  | {
      ok: true;
      event: DistributiveOmit<DiscussionEventT, 'seq'>;
      bytes: number;
      audit?: AuditNote[];
      notify?: NotifyPlan;
    }
  | { ok: false; code: ErrorCode; message: string };

export type WritePlanner = (input: PlanInput) => WritePlan;

export type CommitResult =
  /** `notifications`: those the write made, stored in its transaction, for live delivery. */
  | { status: 'applied'; event: DiscussionEventT; notifications: StoredNotification[] }
  /** The broadcastId was already applied: the original page and seq. */
  | { status: 'duplicate'; page: string; seq: number }
  | { status: 'rejected'; code: ErrorCode; message: string };

/**
 * How much of each page's event log is kept for replays: the last `events` events of a page, and
 * none older than `ageMs`. A client further behind takes a snapshot.
 */
export interface ReplayWindow {
  events: number;
  ageMs: number;
}

export const DEFAULT_REPLAY_WINDOW: ReplayWindow = { events: 1000, ageMs: 7 * 24 * 3600 * 1000 };

/** Options every store takes. */
export interface StoreOptions {
  replayWindow?: ReplayWindow;
}

/** One page of a snapshot: discussions after `after` (a cursor) in creation order. */
export interface SnapshotPage {
  seq: number;
  discussions: DiscussionT[];
  /** Where the next page starts; null when this was the last. */
  next: string | null;
}

/** Usage to add for one tenant, site (a page's host, '' for frames about no page) and hour. */
export interface UsageDelta {
  tenantId: string;
  site: string;
  /** Start of the hour, ms since the epoch (UTC), a multiple of 3,600,000. */
  hour: number;
  /** pubSubMessageCount: frames delivered to clients, each event in a batch counting as one. */
  messages: number;
  /** pubSubBandwidth: bytes written to sockets, WebSocket framing included. */
  bytes: number;
}

export type UsageRow = Omit<UsageDelta, 'tenantId'>;

/** A notification with the user it belongs to. */
export interface StoredNotification {
  userId: string;
  notification: NotificationT;
}

/** A user's notifications after a seq, and their inbox's totals. */
export interface NotificationList {
  notifications: NotificationT[];
  unread: number;
  /** The user's latest seq (0: none yet). */
  latest: number;
  /** True when there are more after the last one listed. */
  more: boolean;
}

/**
 * Which of a tenant's discussions a listing or an export takes. Every field narrows; none means all.
 * Times are ms since the epoch and apply to the discussion's last activity (creation, a comment, an
 * edit).
 */
export interface DiscussionFilter {
  page?: string;
  /** A page's host (`example.com`, with its port when it has one). */
  site?: string;
  /** Started by this user. */
  creatorId?: string;
  /** With at least one comment by this user. */
  authorId?: string;
  from?: number;
  to?: number;
  /** Open (not resolved) or resolved discussions only. */
  state?: 'open' | 'resolved';
  /** With a comment that mentions this user now (their `@[id]` token in its text). */
  mentionsId?: string;
}

/** A discussion as the team's list shows it: no thread, its opening words and its size. */
export interface DiscussionSummary {
  id: string;
  page: string;
  /** The page's title when the discussion was started; null when the client sent none. */
  title: string | null;
  quote: string;
  creator: { id: string; name: string };
  /** Who resolved it and when; null while it is open. */
  resolved: ResolutionT | null;
  createdAt: number;
  lastActivityAt: number;
  commentCount: number;
  /** The first comment still there, cut to a preview; null when every comment was deleted. */
  preview: string | null;
}

/** One page of a listing, newest activity first; `next` continues it (null: the last page). */
export interface DiscussionListing {
  discussions: DiscussionSummary[];
  next: string | null;
}

/** A whole discussion, for export: its anchor, its thread and who started it when. */
export interface DiscussionRecord {
  id: string;
  page: string;
  title: string | null;
  selectors: SelectorT[];
  creator: { id: string; name: string };
  /** The id of the comment it was started with (it may since have been deleted). */
  openingId: string;
  createdAt: number;
  lastActivityAt: number;
  comments: CommentT[];
}

/**
 * Text with the matched words marked, as segments: a client renders each as text (never as HTML),
 * marking those with `hit`.
 */
export type Marked = { text: string; hit: boolean }[];

/** One discussion found by a search, with its best-matching comment when a comment matched. */
export interface SearchHit {
  chatId: string;
  page: string;
  title: string | null;
  quote: string;
  createdAt: number;
  lastActivityAt: number;
  /** Who resolved it and when; null while it is open. */
  resolved: ResolutionT | null;
  /** The quote and title with the matched words marked (whole when they did not match). */
  quoteMarked: Marked;
  titleMarked: Marked | null;
  /** The best-matching comment, with a short marked snippet; null when only the quote or title matched. */
  comment: { id: string; author: { id: string; name: string }; at: number; snippet: Marked } | null;
  /** Larger is better; comparable only within one answer. */
  score: number;
}

export interface SearchQuery {
  /** What the person typed; words are matched whole, the last one also as a prefix (search as you type). */
  text: string;
  limit: number;
  filter?: DiscussionFilter;
}

export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

// ---------------------------------------------------------------- single sign-on (server/sso.ts)

/** Someone the identity provider vouched for and the email rules did not let in, waiting for an admin. */
export interface SsoRequest {
  id: string;
  tenantId: string;
  issuer: string;
  subject: string;
  /** As the identity provider gave it (verified). */
  email: string;
  name: string;
  requestedAt: number;
  decision: 'approved' | 'refused' | null;
  decidedAt: number | null;
  decidedBy: string | null;
  /** The member an approval made. */
  userId: string | null;
}

/** A new signed-in session: its access token (a token row with an expiry) and first refresh token. */
export interface NewSession {
  token: NewToken & { expiresAt: number };
  /** SHA-256 of the refresh token, hex. */
  refreshHash: string;
  refreshExpiresAt: number;
}

export interface SessionRotation {
  /** The new access token's hash and expiry, and the next refresh token's. */
  accessHash: string;
  expiresAt: number;
  refreshHash: string;
  refreshExpiresAt: number;
}

/**
 * What presenting a refresh token did: `rotated` (the old one is spent, the session's token row has
 * the new access hash); `reused`: it was spent already, so the session is revoked (someone else holds
 * a copy); `unknown`, `expired`, or `revoked` (signed out, removed).
 */
export type RotateResult =
  | { status: 'rotated'; auth: TokenAuth }
  | { status: 'reused'; token: TokenInfo }
  | { status: 'unknown' }
  | { status: 'expired' }
  | { status: 'revoked' };

export interface SsoStore {
  /** Keeps a short-lived one-time value (a sign-in under way, a one-time code) under `key`. */
  putOneTime(key: string, value: string, expiresAt: number): Promise<void>;
  /** Takes the value once: it is gone after; null when unknown, taken already or expired at `now`. */
  takeOneTime(key: string, now: number): Promise<string | null>;
  /** The member this identity signs in as in the tenant; null when none. */
  findMember(tenantId: string, issuer: string, subject: string): Promise<User | null>;
  /**
   * Makes the member and links the identity to them, in one transaction; when the identity is linked
   * already (two first sign-ins racing), answers the member it links to.
   */
  addMember(
    tenantId: string,
    identity: { issuer: string; subject: string },
    member: { userId: string; name: string; at: number },
  ): Promise<{ user: User; created: boolean }>;
  /** Records a waiting request (a second sign-in keeps the first request and its decision). */
  request(r: Omit<SsoRequest, 'decision' | 'decidedAt' | 'decidedBy' | 'userId'>): Promise<{
    request: SsoRequest;
    created: boolean;
  }>;
  /** The identity's request in the tenant, or null. */
  findRequest(tenantId: string, issuer: string, subject: string): Promise<SsoRequest | null>;
  /** The tenant's requests, undecided first then newest first, at most `limit`. */
  listRequests(tenantId: string, limit: number): Promise<SsoRequest[]>;
  /**
   * Decides an undecided request once: approving makes the member (`member`) and links the identity
   * in the same transaction. Null when no such request in the tenant; the request unchanged when it
   * was decided already.
   */
  decide(
    tenantId: string,
    requestId: string,
    decision: 'approved' | 'refused',
    by: string,
    at: number,
    member: { userId: string },
  ): Promise<{ request: SsoRequest; changed: boolean } | null>;
  /** Stores a new session's access token row and first refresh token. */
  startSession(session: NewSession): Promise<TokenInfo>;
  /** Spends a refresh token (atomically: two racing presenters, one rotates, the other revokes). */
  rotateSession(refreshHash: string, now: number, next: SessionRotation): Promise<RotateResult>;
  /** Drops spent or expired refresh tokens and expired one-time values, a bounded batch. */
  compact(now: number): Promise<number>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Single sign-on: identities, waiting requests, sessions. */
  readonly sso: SsoStore;
  close(): Promise<void>;

  // ---- directory
  /** Tenant names are unique: a second tenant with the same name throws an Error saying so. */
  createTenant(name: string): Promise<Tenant>;
  listTenants(): Promise<Tenant[]>;
  /** By id or by exact name. */
  findTenant(idOrName: string): Promise<Tenant | null>;
  createUser(tenantId: string, name: string): Promise<User>;
  listUsers(tenantId: string): Promise<User[]>;
  insertToken(token: NewToken): Promise<TokenInfo>;
  /** The token with this hash, revoked or not, with its tenant and user. */
  findTokenByHash(hash: string): Promise<TokenAuth | null>;
  /** Marks a token revoked; null when no such token (in that tenant, when one is given). */
  revokeToken(tokenId: string, tenantId?: string): Promise<TokenInfo | null>;
  listTokens(tenantId: string): Promise<TokenInfo[]>;
  /**
   * Tokens whose `revokedAt` is at or after `since` (ms since the epoch), in any tenant. The server
   * polls this about once a second to close the live sockets of tokens revoked by another process.
   */
  tokensRevokedSince(since: number): Promise<TokenInfo[]>;

  // ---- pages
  /** The page's discussions in creation order and its current seq (0 for a page never written). */
  snapshot(tenantId: string, page: string): Promise<{ seq: number; discussions: DiscussionT[] }>;
  /**
   * One page of a snapshot, at most about `maxBytes` of JSON: the discussions (and comments) from
   * `cursor` on (null: the start), and the cursor of the next page. A discussion may be split, its
   * further comments continuing under the same id on the next page. Pages read one after another
   * may see writes made in between; applying the events after the first page's seq fixes that up.
   */
  snapshotPage(
    tenantId: string,
    page: string,
    cursor: string | null,
    maxBytes: number,
  ): Promise<SnapshotPage>;
  /**
   * The events after `since`, in seq order, when the store holds all of them and there are at most
   * `limit`; null when the client must take a snapshot instead (too far behind the replay window, or
   * ahead of the store). Events are rendered from the rows as they are now: a deleted discussion or
   * comment is a tombstone (its deletion, ids only) and an edited comment carries its current text.
   */
  eventsSince(
    tenantId: string,
    page: string,
    since: number,
    limit: number,
  ): Promise<{ seq: number; events: DiscussionEventT[] } | null>;
  /**
   * The latest seq of each page (0 for a page never written), in the order asked, read in one query:
   * each node checks its live rooms against it about once a second, to find events it never heard of
   * on the bus (a publisher that died between commit and publish, a dropped Redis connection).
   */
  latestSeqs(pages: readonly { tenantId: string; page: string }[]): Promise<number[]>;
  /**
   * Applies one write in a single transaction: if the write's broadcastId was already applied in
   * this tenant, answers `duplicate`; else reads what the planner needs (the discussion `write.chatId`
   * names, the comment `write.commentId` names, the page's and tenant's totals), asks `plan`, and
   * when it agrees changes the rows, bumps the page's seq by one and logs the change with it (ids
   * only) and the token that made it. Seqs are gap-free and in commit order per page, also under
   * concurrent writers on several nodes. The cost does not grow with the thread or the page.
   */
  commit(
    tenantId: string,
    write: WriteFrameT,
    plan: WritePlanner,
    tokenId?: string | null,
  ): Promise<CommitResult>;
  /**
   * Drops log entries older than the replay window's age (those beyond its count go at each write),
   * and what else has expired, a bounded batch at a time; resolves to how many rows went.
   */
  compact(now?: number): Promise<number>;

  /**
   * Removes a user from their tenant: marks them removed, revokes their tokens and drops their
   * notifications, watches and read positions. Their comments stay, as a former member's: their name
   * leaves them and the discussions they resolved (the directory keeps it). Returns the
   * revoked tokens, or null when no such user (in that tenant).
   */
  removeUser(tenantId: string, userId: string): Promise<TokenInfo[] | null>;

  /**
   * What an admin's "remove" does: as removeUser, but refused (`last-admin`) when the user is the
   * tenant's last admin (the only member, not removed, with a live admin token). Checked and done in
   * one transaction, so two admins removing each other cannot both succeed. `tokens`: those revoked.
   */
  removeMember(tenantId: string, userId: string): Promise<MemberChange>;
  /**
   * Gives a member's live tokens the role (their sockets' next write sees it: the store reads a
   * write's token role in its transaction). Refused (`last-admin`) when it would leave no admin;
   * `not-found` for no such member or one removed. `tokens`: the tokens whose role changed.
   */
  setMemberRole(tenantId: string, userId: string, role: RoleT): Promise<MemberChange>;

  // ---- invites
  insertInvite(invite: NewInvite): Promise<InviteInfo>;
  listInvites(tenantId: string): Promise<InviteInfo[]>;
  /** The invite with this secret's hash, with its tenant; null when none. */
  findInviteByHash(hash: string): Promise<{ invite: InviteInfo; tenant: Tenant } | null>;
  /** Marks an invite revoked (the first time is kept); null when no such invite in that tenant. */
  revokeInvite(tenantId: string, inviteId: string): Promise<InviteInfo | null>;
  /**
   * Uses an invite once, atomically: when it is known, not revoked, not expired at `now` and has a
   * use left, counts the use and creates the member `name` with a token of the invite's role (hash
   * given, made by the invite's admin) in the same transaction. Two redeemers racing for the last
   * use: exactly one joins, the other gets `used-up`.
   */
  redeemInvite(
    hash: string,
    now: number,
    member: { name: string; userId: string; tokenId: string; tokenHash: string; label: string },
  ): Promise<RedeemResult>;

  /**
   * Deletes a member nothing refers to any more: no token, no discussion or comment of theirs, nothing
   * they did that a notification or the audit names (a placeholder made by an import that was then
   * undone). Resolves to whether they were deleted; a member still referred to is kept.
   */
  dropUnusedMember(tenantId: string, userId: string): Promise<boolean>;

  // ---- the user's own state: watches, notifications, read positions
  /** Starts or stops watching a page (idempotent). */
  setWatch(tenantId: string, userId: string, page: string, watch: boolean): Promise<void>;
  /** Whether the user watches the page, and their read positions of its discussions. */
  pageUserState(tenantId: string, userId: string, page: string): Promise<PageUserState>;
  /**
   * Records that the user has read a discussion of the page up to comment time `at`; a position
   * never moves back. Resolves to the position now stored, or null when the discussion is not on
   * that page in the tenant.
   */
  markRead(
    tenantId: string,
    userId: string,
    page: string,
    discussionId: string,
    at: number,
  ): Promise<number | null>;
  /**
   * The user's notifications with a seq above `after`, oldest first, at most `limit`; without
   * `after`, the newest `limit`. Each rendered as things are now (the actor's name, the comment's
   * current text as excerpt, none once it is deleted).
   */
  notificationsSince(
    tenantId: string,
    userId: string,
    after: number | null,
    limit: number,
  ): Promise<NotificationList>;
  /** Marks the listed notifications, and all up to `upTo`, read; resolves to how many stay unread. */
  markNotificationsRead(
    tenantId: string,
    userId: string,
    read: { seqs?: readonly number[]; upTo?: number },
    now?: number,
  ): Promise<number>;
  // ---- the team's discussions across pages
  /**
   * A tenant's discussions that match `filter`, newest activity first, `limit` at a time from
   * `cursor` (null: the start). Work per call is bounded by `limit`, not by the tenant's size.
   */
  listDiscussions(
    tenantId: string,
    filter: DiscussionFilter,
    cursor: string | null,
    limit: number,
  ): Promise<DiscussionListing>;
  /** Whole discussions of the tenant by id (missing ones left out), in the order asked. */
  readDiscussions(tenantId: string, ids: readonly string[]): Promise<DiscussionRecord[]>;
  /**
   * Full-text search over the tenant's comments, quotes and page titles, best first, one hit per
   * discussion. Only what the store holds now is found: deleted and edited-away text never is.
   * An empty query (no words) finds nothing.
   */
  search(tenantId: string, query: SearchQuery): Promise<SearchHit[]>;

  // ---- retention and erasure (docs/security.md, "Privacy")
  /** How many days after its last activity a tenant's discussions are removed; null: kept (the default). */
  retentionDays(tenantId: string): Promise<number | null>;
  setRetentionDays(tenantId: string, days: number | null): Promise<void>;
  /** Every tenant with a retention set. */
  retentionTenants(): Promise<{ tenantId: string; days: number }[]>;
  /** The tenant's discussions whose last activity is before `before`, oldest first, at most `limit`. */
  staleDiscussions(tenantId: string, before: number, limit: number): Promise<DiscussionRef[]>;
  /** The comments a user wrote in the tenant, oldest first, at most `limit`, after the cursor `after`. */
  commentsBy(tenantId: string, userId: string, limit: number, after?: number): Promise<AuthoredComment[]>;
  /** Discussions the user started that hold no comment any more, at most `limit`. */
  emptyDiscussionsBy(tenantId: string, userId: string, limit: number): Promise<DiscussionRef[]>;
  /** The user's watches and read positions. */
  ownState(tenantId: string, userId: string): Promise<OwnState>;
  /**
   * Forgets a user once their comments are gone: the name emptied (`erasedAt` set), removed if still
   * a member (tokens revoked, labels emptied), their notifications and those they caused, watches,
   * read positions and participation dropped, their name taken off what they resolved, their
   * erasure request closed. One transaction. Returns the tokens it revoked, or null for no such user.
   */
  forgetUser(tenantId: string, userId: string): Promise<TokenInfo[] | null>;
  /** Records a member's request for erasure (the first time is kept); false when no such member. */
  requestErasure(tenantId: string, userId: string, at: number): Promise<boolean>;
  listErasureRequests(tenantId: string): Promise<ErasureRequest[]>;
  /** Closes a request; false when there was none. */
  dropErasureRequest(tenantId: string, userId: string): Promise<boolean>;

  // ---- audit
  addAudit(entry: NewAuditEntry): Promise<void>;
  /** A tenant's audit entries, newest first, at most `limit`, with ids below `before` when given. */
  listAudit(tenantId: string, limit: number, before?: number): Promise<AuditEntry[]>;

  // ---- usage
  /** Adds each delta to its (tenant, site, hour) counters, all in one transaction. */
  addUsage(deltas: UsageDelta[]): Promise<void>;
  /** A tenant's usage for the hours from `fromHour` to `toHour` inclusive, by hour then site. */
  usage(tenantId: string, fromHour: number, toHour: number): Promise<UsageRow[]>;
}
