// The background's copy of each page's discussions and last seq, kept with the shared sync rules of
// lib/protocol/page-state.ts, so that a second tab on a page renders at once and a reconnect asks
// only for what was missed (`since` = last seq).
import {
  applyEvent,
  applyReplay,
  fromSnapshot,
  type ApplyResult,
  type DiscussionEventT,
  type PageState,
  type ReplayT,
  type SnapshotT,
} from '@/lib/protocol';

export interface CachedPage extends PageState {
  /** False until a snapshot or replay on the current connection confirmed this copy. */
  synced: boolean;
}

export class PageCache {
  private readonly pages = new Map<string, CachedPage>();

  /** `maxPages` bounds memory: the least recently used page without tabs goes first. */
  constructor(private readonly maxPages = 50) {}

  get(page: string): CachedPage | undefined {
    const entry = this.pages.get(page);
    if (entry) {
      // Map order is the LRU order.
      this.pages.delete(page);
      this.pages.set(page, entry);
    }
    return entry;
  }

  has(page: string): boolean {
    return this.pages.has(page);
  }

  snapshot(frame: Pick<SnapshotT, 'page' | 'seq' | 'chats'>): CachedPage {
    const entry: CachedPage = { ...fromSnapshot(frame), synced: true };
    this.pages.delete(frame.page);
    this.pages.set(frame.page, entry);
    this.evict(new Set([frame.page]));
    return entry;
  }

  /** Applies a replay to the cached page. 'gap' (or no cached page) means: resync with a snapshot. */
  replay(frame: Pick<ReplayT, 'page' | 'events'>): ApplyResult {
    const entry = this.pages.get(frame.page);
    if (!entry) return 'gap';
    const result = applyReplay(entry, frame);
    if (result !== 'gap') entry.synced = true;
    return result;
  }

  /** Applies one live event. Unknown pages count as a gap: the caller resyncs. */
  event(event: DiscussionEventT): ApplyResult {
    const entry = this.pages.get(event.page);
    if (!entry) return 'gap';
    return applyEvent(entry, event);
  }

  drop(page: string): void {
    this.pages.delete(page);
  }

  /** After a disconnect every copy may be stale until its page is resubscribed. */
  markAllUnsynced(): void {
    for (const entry of this.pages.values()) entry.synced = false;
  }

  /** Evicts least recently used pages beyond the bound, never the `keep` ones. */
  evict(keep: Set<string>): void {
    for (const page of this.pages.keys()) {
      if (this.pages.size <= this.maxPages) return;
      if (!keep.has(page)) this.pages.delete(page);
    }
  }
}
