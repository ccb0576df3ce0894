// Keeps every discussion of a page either anchored (a live Range) or an orphan, as the page changes:
// a debounced MutationObserver re-anchors after DOM changes (ignoring the overlay's own subtree),
// orphans are retried, and listeners hear about every anchor that appears, moves, is lost or comes back.
import type { SelectorT } from '../protocol/frames';
import { anchorAll, type SchedulingWindow } from './batch';
import type { TextMatch } from './match';

/** What the anchorer uses from `window`; tests pass a fake clock. */
export interface AnchorerWindow extends SchedulingWindow {
  clearTimeout(handle: number): void;
  MutationObserver: typeof MutationObserver;
}

export interface AnchorerOptions {
  root: Node;
  window: AnchorerWindow;
  /** Subtrees that are not page content: not indexed, and their mutations are ignored (the overlay host). */
  ignore?: (node: Node) => boolean;
  /** Quiet time after the last DOM change before re-anchoring. */
  debounceMs?: number;
  /** Longest wait on a page that never stops changing. */
  maxWaitMs?: number;
  /** Work per slice of a batch (see anchorAll). */
  budgetMs?: number;
  /** Where a failed background run is reported (runs started by the debounce have no caller to reject). */
  onError?: (error: unknown) => void;
}

export type AnchorStatus = 'pending' | 'anchored' | 'orphan';

export interface AnchorChange {
  id: string;
  status: Exclude<AnchorStatus, 'pending'>;
  previous: AnchorStatus;
  range: Range | null;
  match: TextMatch | null;
}

interface Tracked {
  id: string;
  selectors: readonly SelectorT[];
  status: AnchorStatus;
  range: Range | null;
  match: TextMatch | null;
}

export const DEFAULT_DEBOUNCE_MS = 250;
export const DEFAULT_MAX_WAIT_MS = 2000;

function sameRange(a: Range | null, b: Range | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.startContainer === b.startContainer &&
    a.startOffset === b.startOffset &&
    a.endContainer === b.endContainer &&
    a.endOffset === b.endOffset
  );
}

export class Anchorer {
  private readonly root: Node;
  private readonly win: AnchorerWindow;
  private readonly ignore: ((node: Node) => boolean) | undefined;
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;
  private readonly budgetMs: number | undefined;
  private readonly onError: (error: unknown) => void;
  private readonly tracked = new Map<string, Tracked>();
  /** Ids to (re-)anchor in the next run. */
  private readonly dirty = new Set<string>();
  private readonly listeners = new Set<(changes: AnchorChange[]) => void>();
  private observer: MutationObserver | null = null;
  private timer: number | null = null;
  private firstChangeAt: number | null = null;
  private running: Promise<void> | null = null;
  private abort: AbortController | null = null;
  private disposed = false;

  constructor(options: AnchorerOptions) {
    this.root = options.root;
    this.win = options.window;
    this.ignore = options.ignore;
    this.debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.budgetMs = options.budgetMs;
    this.onError =
      options.onError ?? ((error) => console.error('Collab Chat could not re-anchor discussions:', error));
  }

  /** Start watching the DOM. */
  start(): void {
    if (this.observer || this.disposed) return;
    this.observer = new this.win.MutationObserver((records) => {
      if (records.some((r) => !this.isIgnored(r.target))) this.domChanged();
    });
    this.observer.observe(this.root, { childList: true, subtree: true, characterData: true });
  }

  /** Stop watching and drop all state; a run in progress is abandoned. */
  dispose(): void {
    this.disposed = true;
    this.observer?.disconnect();
    this.observer = null;
    if (this.timer !== null) this.win.clearTimeout(this.timer);
    this.timer = null;
    this.abort?.abort();
    this.tracked.clear();
    this.dirty.clear();
    this.listeners.clear();
  }

  /** Hear about anchors found, moved, lost (orphaned) and restored. Returns the unsubscribe function. */
  subscribe(listener: (changes: AnchorChange[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Add or replace a discussion's anchor; it is anchored in the next run (started at once). */
  add(id: string, selectors: readonly SelectorT[]): Promise<void> {
    const old = this.tracked.get(id);
    this.tracked.set(id, { id, selectors, status: old?.status ?? 'pending', range: null, match: null });
    this.dirty.add(id);
    return this.run();
  }

  /** Replace the whole set (e.g. from a snapshot): ids not in `items` are forgotten. */
  replaceAll(items: readonly { id: string; selectors: readonly SelectorT[] }[]): Promise<void> {
    const keep = new Set(items.map((i) => i.id));
    for (const id of this.tracked.keys()) if (!keep.has(id)) this.remove(id);
    for (const item of items) {
      const old = this.tracked.get(item.id);
      if (old && old.selectors === item.selectors) continue;
      this.tracked.set(item.id, {
        id: item.id,
        selectors: item.selectors,
        status: old?.status ?? 'pending',
        range: old?.range ?? null,
        match: null,
      });
      this.dirty.add(item.id);
    }
    return this.run();
  }

  remove(id: string): void {
    this.tracked.delete(id);
    this.dirty.delete(id);
  }

  status(id: string): AnchorStatus | undefined {
    return this.tracked.get(id)?.status;
  }

  /** The live Range of an anchored discussion, else null. */
  rangeOf(id: string): Range | null {
    return this.tracked.get(id)?.range ?? null;
  }

  /** Discussions that could not be placed on the page (to list them in the UI, never to drop them). */
  orphans(): { id: string; selectors: readonly SelectorT[] }[] {
    return [...this.tracked.values()]
      .filter((t) => t.status === 'orphan')
      .map((t) => ({ id: t.id, selectors: t.selectors }));
  }

  /** Re-anchor everything now (e.g. after an SPA navigation). */
  refresh(): Promise<void> {
    for (const id of this.tracked.keys()) this.dirty.add(id);
    return this.run();
  }

  /** Whether DOM changes are waiting for the debounce before a run. */
  get scheduled(): boolean {
    return this.timer !== null;
  }

  /** Resolves once the run in progress, and any it queued, have finished (a debounced one is not awaited). */
  async whenIdle(): Promise<void> {
    while (this.running) await this.running;
  }

  private isIgnored(node: Node): boolean {
    if (!this.ignore) return false;
    for (let n: Node | null = node; n && n !== this.root; n = n.parentNode) if (this.ignore(n)) return true;
    return false;
  }

  private domChanged(): void {
    if (this.disposed) return;
    for (const id of this.tracked.keys()) this.dirty.add(id);
    const now = this.win.performance.now();
    this.firstChangeAt ??= now;
    if (this.timer !== null) this.win.clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.debounceMs, this.firstChangeAt + this.maxWaitMs - now));
    this.timer = this.win.setTimeout(() => {
      this.timer = null;
      this.firstChangeAt = null;
      this.run().catch(this.onError);
    }, wait);
  }

  /** One run at a time; work that arrives meanwhile is picked up by a follow-up run. */
  private run(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.running) return this.running.then(() => this.run());
    if (this.dirty.size === 0) return Promise.resolve();
    this.running = this.runOnce().finally(() => {
      this.running = null;
    });
    return this.running.then(() => (this.dirty.size > 0 ? this.run() : undefined));
  }

  private async runOnce(): Promise<void> {
    const ids = [...this.dirty];
    this.dirty.clear();
    const items = ids.flatMap((id) => {
      const t = this.tracked.get(id);
      return t ? [{ id, selectors: t.selectors, last: t.range }] : [];
    });
    this.abort = new AbortController();
    let outcome;
    try {
      outcome = await anchorAll(items, this.root, {
        window: this.win,
        signal: this.abort.signal,
        budgetMs: this.budgetMs,
        ignore: this.ignore,
      });
    } catch (error) {
      if (this.disposed) return;
      throw error;
    }
    const asked = new Map(items.map((i) => [i.id, i.selectors]));
    const changes: AnchorChange[] = [];
    for (const result of outcome.results) {
      const t = this.tracked.get(result.id);
      // Removed or replaced while the run was in flight: its own run will report it.
      if (!t || t.selectors !== asked.get(result.id)) continue;
      const status = result.range ? 'anchored' : 'orphan';
      const previous = t.status;
      const moved = !sameRange(t.range, result.range);
      t.status = status;
      t.range = result.range;
      t.match = result.match;
      if (previous !== status || moved) {
        changes.push({ id: t.id, status, previous, range: result.range, match: result.match });
      }
    }
    if (changes.length > 0) for (const listener of this.listeners) listener(changes);
  }
}
