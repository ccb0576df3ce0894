// The store interface: everything the server keeps. Two implementations share it and one contract
// test suite: SQLite (the embedded default) and PostgreSQL (several nodes).
import type { ChatEventT, DiscussionT, ErrorCode, RoleT, WriteFrameT } from '../../lib/protocol';

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
}

/** Who a token speaks for. */
export interface TokenAuth {
  token: TokenInfo;
  tenant: Tenant;
  user: User;
}

/** The stored state of one discussion, found by id within a tenant. */
export interface StoredDiscussion {
  page: string;
  chat: DiscussionT;
}

/**
 * What ops decides for one write, given the discussion it touches as stored right now (inside the
 * write's transaction). `event` is the broadcast without its seq; `chat` is the discussion's new
 * state, or null when the write deletes it.
 */
export type WritePlan =
  | { ok: true; event: DistributiveOmit<ChatEventT, 'seq'>; chat: DiscussionT | null }
  | { ok: false; code: ErrorCode; message: string };

export type WritePlanner = (current: StoredDiscussion | null) => WritePlan;

export type CommitResult =
  | { status: 'applied'; event: ChatEventT }
  /** The broadcastId was already applied: the original page and seq. */
  | { status: 'duplicate'; page: string; seq: number }
  | { status: 'rejected'; code: ErrorCode; message: string };

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

export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
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
  snapshot(tenantId: string, page: string): Promise<{ seq: number; chats: DiscussionT[] }>;
  /**
   * The events after `since`, in seq order, when the store holds all of them and there are at most
   * `limit`; null when the client must take a snapshot instead (too far behind, or ahead of the store).
   */
  eventsSince(
    tenantId: string,
    page: string,
    since: number,
    limit: number,
  ): Promise<{ seq: number; events: ChatEventT[] } | null>;
  /**
   * The latest seq of each page (0 for a page never written), in the order asked, read in one query:
   * each node checks its live rooms against it about once a second, to find events it never heard of
   * on the bus (a publisher that died between commit and publish, a dropped Redis connection).
   */
  latestSeqs(pages: readonly { tenantId: string; page: string }[]): Promise<number[]>;
  /**
   * Applies one write in a single transaction: if the write's broadcastId was already applied in
   * this tenant, answers `duplicate`; else loads the discussion `write.chatId` names (null if none
   * in this tenant), asks `plan`, and when it agrees stores the discussion's new state, bumps the
   * page's seq by one and stores the event with it. Seqs are gap-free and in commit order per page,
   * also under concurrent writers on several nodes.
   */
  commit(tenantId: string, write: WriteFrameT, plan: WritePlanner): Promise<CommitResult>;

  // ---- usage
  /** Adds each delta to its (tenant, site, hour) counters, all in one transaction. */
  addUsage(deltas: UsageDelta[]): Promise<void>;
  /** A tenant's usage for the hours from `fromHour` to `toHour` inclusive, by hour then site. */
  usage(tenantId: string, fromHour: number, toHour: number): Promise<UsageRow[]>;
}
