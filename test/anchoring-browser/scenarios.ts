// Page-side steps of the real-Chromium test, bundled into the page with the library (so the test
// drives them with one-line page.evaluate calls instead of shipping functions across).
import { Anchorer, describe, Highlighter, locate, TextIndex, type AnchorChange } from '../../lib/anchoring';
import { CORPUS, parseMarked } from '../fixtures/anchoring/corpus';

export const ARTICLE =
  '<article id="doc"><h1>Field notes</h1>' +
  '<p id="p1">The alpha quote sits in the first paragraph, next to other words.</p>' +
  '<p id="p2">Here the beta quote lives alone in its paragraph.</p>' +
  '<p id="p3">Finally the gamma quote closes the article.</p></article>' +
  '<div id="overlay-host" style="position:absolute;top:0;left:0"></div>';

interface Session {
  anchorer: Anchorer;
  highlighter: Highlighter;
  clicks: string[][];
  changes: AnchorChange[];
  boxes: () => number;
}

let session: Session | null = null;

function rangeOf(root: Node, words: string): Range {
  const index = TextIndex.build(root);
  const at = index.text.indexOf(words);
  if (at < 0) throw new Error(`"${words}" is not on the page`);
  return index.toRange(at, at + words.length)!;
}

/** Anchor four discussions ("wide" overlaps "alpha"), highlight them and listen for clicks. */
export async function setup(
  mode: 'auto' | 'overlay',
): Promise<{ mode: string; highlights: string[]; adoptedSheets: number; styleElements: number }> {
  const host = document.getElementById('overlay-host')!;
  const shadow = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  const container = document.createElement('div');
  container.style.cssText = 'position:absolute;top:0;left:0;';
  shadow.replaceChildren(container);
  const root = document.body;
  const ignore = (n: Node) => n === host;
  const items = [
    { id: 'wide-one', words: 'alpha quote sits in the first paragraph' },
    { id: 'alpha-one', words: 'alpha quote' },
    { id: 'beta-one', words: 'beta quote lives alone' },
    { id: 'gamma-one', words: 'gamma quote' },
  ].map(({ id, words }) => ({ id, selectors: describe(rangeOf(root, words), root, { ignore }) }));

  const highlighter = new Highlighter({
    window,
    fallbackContainer: container,
    mode,
    ignore,
  });
  const anchorer = new Anchorer({
    root,
    window,
    ignore,
    debounceMs: 50,
  });
  const s: Session = {
    anchorer,
    highlighter,
    clicks: [],
    changes: [],
    boxes: () => container.childElementCount,
  };
  anchorer.subscribe((changes) => {
    s.changes.push(...changes);
    for (const c of changes) {
      if (c.range) highlighter.set(c.id, c.range);
      else highlighter.delete(c.id);
    }
  });
  highlighter.onClick((ids) => s.clicks.push(ids));
  anchorer.start();
  await anchorer.replaceAll(items);
  highlighter.render();
  session = s;
  const registry = (window as unknown as { CSS: { highlights?: Map<string, unknown> } }).CSS.highlights;
  return {
    mode: highlighter.mode,
    highlights: registry ? [...registry.keys()].sort() : [],
    adoptedSheets: document.adoptedStyleSheets.length,
    styleElements: document.querySelectorAll('style[data-collab-chat]').length,
  };
}

function current(): Session {
  if (!session) throw new Error('call setup() first');
  return session;
}

/** Client coordinates of the middle of a discussion's first highlighted line. */
export function centerOf(id: string): { x: number; y: number } {
  const range = current().anchorer.rangeOf(id);
  if (!range) throw new Error(`${id} is not anchored`);
  const r = range.getClientRects()[0]!;
  return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
}

export function state() {
  const s = current();
  return {
    clicks: s.clicks,
    changes: s.changes.map((c) => `${c.id}:${c.previous}->${c.status}`),
    orphans: s.anchorer.orphans().map((o) => o.id),
    texts: Object.fromEntries(
      ['wide-one', 'alpha-one', 'beta-one', 'gamma-one'].map((id) => [
        id,
        s.anchorer.rangeOf(id)?.toString() ?? null,
      ]),
    ),
    boxes: s.boxes(),
  };
}

/** A panel of the overlay (in its shadow root) laid over a discussion's highlight, as a thread panel may be. */
export function coverWithPanel(id: string): void {
  const r = current().anchorer.rangeOf(id)!.getBoundingClientRect();
  const panel = document.createElement('div');
  panel.style.cssText =
    `position:fixed;left:${r.left - 5}px;top:${r.top - 5}px;width:${r.width + 10}px;` +
    `height:${r.height + 10}px;background:white;`;
  document.getElementById('overlay-host')!.shadowRoot!.append(panel);
}

export function setActive(id: string | null): void {
  current().highlighter.setActive(id);
  current().highlighter.render();
}

/** Edit the page: a new first paragraph, and the beta paragraph removed (kept to put back). */
let removed: Element | null = null;
export function editPage(): void {
  document
    .getElementById('doc')!
    .insertAdjacentHTML('afterbegin', '<p>Editor’s note: this page was updated.</p>');
  removed = document.getElementById('p2');
  removed!.remove();
}
export function restoreBeta(): void {
  document.getElementById('p3')!.before(removed!);
}

/** Size of each registered CSS highlight (how many ranges it paints). */
export function highlightSizes(): Record<string, number> {
  const registry = (window as unknown as { CSS: { highlights: Map<string, Set<Range>> } }).CSS.highlights;
  return Object.fromEntries([...registry].map(([name, h]) => [name, h.size]));
}

/** The fixture corpus on the real DOM: how many annotations land where they should. */
export function runCorpus(): { total: number; correct: number; failures: string[] } {
  const stage = document.createElement('main');
  document.body.append(stage);
  let total = 0;
  let correct = 0;
  const failures: string[] = [];
  for (const c of CORPUS) {
    for (const a of c.annotations) {
      total++;
      stage.innerHTML = c.before;
      let index = TextIndex.build(stage);
      const sel = parseMarked(a.select);
      const at = index.text.indexOf(sel.before + sel.quote + sel.after) + sel.before.length;
      const selectors = describe(index.toRange(at, at + sel.quote.length)!, stage, {
        index,
        ...(a.context === 'minimal' ? { minContextChars: 0 } : {}),
      });
      stage.innerHTML = c.after;
      index = TextIndex.build(stage);
      const found = locate(selectors, stage, { index });
      const got = found && index.rangeOffsets(found.range);
      let ok: boolean;
      if (a.expect === null) ok = found === null;
      else {
        const want = parseMarked(a.expect);
        ok =
          got !== null &&
          index.text.slice(got.start, got.end) === want.quote &&
          index.text.slice(got.start - want.before.length, got.start) === want.before &&
          index.text.slice(got.end, got.end + want.after.length) === want.after;
      }
      if (ok) correct++;
      else failures.push(`${c.name} / ${a.note}`);
    }
  }
  stage.remove();
  return { total, correct, failures };
}

/**
 * Text in an open shadow root and in a same-origin iframe is indexed, anchored and watched; text in a
 * closed shadow root (as the overlay's own host) is not. Returns what was found at each step.
 */
export async function shadowAndFrame(): Promise<{
  text: string;
  first: Record<string, string | null>;
  afterEdits: Record<string, string | null>;
}> {
  document.body.innerHTML =
    '<p>Light paragraph.</p><div id="open-host"></div><div id="closed-host"></div>' +
    '<iframe id="frame" srcdoc="<p>Words inside the framed document.</p>"></iframe>';
  const open = document.getElementById('open-host')!.attachShadow({ mode: 'open' });
  open.innerHTML = '<p>Words inside an open shadow root.</p>';
  const closed = document.getElementById('closed-host')!.attachShadow({ mode: 'closed' });
  closed.innerHTML = '<p>Words inside a closed shadow root.</p>';
  const frame = document.getElementById('frame') as HTMLIFrameElement;
  await new Promise<void>((resolve) => {
    if (frame.contentDocument?.body?.textContent) resolve();
    else frame.addEventListener('load', () => resolve(), { once: true });
  });
  const text = TextIndex.build(document.body).text;
  const quote = (exact: string) => [{ type: 'TextQuoteSelector' as const, exact }];
  const anchorer = new Anchorer({ root: document.body, window, debounceMs: 20 });
  anchorer.start();
  await anchorer.replaceAll([
    { id: 'open', selectors: quote('inside an open shadow root') },
    { id: 'framed', selectors: quote('inside the framed document') },
    { id: 'closed', selectors: quote('inside a closed shadow root') },
  ]);
  const texts = () =>
    Object.fromEntries(
      ['open', 'framed', 'closed'].map((id) => [id, anchorer.rangeOf(id)?.toString() ?? null]),
    );
  const first = texts();
  // Both watched: the words leave the shadow root and the frame.
  open.firstElementChild!.textContent = 'Rewritten.';
  frame.contentDocument!.body.firstElementChild!.textContent = 'Also rewritten.';
  const deadline = performance.now() + 5000;
  while (
    performance.now() < deadline &&
    (anchorer.status('open') !== 'orphan' || anchorer.status('framed') !== 'orphan')
  ) {
    await new Promise((r) => setTimeout(r, 20));
    await anchorer.whenIdle();
  }
  const afterEdits = texts();
  anchorer.dispose();
  return { text, first, afterEdits };
}

/**
 * Discussions in the light DOM, an open shadow root and a same-origin iframe, highlighted together in
 * opaque red: returns, for each, points along the middle of its first line in the top window's
 * coordinates (the test reads the screenshot's pixels there).
 */
/** Text in the light DOM, an open shadow root and a same-origin iframe, each anchored and highlighted red. */
async function highlightTrees() {
  document.body.innerHTML =
    '<p>Light paragraph with words.</p><div id="open-host"></div>' +
    '<iframe id="frame" style="border:0;width:600px;height:80px" ' +
    'srcdoc="<p>Words inside the framed document.</p>"></iframe>';
  const open = document.getElementById('open-host')!.attachShadow({ mode: 'open' });
  open.innerHTML = '<p>Words inside an open shadow root.</p>';
  const frame = document.getElementById('frame') as HTMLIFrameElement;
  await new Promise<void>((resolve) => {
    if (frame.contentDocument?.body?.textContent) resolve();
    else frame.addEventListener('load', () => resolve(), { once: true });
  });
  const quote = (exact: string) => [{ type: 'TextQuoteSelector' as const, exact }];
  const anchorer = new Anchorer({ root: document.body, window, debounceMs: 20 });
  anchorer.start();
  await anchorer.replaceAll([
    { id: 'light', selectors: quote('paragraph with words') },
    { id: 'open', selectors: quote('inside an open shadow root') },
    { id: 'framed', selectors: quote('inside the framed document') },
  ]);
  const red = 'rgb(255, 0, 0)';
  const highlighter = new Highlighter({ window, mode: 'css', colors: { normal: red, active: red } });
  const ranges: Record<string, Range> = {};
  for (const id of ['light', 'open', 'framed']) {
    const range = anchorer.rangeOf(id);
    if (!range) throw new Error(`"${id}" did not anchor`);
    highlighter.set(id, range);
    ranges[id] = range;
  }
  highlighter.render();
  anchorer.dispose();
  return { frame, highlighter, ranges };
}

export async function paintTrees(): Promise<Record<string, { x: number; y: number }[]>> {
  const { frame, ranges } = await highlightTrees();
  const points: Record<string, { x: number; y: number }[]> = {};
  for (const [id, range] of Object.entries(ranges)) {
    const rect = range.getClientRects()[0]!;
    const offset = id === 'framed' ? frame.getBoundingClientRect() : { left: 0, top: 0 };
    points[id] = Array.from({ length: 12 }, (_, i) => ({
      x: Math.round(offset.left + rect.left + ((i + 0.5) * rect.width) / 12),
      y: Math.round(offset.top + rect.top + rect.height / 2),
    }));
  }
  // Two frames: the highlights are painted before the screenshot.
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return points;
}

/**
 * What a click at the middle of each highlight hits, in the document it is in (an iframe's clicks
 * carry its own client coordinates), and what the page's document hits at the framed one's
 * coordinates (nothing there: the iframe's rectangles are not the page's).
 */
export async function hitTrees(): Promise<Record<string, string[]>> {
  const { highlighter, ranges } = await highlightTrees();
  const hits: Record<string, string[]> = {};
  for (const [id, range] of Object.entries(ranges)) {
    const r = range.getBoundingClientRect();
    const doc = range.startContainer.ownerDocument!;
    hits[id] = highlighter.hitTest(r.left + r.width / 2, r.top + r.height / 2, doc);
    if (id === 'framed') hits.pageAtFramed = highlighter.hitTest(r.left + r.width / 2, r.top + r.height / 2);
  }
  return hits;
}

/** How many of `points` are red in a PNG (base64) of the viewport. */
export async function redPoints(png: string, points: { x: number; y: number }[]): Promise<number> {
  const img = new Image();
  img.src = `data:image/png;base64,${png}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.width;
  canvas.height = img.height;
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(img, 0, 0);
  return points.filter(({ x, y }) => {
    const [r, g, b] = ctx.getImageData(x, y, 1, 1).data;
    return r! > 200 && g! < 80 && b! < 80;
  }).length;
}
