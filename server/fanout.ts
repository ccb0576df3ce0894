// Writing frames to sockets: the per-socket Outlet (batching of live frames, the buffered-bytes
// bound, and reporting each write to usage) and the node-wide FlushClock that ends every open flush
// window with one timer. Frames arrive already serialised, once for all receivers; a batch is built
// by concatenating those strings, never by parsing or stringifying them again.

/** What an outlet needs of a socket (a `ws` WebSocket in the server). */
export interface OutletSocket {
  send(data: string): void;
  readonly bufferedAmount: number;
}

export interface OutletOptions {
  /**
   * A socket that was written to less than this many ms ago gets its next live frames queued and
   * sent together, as one `batch`, when the window ends. 0 turns batching off.
   */
  flushWindowMs: number;
  /** Unsent bytes (in the socket's buffer plus queued) beyond which the socket is a slow consumer. */
  maxBufferedBytes: number;
  /** Largest batch payload, in UTF-16 code units of the joined frames; a fuller queue goes out early. */
  maxBatchChars?: number;
  /** The clock for flush windows (tests pass their own). */
  now?: () => number;
}

/** Reports what was written: `messages` frames (a batch counts its events) of `bytes` on the wire. */
export type WriteReport = (page: string | undefined, messages: number, bytes: number) => void;

const BATCH_OPEN = '{"type":"batch","events":[';
const BATCH_CLOSE = ']}';
const DEFAULT_MAX_BATCH_CHARS = 64 * 1024;

/**
 * Bytes of one server→client WebSocket frame carrying `payloadBytes` (RFC 6455 §5.2: unmasked, so
 * 2 header bytes, plus 2 for a 16-bit length from 126, or 8 for a 64-bit length from 65536).
 */
export function wireBytes(payloadBytes: number): number {
  return payloadBytes + (payloadBytes < 126 ? 2 : payloadBytes < 65536 ? 4 : 10);
}

/** Ends the flush windows of every outlet with queued frames on one timer, not one per socket. */
export class FlushClock {
  private readonly due = new Set<Outlet>();
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly windowMs: number) {}

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

export class Outlet {
  private queue: string[] = [];
  private pages: (string | undefined)[] = [];
  private queuedChars = 0;
  /** Until then (performance.now() ms) the socket counts as busy: live frames wait for the window. */
  private busyUntil = 0;
  private discarded = false;
  private readonly now: () => number;

  constructor(
    private readonly socket: OutletSocket,
    private readonly clock: FlushClock | null,
    private readonly options: OutletOptions,
    private readonly report: WriteReport,
    /** The socket fell too far behind; the owner closes it (it resyncs on reconnect). */
    private readonly onOverflow: () => void,
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * Sends one serialised frame. A `live` frame (an event or presence, which may travel in a batch)
   * goes out at once when the socket is idle, else waits for the end of the window; any other frame
   * first flushes what waits, so the order of frames on the socket is the order of calls.
   */
  send(frame: string, page: string | undefined, live: boolean): void {
    if (this.discarded) return;
    const windowMs = this.clock ? this.options.flushWindowMs : 0;
    if (live && windowMs > 0) {
      const now = this.now();
      if (this.queue.length === 0 && now >= this.busyUntil) {
        this.busyUntil = now + windowMs;
        this.write(frame, page);
        return;
      }
      // A burst beyond one batch's size goes out now rather than growing the queue; the socket's
      // own buffer bound then decides whether the reader keeps up.
      if (this.queuedChars + frame.length > (this.options.maxBatchChars ?? DEFAULT_MAX_BATCH_CHARS)) {
        this.flush();
        if (this.discarded) return;
      }
      if (this.queue.length === 0) this.clock!.schedule(this);
      this.queue.push(frame);
      this.pages.push(page);
      this.queuedChars += frame.length;
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
    this.queue = [];
    this.pages = [];
    this.queuedChars = 0;
    this.clock?.cancel(this);
    if (this.clock) this.busyUntil = this.now() + this.options.flushWindowMs;
    const maxChars = this.options.maxBatchChars ?? DEFAULT_MAX_BATCH_CHARS;
    let start = 0;
    while (start < queue.length && !this.discarded) {
      let end = start + 1;
      let chars = queue[start]!.length;
      while (end < queue.length && chars + queue[end]!.length + 1 <= maxChars) {
        chars += queue[end]!.length + 1;
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
    this.queue = [];
    this.pages = [];
    this.queuedChars = 0;
    this.clock?.cancel(this);
  }

  private write(frame: string, page: string | undefined): void {
    if (this.socket.bufferedAmount > this.options.maxBufferedBytes) {
      this.overflow();
      return;
    }
    this.socket.send(frame);
    this.report(page, 1, wireBytes(Buffer.byteLength(frame, 'utf8')));
  }

  private writeBatch(frames: string[], pages: (string | undefined)[], start: number, end: number): void {
    if (this.socket.bufferedAmount > this.options.maxBufferedBytes) {
      this.overflow();
      return;
    }
    const parts = frames.slice(start, end);
    const data = BATCH_OPEN + parts.join(',') + BATCH_CLOSE;
    this.socket.send(data);
    const total = wireBytes(Buffer.byteLength(data, 'utf8'));
    const first = pages[start];
    let onePage = true;
    for (let i = start + 1; i < end && onePage; i++) onePage = pages[i] === first;
    if (onePage) {
      // The usual case (one page per socket): one report for the whole frame.
      this.report(first, parts.length, total);
      return;
    }
    // Each event is charged its own bytes and a separator; the wrapper and the frame header go to
    // the first event's page, so the per-page parts add up to exactly what was written.
    let charged = 0;
    for (let i = 1; i < parts.length; i++) {
      const bytes = Buffer.byteLength(parts[i]!, 'utf8') + 1;
      charged += bytes;
      this.report(pages[start + i], 1, bytes);
    }
    this.report(first, 1, total - charged);
  }

  private overflow(): void {
    this.discard();
    this.onOverflow();
  }
}
