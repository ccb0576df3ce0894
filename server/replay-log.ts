// The recent events of one room, as a replay sends them. Clients that come back together after an
// outage ask for nearly the same range (`since` = where the page stood when the server went away),
// and a replay read from the store renders every row again for each of them: at 2,000 clients that
// was most of a restarted server's time. The log keeps the events' JSON once; a replay reads from
// the store only what came after the log's end, and answers the rest from memory.
//
// It keeps only what a fresh read would render. A replayed event renders the comment as it is now,
// so an edit or a delete changes how earlier events render (their old text is gone): such an event,
// seen live or in a read, empties the log. Deleted text therefore stays in memory no longer than
// the delete's own broadcast takes to reach the room.
import type { AuthorsT, DiscussionEventT } from '../lib/protocol';

/** One event of a replay: its seq and its JSON as sent, with the names of the authors it mentions. */
export interface LoggedEvent {
  seq: number;
  json: string;
  authors?: AuthorsT;
}

/** How a log turns an event into what a replay sends. */
export type RenderEvent = (event: DiscussionEventT) => LoggedEvent;

const asStored: RenderEvent = (event) => ({ seq: event.seq, json: JSON.stringify(event) });

/** Events that leave every earlier event's rendering as it was. */
export function isCreation(event: DiscussionEventT): boolean {
  return (
    event.type === 'new-text-chat' ||
    (event.type === 'updated-text-chat' && event.change.op === 'add-comment')
  );
}

export class ReplayLog {
  /** The events after `from`, up to `to`, in seq order and without gaps. */
  private events: LoggedEvent[];
  private bytes: number;

  private constructor(
    private from: number,
    public to: number,
    events: LoggedEvent[],
    private readonly maxEvents: number,
    private readonly maxBytes: number,
    private readonly render: RenderEvent,
  ) {
    this.events = events;
    this.bytes = events.reduce((n, e) => n + e.json.length, 0);
    this.trim();
  }

  /** A log of a store read of the events after `since` up to `seq` (gapless, as `eventsSince` answers). */
  static of(
    since: number,
    seq: number,
    events: LoggedEvent[],
    limits: { maxEvents: number; maxBytes: number; render?: RenderEvent },
  ) {
    return new ReplayLog(since, seq, events, limits.maxEvents, limits.maxBytes, limits.render ?? asStored);
  }

  /** True when a replay from `since` can be answered from this log (plus what came after `to`). */
  covers(since: number): boolean {
    return this.from <= since && since <= this.to;
  }

  /**
   * Adds what the store holds after `to`. False when the log can no longer serve: the read had an
   * edit or a delete, or did not continue where the log ends; the caller drops it then.
   */
  extend(seq: number, events: readonly DiscussionEventT[]): boolean {
    for (const event of events) {
      if (event.seq <= this.to) continue;
      if (event.seq !== this.to + 1 || !isCreation(event)) return false;
      const logged = this.render(event);
      this.events.push(logged);
      this.bytes += logged.json.length;
      this.to = event.seq;
    }
    if (seq !== this.to) return false;
    this.trim();
    return true;
  }

  /** The events after `since` (which `covers`). */
  after(since: number): LoggedEvent[] {
    return this.events.slice(since - this.from);
  }

  get size(): number {
    return this.bytes;
  }

  /** Forgets the oldest events beyond the bounds: a client behind them reads the store. */
  private trim(): void {
    let drop = 0;
    while (
      drop < this.events.length &&
      (this.events.length - drop > this.maxEvents || this.bytes > this.maxBytes)
    ) {
      this.bytes -= this.events[drop]!.json.length;
      drop++;
    }
    if (drop === 0) return;
    this.from = this.events[drop - 1]!.seq;
    this.events = this.events.slice(drop);
  }
}
