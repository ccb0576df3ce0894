// A test client over a real `ws` socket: connects and says hello, sends frames, and waits for the
// frames (batches unwrapped) or the close it expects. Never sleeps: every wait is for a condition.
import { connect, type NetConnectOpts, type Socket } from 'node:net';
import WebSocket from 'ws';
import {
  PROTOCOL_VERSION,
  WireReader,
  type ServerFrameT,
  type WelcomeT,
  type WireServerFrameT,
} from '../../lib/protocol';

export type Frame = ServerFrameT;
type Predicate = (frame: Frame) => boolean;
type FrameOfType<T extends Frame['type']> = Extract<Frame, { type: T }>;

interface Waiter {
  match: Predicate;
  resolve(frame: Frame): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export interface ClientOptions {
  /** false makes a client that ignores the server's pings, like a dead peer. */
  autoPong?: boolean;
  /** Certificate to trust for wss:// (a test's self-signed one). */
  ca?: Buffer;
  /** Receives the TCP socket under a ws:// client (e.g. to pause reading, like a slow consumer). */
  onSocket?: (socket: Socket) => void;
  /** The Origin header to send, as a browser would (none by default, like a non-browser client). */
  origin?: string;
  /** How long `connect` waits for the welcome. */
  timeoutMs?: number;
}

export interface Closed {
  code: number;
  reason: string;
}

export class TestClient {
  /**
   * Every frame received (batches unwrapped), in order, as the extension reads them: page keys
   * instead of aliases, authors with their names (see lib/protocol/wire.ts).
   */
  readonly received: Frame[] = [];
  /** Every frame as it came on the wire, batches included. */
  readonly raw: WireServerFrameT[] = [];
  /** Pages whose frames named an author this connection was never told the name of. */
  readonly unknownAuthors: string[] = [];
  private readonly reader = new WireReader({
    frame: (frame) => this.onFrame(frame),
    unknownAuthor: (page) => this.unknownAuthors.push(page),
  });
  /** Resolves when the socket closes, with the close code and reason. */
  readonly closed: Promise<Closed>;
  welcome: WelcomeT | null = null;
  private readonly unread: Frame[] = [];
  private readonly waiters: Waiter[] = [];
  private closedWith: Closed | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as WireServerFrameT;
      this.raw.push(frame);
      this.reader.read(frame);
    });
    ws.on('error', () => {});
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closedWith = { code, reason: reason.toString() };
        for (const w of this.waiters.splice(0)) {
          clearTimeout(w.timer);
          w.reject(new Error(`socket closed (${code} ${reason.toString()}) while waiting for a frame`));
        }
        resolve(this.closedWith);
      });
    });
  }

  /** Opens a socket without saying hello (for handshake tests). */
  static async open(url: string, options: ClientOptions = {}): Promise<TestClient> {
    const onSocket = options.onSocket;
    const ws = new WebSocket(url, {
      autoPong: options.autoPong ?? true,
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.origin !== undefined ? { origin: options.origin } : {}),
      ...(onSocket
        ? {
            // ws calls it with an options object only; the type is net.connect's overload set.
            createConnection: ((opts: NetConnectOpts) => {
              const socket = connect(opts);
              onSocket(socket);
              return socket;
            }) as typeof connect,
          }
        : {}),
    });
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Connects, sends hello with `token` and resolves after the welcome. */
  static async connect(url: string, token: string, options: ClientOptions = {}): Promise<TestClient> {
    const client = await TestClient.open(url, options);
    client.send({ type: 'hello', token, protocol: PROTOCOL_VERSION });
    client.welcome = (await client.next('welcome', options.timeoutMs ?? 5000)) as WelcomeT;
    return client;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /**
   * Sends frames back to back in one TCP write, so the server reads them as one burst however slow
   * the machine is (a rate-limit test must not depend on how fast frames trickle in).
   */
  burst(frames: unknown[]): void {
    // ws keeps its TCP socket in `_socket`; corking it makes the frames below one write.
    const tcp = (this.ws as unknown as { _socket: Socket })._socket;
    tcp.cork();
    for (const frame of frames) this.send(frame);
    tcp.uncork();
  }

  /**
   * The next unread frame that matches (a frame type or a predicate); frames skipped on the way
   * stay unread for later waits.
   */
  next<T extends Frame['type']>(type: T, timeoutMs?: number): Promise<FrameOfType<T>>;
  next(match: Predicate, timeoutMs?: number): Promise<Frame>;
  next(match: Frame['type'] | Predicate, timeoutMs = 5000): Promise<Frame> {
    const predicate: Predicate = typeof match === 'string' ? (f) => f.type === match : match;
    const i = this.unread.findIndex(predicate);
    if (i >= 0) return Promise.resolve(this.unread.splice(i, 1)[0]!);
    if (this.closedWith) {
      return Promise.reject(
        new Error(`socket already closed (${this.closedWith.code} ${this.closedWith.reason})`),
      );
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match: predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          const seen = this.unread.map((f) => f.type).join(', ') || 'nothing';
          reject(new Error(`no matching frame within ${timeoutMs} ms (unread: ${seen})`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Frames received and not yet taken by `next`. */
  pending(): Frame[] {
    return [...this.unread];
  }

  close(): Promise<Closed> {
    if (!this.closedWith) this.ws.close(1000, 'test done');
    return this.closed;
  }

  /** Calls `listener` with every frame read from now on (batches unwrapped), before any wait sees it. */
  listen(listener: (frame: Frame) => void): void {
    this.listeners.push(listener);
  }

  private readonly listeners: ((frame: Frame) => void)[] = [];

  private onFrame(frame: Frame): void {
    const frames = frame.type === 'batch' ? (frame.events as Frame[]) : [frame];
    for (const f of frames) {
      for (const listener of this.listeners) listener(f);
      this.received.push(f);
      const w = this.waiters.find((x) => x.match(f));
      if (w) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve(f);
      } else {
        this.unread.push(f);
      }
    }
  }
}
