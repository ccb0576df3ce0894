// The one WebSocket of the browser: connect, hello with the stored token, welcome, application ping
// with a pong deadline (a silent socket is dead: close it and reconnect), and reconnect with
// full-jitter backoff that never gives up (except on a refused token, which waits for new settings).
// A server that closes with `retry-after-ms=N` is obeyed; a nudge (back online, a tab shown, a write
// while reconnecting) retries at once unless the server asked to wait. Everything it touches comes in
// as a dependency so tests drive it with fakes.
import {
  CLOSE,
  LIMITS,
  PROTOCOL_VERSION,
  parseServerFrame,
  WireReader,
  retryAfterOf,
  type ClientFrameT,
  type ServerFrameT,
  type WelcomeT,
} from '@/lib/protocol';
import {
  backoffDelay,
  checkServerUrl,
  DEFAULT_BACKOFF,
  NUDGE_INTERVAL_MS,
  type BackoffPolicy,
} from '@/lib/reconnect';
import type { ConnectionStateT } from '@/lib/messaging';

/** The part of the browser's WebSocket the connection uses. */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
  clearInterval: (h) => globalThis.clearInterval(h as ReturnType<typeof setInterval>),
};

export interface Settings {
  serverUrl: string;
  token: string;
}

export interface ConnectionDeps {
  createSocket(url: string): SocketLike;
  loadSettings(): Promise<Settings>;
  timers?: Timers;
  random?: () => number;
  now?: () => number;
  backoff?: BackoffPolicy;
  onLive(welcome: WelcomeT): void;
  onFrame(frame: ServerFrameT): void;
  /**
   * A page's frame named an author whose name never came (a lost frame): the page needs a fresh
   * snapshot. Optional: without it the frame is dropped.
   */
  onUnknownAuthor?(page: string): void;
  /** Called on every state change (and when the detail or retry time changes). */
  onState(): void;
  /**
   * The server said the token expired (a signed-in session's): renew it; resolves to whether a token
   * is there to try again with. Without it, an expired token is retried with backoff.
   */
  renewToken?(): Promise<boolean>;
}

/** Close codes after which retrying with the same settings cannot succeed. */
const REFUSING_CLOSES: ReadonlySet<number> = new Set([
  CLOSE.unauthenticated,
  CLOSE.revoked,
  CLOSE.badHello,
  CLOSE.protocolMismatch,
]);

/** A rate-limited close waits up to this long (uniform), and nudges do not cut it short. */
const RATE_LIMITED_CAP_MS = 16_000;

/** What suggests that the server may be reachable again. */
export type NudgeReason = 'online' | 'visible' | 'write';

export class Connection {
  state: ConnectionStateT = 'idle';
  detail: string | undefined;
  retryAt: number | undefined;
  /** An attempt started by a nudge is under way ("trying now…"). */
  trying = false;
  /**
   * The attempt under way follows a connection or a failed attempt (with these settings): to the
   * person it is reconnecting, not connecting for the first time.
   */
  get resuming(): boolean {
    return this.state === 'connecting' && (this.wasLive || this.failedAttempts > 0);
  }
  welcome: WelcomeT | null = null;

  /**
   * Whether this connection was live since the settings last changed. Kept through idle and through
   * every kind of retry (backoff, nudge, server-given wait), so no later attempt reads as a first one.
   */
  private wasLive = false;
  /** Attempts that failed since the last live connection or settings change. */
  private failedAttempts = 0;
  /** The server URL and token of the last attempt: other ones make the next attempt a first one. */
  private attemptedWith: string | null = null;
  private socket: SocketLike | null = null;
  private wanted = false;
  private attempt = 0;
  private retryTimer: unknown = null;
  private pingTimer: unknown = null;
  private helloTimer: unknown = null;
  /** Armed by each ping, cleared by any frame from the server; when it fires the socket is dead. */
  private pongTimer: unknown = null;
  /** The server asked (retry-after, rate limit) not to come back before this time. */
  private holdUntil = 0;
  private lastNudgeAt = -Infinity;
  private browserOffline = false;
  /** A renewal after an expired-token close was tried since the last welcome (no loop of them). */
  private renewedOnce = false;
  /** Bumped for every socket so that late callbacks of an old one are ignored. */
  private generation = 0;
  private readonly reader = new WireReader({
    frame: (frame) => this.deps.onFrame(frame),
    unknownAuthor: (page) => this.deps.onUnknownAuthor?.(page),
  });
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly deps: ConnectionDeps) {
    this.timers = deps.timers ?? realTimers;
    this.random = deps.random ?? Math.random;
    this.now = deps.now ?? Date.now;
  }

  get live(): boolean {
    return this.state === 'live';
  }

  /** Opens the socket while something needs it, closes it when nothing does. */
  setWanted(wanted: boolean): void {
    if (wanted === this.wanted) return;
    this.wanted = wanted;
    if (wanted) this.connectNow();
    else {
      this.teardown(CLOSE.normal, 'nothing subscribed');
      this.attempt = 0;
      this.setState('idle');
    }
  }

  /** New server URL or token: start over at once. */
  restart(): void {
    this.teardown(CLOSE.normal, 'settings changed');
    this.attempt = 0;
    if (this.wanted) this.connectNow();
    else this.setState('idle');
  }

  /** The browser's `online` event: retry now instead of waiting for the backoff. */
  online(): void {
    this.browserOffline = false;
    this.nudge('online');
  }

  /**
   * Something suggests the server may be reachable: while waiting to reconnect, try now instead of
   * at the scheduled time. Ignored while the server's own "retry after" runs, and more often than
   * once per NUDGE_INTERVAL_MS. Returns whether an attempt started.
   */
  nudge(_reason: NudgeReason): boolean {
    if (!this.wanted || (this.state !== 'reconnecting' && this.state !== 'offline')) return false;
    const now = this.now();
    if (now < this.holdUntil || now - this.lastNudgeAt < NUDGE_INTERVAL_MS) return false;
    this.lastNudgeAt = now;
    this.trying = true;
    this.connectNow();
    return true;
  }

  offline(): void {
    this.browserOffline = true;
    if (this.state === 'reconnecting') this.setState('offline');
  }

  /** Sends a frame if the connection is live; returns whether it went out. */
  send(frame: ClientFrameT): boolean {
    if (!this.socket || this.state !== 'live') return false;
    try {
      this.socket.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  private connectNow(): void {
    this.teardown(CLOSE.normal, 'reconnecting');
    const generation = ++this.generation;
    this.setState('connecting');
    void this.deps.loadSettings().then((settings) => {
      if (generation !== this.generation || !this.wanted) return;
      this.open(settings, generation);
    });
  }

  private open(settings: Settings, generation: number): void {
    // Compared here, not in restart(): a settings event that changed nothing must not make a
    // reconnection read as a first connection.
    const key = `${settings.serverUrl}\n${settings.token}`;
    if (key !== this.attemptedWith) {
      const wasResuming = this.resuming;
      this.attemptedWith = key;
      this.wasLive = false;
      this.failedAttempts = 0;
      if (wasResuming) this.deps.onState();
    }
    if (!settings.serverUrl || !settings.token) {
      this.setState('unconfigured');
      return;
    }
    const checked = checkServerUrl(settings.serverUrl);
    if (!checked.ok) {
      this.detail = checked.reason;
      this.setState('refused');
      return;
    }
    let socket: SocketLike;
    try {
      socket = this.deps.createSocket(checked.url);
    } catch (error) {
      this.scheduleRetry(String(error));
      return;
    }
    this.socket = socket;
    // A server that does not open and answer hello in time is as good as unreachable. The socket is
    // given up without waiting for its close event: over a stalled path that can take minutes.
    this.helloTimer = this.timers.setTimeout(() => {
      if (generation === this.generation) this.giveUp('no welcome from the server in time');
    }, LIMITS.helloTimeoutMs * 2);
    socket.onopen = () => {
      if (generation !== this.generation) return;
      socket.send(JSON.stringify({ type: 'hello', token: settings.token, protocol: PROTOCOL_VERSION }));
    };
    socket.onmessage = (event) => {
      if (generation !== this.generation) return;
      // Any frame shows the path works.
      this.timers.clearTimeout(this.pongTimer);
      this.pongTimer = null;
      if (typeof event.data !== 'string') return;
      const parsed = parseServerFrame(event.data);
      if (!parsed.ok) {
        console.warn(`Collab Chat: ignored a frame the server sent: ${parsed.message}`);
        return;
      }
      const frame = parsed.frame;
      if (frame.type === 'welcome') {
        this.reader.reset();
        this.timers.clearTimeout(this.helloTimer);
        this.welcome = frame;
        this.wasLive = true;
        this.renewedOnce = false;
        this.failedAttempts = 0;
        this.attempt = 0;
        this.holdUntil = 0;
        this.detail = undefined;
        this.retryAt = undefined;
        this.setState('live');
        this.pingTimer = this.timers.setInterval(() => this.ping(generation), LIMITS.clientPingMs);
        this.deps.onLive(frame);
        return;
      }
      // Page frames name their page by the alias of its subscribe answer, authors by id: the
      // reader turns them back into page keys and names.
      if (this.state === 'live') this.reader.read(frame);
    };
    socket.onerror = () => {
      // The close event that follows carries the outcome.
    };
    socket.onclose = (event) => {
      if (generation !== this.generation) return;
      this.socket = null;
      this.clearSocketTimers();
      // A signed-in session's token expired: renew it and come straight back, once per connection.
      if (event.code === CLOSE.tokenExpired && this.deps.renewToken && !this.renewedOnce) {
        this.renewedOnce = true;
        this.setState('connecting');
        void this.deps.renewToken().then((renewed) => {
          if (generation !== this.generation || !this.wanted) return;
          if (renewed) this.connectNow();
          else {
            this.detail = 'token-refused';
            this.setState('refused');
          }
        });
        return;
      }
      if (REFUSING_CLOSES.has(event.code)) {
        this.detail = event.code === CLOSE.protocolMismatch ? 'protocol-mismatch' : 'token-refused';
        this.setState('refused');
        return;
      }
      const words = event.reason.replace(/^retry-after-ms=\d+;\s*/, '');
      const detail = words || `closed with code ${event.code}`;
      // The server said when to come back (starting, shutting down, busy): that is the delay.
      const asked = retryAfterOf(event.reason);
      if (asked !== null) {
        this.holdUntil = this.now() + asked;
        this.scheduleRetry(detail, asked);
        return;
      }
      // Closed for sending too fast: come back more slowly than after a plain network drop.
      if (event.code === CLOSE.rateLimited) {
        const delay = Math.floor(this.random() * RATE_LIMITED_CAP_MS);
        this.holdUntil = this.now() + delay;
        this.scheduleRetry(detail, delay);
        return;
      }
      this.scheduleRetry(detail);
    };
  }

  /** The keepalive ping, with a deadline: a socket that stays silent after it is dead. */
  private ping(generation: number): void {
    if (generation !== this.generation || !this.send({ type: 'ping', t: this.now() })) return;
    this.pongTimer ??= this.timers.setTimeout(() => {
      if (generation !== this.generation) return;
      this.giveUp(`no answer from the server for ${LIMITS.clientPongTimeoutMs / 1000} s`);
    }, LIMITS.clientPongTimeoutMs);
  }

  /** The socket is presumed dead: drop it without waiting for its close event, and reconnect. */
  private giveUp(detail: string): void {
    this.teardown(CLOSE.normal, detail);
    this.scheduleRetry(detail);
  }

  private scheduleRetry(detail: string, askedDelay?: number): void {
    if (!this.wanted) return;
    this.failedAttempts++;
    const delay =
      askedDelay ?? backoffDelay(this.attempt++, this.deps.backoff ?? DEFAULT_BACKOFF, this.random);
    this.detail = detail;
    this.retryAt = this.now() + delay;
    this.setState(this.browserOffline ? 'offline' : 'reconnecting');
    const generation = this.generation;
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      if (generation === this.generation && this.wanted) this.connectNow();
    }, delay);
  }

  private clearSocketTimers(): void {
    this.timers.clearInterval(this.pingTimer);
    this.timers.clearTimeout(this.helloTimer);
    this.timers.clearTimeout(this.pongTimer);
    this.pingTimer = null;
    this.helloTimer = null;
    this.pongTimer = null;
  }

  private teardown(code: number, reason: string): void {
    this.generation++;
    this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.clearSocketTimers();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
      try {
        socket.close(code, reason);
      } catch {
        // Already closed.
      }
    }
    this.retryAt = undefined;
  }

  private setState(state: ConnectionStateT): void {
    // Who we are stays known across a reconnect; only a refusal or missing settings forget it.
    if (state === 'refused' || state === 'unconfigured') this.welcome = null;
    if (state !== 'connecting') this.trying = false;
    this.state = state;
    this.deps.onState();
  }
}
