// Keeps every discussion of a page either anchored (a live Range) or an orphan, as the page changes,
// with as little main-thread work as it can:
// - one text index per DOM version, shared by every discussion; built (in slices) only when some
//   discussion has to be searched for, at most once per batch of DOM changes;
// - a batch of changes (debounced MutationObserver, the overlay's own subtree ignored) re-anchors only
//   the discussions it could have touched: those whose text nodes changed, left the page, or whose range
//   now reads differently, and the orphans that the changed regions of the page now hold;
// - all of it runs in idle-time slices (requestIdleCallback, never one long task);
// - open shadow roots and same-origin iframes are indexed and watched like the rest of the page.
// Listeners hear about every anchor that appears, moves, is lost or comes back.
import type { SelectorT } from '../protocol/frames';
import { anchorAll, buildIndex, Slicer, type SchedulingWindow } from './batch';
import { matchNow, type TextMatch } from './match';
import { normaliseText, TextIndex } from './text-index';

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
  /** Most work per slice (see anchorAll). */
  budgetMs?: number;
  /** Run slices in idle periods (default true; tests with a fake clock turn it off). */
  idle?: boolean;
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

/** Figures of the work done so far (for benchmarks and diagnostics). */
export interface AnchorerStats {
  /** Runs started, and how many of them needed a text index (built one, or reused a current one). */
  runs: number;
  indexBuilds: number;
  /** Main-thread time spent building indexes, in ms. */
  indexMs: number;
  /** Discussions searched for (each search is one matcher run). */
  searches: number;
  slices: number;
  /** Longest slice, or MutationObserver callback, in ms. */
  longestSliceMs: number;
  /** Main-thread time of all slices and MutationObserver callbacks, in ms. */
  busyMs: number;
}

interface Tracked {
  id: string;
  selectors: readonly SelectorT[];
  /** The selectors as a string, to tell a new copy of the same selectors from a change. */
  key: string;
  status: AnchorStatus;
  range: Range | null;
  match: TextMatch | null;
  /** What the range read when it was placed, and the text nodes it covers (to notice changes). */
  text: string;
  nodes: Text[];
  /** Lower-case words of the quote worth looking for in new text (for orphans). */
  words: string[];
}

export const DEFAULT_DEBOUNCE_MS = 250;
export const DEFAULT_MAX_WAIT_MS = 2000;
/** Text of the changed regions kept per batch; beyond it every orphan is retried on the whole page. */
const MAX_ADDED_CHARS = 200_000;
/** Largest single changed region looked at on its own. */
const MAX_REGION_CHARS = 20_000;
/** Text nodes indexed between two checks of the slice's budget. */
const NODES_PER_STEP = 500;
/** Added nodes checked one by one against each range; beyond it ranges are compared by their text. */
const MAX_ADDED_NODES = 32;

function sameRange(a: Range | null, b: Range | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.startContainer === b.startContainer &&
    a.startOffset === b.startOffset &&
    a.endContainer === b.endContainer &&
    a.endOffset === b.endOffset
  );
}

function quoteWords(selectors: readonly SelectorT[]): string[] {
  const q = selectors.find((s) => s.type === 'TextQuoteSelector');
  if (q?.type !== 'TextQuoteSelector') return [];
  const words =
    normaliseText(q.exact)
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  const long = words.filter((w) => w.length >= 4);
  // The longest few: enough that an edited quote still shares one with its new text.
  return (long.length > 0 ? long : words).sort((a, b) => b.length - a.length).slice(0, 4);
}

/**
 * The text of `node` (as textContent), or null as soon as it exceeds `max` characters: a change under
 * the page's body must not cost a read of the whole page.
 */
function boundedText(node: Node, max: number): string | null {
  if (node.nodeType === 3) return (node as Text).data.length <= max ? (node as Text).data : null;
  const parts: string[] = [];
  let length = 0;
  const stack: Node[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.nodeType === 3) {
      length += (n as Text).data.length;
      if (length > max) return null;
      parts.push((n as Text).data);
      continue;
    }
    const children = n.childNodes;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return parts.join('');
}

/**
 * The DOM changes of one batch, as much as is needed to tell which discussions they could touch: the
 * text nodes edited, the nodes added, and the regions (the changed parent when it is small, else the
 * nodes added and the neighbours of those removed) where new text may now stand.
 */
class ChangeBatch {
  readonly changedText = new Set<Node>();
  readonly added: Node[] = [];
  private readonly regions: Node[] = [];
  private regionChars = 0;
  /** The regions' text, lower-case, for the orphans' word test. */
  private text = '';
  /** Too much changed to keep track of: every orphan is retried against the whole page. */
  everything = false;
  private minis: TextIndex[] | null = null;

  record(r: MutationRecord): void {
    if (r.type === 'characterData') {
      this.changedText.add(r.target);
      this.region(r.target.parentNode ?? r.target);
      return;
    }
    for (const n of r.addedNodes) {
      if (this.added.length <= MAX_ADDED_NODES) this.added.push(n);
      // A new open shadow root or iframe: its text is not in textContent.
      const el = n as Element;
      if (el.nodeType === 1 && (el.shadowRoot || el.nodeName === 'IFRAME' || el.querySelector?.('iframe'))) {
        this.everything = true;
      }
    }
    // Once the batch is too large to follow, only what touches anchored discussions is kept.
    if (this.everything) return;
    // The parent holds whatever the change joined or split ("a [x] b" → "a b"), when it is small.
    if (boundedText(r.target, MAX_REGION_CHARS) !== null) {
      this.region(r.target);
      return;
    }
    for (const n of r.addedNodes) this.region(n);
    if (r.removedNodes.length > 0) {
      this.region(r.previousSibling);
      this.region(r.nextSibling);
    }
  }

  private region(node: Node | null): void {
    if (this.everything || node === null) return;
    const text = boundedText(node, MAX_REGION_CHARS);
    if (text === null || this.regionChars + text.length > MAX_ADDED_CHARS) {
      this.everything = true;
      return;
    }
    this.regions.push(node);
    this.regionChars += text.length;
    this.text += ' ' + text.toLowerCase();
  }

  /** Whether an anchored discussion's text could have changed. */
  touches(t: Tracked): boolean {
    const range = t.range;
    if (range === null) return true;
    for (const n of t.nodes) if (!n.isConnected || this.changedText.has(n)) return true;
    if (this.added.length <= MAX_ADDED_NODES) {
      for (const n of this.added) if (n.isConnected && range.intersectsNode(n)) return true;
    }
    return range.collapsed || range.toString() !== t.text;
  }

  /**
   * Whether the change may have brought an orphan back: the changed regions hold half of its longest
   * words, and the matcher places it within them. A page that adds unrelated text every second then
   * costs a look at a few small regions, never a search of the whole page.
   */
  mayRestore(t: Tracked, ignore: ((node: Node) => boolean) | undefined): boolean {
    if (this.everything || t.words.length === 0) return true;
    let found = 0;
    for (const w of t.words) if (this.text.includes(w)) found++;
    if (found < Math.ceil(t.words.length / 2)) return false;
    this.minis ??= this.regions
      .filter((r) => r.isConnected)
      .map((r) => TextIndex.build(r, ignore ? { ignore } : {}));
    return this.minis.some((index) => matchNow(index, t.selectors) !== null);
  }
}

export class Anchorer {
  private readonly root: Node;
  private readonly win: AnchorerWindow;
  private readonly ignore: ((node: Node) => boolean) | undefined;
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;
  private readonly budgetMs: number | undefined;
  private readonly idle: boolean;
  private readonly onError: (error: unknown) => void;
  private readonly tracked = new Map<string, Tracked>();
  /** The latest full set handed to replaceAll, to be compared with what is tracked in the next run. */
  private incoming: readonly { id: string; selectors: readonly SelectorT[] }[] | null = null;
  /** Ids to (re-)anchor in the next run whatever the DOM did (new, replaced, refreshed). */
  private readonly dirty = new Set<string>();
  private readonly listeners = new Set<(changes: AnchorChange[]) => void>();
  private observer: MutationObserver | null = null;
  /** Shadow roots and iframe documents observed besides the root. */
  private readonly watched = new WeakSet<Node>();
  private timer: number | null = null;
  private firstChangeAt: number | null = null;
  private running: Promise<void> | null = null;
  private abort: AbortController | null = null;
  private disposed = false;
  /** DOM changes not yet looked at by a run. */
  private batch = new ChangeBatch();
  private pendingChanges = false;
  /** The index of the current DOM version; dropped at the first change after it was built. */
  private index: TextIndex | null = null;
  readonly stats: AnchorerStats = {
    runs: 0,
    indexBuilds: 0,
    indexMs: 0,
    searches: 0,
    slices: 0,
    longestSliceMs: 0,
    busyMs: 0,
  };

  constructor(options: AnchorerOptions) {
    this.root = options.root;
    this.win = options.window;
    this.ignore = options.ignore;
    this.debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.budgetMs = options.budgetMs;
    this.idle = options.idle ?? true;
    this.onError =
      options.onError ?? ((error) => console.error('Collab Chat could not re-anchor discussions:', error));
  }

  /** Start watching the DOM. */
  start(): void {
    if (this.observer || this.disposed) return;
    this.observer = new this.win.MutationObserver((records) => this.recordsArrived(records));
    this.observer.observe(this.root, { childList: true, subtree: true, characterData: true });
    for (const tree of this.index?.subtrees ?? []) this.watch(tree);
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
    this.index = null;
  }

  /** Hear about anchors found, moved, lost (orphaned) and restored. Returns the unsubscribe function. */
  subscribe(listener: (changes: AnchorChange[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Add or replace a discussion's anchor; it is anchored in the next run (started at once). */
  add(id: string, selectors: readonly SelectorT[]): Promise<void> {
    this.put(id, selectors);
    return this.run();
  }

  /**
   * Replace the whole set (e.g. from a snapshot): ids not in `items` are forgotten, and discussions
   * whose selectors are unchanged (by value) keep their anchor without any work.
   */
  replaceAll(items: readonly { id: string; selectors: readonly SelectorT[] }[]): Promise<void> {
    const keep = new Set(items.map((i) => i.id));
    this.incoming = null;
    for (const id of this.tracked.keys()) if (!keep.has(id)) this.remove(id);
    // Compared with what is tracked inside the run's slices: a thousand discussions take a while.
    this.incoming = items;
    return this.run();
  }

  remove(id: string): void {
    this.tracked.delete(id);
    this.dirty.delete(id);
    if (this.incoming?.some((i) => i.id === id)) this.incoming = this.incoming.filter((i) => i.id !== id);
  }

  status(id: string): AnchorStatus | undefined {
    return this.tracked.get(id)?.status;
  }

  /** The live Range of an anchored discussion, else null. */
  rangeOf(id: string): Range | null {
    return this.tracked.get(id)?.range ?? null;
  }

  /** How an anchored discussion was found ('fuzzy': its text changed since it was quoted), else null. */
  matchOf(id: string): TextMatch | null {
    return this.tracked.get(id)?.match ?? null;
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
    this.index = null;
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

  private put(id: string, selectors: readonly SelectorT[]): void {
    const key = JSON.stringify(selectors);
    const old = this.tracked.get(id);
    if (old && old.key === key) return;
    this.tracked.set(id, {
      id,
      selectors,
      key,
      status: old?.status ?? 'pending',
      range: old?.range ?? null,
      match: null,
      text: '',
      nodes: [],
      words: quoteWords(selectors),
    });
    this.dirty.add(id);
  }

  private watch(tree: Node): void {
    if (!this.observer || this.watched.has(tree)) return;
    this.watched.add(tree);
    this.observer.observe(tree, { childList: true, subtree: true, characterData: true });
  }

  private isIgnored(node: Node): boolean {
    if (!this.ignore) return false;
    for (let n: Node | null = node; n && n !== this.root; n = n.parentNode) if (this.ignore(n)) return true;
    return false;
  }

  private recordsArrived(records: MutationRecord[]): void {
    if (this.disposed) return;
    const t0 = this.win.performance.now();
    try {
      this.noteRecords(records);
    } finally {
      const ms = this.win.performance.now() - t0;
      this.stats.busyMs += ms;
      this.stats.longestSliceMs = Math.max(this.stats.longestSliceMs, ms);
    }
  }

  private noteRecords(records: MutationRecord[]): void {
    let relevant = false;
    for (const r of records) {
      if (this.isIgnored(r.target)) continue;
      relevant = true;
      this.batch.record(r);
    }
    if (!relevant) return;
    this.index = null;
    this.pendingChanges = true;
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
    if (this.dirty.size === 0 && !this.pendingChanges && this.incoming === null) return Promise.resolve();
    this.running = this.runOnce().finally(() => {
      this.running = null;
    });
    return this.running.then(() =>
      this.dirty.size > 0 || this.pendingChanges || this.incoming !== null ? this.run() : undefined,
    );
  }

  private async runOnce(): Promise<void> {
    this.stats.runs++;
    this.abort = new AbortController();
    const slicer = new Slicer(this.win, this.budgetMs, this.abort.signal, this.idle);
    try {
      await slicer.begin();
      const incoming = this.incoming;
      this.incoming = null;
      for (const item of incoming ?? []) {
        this.put(item.id, item.selectors);
        await slicer.pauseIfDue();
      }
      // The changes so far form this run's batch; later ones start the next.
      const batch = this.batch;
      const changed = this.pendingChanges;
      this.batch = new ChangeBatch();
      this.pendingChanges = false;
      const ids = new Set(this.dirty);
      this.dirty.clear();
      if (changed) {
        for (const t of this.tracked.values()) {
          if (ids.has(t.id)) continue;
          const touched = t.status === 'anchored' ? batch.touches(t) : batch.mayRestore(t, this.ignore);
          if (touched) ids.add(t.id);
          await slicer.pauseIfDue();
        }
      }
      const items = [...ids].flatMap((id) => {
        const t = this.tracked.get(id);
        return t ? [{ id, selectors: t.selectors, last: t.range }] : [];
      });
      if (items.length === 0) return;

      let index = this.index;
      if (index === null) {
        slicer.close();
        const busy = slicer.busyMs;
        slicer.reopen();
        index = await buildIndex(this.root, { ignore: this.ignore, nodesPerStep: NODES_PER_STEP }, slicer);
        slicer.close();
        this.stats.indexMs += slicer.busyMs - busy;
        slicer.reopen();
        this.stats.indexBuilds++;
        // A change during the build makes this index stale for the next run, not for this one: the
        // follow-up run re-checks what that change touched.
        if (!this.pendingChanges) this.index = index;
        for (const tree of index.subtrees) this.watch(tree);
      }
      this.stats.searches += items.length;
      const outcome = await anchorAll(items, this.root, { index, slicer, signal: this.abort.signal });
      await this.apply(items, outcome.results, index, slicer);
    } catch (error) {
      if (this.disposed) return;
      throw error;
    } finally {
      slicer.close();
      this.stats.slices += slicer.slices;
      this.stats.longestSliceMs = Math.max(this.stats.longestSliceMs, slicer.longestSliceMs);
      this.stats.busyMs += slicer.busyMs;
    }
  }

  private async apply(
    items: { id: string; selectors: readonly SelectorT[] }[],
    results: { id: string; range: Range | null; match: TextMatch | null }[],
    index: TextIndex,
    slicer: Slicer,
  ): Promise<void> {
    const asked = new Map(items.map((i) => [i.id, i.selectors]));
    const changes: AnchorChange[] = [];
    for (const result of results) {
      const t = this.tracked.get(result.id);
      // Removed or replaced while the run was in flight: its own run will report it.
      if (!t || t.selectors !== asked.get(result.id)) continue;
      const status = result.range ? 'anchored' : 'orphan';
      const previous = t.status;
      const moved = !sameRange(t.range, result.range);
      const methodChanged = (t.match?.method === 'fuzzy') !== (result.match?.method === 'fuzzy');
      t.status = status;
      t.range = result.range;
      t.match = result.match;
      t.text = result.range?.toString() ?? '';
      t.nodes = result.match ? index.nodesIn(result.match.start, result.match.end) : [];
      if (previous !== status || moved || methodChanged) {
        changes.push({ id: t.id, status, previous, range: result.range, match: result.match });
      }
      await slicer.pauseIfDue();
    }
    if (changes.length > 0) for (const listener of this.listeners) listener(changes);
  }
}
