// Writing frames to sockets: the per-socket Outlet (batching of live frames, the buffered-bytes
// bound, and reporting each write to usage), the node-wide FlushClock that ends every open flush
// window with one timer, and the FrameEncoder that turns a frame sent to many sockets into UTF-8
// once. Frames arrive already serialised, once for all receivers; a batch is built by
// concatenating those bytes, never by parsing or stringifying them again.

/** What an outlet needs of a socket (a `ws` WebSocket in the server). */
export interface OutletSocket {
  /** Sends a text frame (a Buffer holds its UTF-8; `binary: false` keeps it a text frame). */
  send(data: string | Buffer, options: { binary: boolean }): void;
  readonly bufferedAmount: number;
}

export interface OutletOptions {
  /** Unsent bytes (in the socket's buffer plus queued) beyond which the socket is a slow consumer. */
  maxBufferedBytes: number;
  /** Largest batch payload in bytes; a fuller queue goes out early. */
  maxBatchBytes?: number;
  /** The clock for flush windows (tests pass their own). */
  now?: () => number;
  /** Shares the UTF-8 of live frames between sockets; without one each socket encodes its own. */
  encoder?: FrameEncoder;
}

/** Reports what was written: `messages` frames (a batch counts its events) of `bytes` on the wire. */
export type WriteReport = (page: string | undefined, messages: number, bytes: number) => void;

/**
 * Who owns an outlet (the connection): told of each write, and when the socket fell too far behind
 * (the owner closes it; the client resyncs on reconnect). Methods rather than callbacks, so that
 * thousands of idle sockets do not each hold two closures.
 */
export interface OutletOwner {
  reportWrite: WriteReport;
  overflowed(): void;
}

const performanceNow = (): number => performance.now();

const BATCH_OPEN = Buffer.from('{"type":"batch","events":[', 'utf8');
const BATCH_CLOSE = Buffer.from(']}', 'utf8');
const COMMA = Buffer.from(',', 'utf8');
const DEFAULT_MAX_BATCH_BYTES = 64 * 1024;

/**
 * Bytes of one server→client WebSocket frame carrying `payloadBytes` (RFC 6455 §5.2: unmasked, so
 * 2 header bytes, plus 2 for a 16-bit length from 126, or 8 for a 64-bit length from 65536).
 */
export function wireBytes(payloadBytes: number): number {
  return payloadBytes + (payloadBytes < 126 ? 2 : payloadBytes < 65536 ? 4 : 10);
}

/**
 * Encodes each live frame once for all the sockets it goes to (\`ws\` would otherwise encode the
 * string again for every socket). Keyed by the frame string itself: the hub hands every member the
 * same string, whose hash V8 computes once. Bounded; emptied when full.
 */
export class FrameEncoder {
  private readonly cache = new Map<string, Buffer>();

  constructor(private readonly maxEntries = 256) {}

  encode(frame: string): Buffer {
    let data = this.cache.get(frame);
    if (!data) {
      if (this.cache.size >= this.maxEntries) this.cache.clear();
      data = Buffer.from(frame, 'utf8');
      this.cache.set(frame, data);
    }
    return data;
  }
}

/**
 * The node's flush window: a socket that was written to less than `windowMs` ago gets its next live
 * frames queued and sent together, as one `batch`, when the window ends (an outlet without a clock
 * does not batch). Ends the windows of every outlet with queued frames on one timer, not one per
 * socket.
 *
 * The window widens while the node is saturated: each write to a socket costs about the same
 * whatever its size, so when the event loop is busy nearly all the time (a whole team coming back
 * after a restart, with writes going on), fewer and larger frames serve more sockets per second.
 * Latency is then bounded by the load anyway; the window narrows again once the load falls.
 */
export class FlushClock {
  private readonly due = new Set<Outlet>();
  private timer: NodeJS.Timeout | null = null;
  /** The window now: the base one, or the busy one while the node is saturated. */
  windowMs: number;

  constructor(
    readonly baseWindowMs: number,
    readonly busyWindowMs = baseWindowMs * BUSY_WINDOW_FACTOR,
  ) {
    this.windowMs = baseWindowMs;
  }

  /**
   * Takes the event loop's utilisation over the last interval (0…1): at `BUSY_FROM` or more the
   * window widens, under `CALM_BELOW` it narrows back; in between it stays as it is.
   */
  observeUtilization(utilization: number): void {
    if (utilization >= BUSY_FROM) this.windowMs = this.busyWindowMs;
    else if (utilization < CALM_BELOW) this.windowMs = this.baseWindowMs;
  }

  schedule(outlet: Outlet): void {
    this.due.add(outlet);
    this.timer ??= setTimeout(() => this.tick(), this.windowMs);
  }

  cancel(outlet: Outlet): void {
    this.due.delete(outlet);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.due.clear();
  }

  private tick(): void {
    this.timer = null;
    const outlets = [...this.due];
    this.due.clear();
    for (const outlet of outlets) outlet.flush();
  }
}

/** The busy window is this many times the base one (10 → 50 ms by default). */
const BUSY_WINDOW_FACTOR = 5;
/** Event-loop utilisation at which the node counts as saturated, and below which it is calm again. */
const BUSY_FROM = 0.9;
const CALM_BELOW = 0.6;

/** Frozen: a push to it would be a bug, and throws. */
const NOTHING_QUEUED = Object.freeze([]) as never[];

export class Outlet {
  /** Live frames waiting for the window's end; the shared empty array while none wait. */
  private queue: Buffer[] = NOTHING_QUEUED;
  private pages: (string | undefined)[] = NOTHING_QUEUED;
  private queuedBytes = 0;
  /** Until then (performance.now() ms) the socket counts as busy: live frames wait for the window. */
  private busyUntil = 0;
  private discarded = false;
  private readonly now: () => number;

  constructor(
    private readonly socket: OutletSocket,
    private readonly clock: FlushClock | null,
    /** Shared by every outlet of a server: built once from its config. */
    private readonly options: OutletOptions,
    private readonly owner: OutletOwner,
  ) {
    this.now = options.now ?? performanceNow;
  }

  /**
   * Sends one serialised frame (a string, or a Buffer of its UTF-8). A `live` frame (an event or presence, which may travel in a batch)
   * goes out at once when the socket is idle, else waits for the end of the window; any other frame
   * first flushes what waits, so the order of frames on the socket is the order of calls.
   */
  send(frame: string | Buffer, page: string | undefined, live: boolean): void {
    if (this.discarded) return;
    const windowMs = this.clock?.windowMs ?? 0;
    if (live) {
      const data =
        typeof frame !== 'string'
          ? frame
          : (this.options.encoder?.encode(frame) ?? Buffer.from(frame, 'utf8'));
      const now = windowMs > 0 ? this.now() : 0;
      if (this.queue.length === 0 && now >= this.busyUntil) {
        if (windowMs > 0) this.busyUntil = now + windowMs;
        this.write(data, page);
        return;
      }
      // A burst beyond one batch's size goes out now rather than growing the queue; the socket's
      // own buffer bound then decides whether the reader keeps up.
      if (this.queuedBytes + data.length > (this.options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES)) {
        this.flush();
        if (this.discarded) return;
      }
      if (this.queue.length === 0) {
        this.clock!.schedule(this);
        this.queue = [];
        this.pages = [];
      }
      this.queue.push(data);
      this.pages.push(page);
      this.queuedBytes += data.length;
      return;
    }
    if (this.queue.length > 0) this.flush();
    if (windowMs > 0) this.busyUntil = this.now() + windowMs;
    this.write(frame, page);
  }

  /** Sends what waits: one frame as it is, several as `batch` frames. */
  flush(): void {
    if (this.discarded || this.queue.length === 0) return;
    const queue = this.queue;
    const pages = this.pages;
    this.queue = NOTHING_QUEUED;
    this.pages = NOTHING_QUEUED;
    this.queuedBytes = 0;
    this.clock?.cancel(this);
    if (this.clock) this.busyUntil = this.now() + this.clock.windowMs;
    const maxBytes = this.options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    let start = 0;
    while (start < queue.length && !this.discarded) {
      let end = start + 1;
      let bytes = queue[start]!.length;
      while (end < queue.length && bytes + queue[end]!.length + 1 <= maxBytes) {
        bytes += queue[end]!.length + 1;
        end++;
      }
      if (end - start === 1) this.write(queue[start]!, pages[start]);
      else this.writeBatch(queue, pages, start, end);
      start = end;
    }
  }

  /** Drops what waits (the socket is closing). */
  discard(): void {
    this.discarded = true;
    this.queue = NOTHING_QUEUED;
    this.pages = NOTHING_QUEUED;
    this.queuedBytes = 0;
    this.clock?.cancel(this);
  }

  private write(data: string | Buffer, page: string | undefined): void {
    if (this.socket.bufferedAmount > this.options.maxBufferedBytes) {
      this.overflow();
      return;
    }
    this.socket.send(data, { binary: false });
    this.owner.reportWrite(
      page,
      1,
      wireBytes(typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.length),
    );
  }

  private writeBatch(frames: Buffer[], pages: (string | undefined)[], start: number, end: number): void {
    if (this.socket.bufferedAmount > this.options.maxBufferedBytes) {
      this.overflow();
      return;
    }
    const chunks: Buffer[] = [BATCH_OPEN];
    for (let i = start; i < end; i++) {
      if (i > start) chunks.push(COMMA);
      chunks.push(frames[i]!);
    }
    chunks.push(BATCH_CLOSE);
    const data = Buffer.concat(chunks);
    this.socket.send(data, { binary: false });
    const total = wireBytes(data.length);
    const first = pages[start];
    let onePage = true;
    for (let i = start + 1; i < end && onePage; i++) onePage = pages[i] === first;
    if (onePage) {
      // The usual case (one page per socket): one report for the whole frame.
      this.owner.reportWrite(first, end - start, total);
      return;
    }
    // Each event is charged its own bytes and a separator; the wrapper and the frame header go to
    // the first event's page, so the per-page parts add up to exactly what was written.
    let charged = 0;
    for (let i = start + 1; i < end; i++) {
      const bytes = frames[i]!.length + 1;
      charged += bytes;
      this.owner.reportWrite(pages[i], 1, bytes);
    }
    this.owner.reportWrite(first, 1, total - charged);
  }

  private overflow(): void {
    this.discard();
    this.owner.overflowed();
  }
}
