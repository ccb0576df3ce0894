// The overlay's anchoring seam: range → W3C selectors, selectors → range, highlights and hit-testing
// of clicks, all through lib/anchoring (exact, then fuzzy matching; CSS Custom Highlight API with a
// fallback). The rest of the content script sees only this narrow interface.
import {
  anchor as anchorRange,
  AnchoringError,
  describe,
  Highlighter as PageHighlighter,
} from '@/lib/anchoring';
import type { SelectorT } from '@/lib/protocol';

export type DescribeResult =
  { ok: true; selectors: SelectorT[]; quote: string } | { ok: false; reason: 'empty' | 'too-long' };

const ignoring = (exclude?: Node | null) => (node: Node) =>
  !!exclude && (node === exclude || exclude.contains(node));

/** Describes a selected range as selectors; `exclude` is the overlay's own host. */
export function describeSelection(range: Range, root: Node, exclude?: Node | null): DescribeResult {
  try {
    const selectors = describe(range, root, { ignore: ignoring(exclude) });
    const quote = selectors.find((s) => s.type === 'TextQuoteSelector');
    return { ok: true, selectors, quote: quote?.type === 'TextQuoteSelector' ? quote.exact : '' };
  } catch (error) {
    if (error instanceof AnchoringError)
      return { ok: false, reason: error.code === 'quote-too-long' ? 'too-long' : 'empty' };
    throw error;
  }
}

/** Finds the quote again (exact, then fuzzy); null for an orphan. */
export function anchor(selectors: readonly SelectorT[], root: Node, exclude?: Node | null): Range | null {
  return anchorRange(selectors, root, { ignore: ignoring(exclude) });
}

/** Shows anchored discussions on the page without touching its DOM, and says which one a click hit. */
export class Highlighter {
  private readonly highlighter: PageHighlighter;
  private ids = new Set<string>();
  private readonly ignore: (node: Node) => boolean;

  constructor(win: Window, fallbackContainer: HTMLElement, exclude: Node) {
    this.ignore = ignoring(exclude);
    this.highlighter = new PageHighlighter({ window: win, fallbackContainer, ignore: this.ignore });
  }

  set(ranges: Map<string, Range>, activeId: string | null): void {
    for (const id of this.ids) if (!ranges.has(id)) this.highlighter.delete(id);
    for (const [id, range] of ranges) this.highlighter.set(id, range);
    this.ids = new Set(ranges.keys());
    this.highlighter.setActive(activeId && ranges.has(activeId) ? activeId : null);
  }

  hitTest(x: number, y: number, target?: Node | null): string | null {
    if (target && this.ignore(target)) return null;
    return this.highlighter.hitTest(x, y)[0] ?? null;
  }

  clear(): void {
    this.highlighter.dispose();
    this.ids.clear();
  }
}
