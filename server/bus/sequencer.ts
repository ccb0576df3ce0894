// Puts one room's live events back in seq order before the hub fans them out. With several nodes,
// events of one page reach a node over the bus from different publishers and may arrive out of
// order, or not at all when the bus connection dropped. An event that arrives early is held for a
// moment; if the gap is still open then, the missing events are read from the store, so clients
// see a gap-free stream instead of all resyncing. Only when the store cannot fill the gap (too far
// behind) are the room's members asked to resync.
import type { DiscussionEventT } from '../../lib/protocol';

export interface RoomSequencerOptions {
  /** How long an early event waits for the ones before it before they are read from the store. */
  gapWaitMs: number;
  /** The room's events after `since`, or null when the store cannot answer with at most `limit`. */
  eventsSince: (since: number, limit: number) => Promise<{ seq: number; events: DiscussionEventT[] } | null>;
  replayLimit: number;
  /** Hands one frame, in seq order, to the room's members, with its seq (null for presence). */
  deliver: (frame: string, seq: number | null) => void;
  /** The gap cannot be filled: every member must take a fresh snapshot (then `start` again). */
  resync: () => void;
  log: (message: string) => void;
}

export class RoomSequencer {
  /** The seq the room expects next; null until the first snapshot or replay says where it stands. */
  private next: number | null = null;
  private readonly held = new Map<number, string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private filling = false;
  private closed = false;

  constructor(private readonly options: RoomSequencerOptions) {}

  /** The members hold every event up to `seq`: order from there (no-op once started). */
  start(seq: number): void {
    if (this.next !== null) return;
    this.next = seq + 1;
    this.drain();
  }

  /** The seq of the last event delivered in order, or null before `start`. */
  get lastSeq(): number | null {
    return this.next === null ? null : this.next - 1;
  }

  /** A frame from the bus. Frames that carry no seq pass straight through. */
  push(frame: string): void {
    const seq = seqOf(frame);
    if (seq === null) {
      this.options.deliver(frame, null);
      return;
    }
    if (this.next !== null && seq < this.next) return; // already delivered, maybe read from the store
    this.held.set(seq, frame);
    this.drain();
  }

  /** Frames may have been lost (the bus reconnected): read what the store has beyond us now. */
  catchUp(): void {
    if (this.next !== null) void this.fill();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.held.clear();
  }

  private drain(): void {
    if (this.next === null || this.closed) return;
    for (let frame = this.held.get(this.next); frame !== undefined; frame = this.held.get(this.next)) {
      this.held.delete(this.next);
      this.next++;
      this.options.deliver(frame, this.next - 1);
    }
    for (const seq of this.held.keys()) if (seq < this.next) this.held.delete(seq);
    if (this.held.size === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
    } else if (!this.filling) {
      this.arm(this.options.gapWaitMs);
    }
  }

  private arm(delayMs: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.fill();
    }, delayMs);
  }

  private async fill(): Promise<void> {
    if (this.filling || this.next === null || this.closed) return;
    this.filling = true;
    const since = this.next - 1;
    let answer: Awaited<ReturnType<RoomSequencerOptions['eventsSince']>>;
    try {
      answer = await this.options.eventsSince(since, this.options.replayLimit);
    } catch (err) {
      this.options.log(`reading missed events failed (${(err as Error).message}); retrying`);
      this.filling = false;
      this.arm(Math.max(this.options.gapWaitMs, 1000));
      return;
    }
    this.filling = false;
    if (this.closed || this.next !== since + 1) return; // restarted meanwhile
    const earliestHeld = Math.min(...this.held.keys());
    if (answer === null || (this.held.size > 0 && answer.seq < earliestHeld - 1)) {
      // Too far behind for a replay, or the store does not know what the bus announced.
      this.next = null;
      this.held.clear();
      this.options.resync();
      return;
    }
    for (const event of answer.events) {
      if (event.seq !== this.next) continue;
      const frame = this.held.get(event.seq) ?? JSON.stringify(event);
      this.held.delete(event.seq);
      this.next++;
      this.options.deliver(frame, event.seq);
    }
    this.drain();
  }
}

/** The seq of an event frame, or null for frames without one (presence). */
function seqOf(frame: string): number | null {
  try {
    const seq = (JSON.parse(frame) as { seq?: unknown }).seq;
    return typeof seq === 'number' && Number.isInteger(seq) ? seq : null;
  } catch {
    return null;
  }
}
