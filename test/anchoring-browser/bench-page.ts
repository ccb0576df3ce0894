// Page side of `npm run bench:anchoring` (bench/anchoring/run.ts), bundled into a page in headless Chromium: builds a ~1 MB
// article, annotates it, then times the naive baseline and lib/anchoring on the page as written and
// after edits. Each phase is called separately from Node so that it runs in its own tasks.
import { anchorAll, describe, TextIndex, type AnchorItem } from '../../lib/anchoring';
import { filler } from '../fixtures/anchoring/corpus';

interface Discussion extends AnchorItem {
  /** The normalised text it must anchor to on the current page, or null when it must be an orphan. */
  expected: string | null;
  /** Part of its quote was deleted: the rest (`expected`) or an orphan are both right. */
  partial?: boolean;
}

const state: { discussions: Discussion[]; longTasks: number[] } = { discussions: [], longTasks: [] };

new PerformanceObserver((list) => {
  for (const e of list.getEntries()) state.longTasks.push(e.duration);
}).observe({ type: 'longtask', buffered: true });

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

/** About `targetChars` of text in sections, paragraphs, lists and tables. */
export function buildPage(targetChars: number): { chars: number; elements: number } {
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
  root().innerHTML = parts.join('');
  return { chars: TextIndex.build(root()).text.length, elements: root().getElementsByTagName('*').length };
}

/** `count` discussions on random passages of 20-200 characters, cut at word boundaries. */
export function annotate(count: number): { ms: number; meanQuoteChars: number } {
  const t0 = performance.now();
  const index = TextIndex.build(root());
  const text = index.text;
  const next = rng(42);
  const discussions: Discussion[] = [];
  let quoteChars = 0;
  for (let i = 0; i < count; i++) {
    let start = Math.floor(next() * (text.length - 300));
    start = text.indexOf(' ', start) + 1;
    let end = start + 20 + Math.floor(next() * 180);
    end = text.indexOf(' ', end);
    const selectors = describe(index.toRange(start, end)!, root(), { index });
    const exact = text.slice(start, end);
    quoteChars += exact.length;
    discussions.push({ id: `d${i}`, selectors, expected: exact });
  }
  state.discussions = discussions;
  return { ms: performance.now() - t0, meanQuoteChars: Math.round(quoteChars / count) };
}

export interface PhaseResult {
  ms: number;
  anchored: number;
  correct: number;
  /** Placed on the wrong text, or placed when it should be an orphan (worse than an orphan). */
  wrong: number;
  /** Orphaned although its text is still on the page. */
  missed: number;
  orphans: number;
  methods: Record<string, number>;
  longestTaskMs: number;
  longTasks: number;
  slices: number;
  longestSliceMs?: number;
  examples?: string[];
}

function longTaskSummary(from: number) {
  const tasks = state.longTasks.slice(from);
  return { longTasks: tasks.length, longestTaskMs: tasks.length ? Math.max(...tasks) : 0 };
}

/** Baseline: exact indexOf of each quote in the page's textContent, one synchronous task. */
export async function naive(): Promise<PhaseResult> {
  const mark = state.longTasks.length;
  let anchored = 0;
  let correct = 0;
  let wrong = 0;
  let missed = 0;
  let ms = 0;
  // In a task of its own, so that the long-task observer sees it like any page task.
  await new Promise<void>((resolve) =>
    setTimeout(() => {
      const t0 = performance.now();
      const text = root().textContent ?? '';
      for (const d of state.discussions) {
        const q = d.selectors.find((s) => s.type === 'TextQuoteSelector');
        if (!q || q.type !== 'TextQuoteSelector') continue;
        const at = text.indexOf(q.exact);
        if (at >= 0) {
          anchored++;
          if (d.expected === q.exact) correct++;
          else wrong++;
        } else if (d.expected === null) correct++;
        else missed++;
      }
      ms = performance.now() - t0;
      resolve();
    }, 0),
  );
  // Let the long-task observer see the task that just ended.
  await new Promise((r) => setTimeout(r, 50));
  return {
    ms,
    anchored,
    correct,
    wrong,
    missed,
    orphans: state.discussions.length - anchored,
    methods: { indexOf: anchored },
    slices: 1,
    ...longTaskSummary(mark),
  };
}

/** lib/anchoring: anchorAll over every discussion, sliced into tasks of `budgetMs`. */
export async function chunked(budgetMs: number): Promise<PhaseResult> {
  const mark = state.longTasks.length;
  const t0 = performance.now();
  const outcome = await anchorAll(state.discussions, root(), { budgetMs });
  const ms = performance.now() - t0;
  const methods: Record<string, number> = {};
  let anchored = 0;
  let correct = 0;
  let wrong = 0;
  let missed = 0;
  const examples: string[] = [];
  outcome.results.forEach((r, i) => {
    const d = state.discussions[i]!;
    const method = r.match?.method ?? 'orphan';
    methods[method] = (methods[method] ?? 0) + 1;
    if (r.range) {
      anchored++;
      const o = outcome.index.rangeOffsets(r.range)!;
      const got = outcome.index.text.slice(o.start, o.end);
      if (got === d.expected) correct++;
      else if (d.partial) {
        // The surviving part of a partly deleted quote: right if it lies inside what is left.
        if (d.expected !== null && (d.expected.includes(got) || got.includes(d.expected))) correct++;
        else wrong++;
      } else {
        wrong++;
        if (examples.length < 5)
          examples.push(`${method}: want ${JSON.stringify(d.expected)} got ${JSON.stringify(got)}`);
      }
    } else if (d.expected === null || d.partial) correct++;
    else {
      missed++;
      if (examples.length < 5) examples.push(`missed: ${JSON.stringify(d.expected)}`);
    }
  });
  await new Promise((r) => setTimeout(r, 50));
  return {
    ms,
    anchored,
    correct,
    wrong,
    missed,
    examples,
    orphans: state.discussions.length - anchored,
    methods,
    slices: outcome.slices,
    ...longTaskSummary(mark),
    // The longest slice by our own clock, which also covers tasks under the 50 ms long-task floor.
    longestSliceMs: outcome.longestSliceMs,
  };
}

/**
 * Edit the page the way news pages change: a paragraph inserted every 10 sections (every later
 * position shifts), a word inserted inside `editShare` of the quotes (they need the fuzzy path), and
 * the paragraphs of `deleteShare` of them removed (they must become orphans).
 */
export function editPage(editShare: number, deleteShare: number): { edited: number; deleted: number } {
  const index = TextIndex.build(root());
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
  const after = TextIndex.build(root());
  state.discussions.forEach((d, i) => {
    if (d.expected === null) return;
    const o = after.rangeOffsets(live[i]!)!;
    const t = after.trim(o.start, o.end);
    d.expected = t.start < t.end ? after.text.slice(t.start, t.end) : null;
  });
  return { edited: edits.length, deleted: removals.size };
}

(window as unknown as { AnchoringBench: unknown }).AnchoringBench = {
  buildPage,
  annotate,
  naive,
  chunked,
  editPage,
};
