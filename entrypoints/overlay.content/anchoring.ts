// A small exact-quote anchoring adapter: range → W3C selectors, selectors → range, highlights through
// the CSS Custom Highlight API and hit-testing of clicks. Stands in behind this narrow interface
// until lib/anchoring (fuzzy matching, orphan retries) replaces it; only this file changes then.
import type { SelectorT } from '@/lib/protocol';
import { LIMITS } from '@/lib/protocol/limits';

const SKIPPED = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEXTAREA', 'TEMPLATE']);

interface TextIndex {
  text: string;
  nodes: Text[];
  starts: number[];
}

/** The visible text of `root` and where each text node starts in it. `exclude` is our own UI host. */
function indexText(root: Node, exclude?: Node | null): TextIndex {
  const doc = root.ownerDocument ?? (root as Document);
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      for (let p = node.parentNode; p && p !== root; p = p.parentNode) {
        if (p === exclude || (p instanceof Element && SKIPPED.has(p.tagName)))
          return NodeFilter.FILTER_REJECT;
      }
      return NodeFilter.FILTER_ACCEPT;
    },
  });
  const nodes: Text[] = [];
  const starts: number[] = [];
  let text = '';
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    nodes.push(n as Text);
    starts.push(text.length);
    text += (n as Text).data;
  }
  return { text, nodes, starts };
}

function boundaryOffset(index: TextIndex, container: Node, offset: number): number {
  if (container.nodeType === Node.TEXT_NODE) {
    const i = index.nodes.indexOf(container as Text);
    if (i >= 0) return index.starts[i]! + offset;
  }
  const doc = container.ownerDocument ?? (container as Document);
  const point = doc.createRange();
  point.setStart(container, offset);
  for (let i = 0; i < index.nodes.length; i++) {
    // The first text node at or after the boundary point.
    if (point.comparePoint(index.nodes[i]!, 0) >= 0) return index.starts[i]!;
  }
  return index.text.length;
}

function rangeFromOffsets(index: TextIndex, start: number, end: number): Range | null {
  const locate = (pos: number, preferNext: boolean): [Text, number] | null => {
    for (let i = 0; i < index.nodes.length; i++) {
      const nodeStart = index.starts[i]!;
      const nodeEnd = nodeStart + index.nodes[i]!.data.length;
      if (pos < nodeEnd || (pos === nodeEnd && !preferNext)) {
        if (pos >= nodeStart) return [index.nodes[i]!, pos - nodeStart];
      }
    }
    return null;
  };
  const a = locate(start, true);
  const b = locate(end, false);
  if (!a || !b) return null;
  const range = a[0].ownerDocument.createRange();
  range.setStart(a[0], a[1]);
  range.setEnd(b[0], b[1]);
  return range;
}

export type DescribeResult =
  { ok: true; selectors: SelectorT[]; quote: string } | { ok: false; reason: 'empty' | 'too-long' };

/** Describes a selected range as a TextQuoteSelector (with context) and a TextPositionSelector. */
export function describeSelection(range: Range, root: Node, exclude?: Node | null): DescribeResult {
  const index = indexText(root, exclude);
  const start = boundaryOffset(index, range.startContainer, range.startOffset);
  const end = boundaryOffset(index, range.endContainer, range.endOffset);
  const exact = index.text.slice(start, end);
  if (!exact.trim()) return { ok: false, reason: 'empty' };
  if (exact.length > LIMITS.quoteChars) return { ok: false, reason: 'too-long' };
  const prefix = index.text.slice(Math.max(0, start - LIMITS.contextChars), start);
  const suffix = index.text.slice(end, end + LIMITS.contextChars);
  return {
    ok: true,
    quote: exact,
    selectors: [
      { type: 'TextQuoteSelector', exact, prefix, suffix },
      { type: 'TextPositionSelector', start, end },
    ],
  };
}

/** Finds the quote again: among exact matches, the one whose context and position fit best. */
export function anchor(selectors: readonly SelectorT[], root: Node, exclude?: Node | null): Range | null {
  const quote = selectors.find((s) => s.type === 'TextQuoteSelector');
  if (!quote) return null;
  const position = selectors.find((s) => s.type === 'TextPositionSelector');
  const index = indexText(root, exclude);
  let best = -1;
  let bestScore = -Infinity;
  for (let at = index.text.indexOf(quote.exact); at >= 0; at = index.text.indexOf(quote.exact, at + 1)) {
    let score = 0;
    if (quote.prefix && index.text.slice(Math.max(0, at - quote.prefix.length), at) === quote.prefix)
      score += 2;
    if (quote.suffix && index.text.startsWith(quote.suffix, at + quote.exact.length)) score += 2;
    if (position) score -= Math.abs(position.start - at) / (index.text.length + 1);
    if (score > bestScore) {
      bestScore = score;
      best = at;
    }
  }
  return best < 0 ? null : rangeFromOffsets(index, best, best + quote.exact.length);
}

export const HIGHLIGHT_NAME = 'collab-chat';
const HIGHLIGHT_CSS = `::highlight(${HIGHLIGHT_NAME}) { background-color: rgba(255, 196, 0, 0.45); }
::highlight(${HIGHLIGHT_NAME}-active) { background-color: rgba(255, 140, 0, 0.65); }`;

/**
 * Shows ranges without touching the page's DOM: CSS Custom Highlight API, styled through an adopted
 * stylesheet. Where the API is missing, translucent boxes are drawn in `fallbackContainer` (a fixed,
 * full-viewport layer of the overlay) and redrawn on scroll and resize.
 */
export class Highlighter {
  private ranges = new Map<string, Range>();
  private activeId: string | null = null;
  private sheet: CSSStyleSheet | null = null;
  private styleElement: HTMLStyleElement | null = null;
  private readonly doc: Document;
  private readonly redraw = () => this.drawBoxes();

  constructor(
    private readonly win: Window,
    private readonly fallbackContainer: HTMLElement,
    /** The overlay's own host: its clicks are never hit-tested. */
    private readonly exclude: Node,
  ) {
    this.doc = win.document;
    if (!this.supported) {
      win.addEventListener('scroll', this.redraw, { capture: true, passive: true });
      win.addEventListener('resize', this.redraw, { passive: true });
    }
  }

  get supported(): boolean {
    const w = this.win as Window & { CSS?: { highlights?: unknown }; Highlight?: unknown };
    return !!w.CSS?.highlights && typeof w.Highlight === 'function';
  }

  set(ranges: Map<string, Range>, activeId: string | null): void {
    this.ranges = ranges;
    this.activeId = activeId;
    if (!this.supported) return this.drawBoxes();
    if (!this.sheet && !this.styleElement) this.installStyles();
    const normal = [...ranges].filter(([id]) => id !== activeId).map(([, r]) => r);
    const active = activeId ? ranges.get(activeId) : undefined;
    CSS.highlights.set(HIGHLIGHT_NAME, new Highlight(...normal));
    if (active) CSS.highlights.set(`${HIGHLIGHT_NAME}-active`, new Highlight(active));
    else CSS.highlights.delete(`${HIGHLIGHT_NAME}-active`);
  }

  private installStyles(): void {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(HIGHLIGHT_CSS);
      this.doc.adoptedStyleSheets = [...this.doc.adoptedStyleSheets, sheet];
      this.sheet = sheet;
    } catch {
      // Firefox content scripts cannot assign the page's adoptedStyleSheets (Xray wrappers): a
      // style element in <head> carries the same two rules.
      const style = this.doc.createElement('style');
      style.textContent = HIGHLIGHT_CSS;
      (this.doc.head ?? this.doc.documentElement).append(style);
      this.styleElement = style;
    }
  }

  private drawBoxes(): void {
    const boxes: HTMLElement[] = [];
    for (const [id, range] of this.ranges) {
      for (const r of Array.from(range.getClientRects())) {
        if (r.width === 0 || r.height === 0) continue;
        const box = this.doc.createElement('div');
        box.className = id === this.activeId ? 'cc-mark cc-mark-active' : 'cc-mark';
        Object.assign(box.style, {
          left: `${r.left}px`,
          top: `${r.top}px`,
          width: `${r.width}px`,
          height: `${r.height}px`,
        });
        boxes.push(box);
      }
    }
    this.fallbackContainer.replaceChildren(...boxes);
  }

  /** The discussion whose highlighted text is under the point, if any. */
  hitTest(x: number, y: number, target?: Node | null): string | null {
    if (target && (target === this.exclude || this.exclude.contains(target))) return null;
    for (const [id, range] of this.ranges) {
      for (const rect of range.getClientRects()) {
        if (x >= rect.left && x <= rect.right && y >= rect.top && y <= rect.bottom) return id;
      }
    }
    return null;
  }

  clear(): void {
    this.ranges = new Map();
    this.fallbackContainer.replaceChildren();
    this.win.removeEventListener('scroll', this.redraw, { capture: true });
    this.win.removeEventListener('resize', this.redraw);
    if (this.supported) {
      CSS.highlights.delete(HIGHLIGHT_NAME);
      CSS.highlights.delete(`${HIGHLIGHT_NAME}-active`);
    }
    if (this.sheet) {
      const sheet = this.sheet;
      this.doc.adoptedStyleSheets = this.doc.adoptedStyleSheets.filter((s) => s !== sheet);
      this.sheet = null;
    }
    this.styleElement?.remove();
    this.styleElement = null;
  }
}
