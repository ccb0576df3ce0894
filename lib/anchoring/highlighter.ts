// Shows anchored discussions on the page without touching its DOM: CSS Custom Highlight API where
// the browser has it, else absolutely-positioned boxes in a container the caller owns (e.g. inside the
// overlay's shadow root). Also answers "which discussions are under this point?" for clicks, since
// neither highlights nor pointer-events:none boxes receive events.
// Text in an open shadow root or a same-origin iframe is highlighted too: each document has its own
// highlight registry and each tree its own styles (Firefox paints a shadow tree's highlights only with
// rules in that tree), and ranges of different trees cannot be compared, so they are laid out in
// layers tree by tree.

/** What the highlighter uses from the page's window (a test may pass a fake one). */
export interface HighlightWindow {
  document: Document;
  CSS?: { highlights?: HighlightRegistryLike };
  Highlight?: new (...ranges: Range[]) => HighlightLike;
  CSSStyleSheet?: typeof CSSStyleSheet;
  requestAnimationFrame?: (cb: () => void) => number;
  setTimeout(handler: () => void, ms?: number): number;
  ResizeObserver?: typeof ResizeObserver;
  addEventListener(type: string, listener: () => void, options?: AddEventListenerOptions): void;
  removeEventListener(type: string, listener: () => void, options?: EventListenerOptions): void;
}

export interface HighlightLike {
  priority: number;
}
export interface HighlightRegistryLike {
  set(name: string, highlight: HighlightLike): unknown;
  delete(name: string): boolean;
}

export interface HighlighterOptions {
  window: HighlightWindow;
  /** Positioned element that receives the fallback boxes; required when the API is missing. */
  fallbackContainer?: HTMLElement;
  /** Prefix of the registered highlight names (`<name>-0`…, `<name>-dimmed` and `<name>-active`). */
  name?: string;
  /** 'auto' picks the CSS API when present. */
  mode?: 'auto' | 'css' | 'overlay';
  /**
   * Background colours: translucent so overlapping highlights stack visibly darker. `dimmed` paints
   * settled (resolved) discussions: there, but out of the way.
   */
  colors?: HighlightColors;
  /** Clicks on these nodes are not hit-tested (the overlay's own host, whose panels sit above the page). */
  ignore?: (node: Node) => boolean;
  /**
   * How the `::highlight()` rules reach the page: 'adopt' (default) adds a constructed stylesheet to
   * `document.adoptedStyleSheets`, and where that is refused (Firefox content scripts: Xray wrappers)
   * a `<style>` in `<head>`; 'none' when the extension ships `highlightCss()` itself (manifest CSS).
   */
  styles?: 'adopt' | 'none';
}

export interface HighlightColors {
  normal: string;
  active: string;
  dimmed?: string;
}

/** The `::highlight()` rules for a highlighter `name` (see HighlighterOptions.styles). */
export function highlightCss(name = 'collab-chat', colors: HighlightColors = DEFAULT_COLORS): string {
  const names = [...Array.from({ length: HIGHLIGHT_LAYERS }, (_, i) => `${name}-${i}`), `${name}-active`];
  return [
    ...names.map(
      (n) =>
        `::highlight(${n}) { background-color: ${n.endsWith('-active') ? colors.active : colors.normal}; }`,
    ),
    `::highlight(${name}-dimmed) { background-color: ${colors.dimmed ?? DEFAULT_COLORS.dimmed}; }`,
  ].join('\n');
}

/** Ranges that overlap go to different layers; layers paint on top of one another. */
export const HIGHLIGHT_LAYERS = 4;
const START_TO_START = 0;
const END_TO_START = 3;

const DEFAULT_COLORS = {
  normal: 'rgba(255, 213, 0, 0.35)',
  active: 'rgba(255, 140, 0, 0.55)',
  dimmed: 'rgba(140, 140, 140, 0.2)',
};

/** What is painted: the layers of open discussions, the resolved ones (dimmed), and the active one. */
interface Layers {
  normal: Range[][];
  dimmed: Range[];
  active: Range | null;
}

interface Entry {
  id: string;
  range: Range;
}

/** A document the highlights paint in: its registry, and the trees given our rules so far. */
interface PaintDocument {
  win: HighlightWindow;
  /** The constructed sheet adopted by this document's trees; null where that was refused. */
  sheet: CSSStyleSheet | null;
  /** Trees (the document, shadow roots) holding our rules, and the <style> added where needed. */
  styled: Map<Document | ShadowRoot, HTMLStyleElement | null>;
}

const DOCUMENT_NODE = 9;

export class Highlighter {
  readonly mode: 'css' | 'overlay';
  private readonly win: HighlightWindow;
  private readonly name: string;
  private readonly colors: Required<HighlightColors>;
  private readonly container: HTMLElement | undefined;
  private readonly entries = new Map<string, Entry>();
  private active: string | null = null;
  /** Discussions painted dimmed (resolved). */
  private dimmed = new Set<string>();
  private scheduled = false;
  /** Documents painted in (the page's first), by document. */
  private readonly documents = new Map<Document, PaintDocument>();
  private readonly installRules: boolean;
  private readonly relayout = () => this.schedule();
  private readonly ignore: ((node: Node) => boolean) | undefined;
  private resizeObserver: ResizeObserver | null = null;
  private disposed = false;

  constructor(options: HighlighterOptions) {
    this.win = options.window;
    this.name = options.name ?? 'collab-chat';
    this.colors = { ...DEFAULT_COLORS, ...options.colors };
    this.container = options.fallbackContainer;
    this.ignore = options.ignore;
    const hasApi = !!this.win.CSS?.highlights && !!this.win.Highlight;
    const wanted = options.mode ?? 'auto';
    if (wanted === 'css' && !hasApi) {
      throw new Error(
        'This browser has no CSS Custom Highlight API; use mode "overlay" with a fallbackContainer.',
      );
    }
    this.mode = wanted === 'overlay' || !hasApi ? 'overlay' : 'css';
    if (this.mode === 'overlay') {
      if (!this.container) {
        throw new Error(
          'Highlights need a fallbackContainer in this browser (no CSS Custom Highlight API): pass a positioned element.',
        );
      }
      // Boxes are positioned from client rects, which move on scroll and resize.
      this.win.addEventListener('scroll', this.relayout, { capture: true, passive: true });
      this.win.addEventListener('resize', this.relayout, { passive: true });
      // Layout moves text without any scroll or resize (images loading, fonts, reflowed columns).
      if (this.win.ResizeObserver) {
        this.resizeObserver = new this.win.ResizeObserver(this.relayout);
        this.resizeObserver.observe(this.win.document.documentElement);
      }
    }
    this.installRules = options.styles !== 'none';
    if (this.mode === 'css') this.paintDocument(this.win.document);
  }

  /** Names registered in CSS.highlights: one per layer, the dimmed one, the active discussion's. */
  get highlightNames(): string[] {
    return [
      ...Array.from({ length: HIGHLIGHT_LAYERS }, (_, i) => `${this.name}-${i}`),
      `${this.name}-dimmed`,
      `${this.name}-active`,
    ];
  }

  /** Show (or move) a discussion's highlight. */
  set(id: string, range: Range): void {
    const entry = this.entries.get(id);
    if (entry) entry.range = range;
    else this.entries.set(id, { id, range });
    this.schedule();
  }

  delete(id: string): void {
    if (this.entries.delete(id)) this.schedule();
    if (this.active === id) this.active = null;
  }

  clear(): void {
    this.entries.clear();
    this.active = null;
    this.schedule();
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** Ids of the discussions shown. */
  ids(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * The discussions painted dimmed (resolved ones), replacing the last set. The active one is painted
   * as active all the same.
   */
  setDimmed(ids: Iterable<string>): void {
    const next = new Set(ids);
    if (next.size === this.dimmed.size && [...next].every((id) => this.dimmed.has(id))) return;
    this.dimmed = next;
    this.schedule();
  }

  /** The discussion shown as selected (its own colour, above the others), or none. */
  setActive(id: string | null): void {
    this.active = id;
    this.schedule();
  }

  /**
   * Ids of the discussions whose highlight covers the client point (x, y) of `doc` (the page's own
   * document by default, or a same-origin iframe's, whose client coordinates are its own), the one
   * to open first: the active one, then the most recently added.
   */
  hitTest(x: number, y: number, doc: Document = this.win.document): string[] {
    const hits: string[] = [];
    for (const entry of [...this.entries.values()].reverse()) {
      if (entry.range.startContainer.ownerDocument !== doc) continue;
      for (const r of Array.from(entry.range.getClientRects())) {
        if (x >= r.left && x <= r.right && y >= r.top && y <= r.bottom) {
          hits.push(entry.id);
          break;
        }
      }
    }
    const a = this.active === null ? -1 : hits.indexOf(this.active);
    if (a > 0) hits.unshift(...hits.splice(a, 1));
    return hits;
  }

  /**
   * Call `listener` with the ids under each click on the page (not while the user is selecting text).
   * Returns the function that removes the listener.
   */
  onClick(listener: (ids: string[], event: MouseEvent) => void): () => void {
    const doc = this.win.document;
    const handler = (event: MouseEvent) => {
      const ignore = this.ignore;
      if (ignore && event.composedPath().some((t) => 'nodeType' in t && ignore(t as Node))) return;
      const selection = doc.getSelection();
      if (selection && !selection.isCollapsed) return;
      const ids = this.hitTest(event.clientX, event.clientY);
      if (ids.length > 0) listener(ids, event);
    };
    doc.addEventListener('click', handler);
    return () => doc.removeEventListener('click', handler);
  }

  /** Paint now instead of at the next microtask (tests, or before measuring). */
  render(): void {
    this.scheduled = false;
    if (this.disposed) return;
    const layers = this.layers();
    if (this.mode === 'css') this.renderCss(layers);
    else this.renderOverlay(layers);
  }

  /** Remove every highlight, listener and style this highlighter added. */
  dispose(): void {
    this.entries.clear();
    this.render();
    this.disposed = true;
    if (this.mode === 'overlay') {
      this.win.removeEventListener('scroll', this.relayout, { capture: true });
      this.win.removeEventListener('resize', this.relayout);
      this.resizeObserver?.disconnect();
    } else {
      for (const painted of this.documents.values()) {
        for (const n of this.highlightNames) painted.win.CSS?.highlights?.delete(n);
        for (const [tree, element] of painted.styled) {
          if (element) element.remove();
          else if (painted.sheet)
            tree.adoptedStyleSheets = tree.adoptedStyleSheets.filter((s) => s !== painted.sheet);
        }
      }
      this.documents.clear();
    }
  }

  private schedule(): void {
    if (this.scheduled || this.disposed) return;
    this.scheduled = true;
    const run = () => this.render();
    if (this.mode === 'overlay' && this.win.requestAnimationFrame) this.win.requestAnimationFrame(run);
    else queueMicrotask(run);
  }

  /**
   * Greedy interval colouring in document order, tree by tree (ranges of different trees cannot be
   * compared, and never overlap): overlapping ranges land on different layers.
   */
  private layers(): Layers {
    const normal: Range[][] = Array.from({ length: HIGHLIGHT_LAYERS }, () => []);
    const dimmed: Range[] = [];
    const byTree = new Map<Node, Range[]>();
    for (const e of this.entries.values()) {
      if (e.id === this.active) continue;
      if (this.dimmed.has(e.id)) {
        dimmed.push(e.range);
        continue;
      }
      const tree = e.range.startContainer.getRootNode();
      const ranges = byTree.get(tree);
      if (ranges) ranges.push(e.range);
      else byTree.set(tree, [e.range]);
    }
    for (const ranges of byTree.values()) {
      ranges.sort((a, b) => a.compareBoundaryPoints(START_TO_START, b));
      const lastEnd: (Range | null)[] = normal.map(() => null);
      for (const range of ranges) {
        let layer = lastEnd.findIndex(
          (last) => last === null || range.compareBoundaryPoints(END_TO_START, last) >= 0,
        );
        // More overlaps than layers: stack the rest on the top layer (still darker than one highlight).
        if (layer < 0) layer = HIGHLIGHT_LAYERS - 1;
        normal[layer]!.push(range);
        lastEnd[layer] = range;
      }
    }
    const active = this.active === null ? null : (this.entries.get(this.active)?.range ?? null);
    return { normal, dimmed, active };
  }

  private renderCss(layers: Layers): void {
    // Each layer's ranges, split by the document whose registry paints them.
    const named = new Map<PaintDocument, Map<string, { ranges: Range[]; priority: number }>>();
    const add = (range: Range, name: string, priority: number) => {
      const painted = this.paintTarget(range);
      if (!painted) return;
      let highlights = named.get(painted);
      if (!highlights) named.set(painted, (highlights = new Map()));
      const h = highlights.get(name);
      if (h) h.ranges.push(range);
      else highlights.set(name, { ranges: [range], priority });
    };
    layers.normal.forEach((ranges, i) => {
      for (const range of ranges) add(range, `${this.name}-${i}`, i);
    });
    // Below every open discussion's layer: an open one on the same text shows as open.
    for (const range of layers.dimmed) add(range, `${this.name}-dimmed`, -1);
    if (layers.active) add(layers.active, `${this.name}-active`, HIGHLIGHT_LAYERS);
    for (const painted of this.documents.values()) {
      const registry = painted.win.CSS?.highlights;
      const Highlight = painted.win.Highlight;
      if (!registry || !Highlight) continue;
      const highlights = named.get(painted);
      for (const name of this.highlightNames) {
        const wanted = highlights?.get(name);
        if (!wanted) {
          registry.delete(name);
          continue;
        }
        const h = new Highlight(...wanted.ranges);
        h.priority = wanted.priority;
        registry.set(name, h);
      }
    }
  }

  /**
   * The document whose registry paints `range`, with our rules made to reach the range's tree; null
   * for a document without the API (a frame of another kind).
   */
  private paintTarget(range: Range): PaintDocument | null {
    const tree = range.startContainer.getRootNode();
    const doc = tree.nodeType === DOCUMENT_NODE ? (tree as Document) : range.startContainer.ownerDocument;
    if (!doc) return null;
    const painted = this.paintDocument(doc);
    if (!painted) return null;
    if (tree !== doc && (tree as ShadowRoot).host && !painted.styled.has(tree as ShadowRoot))
      this.installStyles(painted, tree as ShadowRoot);
    return painted;
  }

  /** The document's paint state, made (and its rules installed) on first use. */
  private paintDocument(doc: Document): PaintDocument | null {
    let painted = this.documents.get(doc);
    if (painted) return painted;
    const view = doc.defaultView as unknown as
      (HighlightWindow & { wrappedJSObject?: HighlightWindow }) | null;
    // Firefox: a content script that reaches another window's `CSS` through its Xray gets its own
    // global's (the page's registry, where a framed document's ranges do not paint, and where they
    // would replace the page's highlights of the same name). A framed document's registry is read
    // through its window itself there.
    const win = doc === this.win.document ? this.win : (view?.wrappedJSObject ?? view);
    if (!win?.CSS?.highlights || !win.Highlight) return null;
    painted = { win, sheet: null, styled: new Map() };
    this.documents.set(doc, painted);
    this.installStyles(painted, doc);
    return painted;
  }

  /**
   * Gives a tree (a document, or a shadow root in it) the `::highlight()` rules: the document's
   * constructed sheet where the tree accepts it, else one <style> element, the only change to the
   * page's DOM (Firefox refuses a content script's sheets).
   */
  private installStyles(painted: PaintDocument, tree: Document | ShadowRoot): void {
    if (!this.installRules) {
      painted.styled.set(tree, null);
      return;
    }
    const doc = tree.nodeType === DOCUMENT_NODE ? (tree as Document) : tree.ownerDocument!;
    const css = highlightCss(this.name, this.colors);
    try {
      const Sheet = painted.win.CSSStyleSheet;
      if (!Sheet || !('adoptedStyleSheets' in tree)) throw new Error('no constructed stylesheets');
      if (!painted.sheet) {
        const sheet = new Sheet();
        sheet.replaceSync(css);
        painted.sheet = sheet;
      }
      tree.adoptedStyleSheets = [...tree.adoptedStyleSheets, painted.sheet];
      painted.styled.set(tree, null);
    } catch {
      const style = doc.createElement('style');
      style.dataset.collabChat = 'highlights';
      style.textContent = css;
      if (tree === doc) (doc.head ?? doc.documentElement).append(style);
      else tree.append(style);
      painted.styled.set(tree, style);
    }
  }

  private renderOverlay(layers: Layers): void {
    const container = this.container!;
    const origin = container.getBoundingClientRect();
    const doc = container.ownerDocument;
    const boxes: HTMLElement[] = [];
    const add = (range: Range, color: string) => {
      for (const r of Array.from(range.getClientRects())) {
        if (r.width === 0 || r.height === 0) continue;
        const box = doc.createElement('div');
        box.style.cssText =
          `position:absolute;pointer-events:none;left:${r.left - origin.left}px;top:${r.top - origin.top}px;` +
          `width:${r.width}px;height:${r.height}px;background:${color};`;
        boxes.push(box);
      }
    };
    for (const range of layers.dimmed) add(range, this.colors.dimmed);
    for (const layer of layers.normal) for (const range of layer) add(range, this.colors.normal);
    if (layers.active) add(layers.active, this.colors.active);
    container.replaceChildren(...boxes);
  }
}
