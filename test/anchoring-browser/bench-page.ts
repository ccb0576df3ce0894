// Page side of `npm run bench:anchoring` (bench/anchoring/run.ts), bundled into a page in headless
// Chromium and Firefox. It measures the overlay's own anchoring (PageAnchors from
// entrypoints/overlay.content/anchoring.ts: one shared index, idle-time slices, highlights) against the
// path the overlay used before (one synchronous `anchor()` per discussion, each building the page's
// text index, after a 300 ms debounce). Each phase is called separately from Node.
import { PageAnchors } from '../../entrypoints/overlay.content/anchoring';
import reference from 'approx-string-match';
import { anchor, describe, MATCH, TextIndex } from '../../lib/anchoring';
import { approxSearch } from '../../lib/anchoring/approx';
import type { SelectorT } from '../../lib/protocol/frames';
import { filler } from '../fixtures/anchoring/corpus';
import type { ChangingResult, PhaseResult, SearchSpeed } from './bench-results';

interface Discussion {
  id: string;
  selectors: SelectorT[];
  /** The normalised text it must anchor to on the current page, or null when it must be an orphan. */
  expected: string | null;
  /** Part of its quote was deleted: the rest (`expected`) or an orphan are both right. */
  partial?: boolean;
}

const state: { discussions: Discussion[]; longTasks: number[]; anchors: PageAnchors | null } = {
  discussions: [],
  longTasks: [],
  anchors: null,
};

// Firefox has no long-task entries: there the figures come from our own clock alone.
const longTasksSupported = PerformanceObserver.supportedEntryTypes?.includes('longtask') ?? false;
if (longTasksSupported) {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) state.longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
}

function rng(seed: number) {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function root(): HTMLElement {
  return document.getElementById('article')!;
}

/** The overlay's host, as the content script adds it (the anchoring ignores it). */
function host(): HTMLElement {
  let h = document.getElementById('overlay-host');
  if (!h) {
    h = document.createElement('div');
    h.id = 'overlay-host';
    document.body.append(h);
  }
  return h;
}
const ignoreHost = (n: Node) => n === host();

/** About `targetChars` of text in sections, paragraphs, lists and tables. */
export function buildPage(targetChars: number): { chars: number; elements: number } {
  state.anchors?.dispose();
  state.anchors = null;
  const parts: string[] = [];
  let chars = 0;
  let section = 0;
  while (chars < targetChars) {
    const paras = filler(1000 + section, 12);
    parts.push(`<section><h2>Section ${section + 1}</h2>`);
    paras.forEach((p, i) => {
      if (i === 5) {
        const cells = p.split('. ').slice(0, 4);
        parts.push(`<table><tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr></table>`);
      } else if (i === 9) {
        parts.push(
          `<ul>${p
            .split('. ')
            .map((c) => `<li>${c}</li>`)
            .join('')}</ul>`,
        );
      } else {
        // Some inline markup inside words and sentences, as real articles have.
        parts.push(`<p>${p.replace(/ (\w)(\w+) (\w+)/, ' <b>$1</b>$2 <a href="#">$3</a>')}</p>`);
      }
      chars += p.length;
    });
    parts.push('</section>');
    section++;
  }
  root().innerHTML = `<p id="clock">00:00:00</p>${parts.join('')}`;
  return { chars: TextIndex.build(root()).text.length, elements: root().getElementsByTagName('*').length };
}

/** `count` discussions on random passages of 20-200 characters, cut at word boundaries. */
export function annotate(count: number): { ms: number; meanQuoteChars: number } {
  const t0 = performance.now();
  const body = document.body;
  const index = TextIndex.build(body, { ignore: ignoreHost });
  const text = index.text;
  const next = rng(42);
  const discussions: Discussion[] = [];
  let quoteChars = 0;
  for (let i = 0; i < count; i++) {
    let start = Math.floor(next() * (text.length - 300)) + 20;
    start = text.indexOf(' ', start) + 1;
    let end = start + 20 + Math.floor(next() * 180);
    end = text.indexOf(' ', end);
    const selectors = describe(index.toRange(start, end)!, body, { index, ignore: ignoreHost });
    const exact = text.slice(start, end);
    quoteChars += exact.length;
    discussions.push({ id: `d${i}`, selectors, expected: exact });
  }
  state.discussions = discussions;
  return { ms: performance.now() - t0, meanQuoteChars: Math.round(quoteChars / count) };
}

function browserLongTasks(from: number) {
  if (!longTasksSupported) return { browserLongTasks: null, browserLongestTaskMs: null };
  const tasks = state.longTasks.slice(from);
  return { browserLongTasks: tasks.length, browserLongestTaskMs: tasks.length ? Math.max(...tasks) : 0 };
}

function check(rangeOf: (d: Discussion) => Range | null) {
  const index = TextIndex.build(document.body, { ignore: ignoreHost });
  let anchored = 0;
  let correct = 0;
  let wrong = 0;
  let missed = 0;
  const examples: string[] = [];
  for (const d of state.discussions) {
    const r = rangeOf(d);
    if (r) {
      anchored++;
      const o = index.rangeOffsets(r);
      const got = o ? index.text.slice(o.start, o.end) : '';
      if (got === d.expected) correct++;
      else if (d.partial && d.expected !== null && (d.expected.includes(got) || got.includes(d.expected)))
        correct++;
      else {
        wrong++;
        if (examples.length < 5)
          examples.push(`want ${JSON.stringify(d.expected)} got ${JSON.stringify(got)}`);
      }
    } else if (d.expected === null || d.partial) correct++;
    else {
      missed++;
      if (examples.length < 5) examples.push(`missed: ${JSON.stringify(d.expected)}`);
    }
  }
  return { anchored, correct, wrong, missed, examples };
}

const tick = () => new Promise((r) => setTimeout(r, 50));

/**
 * The path the overlay used before: `anchor()` for each discussion, in one synchronous task. On a large
 * page that is minutes for every discussion, so it runs on the first `sample` and is scaled up.
 */
export async function oldPath(sample: number): Promise<PhaseResult> {
  const mark = state.longTasks.length;
  const picked = state.discussions.slice(0, sample);
  let ms = 0;
  const ranges = new Map<string, Range | null>();
  await new Promise<void>((resolve) =>
    setTimeout(() => {
      const t0 = performance.now();
      for (const d of picked) ranges.set(d.id, anchor(d.selectors, document.body, { ignore: ignoreHost }));
      ms = performance.now() - t0;
      resolve();
    }, 0),
  );
  await tick();
  const scale = state.discussions.length / picked.length;
  const all = state.discussions;
  state.discussions = picked;
  const c = check((d) => ranges.get(d.id) ?? null);
  state.discussions = all;
  return {
    ms: ms * scale,
    ...c,
    fuzzy: 0,
    busyMs: ms * scale,
    longestTaskMs: ms * scale,
    estimated: scale !== 1,
    ...browserLongTasks(mark),
  };
}

/** The overlay's product path: every discussion handed over at once, as the frame does. */
export async function productFirst(): Promise<PhaseResult> {
  state.anchors?.dispose();
  const mark = state.longTasks.length;
  const container = document.createElement('div');
  (host().shadowRoot ?? host().attachShadow({ mode: 'open' })).replaceChildren(container);
  const anchors = new PageAnchors({
    window,
    root: document.body,
    host: host(),
    fallbackContainer: container,
    onReport: () => {},
  });
  state.anchors = anchors;
  const t0 = performance.now();
  await anchors.set(
    state.discussions.map((d) => ({ id: d.id, selectors: d.selectors })),
    null,
  );
  await anchors.settled();
  const ms = performance.now() - t0;
  await tick();
  return productResult(ms, mark, { busyMs: 0, searches: 0, indexBuilds: 0, indexMs: 0 });
}

function productResult(
  ms: number,
  mark: number,
  before: { busyMs: number; searches: number; indexBuilds: number; indexMs: number },
): PhaseResult {
  const anchors = state.anchors!;
  const s = anchors.stats;
  const c = check((d) => anchors.rangeOf(d.id));
  return {
    ms,
    ...c,
    fuzzy: state.discussions.filter((d) => anchors.matchOf(d.id)?.method === 'fuzzy').length,
    busyMs: s.busyMs - before.busyMs,
    longestTaskMs: s.longestSliceMs,
    indexBuilds: s.indexBuilds - before.indexBuilds,
    indexMs: s.indexMs - before.indexMs,
    searches: s.searches - before.searches,
    ...browserLongTasks(mark),
  };
}

/** Edit the page (see editPage) with the product path watching; time until it has caught up. */
export async function productAfterEdits(editShare: number, deleteShare: number) {
  const anchors = state.anchors!;
  const before = { ...anchors.stats };
  anchors.stats.longestSliceMs = 0;
  const edits = editPage(editShare, deleteShare);
  // The edit itself (and the truth it computes) is one long task of the benchmark, not of the anchoring.
  await new Promise((r) => setTimeout(r, 0));
  const mark = state.longTasks.length;
  const t0 = performance.now();
  await anchors.settled();
  const ms = performance.now() - t0;
  await tick();
  return { edits, result: productResult(ms, mark, before) };
}

/** The old path after the same kind of edits: scaled from a sample like `oldPath`. */
export function oldPathAfterEdits(sample: number): Promise<PhaseResult> {
  return oldPath(sample);
}

/**
 * Edit the page the way news pages change: a paragraph inserted every 10 sections (every later
 * position shifts), a word inserted inside `editShare` of the quotes (they need the fuzzy path), and
 * the paragraphs of `deleteShare` of them removed (they must become orphans).
 */
export function editPage(editShare: number, deleteShare: number): { edited: number; deleted: number } {
  const index = TextIndex.build(document.body, { ignore: ignoreHost });
  const next = rng(7);
  // Live ranges follow the edits, so they give the truth to compare against afterwards.
  const live = state.discussions.map((d) => {
    const pos = d.selectors.find((s) => s.type === 'TextPositionSelector');
    return pos && pos.type === 'TextPositionSelector' ? index.toRange(pos.start, pos.end) : null;
  });
  const edits: { node: Text; offset: number }[] = [];
  const removals = new Set<Element>();
  state.discussions.forEach((d, i) => {
    const pos = d.selectors.find((s) => s.type === 'TextPositionSelector');
    if (!pos || pos.type !== 'TextPositionSelector' || !live[i]) return;
    const roll = next();
    if (roll < deleteShare) {
      const el = index.pointAt(pos.start)?.node.parentElement?.closest('p, li, td');
      if (el) removals.add(el);
    } else if (roll < deleteShare + editShare) {
      // Insert " newly" at a space near the middle of the quote (at the space, not at the next word,
      // so that no other quote that starts or ends at that word grows or shrinks).
      const mid = index.text.indexOf(' ', Math.floor((pos.start + pos.end) / 2));
      const point = mid > 0 && mid + 1 < pos.end ? index.pointAt(mid) : null;
      if (point) edits.push(point);
    }
  });
  // From the end of the document backwards, so that earlier offsets stay valid.
  edits.sort((a, b) =>
    a.node === b.node ? b.offset - a.offset : a.node.compareDocumentPosition(b.node) & 4 ? 1 : -1,
  );
  for (const e of edits) e.node.insertData(e.offset, ' newly');
  state.discussions.forEach((d, i) => {
    const r = live[i];
    if (!r) return;
    const gone = [...removals];
    const startGone = gone.some((el) => el.contains(r.startContainer));
    const endGone = gone.some((el) => el.contains(r.endContainer));
    if (startGone && endGone) d.expected = null;
    else if (startGone || endGone) d.partial = true;
  });
  for (const el of removals) el.remove();
  root()
    .querySelectorAll('section')
    .forEach((s, i) => {
      if (i % 10 === 0) {
        s.insertAdjacentHTML(
          'afterbegin',
          '<p>Correction: an earlier version of this section was wrong.</p>',
        );
      }
    });
  const after = TextIndex.build(document.body, { ignore: ignoreHost });
  state.discussions.forEach((d, i) => {
    if (d.expected === null) return;
    const o = after.rangeOffsets(live[i]!)!;
    const t = after.trim(o.start, o.end);
    d.expected = t.start < t.end ? after.text.slice(t.start, t.end) : null;
  });
  return { edited: edits.length, deleted: removals.size };
}

/**
 * A page that changes every second (a clock and a live-update paragraph of new text at the top) with
 * the discussions of `annotate` watched for `seconds` by `path`: 'product' (PageAnchors), 'old' (the
 * overlay's former loop: a MutationObserver, 300 ms debounce, then anchor() per discussion), or 'none'.
 */
export async function changingPage(
  path: 'product' | 'old' | 'none',
  seconds: number,
): Promise<ChangingResult> {
  state.anchors?.dispose();
  state.anchors = null;
  const mark = state.longTasks.length;
  let busy = 0;
  let longest = 0;
  let stop = () => {};
  const targets = state.discussions.map((d) => ({ id: d.id, selectors: d.selectors }));
  if (path === 'product') {
    const container = document.createElement('div');
    (host().shadowRoot ?? host().attachShadow({ mode: 'open' })).replaceChildren(container);
    const anchors = new PageAnchors({
      window,
      root: document.body,
      host: host(),
      fallbackContainer: container,
      onReport: () => {},
    });
    await anchors.set(targets, null);
    await anchors.settled();
    state.anchors = anchors;
  } else if (path === 'old') {
    let timer: number | undefined;
    const run = () => {
      const t0 = performance.now();
      for (const t of targets) anchor(t.selectors, document.body, { ignore: ignoreHost });
      const ms = performance.now() - t0;
      busy += ms;
      longest = Math.max(longest, ms);
    };
    const observer = new MutationObserver((records) => {
      if (records.every((r) => host().contains(r.target))) return;
      clearTimeout(timer);
      timer = window.setTimeout(run, 300);
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    run();
    busy = 0;
    longest = 0;
    stop = () => {
      observer.disconnect();
      clearTimeout(timer);
    };
  }
  await tick();
  const before = state.anchors ? { ...state.anchors.stats } : null;
  if (state.anchors) state.anchors.stats.longestSliceMs = 0;

  const next = rng(99);
  let changes = 0;
  let frameGap = 0;
  let lastFrame = performance.now();
  let framing = true;
  const frame = (now: number) => {
    frameGap = Math.max(frameGap, now - lastFrame);
    lastFrame = now;
    if (framing) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const t0 = performance.now();
  const clock = document.getElementById('clock')!;
  const interval = setInterval(() => {
    changes++;
    clock.textContent = new Date(Date.UTC(2026, 0, 1, 0, 0, changes)).toISOString().slice(11, 19);
    const words = filler(5000 + changes, 1, 2)[0]!;
    const update = document.createElement('p');
    update.className = 'live-update';
    update.textContent = `Live update ${changes}: ${words.slice(0, 60 + Math.floor(next() * 60))}`;
    const old = root().querySelector('.live-update');
    if (old) old.replaceWith(update);
    else clock.after(update);
  }, 1000);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  clearInterval(interval);
  const windowMs = performance.now() - t0;
  framing = false;
  if (state.anchors && before) {
    const s = state.anchors.stats;
    busy = s.busyMs - before.busyMs;
    longest = s.longestSliceMs;
  }
  stop();
  await tick();
  return {
    path,
    windowMs,
    busyMs: busy,
    blockedShare: busy / windowMs,
    longestTaskMs: longest,
    ...browserLongTasks(mark),
    longestFrameGapMs: frameGap,
    ...(state.anchors && before
      ? {
          indexBuilds: state.anchors.stats.indexBuilds - before.indexBuilds,
          searches: state.anchors.stats.searches - before.searches,
        }
      : {}),
    changes,
  };
}

/** Remove the paragraphs holding the first `n` discussions' quotes (they become orphans). */
export function orphanSome(n: number): number {
  const index = TextIndex.build(document.body, { ignore: ignoreHost });
  let removed = 0;
  for (const d of state.discussions.slice(0, n)) {
    const pos = d.selectors.find((s) => s.type === 'TextPositionSelector');
    if (pos?.type !== 'TextPositionSelector') continue;
    const el = index.pointAt(pos.start)?.node.parentElement?.closest('p, li, td');
    if (el?.isConnected) {
      el.remove();
      removed++;
    }
  }
  return removed;
}

/**
 * The whole-text approximate search the matcher runs for a quote the page no longer holds (8 KB
 * slices, the far error limit), with approx-string-match's `search` and with `approxSearch`, taking
 * turns quote by quote, on the page as it is now. The quotes are runs of the page's own words in an
 * order the page does not have.
 */
export function searchSpeed(count: number): SearchSpeed {
  const text = TextIndex.build(document.body, { ignore: ignoreHost }).text;
  const words = text.split(' ').filter((w) => w.length > 0);
  const next = rng(7);
  const quotes: string[] = [];
  for (let i = 0; i < count; i++) {
    const target = 20 + Math.floor(next() * 180);
    let q = '';
    while (q.length < target) q += (q ? ' ' : '') + words[Math.floor(next() * words.length)]!;
    quotes.push(q);
  }
  let libraryMs = 0;
  let approxSearchMs = 0;
  let differences = 0;
  const scan = (quote: string, search: typeof approxSearch) => {
    const errors = Math.floor(quote.length * MATCH.maxFarErrorRatio);
    const found: unknown[] = [];
    for (let from = 0; from < text.length; from += MATCH.fuzzySliceChars) {
      const to = Math.min(text.length, from + MATCH.fuzzySliceChars + quote.length + errors);
      found.push(...search(text.slice(from, to), quote, errors));
    }
    return JSON.stringify(found);
  };
  quotes.forEach((quote, i) => {
    // Alternate which goes first, so that neither always meets a warmer cache.
    const order = i % 2 === 0 ? ['library', 'approxSearch'] : ['approxSearch', 'library'];
    const out: Record<string, string> = {};
    for (const which of order) {
      const t0 = performance.now();
      out[which] = scan(quote, which === 'library' ? reference : approxSearch);
      const ms = performance.now() - t0;
      if (which === 'library') libraryMs += ms;
      else approxSearchMs += ms;
    }
    if (out.library !== out.approxSearch) differences++;
  });
  return {
    quotes: count,
    meanQuoteChars: Math.round(quotes.reduce((n, q) => n + q.length, 0) / count),
    textChars: text.length,
    libraryMs,
    approxSearchMs,
    differences,
  };
}

(window as unknown as { AnchoringBench: unknown }).AnchoringBench = {
  buildPage,
  annotate,
  oldPath,
  oldPathAfterEdits,
  productFirst,
  productAfterEdits,
  changingPage,
  orphanSome,
  searchSpeed,
};
