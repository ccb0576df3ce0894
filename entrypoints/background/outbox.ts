// The person's writes that the server has not taken yet, kept in extension storage so that they
// survive the MV3 service worker being stopped and are shown in place after a reload. Each keeps its
// original broadcastId: the server applies a retried write once. A write is waiting (sent whenever
// the connection is live), held (the token was refused: sent again only when the person asks) or
// failed (refused for good: never sent again). Only an ack or the person's discard removes one.
import type { ErrorCode, WriteFrameT } from '@/lib/protocol';
import type { QueuedWrite } from '@/lib/storage';

/** The part of a WXT storage item the outbox needs. */
export interface OutboxStore {
  getValue(): Promise<QueuedWrite[]>;
  setValue(value: QueuedWrite[]): Promise<void>;
}

/** Whether a write goes out when the connection is live. */
export const isWaiting = (q: QueuedWrite): boolean => !q.held && !q.failed;

export class Outbox {
  private items: QueuedWrite[] = [];
  /** Storage writes run one after another so that none overwrites a newer list. */
  private chain: Promise<void> = Promise.resolve();
  readonly ready: Promise<void>;

  constructor(
    private readonly store: OutboxStore,
    private readonly now: () => number = Date.now,
  ) {
    this.ready = store.getValue().then((stored) => {
      // Writes added before the stored list arrived go after it, in the order they were made.
      const known = new Set(stored.map((q) => q.write.broadcastId));
      this.items = [...stored, ...this.items.filter((q) => !known.has(q.write.broadcastId))];
    });
  }

  list(): readonly QueuedWrite[] {
    return this.items;
  }

  /** The writes to send when the connection is live, in the order they were made. */
  waiting(): QueuedWrite[] {
    return this.items.filter(isWaiting);
  }

  /** How many writes wait to be sent. */
  get size(): number {
    return this.waiting().length;
  }

  /** How many writes are held or failed: they need the person. */
  get unsent(): number {
    return this.items.length - this.size;
  }

  /** Pages with writes still to send (they stay subscribed for the acks). */
  pages(): string[] {
    return [...new Set(this.waiting().map((q) => q.write.page))];
  }

  /** Every write of a page, whatever its state, for the tabs that show it. */
  of(page: string): QueuedWrite[] {
    return this.items.filter((q) => q.write.page === page);
  }

  find(broadcastId: string): QueuedWrite | undefined {
    return this.items.find((q) => q.write.broadcastId === broadcastId);
  }

  /** Queues a write; a write already queued with the same broadcastId is kept once. */
  add(write: WriteFrameT, more: Pick<QueuedWrite, 'by' | 'held' | 'failed'> = {}): Promise<void> {
    if (!this.find(write.broadcastId)) {
      const entry: QueuedWrite = { write, queuedAt: this.now() };
      if (more.by) entry.by = more.by;
      if (more.held) entry.held = true;
      if (more.failed) entry.failed = more.failed;
      this.items = [...this.items, entry];
    }
    return this.persist();
  }

  /** Removes a write once the server acked it or the person discarded it; returns it. */
  remove(broadcastId: string): QueuedWrite | undefined {
    const found = this.find(broadcastId);
    if (found) {
      this.items = this.items.filter((q) => q !== found);
      void this.persist();
    }
    return found;
  }

  /** The server refused a write for good: it stays, marked, so that its text is not lost. */
  fail(broadcastId: string, code: ErrorCode, message: string): QueuedWrite | undefined {
    return this.update(broadcastId, (q) => ({ ...q, held: undefined, failed: { code, message } }));
  }

  /** The token was refused: every write still to send waits for the person. Returns how many. */
  holdAll(): number {
    const waiting = this.waiting().length;
    if (waiting === 0) return 0;
    this.items = this.items.map((q) => (isWaiting(q) ? { ...q, held: true } : q));
    void this.persist();
    return waiting;
  }

  /** The person asks to send a held write again. */
  release(broadcastId: string): QueuedWrite | undefined {
    const found = this.find(broadcastId);
    if (!found?.held) return undefined;
    return this.update(broadcastId, (q) => {
      const { held: _held, ...rest } = q;
      return rest;
    });
  }

  /** Resolves when every change so far is in storage. */
  flushed(): Promise<void> {
    return this.chain;
  }

  private update(broadcastId: string, change: (q: QueuedWrite) => QueuedWrite): QueuedWrite | undefined {
    let changed: QueuedWrite | undefined;
    this.items = this.items.map((q) => {
      if (q.write.broadcastId !== broadcastId) return q;
      changed = change(q);
      // Storage keeps JSON: no keys with undefined values.
      for (const key of Object.keys(changed) as (keyof QueuedWrite)[])
        if (changed[key] === undefined) delete changed[key];
      return changed;
    });
    if (changed) void this.persist();
    return changed;
  }

  private persist(): Promise<void> {
    this.chain = this.chain
      .then(() => this.ready)
      .then(() => this.store.setValue(this.items))
      .catch((error: unknown) => console.error('Collab Chat: could not save queued writes', error));
    return this.chain;
  }
}
