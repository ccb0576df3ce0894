// Selectors → a span of the normalised page text. The order: the live or stored position verified
// against the quote and its context, then the structural hint, then an exact search of the quote
// (best context wins), then a fuzzy search (approx-string-match) scored on quote, prefix, suffix and
// distance from the old position. Below the thresholds the anchor is an orphan: a false match is
// worse than none. Written as a generator that yields between slices of work so a batch can give the
// event loop a turn; `matchNow` drains it for one-off calls.
import search from 'approx-string-match';
import type { SelectorT } from '../protocol/frames';
import { normaliseText, type TextIndex } from './text-index';
import { nodeAt } from './xpath';

export type AnchorMethod = 'position' | 'structure' | 'exact' | 'fuzzy';

export interface TextMatch {
  start: number;
  end: number;
  method: AnchorMethod;
  /** 0..1: how well quote, context and position agree (1 for a verified position). */
  score: number;
}

/** Thresholds and weights of the matcher; docs/anchoring.md explains each. */
export const MATCH = {
  /** Quotes shorter than this are never fuzzy-matched: too many false hits. */
  minFuzzyQuoteChars: 8,
  /** Most edits a fuzzy match may have, as a share of the quote's length. */
  maxErrorRatio: 0.3,
  /** Least combined score a fuzzy match needs. */
  minFuzzyScore: 0.7,
  /** Least quote similarity for a fuzzy match far from the old place when no context was stored. */
  minFuzzyQuoteWithoutContext: 0.85,
  /** "Near the old place": within this many characters plus 4 quote lengths of it. */
  nearChars: 2000,
  /**
   * Share of the quote's words a fuzzy match without stored context must still contain: an edited
   * passage keeps most of its words, a different sentence of similar shape does not.
   */
  minWordOverlap: 0.75,
  /** Short exact quotes whose stored context no longer matches at all are orphans. */
  shortQuoteChars: 32,
  minShortQuoteContext: 0.5,
  weights: { quote: 50, prefix: 20, suffix: 20, position: 2 },
  /** Text searched per step of the fuzzy scan. */
  fuzzySliceChars: 32_768,
  /** Most exact occurrences scored (a very common quote in a huge page). */
  maxOccurrences: 5000,
  /** Most fuzzy candidates scored per searched slice. */
  maxCandidates: 20,
} as const;

interface Quote {
  exact: string;
  prefix: string;
  suffix: string;
}

function quoteOf(selectors: readonly SelectorT[]): Quote | null {
  const q = selectors.find((s) => s.type === 'TextQuoteSelector');
  if (!q) return null;
  const exact = normaliseText(q.exact).trim();
  if (exact.length === 0) return null;
  return { exact, prefix: normaliseText(q.prefix ?? ''), suffix: normaliseText(q.suffix ?? '') };
}

/** Start of the structural hint in the current text, if its nodes still exist. */
function structuralStart(index: TextIndex, selectors: readonly SelectorT[]): number | null {
  const r = selectors.find((s) => s.type === 'RangeSelector');
  if (!r) return null;
  const startNode = nodeAt(r.startContainer, index.root);
  const endNode = r.endContainer === undefined ? startNode : nodeAt(r.endContainer, index.root);
  if (!startNode || !endNode) return null;
  try {
    const doc = startNode.ownerDocument ?? (startNode as Document);
    const range = doc.createRange();
    range.setStart(startNode, r.startOffset);
    range.setEnd(endNode, r.endOffset);
    const offsets = index.rangeOffsets(range);
    return offsets && index.trim(offsets.start, offsets.end).start;
  } catch {
    // Offsets beyond the node's current length: the hint is stale.
    return null;
  }
}

/** 0..1: how well `pattern` appears in `window` (1 - fewest edits / length). 1 for an empty pattern. */
function similarity(window: string, pattern: string): number {
  if (pattern.length === 0) return 1;
  if (window.length === 0) return 0;
  if (window.endsWith(pattern) || window.startsWith(pattern)) return 1;
  let best = pattern.length;
  for (const m of search(window, pattern, pattern.length)) if (m.errors < best) best = m.errors;
  return 1 - best / pattern.length;
}

function prefixSim(text: string, start: number, prefix: string): number {
  if (prefix.length === 0) return 1;
  if (text.endsWith(prefix, start)) return 1;
  return similarity(text.slice(Math.max(0, start - prefix.length * 2), start), prefix);
}

function suffixSim(text: string, end: number, suffix: string): number {
  if (suffix.length === 0) return 1;
  if (text.startsWith(suffix, end)) return 1;
  return similarity(text.slice(end, end + suffix.length * 2), suffix);
}

interface Scored {
  start: number;
  end: number;
  quote: number;
  prefix: number;
  suffix: number;
  score: number;
}

function score(
  text: string,
  q: Quote,
  start: number,
  end: number,
  errors: number,
  hints: readonly number[],
): Scored {
  const w = MATCH.weights;
  const quote = 1 - errors / q.exact.length;
  const prefix = prefixSim(text, start, q.prefix);
  const suffix = suffixSim(text, end, q.suffix);
  let total = w.quote * quote;
  let weight = w.quote;
  if (q.prefix) {
    total += w.prefix * prefix;
    weight += w.prefix;
  }
  if (q.suffix) {
    total += w.suffix * suffix;
    weight += w.suffix;
  }
  if (hints.length > 0) {
    const distance = Math.min(...hints.map((h) => Math.abs(start - h)));
    total += w.position * (1 - Math.min(1, distance / Math.max(1, text.length)));
    weight += w.position;
  }
  return { start, end, quote, prefix, suffix, score: total / weight };
}

function contextAgrees(q: Quote, s: Scored): boolean {
  if (!q.prefix && !q.suffix) return true;
  const sides: number[] = [];
  if (q.prefix) sides.push(s.prefix);
  if (q.suffix) sides.push(s.suffix);
  return Math.max(...sides) >= MATCH.minShortQuoteContext;
}

function nearSpan(len: number): number {
  return len * 4 + MATCH.nearChars;
}

const WORD = /[\p{L}\p{N}]+/gu;

/** Share of the words of `quote` (as a multiset, case-insensitive) that also occur in `found`. */
export function wordOverlap(quote: string, found: string): number {
  const words = quote.toLowerCase().match(WORD) ?? [];
  if (words.length === 0) return 1;
  const pool = new Map<string, number>();
  for (const w of found.toLowerCase().match(WORD) ?? []) pool.set(w, (pool.get(w) ?? 0) + 1);
  let kept = 0;
  for (const w of words) {
    const n = pool.get(w) ?? 0;
    if (n > 0) {
      kept++;
      pool.set(w, n - 1);
    }
  }
  return kept / words.length;
}

function acceptFuzzy(text: string, q: Quote, s: Scored, hints: readonly number[]): boolean {
  if (s.quote < 1 - MATCH.maxErrorRatio) return false;
  if (q.prefix || q.suffix) {
    const shortOk = q.exact.length >= MATCH.shortQuoteChars || contextAgrees(q, s);
    return shortOk && s.score >= MATCH.minFuzzyScore;
  }
  // A unique quote stores no context: only its own words and its old place vouch for a match.
  const span = refineEnds(text, q, s);
  if (wordOverlap(q.exact, text.slice(span.start, span.end)) < MATCH.minWordOverlap) return false;
  const near = hints.some((h) => Math.abs(s.start - h) <= nearSpan(q.exact.length));
  return near || s.quote >= MATCH.minFuzzyQuoteWithoutContext;
}

/** Keep the lowest-error match of each cluster of overlapping matches, best first. */
function candidates(matches: { start: number; end: number; errors: number }[]) {
  const sorted = [...matches].sort((a, b) => a.errors - b.errors || a.start - b.start);
  const kept: typeof sorted = [];
  for (const m of sorted) {
    if (kept.some((k) => m.start < k.end && k.start < m.end)) continue;
    kept.push(m);
    if (kept.length >= MATCH.maxCandidates) break;
  }
  return kept;
}

export interface MatchHints {
  /** Where the anchor was last seen in this text (e.g. its live Range), tried first. */
  lastStart?: number | null;
}

/** The anchoring steps for one anchor; yields between slices of work, returns the match or null. */
export function* matchSteps(
  index: TextIndex,
  selectors: readonly SelectorT[],
  options: MatchHints = {},
): Generator<void, TextMatch | null, void> {
  const q = quoteOf(selectors);
  if (q === null) return null;
  const text = index.text;
  const len = q.exact.length;

  const position = selectors.find((s) => s.type === 'TextPositionSelector');
  const candidatesAt: { start: number; method: AnchorMethod }[] = [];
  if (options.lastStart != null) candidatesAt.push({ start: options.lastStart, method: 'position' });
  if (position) candidatesAt.push({ start: position.start, method: 'position' });
  const structural = structuralStart(index, selectors);
  if (structural !== null) candidatesAt.push({ start: structural, method: 'structure' });
  // Old places, the most trustworthy first: where it was last seen, where its nodes are, its offset.
  const hints = [...new Set([options.lastStart, structural, position?.start])].filter(
    (h): h is number => typeof h === 'number',
  );

  // 1. A remembered place that still holds the quote with its context.
  for (const c of candidatesAt) {
    if (
      text.startsWith(q.exact, c.start) &&
      (!q.prefix || text.endsWith(q.prefix, c.start)) &&
      (!q.suffix || text.startsWith(q.suffix, c.start + len))
    ) {
      return { start: c.start, end: c.start + len, method: c.method, score: 1 };
    }
  }

  // 2. Every exact occurrence, scored by context and distance from the old place.
  let bestExact: Scored | null = null;
  let bestIntact: Scored | null = null;
  let seen = 0;
  for (
    let o = text.indexOf(q.exact);
    o !== -1 && seen < MATCH.maxOccurrences;
    o = text.indexOf(q.exact, o + 1)
  ) {
    seen++;
    const s = score(text, q, o, o + len, 0, hints);
    if (bestExact === null || s.score > bestExact.score) bestExact = s;
    if (s.prefix === 1 && s.suffix === 1 && (bestIntact === null || s.score > bestIntact.score))
      bestIntact = s;
  }
  // An occurrence whose stored context is intact is the one (the nearest, if several).
  if (bestIntact !== null) return asExact(bestIntact);
  const exactOk = bestExact !== null && (len >= MATCH.shortQuoteChars || contextAgrees(q, bestExact));
  yield;

  // 3. Fuzzy: first near the old places (cheap, usually enough), then the whole text in slices.
  // Only candidates that pass the thresholds compete: a better-looking one that fails them must not
  // hide an acceptable one.
  if (len < MATCH.minFuzzyQuoteChars) return exactOk ? asExact(bestExact!) : null;
  const maxErrors = Math.floor(len * MATCH.maxErrorRatio);
  const overlap = len + maxErrors;
  const found: { best: Scored | null } = { best: null };
  const consider = (from: number, to: number) => {
    const slice = text.slice(from, to);
    for (const m of candidates(search(slice, q.exact, maxErrors))) {
      const s = score(text, q, from + m.start, from + m.end, m.errors, hints);
      if ((found.best === null || s.score > found.best.score) && acceptFuzzy(text, q, s, hints)) {
        found.best = s;
      }
    }
  };
  // approx-string-match returns only the fewest-error matches of the text it is given, so an unrelated
  // close match elsewhere in a window hides the edited passage: look right at each old place first.
  for (const tight of [true, false]) {
    const span = tight ? maxErrors : nearSpan(len);
    for (const hint of hints) {
      consider(Math.max(0, hint - span), Math.min(text.length, hint + len + span));
      if (!tight) yield;
    }
    if (found.best !== null) break;
  }
  // An exact copy whose context only partly agrees stands unless an edited copy near the old place
  // fits its context better (the user's passage was edited, and the same words appear elsewhere).
  if (exactOk) {
    return found.best !== null && found.best.score > bestExact!.score
      ? finish(index, q, found.best)
      : asExact(bestExact!);
  }
  if (found.best !== null) return finish(index, q, found.best);
  for (let from = 0; from < text.length; from += MATCH.fuzzySliceChars) {
    consider(from, Math.min(text.length, from + MATCH.fuzzySliceChars + overlap));
    yield;
  }
  return found.best !== null ? finish(index, q, found.best) : null;
}

/**
 * An approximate match's ends are loose: "the new pub" is as close to "the new library" as "the new
 * public library". When the quote's first or last word still stands within the allowed edits of an
 * end, move that end onto it, so the highlight covers whole words the user chose.
 */
function refineEnds(text: string, q: Quote, s: Scored): { start: number; end: number } {
  const slack = Math.floor(q.exact.length * MATCH.maxErrorRatio);
  let { start, end } = s;
  const space = q.exact.indexOf(' ');
  const first = space < 0 ? q.exact : q.exact.slice(0, space);
  const last = q.exact.slice(q.exact.lastIndexOf(' ') + 1);
  if (first.length >= 3 && !text.startsWith(first, start)) {
    const from = Math.max(0, start - slack);
    const at = text.slice(from, start + slack + first.length).indexOf(first);
    if (at >= 0) start = from + at;
  }
  if (last.length >= 3 && !text.endsWith(last, end)) {
    const from = Math.max(start, end - slack - last.length);
    const at = text.slice(from, end + slack + last.length).lastIndexOf(last);
    if (at >= 0) end = from + at + last.length;
  }
  const lenOk = Math.abs(end - start - q.exact.length) <= slack;
  return lenOk && start < end ? { start, end } : { start: s.start, end: s.end };
}

function asExact(s: Scored): TextMatch {
  return { start: s.start, end: s.end, method: 'exact', score: s.score };
}

function finish(index: TextIndex, q: Quote, s: Scored): TextMatch | null {
  const refined = refineEnds(index.text, q, s);
  const { start, end } = index.trim(refined.start, refined.end);
  return start < end ? { start, end, method: 'fuzzy', score: s.score } : null;
}

/** Run the steps to completion at once. */
export function matchNow(
  index: TextIndex,
  selectors: readonly SelectorT[],
  hints?: MatchHints,
): TextMatch | null {
  const steps = matchSteps(index, selectors, hints);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
