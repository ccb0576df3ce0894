// Anchoring many discussions without freezing the page: one text index per run, work sliced so that
// no task holds the main thread much longer than `budgetMs`, then a yield to the event loop.
import type { SelectorT } from '../protocol/frames';
import { matchSteps, type TextMatch } from './match';
import { TextIndex, type TextIndexOptions } from './text-index';

/** What the batch needs from `window`; tests and benchmarks may pass their own. */
export interface SchedulingWindow {
  performance: { now(): number };
  setTimeout(handler: () => void, ms?: number): number;
  MessageChannel?: typeof MessageChannel;
  scheduler?: { yield?: () => Promise<void> };
  requestIdleCallback?: (
    callback: (deadline: IdleDeadlineLike) => void,
    options?: { timeout?: number },
  ) => number;
}

export interface IdleDeadlineLike {
  timeRemaining(): number;
  readonly didTimeout: boolean;
}

export interface AnchorItem {
  id: string;
  selectors: readonly SelectorT[];
  /** Where this anchor was last found (its live Range): tried first, so a DOM change elsewhere is cheap. */
  last?: Range | null;
}

export interface AnchorResult {
  id: string;
  range: Range | null;
  match: TextMatch | null;
}

export interface AnchorAllOptions extends TextIndexOptions {
  signal?: AbortSignal;
  /** A current index of `root` to reuse instead of building one. */
  index?: TextIndex;
  /**
   * Run the slices in the browser's idle periods (requestIdleCallback, each slice at most what the
   * browser says is free and at most `budgetMs`) instead of right after a yield.
   */
  idle?: boolean;
  /** Shares the slicing (and its statistics) with other work of the same run. */
  slicer?: Slicer;
  /** Work done between two yields, in milliseconds. */
  budgetMs?: number;
  window?: SchedulingWindow;
  /** Called as each result is known (e.g. to highlight progressively). */
  onResult?: (result: AnchorResult) => void;
}

export interface AnchorAllOutcome {
  results: AnchorResult[];
  index: TextIndex;
  /** Number of slices the work was cut into, and the longest one in ms (for benchmarks). */
  slices: number;
  longestSliceMs: number;
}

// Leaves room under the 50 ms long-task line for the last step of a slice and for a busy machine.
export const DEFAULT_BUDGET_MS = 20;
/** Shortest slice run in an idle period, so that work progresses when the browser is rarely idle. */
export const MIN_IDLE_SLICE_MS = 5;
/** Longest wait for an idle period before a slice runs anyway. */
export const IDLE_TIMEOUT_MS = 500;

/** Give the event loop a turn: scheduler.yield where there is one, else a message (no 4 ms clamp). */
export function yieldToEventLoop(win: SchedulingWindow): Promise<void> {
  if (win.scheduler?.yield) return win.scheduler.yield();
  const MC = win.MessageChannel;
  if (MC) {
    return new Promise((resolve) => {
      const channel = new MC();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => win.setTimeout(resolve, 0));
}

/**
 * Wait for the browser's next idle period and resolve with the milliseconds it says are free
 * (Infinity when it cannot say: no requestIdleCallback, or the wait timed out).
 */
export function waitForIdle(win: SchedulingWindow): Promise<number> {
  const ric = win.requestIdleCallback;
  if (!ric) return yieldToEventLoop(win).then(() => Infinity);
  return new Promise((resolve) =>
    ric.call(win, (deadline) => resolve(deadline.didTimeout ? Infinity : deadline.timeRemaining()), {
      timeout: IDLE_TIMEOUT_MS,
    }),
  );
}

/**
 * Cuts a run of work into slices: `pauseIfDue()` after each step yields once the slice has used its
 * budget. Keeps the statistics the benchmark reports (slices, longest, total time on the main thread).
 */
export class Slicer {
  slices = 0;
  longestSliceMs = 0;
  /** Main-thread time spent in slices, in ms. */
  busyMs = 0;
  private sliceStart: number;
  /** Time of the current slice already recorded by `close` (the slice goes on after a `reopen`). */
  private sliceSoFar = 0;
  private allowance: number;

  constructor(
    private readonly win: SchedulingWindow,
    private readonly budgetMs = DEFAULT_BUDGET_MS,
    private readonly signal?: AbortSignal,
    private readonly idle = false,
  ) {
    this.sliceStart = win.performance.now();
    this.allowance = budgetMs;
    this.slices = 1;
  }

  /** Start the first slice in an idle period (a run that starts from a timer or a message). */
  async begin(): Promise<void> {
    if (!this.idle) return;
    await this.next();
    this.slices = 1;
  }

  async pauseIfDue(): Promise<void> {
    if (this.sliceSoFar + this.win.performance.now() - this.sliceStart < this.allowance) return;
    this.close();
    await this.next();
  }

  /** Record the slice in progress (call when the run ends, or before `reopen` to read `busyMs`). */
  close(): void {
    const now = this.win.performance.now();
    const ms = now - this.sliceStart;
    this.longestSliceMs = Math.max(this.longestSliceMs, this.sliceSoFar + ms);
    this.busyMs += ms;
    this.sliceSoFar += ms;
    this.sliceStart = now;
  }

  /** Continue the slice that `close` recorded (same task, same budget). */
  reopen(): void {
    this.sliceStart = this.win.performance.now();
  }

  private async next(): Promise<void> {
    const free = this.idle ? await waitForIdle(this.win) : (await yieldToEventLoop(this.win), Infinity);
    this.signal?.throwIfAborted();
    this.slices++;
    this.allowance = Math.min(this.budgetMs, Math.max(MIN_IDLE_SLICE_MS, free));
    this.sliceStart = this.win.performance.now();
    this.sliceSoFar = 0;
  }
}

/** Build the text index of `root` in slices. */
export async function buildIndex(root: Node, options: TextIndexOptions, slicer: Slicer): Promise<TextIndex> {
  const build = TextIndex.buildSteps(root, options);
  for (;;) {
    const r = build.next();
    if (r.done) return r.value;
    await slicer.pauseIfDue();
  }
}

/**
 * Anchor every item under `root`: builds the text index once (or reuses `options.index`), then runs
 * each item's matcher, yielding to the event loop whenever a slice has used its budget. Rejects with
 * the signal's reason if aborted.
 */
export async function anchorAll(
  items: readonly AnchorItem[],
  root: Node,
  options: AnchorAllOptions = {},
): Promise<AnchorAllOutcome> {
  const win: SchedulingWindow = options.window ?? (globalThis as unknown as SchedulingWindow);
  const signal = options.signal;
  signal?.throwIfAborted();
  const own = options.slicer === undefined;
  const slicer = options.slicer ?? new Slicer(win, options.budgetMs, signal, options.idle);
  if (own) await slicer.begin();
  const index = options.index ?? (await buildIndex(root, options, slicer));

  const results: AnchorResult[] = [];
  for (const item of items) {
    const last = item.last ? index.rangeOffsets(item.last) : null;
    const lastStart = last && index.trim(last.start, last.end).start;
    const steps = matchSteps(index, item.selectors, { lastStart });
    let match: TextMatch | null;
    for (;;) {
      const r = steps.next();
      if (r.done) {
        match = r.value;
        break;
      }
      await slicer.pauseIfDue();
    }
    const result = { id: item.id, match, range: match && index.toRange(match.start, match.end) };
    results.push(result);
    options.onResult?.(result);
    await slicer.pauseIfDue();
  }
  if (own) slicer.close();
  return { results, index, slices: slicer.slices, longestSliceMs: slicer.longestSliceMs };
}
