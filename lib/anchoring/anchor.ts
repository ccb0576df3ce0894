// Selectors → a DOM Range for one anchor, at once. For many anchors use anchorAll (batch.ts).
import type { SelectorT } from '../protocol/frames';
import { matchNow, type TextMatch } from './match';
import { TextIndex, type TextIndexOptions } from './text-index';

export interface AnchorOptions extends TextIndexOptions {
  /** A prebuilt index of `root` (must be current). */
  index?: TextIndex;
}

/** The match in the text index, with how it was found; null for an orphan. */
export function locate(
  selectors: readonly SelectorT[],
  root: Node,
  options: AnchorOptions = {},
): { match: TextMatch; range: Range } | null {
  const index = options.index ?? TextIndex.build(root, options);
  const match = matchNow(index, selectors);
  const range = match && index.toRange(match.start, match.end);
  return match && range ? { match, range } : null;
}

/** The Range the selectors point to under `root`, or null when the quote cannot be placed (an orphan). */
export function anchor(
  selectors: readonly SelectorT[],
  root: Node,
  options: AnchorOptions = {},
): Range | null {
  return locate(selectors, root, options)?.range ?? null;
}
