// Selectors → a span of the normalised page text. Precision first: a wrong place misleads the reader,
// an orphan only says "not found". The order: a remembered place (the live range, the stored position,
// the structural hint) that still holds the quote with its context; an exact occurrence whose stored
// context is intact; then every candidate (exact occurrences, the span between the two intact
// contexts, approximate matches from `approxSearch`) scored together on quote, prefix, suffix and
// distance from the old place. A candidate is accepted only when it passes the thresholds, never starts
// or ends inside a word unless the quote did, and (when it is not an exact copy) leads the next best
// candidate clearly. Written as a generator that yields between slices of work so a batch can give the
// event loop a turn; `matchNow` drains it for one-off calls.
import { approxSearch } from './approx';
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
  /**
   * Most edits in the scan of the whole text, away from every old place: a passage both moved and
   * heavily edited is rare, and fewer allowed edits make each slice of the scan several times cheaper.
   */
  maxFarErrorRatio: 0.2,
  /** Least combined score a fuzzy match needs. */
  minFuzzyScore: 0.75,
  /**
   * A fuzzy match of a quote stored with context needs at least one side of that context still this
   * similar right beside it: an edited passage keeps its neighbours, a look-alike elsewhere does not.
   */
  minFuzzyContext: 0.7,
  /** Least quote similarity for a fuzzy match of a quote stored without context (older discussions). */
  minFuzzyQuoteWithoutContext: 0.85,
  /** "Near the old place": within this many characters plus 4 quote lengths of it. */
  nearChars: 2000,
  /**
   * Share of the quote's words a fuzzy match without stored context must still contain (a word run
   * together with its neighbour by a typo still counts): an edited passage keeps most of its words,
   * a different sentence of similar shape does not.
   */
  minWordOverlap: 0.8,
  /** Short exact quotes whose stored context no longer matches at all are orphans. */
  shortQuoteChars: 32,
  minShortQuoteContext: 0.5,
  /** A short quote found exactly once on the page stands without its context from this length on. */
  minUniqueQuoteChars: 12,
  /**
   * Both stored contexts still intact with text between them: that text is the quote, edited, when it
   * is at least this similar to it (edit distance over the longer length) and of a similar length.
   */
  minBracketSimilarity: 0.6,
  /** Contexts shorter than this are not trusted to bracket an edited quote on their own. */
  minBracketContextChars: 16,
  /** Longest quote for which the bracketed text is compared by full edit distance. */
  maxBracketQuoteChars: 400,
  /** A fuzzy winner must score this much above the next best candidate, else the anchor is an orphan. */
  minLead: 0.05,
  weights: { quote: 50, prefix: 20, suffix: 20, position: 2 },
  /** Text searched per step of the fuzzy scan. */
  fuzzySliceChars: 8_192,
  /** Most exact occurrences scored (a very common quote in a huge page). */
  maxOccurrences: 5000,
  /** Most fuzzy candidates scored per searched slice. */
  maxCandidates: 20,
} as const;

interface Quote {
  exact: string;
  prefix: string;
  suffix: string;
  /** The quote began (ended) inside a word; unknown (false) when no context was stored. */
  midWordStart: boolean;
  midWordEnd: boolean;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;
function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && WORD_CHAR.test(ch);
}

/** Whether [start, end) cuts a word of `text` where the quote did not. */
function cutsWord(text: string, q: Quote, start: number, end: number): boolean {
  const cutStart = isWordChar(text[start - 1]) && isWordChar(text[start]);
  const cutEnd = isWordChar(text[end - 1]) && isWordChar(text[end]);
  return (cutStart && !q.midWordStart) || (cutEnd && !q.midWordEnd);
}

function quoteOf(selectors: readonly SelectorT[]): Quote | null {
  const q = selectors.find((s) => s.type === 'TextQuoteSelector');
  if (!q) return null;
  const exact = normaliseText(q.exact).trim();
  if (exact.length === 0) return null;
  const prefix = normaliseText(q.prefix ?? '');
  const suffix = normaliseText(q.suffix ?? '');
  return {
    exact,
    prefix,
    suffix,
    midWordStart: isWordChar(prefix.at(-1)) && isWordChar(exact[0]),
    midWordEnd: isWordChar(exact.at(-1)) && isWordChar(suffix[0]),
  };
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

/**
 * 0..1: how well `pattern` reads at the very start of `text` (1 − fewest edits / pattern length), the
 * match anchored at text[0] but free to end anywhere. Context must sit right beside a candidate: the
 * same words a few characters away are a different neighbourhood.
 */
export function anchoredSimilarity(text: string, pattern: string): number {
  const m = pattern.length;
  if (m === 0) return 1;
  if (text.startsWith(pattern)) return 1;
  const n = Math.min(text.length, m * 2);
  // prev[j]: edits to turn pattern[0, i) into text[0, j).
  let prev = new Int32Array(n + 1);
  let cur = new Int32Array(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    const pc = pattern.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const sub = prev[j - 1]! + (text.charCodeAt(j - 1) === pc ? 0 : 1);
      cur[j] = Math.min(sub, prev[j]! + 1, cur[j - 1]! + 1);
    }
    [prev, cur] = [cur, prev];
  }
  let best = m;
  for (let j = 0; j <= n; j++) if (prev[j]! < best) best = prev[j]!;
  return 1 - best / m;
}

function reverse(s: string): string {
  return [...s].reverse().join('');
}

function prefixSim(text: string, start: number, prefix: string): number {
  if (prefix.length === 0) return 1;
  if (text.endsWith(prefix, start)) return 1;
  const before = text.slice(Math.max(0, start - prefix.length * 2), start);
  return anchoredSimilarity(reverse(before), reverse(prefix));
}

function suffixSim(text: string, end: number, suffix: string): number {
  if (suffix.length === 0) return 1;
  if (text.startsWith(suffix, end)) return 1;
  return anchoredSimilarity(text.slice(end, end + suffix.length * 2), suffix);
}

/** Edit distance between two strings (for a bracketed quote; both at most a few hundred chars). */
function editDistance(a: string, b: string): number {
  let prev = new Int32Array(b.length + 1);
  let cur = new Int32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ac = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j - 1]! + (b.charCodeAt(j - 1) === ac ? 0 : 1), prev[j]! + 1, cur[j - 1]! + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

type Kind = 'exact' | 'bracket' | 'fuzzy';

interface Scored {
  start: number;
  end: number;
  kind: Kind;
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
  quote: number,
  kind: Kind,
  hints: readonly number[],
): Scored {
  const w = MATCH.weights;
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
  return { start, end, kind, quote, prefix, suffix, score: total / weight };
}

/** The better of the two sides of the stored context (1 when none was stored). */
function bestSide(q: Quote, s: Scored): number {
  if (!q.prefix && !q.suffix) return 1;
  return Math.max(q.prefix ? s.prefix : 0, q.suffix ? s.suffix : 0);
}

function nearSpan(len: number): number {
  return len * 4 + MATCH.nearChars;
}

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Share of the words of `quote` (as a multiset, case-insensitive) that also occur in `found`, as a word
 * or inside a longer word (a typo that replaces a space runs two words together).
 */
export function wordOverlap(quote: string, found: string): number {
  const words = quote.toLowerCase().match(WORD) ?? [];
  if (words.length === 0) return 1;
  const foundWords = found.toLowerCase().match(WORD) ?? [];
  const pool = new Map<string, number>();
  for (const w of foundWords) pool.set(w, (pool.get(w) ?? 0) + 1);
  let kept = 0;
  for (const w of words) {
    const n = pool.get(w) ?? 0;
    if (n > 0) {
      kept++;
      pool.set(w, n - 1);
    } else if (foundWords.some((f) => f.length > w.length && f.includes(w))) {
      kept++;
    }
  }
  return kept / words.length;
}

/** Whether an exact occurrence may stand: a long quote, or no context stored, or context that agrees. */
function acceptExact(q: Quote, s: Scored): boolean {
  return q.exact.length >= MATCH.shortQuoteChars || bestSide(q, s) >= MATCH.minShortQuoteContext;
}

function acceptFuzzy(text: string, q: Quote, s: Scored): boolean {
  if (s.kind === 'bracket') return true;
  if (s.quote < 1 - MATCH.maxErrorRatio) return false;
  if (q.prefix || q.suffix) return bestSide(q, s) >= MATCH.minFuzzyContext && s.score >= MATCH.minFuzzyScore;
  // A quote stored without context: only its own words vouch for a match.
  if (s.quote < MATCH.minFuzzyQuoteWithoutContext) return false;
  return wordOverlap(q.exact, text.slice(s.start, s.end)) >= MATCH.minWordOverlap;
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

/** The best and the runner-up of the candidates seen so far (the runner-up never overlaps the best). */
class Podium {
  best: Scored | null = null;
  second: Scored | null = null;
  /** Every candidate scored, acceptable or not, to measure the winner's lead against. */
  private readonly all: Scored[] = [];

  offer(s: Scored, acceptable: boolean): void {
    this.all.push(s);
    if (acceptable && (this.best === null || s.score > this.best.score)) this.best = s;
  }

  /** The strongest candidate that does not overlap `s` (a rival place, not the same one found twice). */
  rival(s: Scored): Scored | null {
    let r: Scored | null = null;
    for (const o of this.all) {
      if (o.start < s.end && s.start < o.end) continue;
      if (r === null || o.score > r.score) r = o;
    }
    return r;
  }
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
      (!q.suffix || text.startsWith(q.suffix, c.start + len)) &&
      !cutsWord(text, q, c.start, c.start + len)
    ) {
      return { start: c.start, end: c.start + len, method: c.method, score: 1 };
    }
  }

  // 2. Every exact occurrence, scored by context and distance from the old place. One whose stored
  // context is intact on both sides is the one (the nearest, if several).
  const podium = new Podium();
  let bestIntact: Scored | null = null;
  const exacts: Scored[] = [];
  const hasContext = q.prefix.length > 0 || q.suffix.length > 0;
  let seen = 0;
  for (
    let o = text.indexOf(q.exact);
    o !== -1 && seen < MATCH.maxOccurrences;
    o = text.indexOf(q.exact, o + 1)
  ) {
    seen++;
    // A word that merely contains the quote ("cat" in "concatenate") is not an occurrence, unless the
    // quote itself was cut from a word or no context says where it began.
    if (hasContext && cutsWord(text, q, o, o + len)) continue;
    const s = score(text, q, o, o + len, 1, 'exact', hints);
    exacts.push(s);
    if (seen % 200 === 0) yield;
    if (s.prefix === 1 && s.suffix === 1 && (bestIntact === null || s.score > bestIntact.score))
      bestIntact = s;
  }
  // The only copy of a quote of a few words stands even when its neighbourhood was rewritten.
  const alone = exacts.length === 1 && len >= MATCH.minUniqueQuoteChars;
  for (const s of exacts) podium.offer(s, alone || acceptExact(q, s));
  if (bestIntact !== null) return asMatch(index, q, bestIntact);
  yield;

  // 3. Both stored contexts intact with something else between them: the quote, edited in place.
  if (
    q.prefix.length >= MATCH.minBracketContextChars &&
    q.suffix.length >= MATCH.minBracketContextChars &&
    len <= MATCH.maxBracketQuoteChars
  ) {
    const minGap = Math.floor(len * (1 - MATCH.maxErrorRatio * 1.5));
    const maxGap = Math.ceil(len * (1 + MATCH.maxErrorRatio * 1.5)) + 2;
    let seenPrefixes = 0;
    for (
      let p = text.indexOf(q.prefix);
      p !== -1 && seenPrefixes < MATCH.maxOccurrences;
      p = text.indexOf(q.prefix, p + 1)
    ) {
      seenPrefixes++;
      const from = p + q.prefix.length;
      const s = text.indexOf(q.suffix, from + Math.max(1, minGap));
      if (s === -1 || s - from > maxGap) continue;
      const span = index.trim(from, s);
      if (span.start >= span.end) continue;
      const between = text.slice(span.start, span.end);
      const sim = 1 - editDistance(q.exact, between) / Math.max(len, between.length);
      if (sim < MATCH.minBracketSimilarity) continue;
      const scored = score(text, q, span.start, span.end, sim, 'bracket', hints);
      podium.offer(scored, !cutsWord(text, q, span.start, span.end));
    }
    yield;
  }

  // 4. Approximate matches: first right at the old places, then near them, then the whole text in
  // slices. Only candidates that pass the thresholds can win; all of them count as rivals.
  if (len >= MATCH.minFuzzyQuoteChars) {
    const maxErrors = Math.floor(len * MATCH.maxErrorRatio);
    const farErrors = Math.floor(len * MATCH.maxFarErrorRatio);
    const overlap = len + maxErrors;
    const consider = (from: number, to: number, errors = maxErrors) => {
      const slice = text.slice(from, to);
      for (const m of candidates(approxSearch(slice, q.exact, errors))) {
        const raw = score(text, q, from + m.start, from + m.end, 1 - m.errors / len, 'fuzzy', hints);
        const ends = refineEnds(text, q, raw);
        const s =
          ends.start === raw.start && ends.end === raw.end
            ? raw
            : score(text, q, ends.start, ends.end, raw.quote, 'fuzzy', hints);
        podium.offer(s, !cutsWord(text, q, s.start, s.end) && acceptFuzzy(text, q, s));
      }
    };
    // approxSearch returns only the fewest-error matches of the text it is given, so an unrelated
    // close match elsewhere in a window hides the edited passage: look right at each old place first.
    for (const tight of [true, false]) {
      const span = tight ? maxErrors : nearSpan(len);
      for (const hint of hints) {
        consider(Math.max(0, hint - span), Math.min(text.length, hint + len + span));
        if (!tight) yield;
      }
    }
    // Unless something acceptable was found near the old place and nothing else can beat it, scan
    // everywhere: the passage may have moved, and a rival elsewhere must be seen to be weighed.
    // A fuzzy match with both stored contexts nearly intact beside it is settled too: a rival would need
    // the same neighbourhood, and exact rivals were all scored above.
    const b = podium.best;
    const settled =
      b !== null &&
      (b.kind !== 'fuzzy' || (q.prefix !== '' && q.suffix !== '' && Math.min(b.prefix, b.suffix) >= 0.9));
    if (!settled) {
      for (let from = 0; from < text.length; from += MATCH.fuzzySliceChars) {
        consider(from, Math.min(text.length, from + MATCH.fuzzySliceChars + overlap), farErrors);
        yield;
      }
    }
  }

  const best = podium.best;
  if (best === null) return null;
  if (best.kind !== 'exact') {
    // An edited passage must stand out: a near tie with another place is a guess, and a wrong guess
    // misleads the reader more than an orphan does.
    const rival = podium.rival(best);
    if (rival !== null && best.score - rival.score < MATCH.minLead) return null;
  }
  return asMatch(index, q, best);
}

/**
 * An approximate match's ends are loose: "the new pub" is as close to "the new library" as "the new
 * public library". When the quote's first or last word still stands within the allowed edits of an
 * end, move that end onto it, so the highlight covers whole words the user chose.
 */
function refineEnds(
  text: string,
  q: Quote,
  s: { start: number; end: number },
): { start: number; end: number } {
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

function asMatch(index: TextIndex, q: Quote, s: Scored): TextMatch | null {
  if (s.kind === 'exact') return { start: s.start, end: s.end, method: 'exact', score: s.score };
  const { start, end } = index.trim(s.start, s.end);
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
