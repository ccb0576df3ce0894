// One WebSocket connection: the hello/auth handshake, the per-connection rate limit, heartbeat,
// frame parsing and dispatch to the hub (subscriptions) and ops (writes). Frames sent after hello
// and before the welcome are kept (a bounded number) and handled in order after it. Subscribes and
// unsubscribes take turns, one store read at a time per connection, within the subscribe budget;
// writes are applied in the order sent. A close the server decides on waits until the writes and
// the subscribe already started are answered, so no stored write goes unacknowledged.
import WebSocket from 'ws';
import {
  CLOSE,
  Hello,
  LIMITS,
  PROTOCOL_VERSION,
  describeValue,
  frameAbout,
  parseClientFrame,
  type ClientFrameT,
  type ErrorCode,
  type FrameAbout,
  type RoleT,
  type ServerFrameT,
  type WriteFrameT,
} from '../lib/protocol';
import { authenticate } from './auth';
import type { Bus } from './bus/types';
import { Outlet, type FlushClock, type OutletOptions, type OutletOwner } from './fanout';
import type { Hub, Subscriber } from './hub';
import { commitWrite, type Actor, type StoreLimits } from './ops';
import type { Store } from './store/types';
import type { SubscribeBudget } from './subscribe-budget';
import type { UserChannels } from './user-channels';

/**
 * Who an open connection speaks for: only what it needs after its welcome, not the token, tenant
 * and user rows (thousands of idle sockets each kept their own copies).
 */
export interface Identity {
  readonly tenantId: string;
  readonly userId: string;
  readonly userName: string;
  readonly tokenId: string;
  readonly role: RoleT;
  /** The admin who created this token for the user, when someone else did (audited). */
  readonly mintedBy: string | null;
}

export interface ConnectionDeps {
  store: Store;
  hub: Hub;
  bus: Bus;
  /** Shared by every connection of the node: the cost budget of subscribe answers. */
  budget: SubscribeBudget;
  /** Frames for a user (notifications, read positions, watches) to all of their connections. */
  users: UserChannels;
  helloTimeoutMs: number;
  /** A socket that answers no ping (pong or any frame) for this long is terminated. */
  pongTimeoutMs: number;
  /** Ends flush windows for batching; null sends every frame on its own. */
  flushClock: FlushClock | null;
  /** Batching window, buffered-bytes bound and the shared encoder: one object for all sockets. */
  outletOptions: OutletOptions;
  /** Counts each write to the socket (usage metering). */
  onWrite(tenantId: string, page: string | undefined, messages: number, bytes: number): void;
  /** Called once the connection is authenticated, and again (with null) when it ends. */
  onIdentity(conn: Connection, identity: Identity | null): void;
  /** Called once when the connection ends, for whatever reason. */
  onEnd(conn: Connection): void;
  log(message: string): void;
  /** What a page, a discussion and a team may hold. */
  limits?: StoreLimits;
}

/** `closing`: a close is decided and waits for the answers already under way; nothing new is handled. */
type State = 'awaiting-hello' | 'authenticating' | 'open' | 'closing' | 'closed';

/** A frame that arrived between hello and welcome: its text, or what refusing it must name. */
type EarlyFrame = { text: string } | { binary: true } | { refused: FrameAbout };

type PageRequest = Extract<ClientFrameT, { type: 'subscribe' | 'unsubscribe' }>;

/** Requests about the user's own state, answered in order with the writes. */
type UserRequest = Extract<
  ClientFrameT,
  { type: 'list-members' | 'watch' | 'notifications-since' | 'mark-notifications-read' | 'mark-read' }
>;

/** WebSocket close reasons are limited to 123 bytes of UTF-8. */
function closeReason(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= 123
    ? text
    : bytes
        .subarray(0, 120)
        .toString('utf8')
        .replace(/\uFFFD$/, '') + '...';
}

const NO_PAGES: ReadonlySet<string> = new Set();

/** Where a socket keeps the connection that owns it, for the listeners shared by all sockets. */
const CONNECTION = Symbol('collab-chat connection');
type OwnedSocket = WebSocket & { [CONNECTION]?: Connection };

export class Connection implements Subscriber, OutletOwner {
  private state: State = 'awaiting-hello';
  private who: Identity | null = null;
  /** The subscribed pages, each the hub's own copy of the string; made at the first subscribe. */
  private pages: Set<string> | null = null;
  /** Cleared and dropped once hello arrives. */
  private helloTimer: NodeJS.Timeout | null;
  /** When the unanswered ping went out (ms, Date.now()); 0 when none is outstanding. */
  private pingSentAt = 0;
  private tokens: number = LIMITS.rateBurst;
  private refilledAt = Date.now();
  private strikes = 0;
  private readonly outlet: Outlet;
  /**
   * This connection's writes, applied one after another in the order sent: with a database that
   * runs transactions in parallel (PostgreSQL), a reply sent right behind its discussion's
   * creation must not be tried before it.
   */
  private writes: Promise<void> | null = null;
  /** Frames that arrived while the token was being checked; handled in order after the welcome. */
  private early: EarlyFrame[] | null = null;
  /** Subscribes and unsubscribes waiting for their turn, oldest first. */
  private pageRequests: PageRequest[] = [];
  /** The subscribe being answered, or the budget wait before it; null when none. */
  private pageTurn: Promise<unknown> | null = null;
  private budgetTimer: NodeJS.Timeout | null = null;
  /** Set once a close is decided: resolves when the socket is closed. */
  private closing: Promise<void> | null = null;

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: ConnectionDeps,
  ) {
    this.outlet = new Outlet(ws, deps.flushClock, deps.outletOptions, this);
    // Shared listeners that find their connection on the socket: four closures per idle socket
    // were a tenth of its heap.
    (ws as OwnedSocket)[CONNECTION] = this;
    ws.on('message', Connection.onSocketMessage);
    ws.on('close', Connection.onSocketClose);
    ws.on('error', Connection.onSocketError);
    ws.on('pong', Connection.onSocketPong);
    this.helloTimer = setTimeout(
      () =>
        // After the event loop was held up (a long GC, a starved CPU), timers run before the socket
        // data that waited is read: a hello that did arrive in time is read first, then judged.
        setImmediate(() => {
          if (this.state !== 'awaiting-hello') return;
          this.close(
            CLOSE.unauthenticated,
            `no hello within ${Math.round(deps.helloTimeoutMs / 1000)} s; send hello with your token first`,
          );
        }),
      deps.helloTimeoutMs,
    );
  }

  private static onSocketMessage(this: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
    (this as OwnedSocket)[CONNECTION]?.onMessage(data, isBinary);
  }

  private static onSocketClose(this: WebSocket): void {
    (this as OwnedSocket)[CONNECTION]?.end();
  }

  private static onSocketError(this: WebSocket, err: Error): void {
    const conn = (this as OwnedSocket)[CONNECTION];
    if (!conn) return;
    conn.deps.log(`socket error: ${err.message}`);
    conn.end();
  }

  private static onSocketPong(this: WebSocket): void {
    const conn = (this as OwnedSocket)[CONNECTION];
    if (conn) conn.pingSentAt = 0;
  }

  get tenantId(): string {
    return this.who!.tenantId;
  }

  get userId(): string {
    return this.who!.userId;
  }

  /** Who the connection speaks for while it is open; null before its welcome and once closed. */
  get identity(): Identity | null {
    return this.state === 'open' ? this.who : null;
  }

  get tokenId(): string | null {
    return this.who?.tokenId ?? null;
  }

  /** Counts a write to the socket (OutletOwner). */
  reportWrite(page: string | undefined, messages: number, bytes: number): void {
    if (this.who) this.deps.onWrite(this.who.tenantId, page, messages, bytes);
  }

  /** The socket fell too far behind (OutletOwner). */
  overflowed(): void {
    this.close(CLOSE.slowConsumer, 'you are not reading fast enough; reconnect and resync');
  }

  /**
   * One heartbeat tick: pings a socket with no ping outstanding; terminates one whose ping has gone
   * unanswered for the pong timeout (a stalled path: a sleeping laptop, a NAT that forgot the flow),
   * which also takes it out of presence at once.
   */
  heartbeat(now = Date.now()): void {
    if (this.state === 'closed') return;
    if (this.pingSentAt === 0) {
      this.pingSentAt = now;
      this.ws.ping();
    } else if (now - this.pingSentAt >= this.deps.pongTimeoutMs) {
      this.ws.terminate();
      this.end();
    }
  }

  /** Closes at once: answers still under way are lost (a slow consumer, a failed handshake). */
  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(code, closeReason(reason));
    }
    this.end();
  }

  /**
   * Closes once every write received so far and the subscribe under way are answered; frames that
   * arrive from now on, and subscribes still waiting for their turn, are not handled (so a write
   * without an answer was not stored). The first close decided wins.
   */
  closeWhenSettled(code: number, reason: string): Promise<void> {
    if (this.closing) return this.closing;
    if (this.state === 'closed') return Promise.resolve();
    this.state = 'closing';
    this.stopHelloTimer();
    this.early = null;
    this.pageRequests = [];
    if (this.budgetTimer) {
      clearTimeout(this.budgetTimer);
      this.budgetTimer = null;
      this.pageTurn = null;
    }
    this.closing = Promise.all([this.writes, this.pageTurn]).then(() => this.close(code, reason));
    return this.closing;
  }

  /** The pages this connection is subscribed to (the admin dashboard lists them). */
  get subscribedPages(): ReadonlySet<string> {
    return this.pages ?? NO_PAGES;
  }

  deliver(frame: string | Buffer, page?: string, live = false): void {
    if ((this.state !== 'open' && this.state !== 'closing') || this.ws.readyState !== WebSocket.OPEN) return;
    this.outlet.send(frame, page, live);
  }

  subscribeFailed(page: string, message: string): void {
    this.pages?.delete(page);
    this.sendError('internal', message, { page });
  }

  private send(frame: ServerFrameT): void {
    this.deliver(JSON.stringify(frame), 'page' in frame ? frame.page : undefined);
  }

  private sendError(code: ErrorCode, message: string, about: FrameAbout = {}): void {
    this.send({ type: 'error', code, message, ...about });
  }

  /** Releases everything the connection holds; safe to call more than once. */
  private end(): void {
    if (this.state === 'closed') return;
    // Welcomed once (`who` is set only then), whether it was open or closing since.
    const wasOpen = this.who !== null;
    this.state = 'closed';
    this.stopHelloTimer();
    this.early = null;
    this.pageRequests = [];
    if (this.budgetTimer) clearTimeout(this.budgetTimer);
    this.budgetTimer = null;
    this.outlet.discard();
    if (wasOpen) {
      for (const page of this.pages ?? NO_PAGES) this.deps.hub.unsubscribe(this, page);
      this.pages = null;
      this.deps.onIdentity(this, null);
    }
    this.deps.onEnd(this);
  }

  private stopHelloTimer(): void {
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = null;
  }

  /** Token bucket: true when the frame may be handled; a refusal names the frame's write. */
  private takeToken(data: Buffer | null): boolean {
    const now = Date.now();
    this.tokens = Math.min(
      LIMITS.rateBurst,
      this.tokens + ((now - this.refilledAt) / 1000) * LIMITS.ratePerSec,
    );
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.strikes = 0;
      return true;
    }
    this.strikes += 1;
    if (this.strikes >= LIMITS.rateStrikes) {
      void this.closeWhenSettled(
        CLOSE.rateLimited,
        'too many frames over the rate limit; slow down and reconnect',
      );
    } else {
      const message = `more than ${LIMITS.ratePerSec} frames per second; this frame was not processed, send it again later`;
      const about = data && data.length <= LIMITS.frameBytes ? frameAbout(data.toString('utf8')) : {};
      if (this.state === 'authenticating') this.keepEarly({ refused: about });
      else this.sendError('rate-limited', message, about);
    }
    return false;
  }

  /** Keeps a frame that came before the welcome; past the bound it is kept only to be refused. */
  private keepEarly(frame: EarlyFrame): void {
    const early = (this.early ??= []);
    const kept = early.filter((f) => !('refused' in f)).length;
    if ('refused' in frame || kept < LIMITS.framesBeforeWelcome) early.push(frame);
    else if ('binary' in frame) early.push({ refused: {} });
    else early.push({ refused: frameAbout(frame.text) });
  }

  /** After the welcome: the frames that came before it, in order, as if they came now. */
  private handleEarly(): void {
    const early = this.early ?? [];
    this.early = null;
    for (const frame of early) {
      if (this.state !== 'open') return;
      if ('refused' in frame) {
        this.sendError(
          'rate-limited',
          `more than ${LIMITS.framesBeforeWelcome} frames before welcome, or over the rate limit; this frame was not processed, send it again`,
          frame.refused,
        );
      } else if ('binary' in frame) {
        this.sendError('bad-frame', 'binary frames are not supported; send JSON text frames');
      } else {
        this.handle(frame.text);
      }
    }
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.state === 'closed' || this.state === 'closing') return;
    this.pingSentAt = 0; // anything from the client shows the path works
    const buffer = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    if (!this.takeToken(isBinary ? null : buffer)) return;
    if (buffer.length > LIMITS.frameBytes) {
      void this.closeWhenSettled(
        CLOSE.tooBig,
        `a frame of ${buffer.length} bytes; frames are at most ${LIMITS.frameBytes} bytes`,
      );
      return;
    }
    if (this.state === 'awaiting-hello') {
      if (isBinary) this.close(CLOSE.badHello, 'the first frame must be a JSON text hello');
      else void this.onHello(buffer.toString('utf8'));
      return;
    }
    if (this.state === 'authenticating') {
      this.keepEarly(isBinary ? { binary: true } : { text: buffer.toString('utf8') });
      return;
    }
    if (isBinary) {
      this.sendError('bad-frame', 'binary frames are not supported; send JSON text frames');
      return;
    }
    this.handle(buffer.toString('utf8'));
  }

  private handle(text: string): void {
    const parsed = parseClientFrame(text);
    if (!parsed.ok) {
      const about: FrameAbout = {};
      if (parsed.broadcastId !== undefined) about.broadcastId = parsed.broadcastId;
      if (parsed.page !== undefined) about.page = parsed.page;
      this.sendError(parsed.code, parsed.message, about);
      return;
    }
    this.dispatch(parsed.frame);
  }

  private async onHello(text: string): Promise<void> {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.close(CLOSE.badHello, 'the first frame must be hello; it was not valid JSON');
      return;
    }
    const obj = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    if (obj.type !== 'hello') {
      this.close(CLOSE.badHello, `the first frame must be hello, got type ${describeValue(obj.type)}`);
      return;
    }
    if (obj.token === undefined || obj.token === '') {
      this.close(CLOSE.unauthenticated, 'hello carries no token; paste a token in the extension options');
      return;
    }
    if (typeof obj.protocol === 'number' && obj.protocol !== PROTOCOL_VERSION) {
      this.close(
        CLOSE.protocolMismatch,
        `server speaks protocol ${PROTOCOL_VERSION}, client ${obj.protocol}; update the extension or server`,
      );
      return;
    }
    const hello = Hello.safeParse(raw);
    if (!hello.success) {
      this.close(CLOSE.badHello, `invalid hello: ${hello.error.issues[0]?.message ?? 'bad fields'}`);
      return;
    }
    this.stopHelloTimer();
    this.state = 'authenticating';
    let result;
    try {
      result = await authenticate(this.deps.store, hello.data.token);
    } catch (err) {
      this.deps.log(`token lookup failed: ${(err as Error).message}`);
      this.close(CLOSE.serverError, 'the server could not check your token; try again shortly');
      return;
    }
    if (this.state !== 'authenticating') return;
    if (result.status === 'unknown') {
      this.close(CLOSE.unauthenticated, result.reason);
      return;
    }
    if (result.status === 'revoked') {
      this.close(CLOSE.revoked, result.reason);
      return;
    }
    if (result.status === 'expired') {
      this.close(CLOSE.tokenExpired, result.reason);
      return;
    }
    const { auth } = result;
    this.who = {
      tenantId: auth.tenant.id,
      userId: auth.user.id,
      userName: auth.user.name,
      tokenId: auth.token.id,
      role: auth.token.role,
      mintedBy:
        auth.token.createdBy !== null && auth.token.createdBy !== auth.user.id ? auth.token.createdBy : null,
    };
    this.state = 'open';
    this.deps.onIdentity(this, this.who);
    this.send({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      user: { id: auth.user.id, name: auth.user.name },
      tenant: { id: auth.tenant.id, name: auth.tenant.name },
      role: auth.token.role,
    });
    this.handleEarly();
  }

  private dispatch(frame: ClientFrameT): void {
    switch (frame.type) {
      case 'hello':
        void this.closeWhenSettled(CLOSE.badHello, 'hello was already received on this connection');
        return;
      case 'ping':
        this.send(frame.t === undefined ? { type: 'pong' } : { type: 'pong', t: frame.t });
        return;
      case 'subscribe':
      case 'unsubscribe':
        if (this.pageRequests.length >= LIMITS.pageRequestsWaiting) {
          this.sendError(
            'rate-limited',
            `more than ${LIMITS.pageRequestsWaiting} subscribe and unsubscribe frames waiting; send it again after their answers`,
            { page: frame.page },
          );
          return;
        }
        this.pageRequests.push(frame);
        this.nextPageRequest();
        return;
      case 'list-members':
      case 'watch':
      case 'notifications-since':
      case 'mark-notifications-read':
      case 'mark-read':
        this.writes = (this.writes ?? Promise.resolve())
          .then(() => this.userRequest(frame))
          .catch((err: Error) => {
            this.deps.log(`${frame.type} failed: ${err.message}`);
            this.sendError(
              'internal',
              `the server could not complete ${frame.type}; send it again`,
              'page' in frame ? { page: frame.page } : {},
            );
          });
        return;
      default:
        this.writes = (this.writes ?? Promise.resolve())
          .then(() => this.write(frame))
          .catch((err: Error) => this.deps.log(`write ${frame.broadcastId} failed: ${err.message}`));
    }
  }

  /** A request about the user's own state; what changes it goes to all of the user's connections. */
  private async userRequest(frame: UserRequest): Promise<void> {
    if (this.state === 'closed') return;
    const { tenantId, userId } = this.who!;
    const { store, users } = this.deps;
    switch (frame.type) {
      case 'list-members': {
        const all = await store.listUsers(tenantId);
        this.send({
          type: 'members',
          members: all.map((u) =>
            u.removedAt === null
              ? { id: u.id, name: u.name }
              : { id: u.id, name: u.name, removed: true as const },
          ),
        });
        return;
      }
      case 'watch':
        await store.setWatch(tenantId, userId, frame.page, frame.watch);
        await users.publish(tenantId, userId, { type: 'watching', page: frame.page, watch: frame.watch });
        return;
      case 'notifications-since': {
        const list = await store.notificationsSince(
          tenantId,
          userId,
          frame.after ?? null,
          LIMITS.notificationsPerFrame,
        );
        this.send({
          type: 'notifications',
          notifications: list.notifications,
          unread: list.unread,
          latest: list.latest,
          ...(list.more && { more: true as const }),
        });
        return;
      }
      case 'mark-notifications-read': {
        const read = {
          ...(frame.seqs && { seqs: frame.seqs }),
          ...(frame.upTo !== undefined && { upTo: frame.upTo }),
        };
        const unread = await store.markNotificationsRead(tenantId, userId, read);
        await users.publish(tenantId, userId, { type: 'notifications-read', ...read, unread });
        return;
      }
      case 'mark-read': {
        const at = await store.markRead(tenantId, userId, frame.page, frame.chatId, frame.at);
        if (at === null) {
          this.sendError(
            'not-found',
            `no discussion ${frame.chatId} on this page; it may have been deleted`,
            {
              page: frame.page,
            },
          );
          return;
        }
        await users.publish(tenantId, userId, {
          type: 'read-positions',
          page: frame.page,
          chats: { [frame.chatId]: at },
        });
        return;
      }
    }
  }

  /** After a subscribe's answer: whether the user watches the page and how far they read its discussions. */
  private async sendPageUserState(page: string): Promise<void> {
    const { tenantId, userId } = this.who!;
    try {
      const state = await this.deps.store.pageUserState(tenantId, userId, page);
      if (!this.pages?.has(page)) return;
      this.send({ type: 'watching', page, watch: state.watching });
      this.send({ type: 'read-positions', page, chats: state.read });
    } catch (err) {
      this.deps.log(`reading ${page} for ${userId} failed: ${(err as Error).message}`);
    }
  }

  /**
   * Handles the waiting page requests in order. A subscribe that needs a store read waits for the
   * budget and for the previous read, so a connection has at most one read under way.
   */
  private nextPageRequest(): void {
    while (this.state === 'open' && this.pageTurn === null) {
      const frame = this.pageRequests[0];
      if (!frame) return;
      if (frame.type === 'unsubscribe') {
        this.pageRequests.shift();
        this.unsubscribe(frame.page);
        continue;
      }
      const pages = (this.pages ??= new Set());
      if (!pages.has(frame.page) && pages.size >= LIMITS.subscriptionsPerConnection) {
        this.pageRequests.shift();
        this.sendError(
          'too-many-subscriptions',
          `at most ${LIMITS.subscriptionsPerConnection} pages per connection; unsubscribe from one first`,
          { page: frame.page },
        );
        continue;
      }
      const hub = this.deps.hub;
      const needsRead = hub.needsRead(this, frame.page, frame.since);
      const wait = needsRead ? this.deps.budget.waitMs(this.tenantId, this.userId) : 0;
      if (wait > 0) {
        this.pageTurn = new Promise<void>((resolve) => {
          this.budgetTimer = setTimeout(() => {
            this.budgetTimer = null;
            this.pageTurn = null;
            resolve();
            this.nextPageRequest();
          }, wait);
        });
        return;
      }
      this.pageRequests.shift();
      // The room's copy of the page string, so idle subscribers of one page share one string.
      const page = hub.sharedPage(this.tenantId, frame.page);
      pages.add(page);
      const answered = hub.subscribe(this, page, frame.since);
      if (!needsRead) {
        void answered;
        continue;
      }
      const { tenantId, userId } = this;
      this.pageTurn = answered
        .then((cost) => {
          this.deps.budget.charge(tenantId, userId, cost);
          // Not after the free empty replay above: that connection already follows its user channel.
          if (this.pages?.has(page)) return this.sendPageUserState(page);
        })
        .finally(() => {
          this.pageTurn = null;
          this.nextPageRequest();
        });
    }
  }

  private unsubscribe(page: string): void {
    if (!this.pages?.delete(page)) {
      this.sendError('not-subscribed', 'this connection is not subscribed to that page', { page });
      return;
    }
    this.deps.hub.unsubscribe(this, page);
  }

  private async write(write: WriteFrameT): Promise<void> {
    // The socket is gone: nobody can hear the answer, and the client sends the write again.
    if (this.state === 'closed') return;
    const who = this.who!;
    const actor: Actor = {
      user: { id: who.userId, name: who.userName },
      role: who.role,
      tokenId: who.tokenId,
      mintedBy: who.mintedBy,
    };
    const about = { broadcastId: write.broadcastId, page: write.page };
    let result;
    try {
      result = await commitWrite(this.deps.store, who.tenantId, write, actor, Date.now(), this.deps.limits);
    } catch (err) {
      this.deps.log(`write ${write.broadcastId} failed: ${(err as Error).message}`);
      this.sendError('internal', 'the server could not store this write; send it again', about);
      return;
    }
    if (result.status === 'rejected') {
      this.sendError(result.code, result.message, about);
      return;
    }
    if (result.status === 'duplicate') {
      this.send({ type: 'ack', broadcastId: write.broadcastId, page: result.page, seq: result.seq });
      // The first try may have been acked by a node that died before publishing: publish it again
      // while it is the page's latest event (a later one would already have revealed it).
      const latest = await this.deps.store
        .eventsSince(who.tenantId, result.page, result.seq - 1, 1)
        .catch(() => null);
      const event = latest?.events[0];
      if (event?.seq === result.seq)
        await this.deps.bus.publish({ tenantId: who.tenantId, page: event.page }, JSON.stringify(event));
      return;
    }
    const event = result.event;
    this.send({ type: 'ack', broadcastId: write.broadcastId, page: event.page, seq: event.seq });
    try {
      await this.deps.bus.publish({ tenantId: who.tenantId, page: event.page }, JSON.stringify(event));
    } catch (err) {
      // Stored and acked: subscribers that missed it find it by seq on their next resync.
      this.deps.log(`publishing ${write.broadcastId} failed: ${(err as Error).message}`);
    }
    for (const { userId, notification } of result.notifications) {
      // Stored with the write: a user who misses it live gets it with `notifications-since`.
      await this.deps.users
        .publish(who.tenantId, userId, { type: 'notification', notification })
        .catch((err: Error) => this.deps.log(`publishing a notification failed: ${err.message}`));
    }
  }
}
