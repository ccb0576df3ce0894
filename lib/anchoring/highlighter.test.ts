import { describe as suite, expect, it } from 'vitest';
import {
  Highlighter,
  HIGHLIGHT_LAYERS,
  highlightCss,
  TextIndex,
  type HighlightLike,
  type HighlightWindow,
} from '.';

class FakeHighlight implements HighlightLike {
  priority = 0;
  readonly ranges: Range[];
  constructor(...ranges: Range[]) {
    this.ranges = ranges;
  }
}

/** happy-dom's window with a CSS.highlights registry, as Chromium and Firefox have. */
function cssWindow(): HighlightWindow & { registry: Map<string, FakeHighlight> } {
  const registry = new Map<string, FakeHighlight>();
  return {
    document,
    registry,
    CSS: { highlights: registry as unknown as Map<string, HighlightLike> },
    Highlight: FakeHighlight,
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    addEventListener: () => {},
    removeEventListener: () => {},
  };
}

function pageRanges(html: string, spans: [number, number][]): Range[] {
  document.body.innerHTML = `<main>${html}</main>`;
  const index = TextIndex.build(document.querySelector('main')!);
  return spans.map(([s, e]) => index.toRange(s, e)!);
}

suite('Highlighter with the CSS Custom Highlight API', () => {
  it('puts overlapping ranges on different layers and the active one on its own, above them', () => {
    const win = cssWindow();
    const [a, b, c, d] = pageRanges('<p>0123456789 abcdefghij</p>', [
      [0, 5],
      [3, 8], // overlaps a
      [6, 10], // overlaps b, not a
      [12, 15],
    ]);
    const hl = new Highlighter({ window: win });
    expect(hl.mode).toBe('css');
    hl.set('a', a!);
    hl.set('b', b!);
    hl.set('c', c!);
    hl.set('d', d!);
    hl.render();
    expect(win.registry.get('collab-chat-0')!.ranges).toEqual([a, c, d]);
    expect(win.registry.get('collab-chat-1')!.ranges).toEqual([b]);
    expect(win.registry.has('collab-chat-active')).toBe(false);

    hl.setActive('b');
    hl.render();
    expect(win.registry.get('collab-chat-active')!.ranges).toEqual([b]);
    expect(win.registry.get('collab-chat-active')!.priority).toBe(HIGHLIGHT_LAYERS);
    expect(win.registry.has('collab-chat-1')).toBe(false);

    hl.delete('b');
    hl.render();
    expect(win.registry.has('collab-chat-active')).toBe(false);
    hl.dispose();
    expect(win.registry.size).toBe(0);
  });

  it('paints resolved discussions dimmed, below the open ones, and the active one as active', () => {
    const win = cssWindow();
    const [a, b, c] = pageRanges('<p>0123456789 abcdefghij</p>', [
      [0, 5],
      [3, 8],
      [12, 15],
    ]);
    const hl = new Highlighter({ window: win });
    hl.set('a', a!);
    hl.set('b', b!);
    hl.set('c', c!);
    hl.setDimmed(['b', 'c']);
    hl.render();
    expect(win.registry.get('collab-chat-0')!.ranges).toEqual([a]);
    expect(win.registry.has('collab-chat-1')).toBe(false);
    expect(win.registry.get('collab-chat-dimmed')!.ranges).toEqual([b, c]);
    expect(win.registry.get('collab-chat-dimmed')!.priority).toBeLessThan(
      win.registry.get('collab-chat-0')!.priority,
    );
    hl.setActive('c');
    hl.render();
    expect(win.registry.get('collab-chat-dimmed')!.ranges).toEqual([b]);
    expect(win.registry.get('collab-chat-active')!.ranges).toEqual([c]);
    // Reopened: painted as open again.
    hl.setDimmed([]);
    hl.render();
    expect(win.registry.has('collab-chat-dimmed')).toBe(false);
    expect(win.registry.get('collab-chat-1')!.ranges).toEqual([b]);
    expect(highlightCss()).toContain('::highlight(collab-chat-dimmed)');
    hl.dispose();
    expect(win.registry.size).toBe(0);
  });

  it('renders changes at the next microtask without an explicit render', async () => {
    const win = cssWindow();
    const [a] = pageRanges('<p>hello world</p>', [[0, 5]]);
    const hl = new Highlighter({ window: win });
    hl.set('a', a!);
    expect(win.registry.size).toBe(0);
    await Promise.resolve();
    expect(win.registry.get('collab-chat-0')!.ranges).toEqual([a]);
    hl.dispose();
  });
});

suite('Highlighter styles', () => {
  it('adds ::highlight rules through adoptedStyleSheets, else one <style>, or none when asked', () => {
    document.head.querySelectorAll('style[data-collab-chat]').forEach((e) => e.remove());
    const adopted: CSSStyleSheet[] = [];
    class Sheet {
      css = '';
      replaceSync(css: string) {
        this.css = css;
      }
    }
    const doc = {
      get adoptedStyleSheets() {
        return adopted;
      },
      set adoptedStyleSheets(v: CSSStyleSheet[]) {
        adopted.splice(0, adopted.length, ...v);
      },
    };
    const win = { ...cssWindow(), CSSStyleSheet: Sheet as unknown as typeof CSSStyleSheet };
    const proxied = new Proxy(document, {
      get: (t, k) => (k === 'adoptedStyleSheets' ? doc.adoptedStyleSheets : Reflect.get(t, k)),
      set: (_t, k, v) => (k === 'adoptedStyleSheets' ? ((doc.adoptedStyleSheets = v), true) : false),
      has: (t, k) => k === 'adoptedStyleSheets' || Reflect.has(t, k),
    });
    const hl = new Highlighter({ window: { ...win, document: proxied } });
    expect(adopted).toHaveLength(1);
    expect((adopted[0] as unknown as Sheet).css).toBe(highlightCss());
    expect(highlightCss()).toContain('::highlight(collab-chat-active)');
    hl.dispose();
    expect(adopted).toHaveLength(0);

    // No constructed stylesheets (as in a Firefox content script): one <style> in <head>.
    const plain = new Highlighter({ window: cssWindow() });
    const style = document.head.querySelector('style[data-collab-chat]')!;
    expect(style.textContent).toBe(highlightCss());
    plain.dispose();
    expect(document.head.querySelector('style[data-collab-chat]')).toBeNull();

    new Highlighter({ window: cssWindow(), styles: 'none' }).dispose();
    expect(document.head.querySelector('style[data-collab-chat]')).toBeNull();
  });
});

suite('Highlighter fallback', () => {
  it('needs a container where the API is missing, and says so', () => {
    const win = { ...cssWindow(), CSS: undefined, Highlight: undefined };
    expect(() => new Highlighter({ window: win })).toThrow(/fallbackContainer/);
    expect(() => new Highlighter({ window: win, mode: 'css' })).toThrow(/no CSS Custom Highlight API/);
    const container = document.createElement('div');
    const hl = new Highlighter({ window: win, fallbackContainer: container });
    expect(hl.mode).toBe('overlay');
    hl.dispose();
  });

  it('paints a resolved discussion with the dimmed colour in its boxes', () => {
    const win = { ...cssWindow(), CSS: undefined, Highlight: undefined };
    const [a, b] = pageRanges('<p>hello world</p>', [
      [0, 5],
      [6, 11],
    ]);
    for (const r of [a!, b!])
      r.getClientRects = () => [{ left: 1, top: 2, width: 30, height: 10 }] as unknown as DOMRectList;
    const container = document.createElement('div');
    const colors = { normal: 'rgb(1, 1, 1)', active: 'rgb(2, 2, 2)', dimmed: 'rgb(3, 3, 3)' };
    const hl = new Highlighter({ window: win, fallbackContainer: container, colors });
    hl.set('a', a!);
    hl.set('b', b!);
    hl.setDimmed(['b']);
    hl.render();
    expect([...container.children].map((box) => (box as HTMLElement).style.background)).toEqual([
      'rgb(3, 3, 3)',
      'rgb(1, 1, 1)',
    ]);
    hl.dispose();
  });
});
