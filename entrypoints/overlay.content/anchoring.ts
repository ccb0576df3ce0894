// The overlay's anchoring seam: range → W3C selectors, the page's discussions kept anchored as the page
// changes (one shared text index, idle-time slices), highlights and hit-testing of clicks, all through
// lib/anchoring (CSS Custom Highlight API with a fallback). The rest of the content script sees only
// this narrow interface, and ids go out of it, never text.
import {
  Anchorer,
  AnchoringError,
  describe,
  Highlighter,
  type AnchorerStats,
  type AnchorerWindow,
  type TextMatch,
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

/** Which discussions the page could not place, and which it placed on edited text. Ids only. */
export interface AnchorReport {
  orphans: string[];
  fuzzy: string[];
}

export interface PageAnchorsOptions {
  window: Window;
  /** The page content (document.body). */
  root: Node;
  /** The overlay's own host: never indexed, its mutations ignored, clicks on it never hit a highlight. */
  host: Node;
  /** Where highlight boxes go when the CSS Custom Highlight API is missing (inside the closed root). */
  fallbackContainer: HTMLElement;
  /** Called when the orphans or fuzzy placements change. */
  onReport(report: AnchorReport): void;
  /**
   * Called with the discussion a person's click hit in a same-origin iframe's highlight (the page's
   * own clicks are the content script's to hit-test: `hitTest`).
   */
  onFrameClick?(id: string): void;
  debounceMs?: number;
}

/**
 * The discussions of the page, anchored and highlighted: one Anchorer (a shared text index, idle-time
 * slices, only touched discussions re-anchored after DOM changes) feeding one Highlighter.
 */
export class PageAnchors {
  private readonly anchorer: Anchorer;
  private readonly highlighter: Highlighter;
  private readonly ignore: (node: Node) => boolean;
  private readonly onReport: (report: AnchorReport) => void;
  private ids: string[] = [];
  private activeId: string | null = null;
  private reported = '';
  private readonly pageDocument: Document;
  private readonly onFrameClick: ((id: string) => void) | undefined;
  /** Iframe documents with a highlight, listened to for clicks. */
  private readonly clickDocuments = new WeakSet<Document>();
  private readonly listening = new AbortController();

  constructor(options: PageAnchorsOptions) {
    this.ignore = ignoring(options.host);
    this.onReport = options.onReport;
    this.pageDocument = options.window.document;
    this.onFrameClick = options.onFrameClick;
    this.highlighter = new Highlighter({
      window: options.window,
      fallbackContainer: options.fallbackContainer,
      ignore: this.ignore,
    });
    this.anchorer = new Anchorer({
      root: options.root,
      window: options.window as unknown as AnchorerWindow,
      ignore: this.ignore,
      ...(options.debounceMs !== undefined ? { debounceMs: options.debounceMs } : {}),
    });
    this.anchorer.subscribe((changes) => {
      for (const c of changes) {
        if (c.range) {
          this.highlighter.set(c.id, c.range);
          this.listenForClicks(c.range.startContainer.ownerDocument);
        } else this.highlighter.delete(c.id);
      }
      this.showActive();
      this.report();
    });
    this.anchorer.start();
  }

  /** The discussions the frame lists (ids and selectors) and the open one. */
  set(
    targets: readonly { id: string; selectors: readonly SelectorT[]; resolved?: boolean }[],
    activeId: string | null,
  ): Promise<void> {
    this.ids = targets.map((t) => t.id);
    this.activeId = activeId;
    this.highlighter.setDimmed(targets.filter((t) => t.resolved).map((t) => t.id));
    const keep = new Set(this.ids);
    for (const id of this.highlighter.ids()) if (!keep.has(id)) this.highlighter.delete(id);
    this.showActive();
    return this.anchorer.replaceAll(targets).then(() => this.report());
  }

  /** The live ranges of the anchored discussions, by id. */
  ranges(): Map<string, Range> {
    const out = new Map<string, Range>();
    for (const id of this.ids) {
      const range = this.anchorer.rangeOf(id);
      if (range) out.set(id, range);
    }
    return out;
  }

  /** The live range of an anchored discussion, else null. */
  rangeOf(id: string): Range | null {
    return this.anchorer.rangeOf(id);
  }

  /** How an anchored discussion was found ('fuzzy': on text edited since it was quoted). */
  matchOf(id: string): TextMatch | null {
    return this.anchorer.matchOf(id);
  }

  hitTest(x: number, y: number, target?: Node | null): string | null {
    if (target && this.ignore(target)) return null;
    return this.highlighter.hitTest(x, y)[0] ?? null;
  }

  get stats(): AnchorerStats {
    return this.anchorer.stats;
  }

  /** Resolves once no DOM change waits for a run and no run is in progress (tests, benchmarks). */
  async settled(): Promise<void> {
    for (;;) {
      await this.anchorer.whenIdle();
      if (!this.anchorer.scheduled) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  dispose(): void {
    this.listening.abort();
    this.anchorer.dispose();
    this.highlighter.dispose();
  }

  /**
   * A same-origin iframe's clicks never reach the page's document: its own is listened to once it
   * holds a highlight. Only the person's own clicks count (the framed page can dispatch others), and
   * not while they select text there.
   */
  private listenForClicks(doc: Document | null): void {
    if (!doc || doc === this.pageDocument || !this.onFrameClick || this.clickDocuments.has(doc)) return;
    this.clickDocuments.add(doc);
    const open = this.onFrameClick;
    doc.addEventListener(
      'click',
      (event) => {
        if (!event.isTrusted || !doc.getSelection()?.isCollapsed) return;
        const id = this.highlighter.hitTest(event.clientX, event.clientY, doc)[0];
        if (id) open(id);
      },
      { capture: true, signal: this.listening.signal },
    );
  }

  private showActive(): void {
    const active = this.activeId;
    this.highlighter.setActive(active && this.anchorer.rangeOf(active) ? active : null);
  }

  private report(): void {
    const orphans = this.ids.filter((id) => this.anchorer.status(id) === 'orphan');
    const fuzzy = this.ids.filter((id) => this.anchorer.matchOf(id)?.method === 'fuzzy');
    const key = `${orphans.join()}|${fuzzy.join()}`;
    if (key === this.reported) return;
    this.reported = key;
    this.onReport({ orphans, fuzzy });
  }
}
