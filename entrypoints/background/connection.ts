// The one WebSocket of the browser: connect, hello with the stored token, welcome, application ping,
// and reconnect with full-jitter backoff that never gives up (except on a refused token, which waits
// for new settings). Everything it touches comes in as a dependency so tests drive it with fakes.
import {
  CLOSE,
  LIMITS,
  PROTOCOL_VERSION,
  parseServerFrame,
  type ClientFrameT,
  type ServerFrameT,
  type WelcomeFrame,
} from '@/lib/protocol';
import { backoffDelay, checkServerUrl, DEFAULT_BACKOFF, type BackoffPolicy } from '@/lib/reconnect';
import type { ConnectionStateT } from '@/lib/messaging';

/** The part of the browser's WebSocket the connection uses. */
export interface SocketLike {
  readonly readyState: number;
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
  onLive(welcome: WelcomeFrame): void;
  onFrame(frame: ServerFrameT): void;
  /** Called on every state change (and when the detail or retry time changes). */
  onState(): void;
}

/** Close codes after which retrying with the same settings cannot succeed. */
const REFUSING_CLOSES: ReadonlySet<number> = new Set([
  CLOSE.unauthenticated,
  CLOSE.revoked,
  CLOSE.badHello,
  CLOSE.protocolMismatch,
]);

/** The backoff step a rate-limited close jumps to (0.5 s · 2^5 = up to 16 s). */
const RATE_LIMITED_ATTEMPT = 5;

export class Connection {
  state: ConnectionStateT = 'idle';
  detail: string | undefined;
  retryAt: number | undefined;
  welcome: WelcomeFrame | null = null;

  private socket: SocketLike | null = null;
  private wanted = false;
  private attempt = 0;
  private retryTimer: unknown = null;
  private pingTimer: unknown = null;
  private helloTimer: unknown = null;
  private browserOffline = false;
  /** Bumped for every socket so that late callbacks of an old one are ignored. */
  private generation = 0;
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
    if (this.wanted && (this.state === 'reconnecting' || this.state === 'offline')) this.connectNow();
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
    socket.onopen = () => {
      if (generation !== this.generation) return;
      socket.send(JSON.stringify({ type: 'hello', token: settings.token, protocol: PROTOCOL_VERSION }));
      // A server that never answers hello is as good as unreachable.
      this.helloTimer = this.timers.setTimeout(() => {
        if (generation === this.generation) socket.close(CLOSE.normal, 'no welcome');
      }, LIMITS.helloTimeoutMs * 2);
    };
    socket.onmessage = (event) => {
      if (generation !== this.generation || typeof event.data !== 'string') return;
      const parsed = parseServerFrame(event.data);
      if (!parsed.ok) {
        console.warn(`Collab Chat: ignored a frame the server sent: ${parsed.message}`);
        return;
      }
      const frame = parsed.frame;
      if (frame.type === 'welcome') {
        this.timers.clearTimeout(this.helloTimer);
        this.welcome = frame;
        this.attempt = 0;
        this.detail = undefined;
        this.retryAt = undefined;
        this.setState('live');
        this.pingTimer = this.timers.setInterval(() => {
          this.send({ type: 'ping', t: this.now() });
        }, LIMITS.clientPingMs);
        this.deps.onLive(frame);
        return;
      }
      if (this.state === 'live') this.deps.onFrame(frame);
    };
    socket.onerror = () => {
      // The close event that follows carries the outcome.
    };
    socket.onclose = (event) => {
      if (generation !== this.generation) return;
      this.socket = null;
      this.clearSocketTimers();
      if (REFUSING_CLOSES.has(event.code)) {
        this.detail = event.code === CLOSE.protocolMismatch ? 'protocol-mismatch' : 'token-refused';
        this.setState('refused');
        return;
      }
      // Closed for sending too fast: come back more slowly than after a plain network drop.
      if (event.code === CLOSE.rateLimited) this.attempt = Math.max(this.attempt, RATE_LIMITED_ATTEMPT);
      this.scheduleRetry(event.reason || `closed with code ${event.code}`);
    };
  }

  private scheduleRetry(detail: string): void {
    if (!this.wanted) return;
    const delay = backoffDelay(this.attempt++, this.deps.backoff ?? DEFAULT_BACKOFF, this.random);
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
    this.pingTimer = null;
    this.helloTimer = null;
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
    this.state = state;
    this.deps.onState();
  }
}
