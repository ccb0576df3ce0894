// Writes waiting for the server, kept in extension storage so that they survive the MV3 service worker
// being stopped. Each keeps its original broadcastId: the server applies a retried write once.
import type { WriteFrameT } from '@/lib/protocol';
import type { QueuedWrite } from '@/lib/storage';

/** The part of a WXT storage item the outbox needs. */
export interface OutboxStore {
  getValue(): Promise<QueuedWrite[]>;
  setValue(value: QueuedWrite[]): Promise<void>;
}

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

  get size(): number {
    return this.items.length;
  }

  pages(): string[] {
    return [...new Set(this.items.map((q) => q.write.page))];
  }

  find(broadcastId: string): QueuedWrite | undefined {
    return this.items.find((q) => q.write.broadcastId === broadcastId);
  }

  /** Queues a write; a write already queued with the same broadcastId is kept once. */
  add(write: WriteFrameT): Promise<void> {
    if (!this.find(write.broadcastId)) this.items = [...this.items, { write, queuedAt: this.now() }];
    return this.persist();
  }

  /** Removes a write once the server acked it or refused it for good; returns it. */
  remove(broadcastId: string): QueuedWrite | undefined {
    const found = this.find(broadcastId);
    if (found) {
      this.items = this.items.filter((q) => q !== found);
      void this.persist();
    }
    return found;
  }

  /** Resolves when every change so far is in storage. */
  flushed(): Promise<void> {
    return this.chain;
  }

  private persist(): Promise<void> {
    this.chain = this.chain
      .then(() => this.ready)
      .then(() => this.store.setValue(this.items))
      .catch((error: unknown) => console.error('Collab Chat: could not save queued writes', error));
    return this.chain;
  }
}
