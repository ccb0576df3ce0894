// `npm run bench:anchoring`: the overlay's anchoring (PageAnchors, the product path) against the path
// it used before (one synchronous anchor() per discussion), in headless Chromium and Firefox:
// - 1,000 discussions on a ~1 MB page: first anchoring, then re-anchoring after edits;
// - a page that changes every second (a clock and a live-update paragraph) with 50 discussions, two of
//   them orphans, watched for 10 s: the share of the window the anchoring holds the main thread, and
//   its longest task;
// - the whole-text approximate search alone (the scan for a quote the page no longer holds) with
//   approx-string-match's `search` and with `approxSearch`, side by side.
// Prints a table per browser and writes bench/results/anchoring.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  bundleAnchoring,
  htmlPage,
  launchBrowser,
  serve,
  type BrowserName,
} from '../../test/anchoring-browser/harness';
import type { ChangingResult, PhaseResult, SearchSpeed } from '../../test/anchoring-browser/bench-results';

const DISCUSSIONS = Number(process.env.BENCH_DISCUSSIONS ?? 1000);
const PAGE_CHARS = Number(process.env.BENCH_PAGE_CHARS ?? 1_000_000);
/**
 * Discussions the old path anchors on the large page (it takes ~0.1–0.8 s each); scaled to all.
 * 0 leaves the old path out (a quicker run of the product path alone).
 */
const OLD_SAMPLE = Number(process.env.BENCH_OLD_SAMPLE ?? 10);
const CHANGING_DISCUSSIONS = 50;
const CHANGING_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** Quotes for the side-by-side approximate search. */
const SEARCH_QUOTES = Number(process.env.BENCH_SEARCH_QUOTES ?? 30);
const BROWSERS = (process.env.BENCH_BROWSERS ?? 'chromium,firefox').split(',');

const fmt = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined ? 'n/a' : n.toFixed(digits);

function table(rows: Record<string, string>[]): string {
  const header = Object.keys(rows[0]!);
  const widths = header.map((h) => Math.max(h.length, ...rows.map((r) => (r[h] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(header), ...rows.map((r) => line(header.map((h) => r[h] ?? '')))].join('\n');
}

async function runBrowser(name: string, url: string) {
  const browser = await launchBrowser(name as BrowserName);
  try {
    const page = browser.page;
    await page.goto(url);
    const call = async <T>(expression: string): Promise<T> => {
      for (let i = 0; i < 100; i++) {
        if (await page.evaluate<boolean>('window.AnchoringBench !== undefined')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      return page.evaluate<T>(`window.AnchoringBench.${expression}`);
    };
    const built = await call<{ chars: number; elements: number }>(`buildPage(${PAGE_CHARS})`);
    const annotated = await call<{ ms: number; meanQuoteChars: number }>(`annotate(${DISCUSSIONS})`);
    const phases: Record<string, PhaseResult> = {};
    if (OLD_SAMPLE > 0)
      phases['old path, page as written'] = await call<PhaseResult>(`oldPath(${OLD_SAMPLE})`);
    phases['product path, page as written'] = await call<PhaseResult>('productFirst()');
    const after = await call<{ edits: { edited: number; deleted: number }; result: PhaseResult }>(
      'productAfterEdits(0.15, 0.03)',
    );
    phases['product path, after edits'] = after.result;
    if (OLD_SAMPLE > 0)
      phases['old path, after edits'] = await call<PhaseResult>(`oldPathAfterEdits(${OLD_SAMPLE})`);

    // The changing page: the same large page, 50 discussions, two of them orphaned first.
    await call(`buildPage(${PAGE_CHARS})`);
    await call(`annotate(${CHANGING_DISCUSSIONS})`);
    const orphaned = await call<number>('orphanSome(2)');
    const changing: ChangingResult[] = [];
    for (const path of OLD_SAMPLE > 0 ? ['none', 'old', 'product'] : ['none', 'product']) {
      changing.push(await call<ChangingResult>(`changingPage('${path}', ${CHANGING_SECONDS})`));
    }
    // The whole-text approximate search alone, old and new implementation side by side.
    await call(`buildPage(${PAGE_CHARS})`);
    const search = await call<SearchSpeed>(`searchSpeed(${SEARCH_QUOTES})`);
    return {
      browser: browser.version,
      built,
      annotated,
      edits: after.edits,
      phases,
      orphaned,
      changing,
      search,
    };
  } finally {
    await browser.close();
  }
}

async function main() {
  const script = await bundleAnchoring(
    fileURLToPath(new URL('../../test/anchoring-browser/bench-page.ts', import.meta.url)),
  );
  const server = await serve({
    '/': { type: 'text/html; charset=utf-8', body: htmlPage('<article id="article"></article>', 'bench') },
    '/anchoring.js': { type: 'text/javascript; charset=utf-8', body: script },
  });
  const results: Record<string, Awaited<ReturnType<typeof runBrowser>>> = {};
  const loadBefore = os.loadavg()[0]!;
  try {
    for (const name of BROWSERS) {
      const r = await runBrowser(name, server.url + '/');
      results[name] = r;
      console.log(
        `\n${r.browser}: ${DISCUSSIONS} discussions, ${r.built.chars} characters of text in ` +
          `${r.built.elements} elements, mean quote ${r.annotated.meanQuoteChars} chars; edits: a word ` +
          `inserted in ${r.edits.edited} quotes, ${r.edits.deleted} blocks deleted, a paragraph added every 10 sections`,
      );
      console.log(
        table(
          Object.entries(r.phases).map(([phase, p]) => ({
            phase,
            'total ms': `${p.estimated ? '~' : ''}${fmt(p.ms)}`,
            'main-thread ms': `${p.estimated ? '~' : ''}${fmt(p.busyMs)}`,
            'longest task ms': `${p.estimated ? '~' : ''}${fmt(p.longestTaskMs, 1)}`,
            'browser long tasks':
              p.browserLongTasks === null
                ? 'n/a'
                : `${p.browserLongTasks} (max ${fmt(p.browserLongestTaskMs)})`,
            'index builds (ms)': p.indexBuilds === undefined ? 'n/a' : `${p.indexBuilds} (${fmt(p.indexMs)})`,
            searches: fmt(p.searches),
            correct: `${p.correct}/${p.correct + p.wrong + p.missed}`,
            wrong: String(p.wrong),
            missed: String(p.missed),
            fuzzy: String(p.fuzzy),
          })),
        ),
      );
      for (const [phase, p] of Object.entries(r.phases))
        for (const e of p.examples ?? []) console.log(`  ${phase}: ${e}`);
      console.log(
        `\nchanging page (${CHANGING_DISCUSSIONS} discussions, ${r.orphaned} of them orphans, a change every second, ${CHANGING_SECONDS} s):`,
      );
      console.log(
        table(
          r.changing.map((c) => ({
            path: c.path,
            changes: String(c.changes),
            'anchoring main-thread ms': fmt(c.busyMs),
            'blocked share': `${(c.blockedShare * 100).toFixed(2)} %`,
            'longest task ms': fmt(c.longestTaskMs, 1),
            'browser long tasks':
              c.browserLongTasks === null
                ? 'n/a'
                : `${c.browserLongTasks} (max ${fmt(c.browserLongestTaskMs)})`,
            'longest frame gap ms': fmt(c.longestFrameGapMs),
            'index builds': fmt(c.indexBuilds),
            searches: fmt(c.searches),
          })),
        ),
      );
      const s = r.search;
      console.log(
        `\nwhole-text approximate search, ${s.quotes} quotes not on the page (mean ${s.meanQuoteChars} chars) over ` +
          `${s.textChars} characters: approx-string-match ${fmt(s.libraryMs)} ms, approxSearch ` +
          `${fmt(s.approxSearchMs)} ms (${(s.libraryMs / Math.max(0.001, s.approxSearchMs)).toFixed(2)}× faster); ` +
          `results that differ: ${s.differences}`,
      );
    }
    const names = Object.keys(results);
    if (names.length === 2) {
      const [a, b] = names.map((n) => results[n]!);
      const ratio = (x: number, y: number) => (Math.max(x, y) / Math.max(0.001, Math.min(x, y))).toFixed(2);
      const first = 'product path, page as written';
      const edits = 'product path, after edits';
      console.log(
        `\n${names[1]} vs ${names[0]} (slower / faster): first anchoring ${ratio(a!.phases[first]!.busyMs, b!.phases[first]!.busyMs)}×, ` +
          `after edits ${ratio(a!.phases[edits]!.busyMs, b!.phases[edits]!.busyMs)}×, changing page ` +
          `${ratio(a!.changing.at(-1)!.busyMs, b!.changing.at(-1)!.busyMs)}× (main-thread time); ` +
          `whole-text approximate search: approx-string-match ${ratio(a!.search.libraryMs, b!.search.libraryMs)}×, ` +
          `approxSearch ${ratio(a!.search.approxSearchMs, b!.search.approxSearchMs)}×`,
      );
    }
  } finally {
    await server.close();
  }
  const result = {
    command: 'npm run bench:anchoring',
    at: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      loadAverage1mBefore: Number(loadBefore.toFixed(2)),
      loadAverage1mAfter: Number(os.loadavg()[0]!.toFixed(2)),
      node: process.version,
    },
    discussions: DISCUSSIONS,
    oldPathSample: OLD_SAMPLE,
    changingSeconds: CHANGING_SECONDS,
    results,
  };
  const out = fileURLToPath(new URL('../results/anchoring.json', import.meta.url));
  mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(`\nwrote ${out}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
