// What the page side of `npm run bench:anchoring` (bench-page.ts) returns to the runner
// (bench/anchoring/run.ts). No DOM types here: the runner is compiled for Node.

export interface PhaseResult {
  ms: number;
  anchored: number;
  correct: number;
  /** Placed on the wrong text, or placed when it should be an orphan (worse than an orphan). */
  wrong: number;
  /** Orphaned although its text is still on the page. */
  missed: number;
  fuzzy: number;
  /** Main-thread time of the anchoring, and its longest task, by our own clock. */
  busyMs: number;
  longestTaskMs: number;
  /** Long tasks the browser reported (Chromium only; null where the browser has no such entries). */
  browserLongTasks: number | null;
  browserLongestTaskMs: number | null;
  indexBuilds?: number;
  /** Main-thread time of the index builds, in ms. */
  indexMs?: number;
  searches?: number;
  /** For the old path, measured on a sample and scaled to every discussion. */
  estimated?: boolean;
  examples?: string[];
}

export interface ChangingResult {
  path: string;
  windowMs: number;
  /** Main-thread time the anchoring took in the window, and its share of the window. */
  busyMs: number;
  blockedShare: number;
  longestTaskMs: number;
  browserLongTasks: number | null;
  browserLongestTaskMs: number | null;
  /** Longest gap between two animation frames in the window (what a person sees as a stall). */
  longestFrameGapMs: number;
  indexBuilds?: number;
  searches?: number;
  changes: number;
}

export interface SearchSpeed {
  quotes: number;
  meanQuoteChars: number;
  textChars: number;
  /** Milliseconds for all the quotes, each over the whole text as the matcher scans it. */
  libraryMs: number;
  approxSearchMs: number;
  /** Scans whose results differed between the two (must be 0). */
  differences: number;
}
