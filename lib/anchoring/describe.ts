// Range → W3C Web Annotation selectors: the quote with a fixed minimum of context on both sides (more
// when that is needed to make it unique),
// its position in the normalised page text, and the XPath of its ends as a structural hint.
import { LIMITS } from '../protocol/limits';
import type {
  RangeSelectorT,
  SelectorT,
  TextPositionSelectorT,
  TextQuoteSelectorT,
} from '../protocol/frames';
import { AnchoringError } from './errors';
import { TextIndex, type TextIndexOptions } from './text-index';
import { xpathOf } from './xpath';

/** Longest prefix or suffix we store: enough to tell apart repeated phrases, small on the wire. */
export const MAX_CONTEXT_CHARS = Math.min(32, LIMITS.contextChars);
const XPATH_MAX = 512;

export interface DescribeOptions extends TextIndexOptions {
  /** A prebuilt index of `root` (must be current). */
  index?: TextIndex;
  /**
   * Context stored on each side even when the quote is unique (default MAX_CONTEXT_CHARS). Context is
   * what tells a passage from a copy added later and from a near-twin elsewhere, and what finds it
   * again after its own words were edited. 0 stores only the shortest context that makes the quote
   * unique today (what older versions stored).
   */
  minContextChars?: number;
}

function commonBackward(text: string, a: number, b: number, cap: number): number {
  let k = 0;
  while (k < cap && a - 1 - k >= 0 && b - 1 - k >= 0 && text[a - 1 - k] === text[b - 1 - k]) k++;
  return k;
}

function commonForward(text: string, a: number, b: number, cap: number): number {
  let k = 0;
  while (k < cap && a + k < text.length && b + k < text.length && text[a + k] === text[b + k]) k++;
  return k;
}

/**
 * The shortest prefix and suffix lengths (p, s), each at most `cap`, such that no other occurrence of
 * text[start, end) shares both that prefix and that suffix. When none exists, the longest context.
 */
export function uniqueContext(text: string, start: number, end: number, cap = MAX_CONTEXT_CHARS) {
  const exact = text.slice(start, end);
  const maxP = Math.min(cap, start);
  const maxS = Math.min(cap, text.length - end);
  const others: { lp: number; ls: number }[] = [];
  for (let o = text.indexOf(exact); o !== -1; o = text.indexOf(exact, o + 1)) {
    if (o === start) continue;
    others.push({
      lp: commonBackward(text, start, o, cap),
      ls: commonForward(text, end, o + exact.length, cap),
    });
  }
  let best: { prefix: number; suffix: number } | null = null;
  for (let p = 0; p <= maxP; p++) {
    let s = 0;
    for (const o of others) if (o.lp >= p && o.ls + 1 > s) s = o.ls + 1;
    if (s <= maxS && (best === null || p + s < best.prefix + best.suffix)) best = { prefix: p, suffix: s };
  }
  return { ...(best ?? { prefix: maxP, suffix: maxS }), unique: best !== null };
}

/**
 * Selectors for `range` under `root`: exactly one TextQuoteSelector, then a TextPositionSelector and
 * (when the path is short enough) a RangeSelector. Throws AnchoringError when the range holds no
 * text, lies outside `root`, or quotes more than LIMITS.quoteChars characters (refused, not cut:
 * a silently shortened quote would annotate something the user did not select).
 */
export function describe(range: Range, root: Node, options: DescribeOptions = {}): SelectorT[] {
  const index = options.index ?? TextIndex.build(root, options);
  const offsets = index.rangeOffsets(range);
  if (offsets === null) {
    throw new AnchoringError('outside-root', 'The selection is outside the annotated part of the page.');
  }
  const { start, end } = index.trim(offsets.start, offsets.end);
  if (start >= end) {
    throw new AnchoringError('empty-selection', 'The selection holds no text. Select some words first.');
  }
  const exact = index.text.slice(start, end);
  if (exact.length > LIMITS.quoteChars) {
    throw new AnchoringError(
      'quote-too-long',
      `The selection is ${exact.length} characters long; a discussion can quote at most ` +
        `${LIMITS.quoteChars}. Select a shorter passage.`,
    );
  }
  const ctx = uniqueContext(index.text, start, end);
  const min = Math.min(options.minContextChars ?? MAX_CONTEXT_CHARS, MAX_CONTEXT_CHARS);
  const prefix = Math.min(start, Math.max(ctx.prefix, min));
  const suffix = Math.min(index.text.length - end, Math.max(ctx.suffix, min));
  const quote: TextQuoteSelectorT = { type: 'TextQuoteSelector', exact };
  if (prefix > 0) quote.prefix = index.text.slice(start - prefix, start);
  if (suffix > 0) quote.suffix = index.text.slice(end, end + suffix);
  const position: TextPositionSelectorT = { type: 'TextPositionSelector', start, end };
  const selectors: SelectorT[] = [quote, position];

  const first = index.pointAt(start);
  const last = index.pointAt(end - 1);
  const startPath = first && xpathOf(first.node, root);
  const endPath = last && xpathOf(last.node, root);
  if (first && last && startPath && endPath && startPath.length <= XPATH_MAX && endPath.length <= XPATH_MAX) {
    const structural: RangeSelectorT = {
      type: 'RangeSelector',
      startContainer: startPath,
      startOffset: first.offset,
      ...(endPath === startPath ? {} : { endContainer: endPath }),
      endOffset: last.offset + 1,
    };
    selectors.push(structural);
  }
  return selectors;
}
