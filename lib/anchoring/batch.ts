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
 * Anchor every item under `root`: builds the text index once, then runs each item's matcher, yielding
 * to the event loop whenever a slice has used its budget. Rejects with the signal's reason if aborted.
 */
export async function anchorAll(
  items: readonly AnchorItem[],
  root: Node,
  options: AnchorAllOptions = {},
): Promise<AnchorAllOutcome> {
  const win: SchedulingWindow = options.window ?? (globalThis as unknown as SchedulingWindow);
  const budget = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const signal = options.signal;
  signal?.throwIfAborted();
  let sliceStart = win.performance.now();
  let slices = 1;
  let longest = 0;
  const pauseIfDue = async () => {
    const now = win.performance.now();
    if (now - sliceStart < budget) return;
    longest = Math.max(longest, now - sliceStart);
    await yieldToEventLoop(win);
    signal?.throwIfAborted();
    slices++;
    sliceStart = win.performance.now();
  };

  const build = TextIndex.buildSteps(root, options);
  let index: TextIndex;
  for (;;) {
    const r = build.next();
    if (r.done) {
      index = r.value;
      break;
    }
    await pauseIfDue();
  }

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
      await pauseIfDue();
    }
    const result = { id: item.id, match, range: match && index.toRange(match.start, match.end) };
    results.push(result);
    options.onResult?.(result);
    await pauseIfDue();
  }
  longest = Math.max(longest, win.performance.now() - sliceStart);
  return { results, index, slices, longestSliceMs: longest };
}
