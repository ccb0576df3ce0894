// `npm run bench:anchoring`: 1,000 discussions on a ~1 MB page in headless Chromium. Times the naive
// baseline (indexOf of each quote in textContent) and lib/anchoring (anchorAll, sliced) on the page
// as written and after edits; prints a table and writes bench/results/anchoring.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { bundleAnchoring, htmlPage, launchChromium, serve } from '../../test/anchoring-browser/harness';

/** What test/anchoring-browser/bench-page.ts returns for each phase (it runs in the page, not here). */
interface PhaseResult {
  ms: number;
  anchored: number;
  correct: number;
  wrong: number;
  missed: number;
  orphans: number;
  methods: Record<string, number>;
  longestTaskMs: number;
  longTasks: number;
  slices: number;
  longestSliceMs?: number;
  examples?: string[];
}

const DISCUSSIONS = Number(process.env.BENCH_DISCUSSIONS ?? 1000);
const PAGE_CHARS = Number(process.env.BENCH_PAGE_CHARS ?? 1_000_000);
const BUDGET_MS = Number(process.env.BENCH_BUDGET_MS ?? 20);

async function main() {
  const script = await bundleAnchoring(
    fileURLToPath(new URL('../../test/anchoring-browser/bench-page.ts', import.meta.url)),
  );
  const server = await serve({
    '/': { type: 'text/html; charset=utf-8', body: htmlPage('<article id="article"></article>', 'bench') },
    '/anchoring.js': { type: 'text/javascript; charset=utf-8', body: script },
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(server.url + '/');
    // Page calls go as source strings: this file is type-checked for Node (no DOM types).
    const call = <T>(expression: string) => page.evaluate<T>(`window.AnchoringBench.${expression}`);
    await page.waitForFunction('window.AnchoringBench !== undefined');
    const built = await call<{ chars: number; elements: number }>(`buildPage(${PAGE_CHARS})`);
    const annotated = await call<{ ms: number; meanQuoteChars: number }>(`annotate(${DISCUSSIONS})`);
    const phases: Record<string, PhaseResult> = {};
    phases['naive, page as written'] = await call<PhaseResult>('naive()');
    phases['lib/anchoring, page as written'] = await call<PhaseResult>(`chunked(${BUDGET_MS})`);
    const edits = await call<{ edited: number; deleted: number }>('editPage(0.15, 0.03)');
    phases['naive, edited page'] = await call<PhaseResult>('naive()');
    phases['lib/anchoring, edited page'] = await call<PhaseResult>(`chunked(${BUDGET_MS})`);

    const rows = Object.entries(phases).map(([name, p]) => ({
      phase: name,
      'total ms': p.ms.toFixed(0),
      'longest task ms': p.longTasks ? p.longestTaskMs.toFixed(0) : '<50',
      'longest slice ms': p.longestSliceMs !== undefined ? p.longestSliceMs.toFixed(1) : '(one task)',
      tasks: String(p.slices),
      anchored: String(p.anchored),
      correct: `${p.correct}/${DISCUSSIONS}`,
      wrong: String(p.wrong),
      missed: String(p.missed),
      methods: Object.entries(p.methods)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    }));
    const header = Object.keys(rows[0]!);
    const widths = header.map((h) => Math.max(h.length, ...rows.map((r) => r[h as keyof typeof r].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
    console.log(
      `\n${DISCUSSIONS} discussions, ${built.chars} characters of text in ${built.elements} elements, ` +
        `mean quote ${annotated.meanQuoteChars} chars; describe() of all took ${annotated.ms.toFixed(0)} ms`,
    );
    console.log(
      `edits: a word inserted in ${edits.edited} quotes, ${edits.deleted} blocks deleted, a paragraph added every 10 sections\n`,
    );
    console.log(line(header));
    for (const r of rows) console.log(line(Object.values(r)));
    for (const [name, p] of Object.entries(phases)) {
      for (const e of p.examples ?? []) console.log(`  ${name}: ${e}`);
    }

    const result = {
      command: 'npm run bench:anchoring',
      at: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        memoryGb: Math.round(os.totalmem() / 2 ** 30),
        loadAverage1m: Number(os.loadavg()[0]!.toFixed(2)),
        node: process.version,
        browser: `Chromium ${browser.version()} (headless)`,
      },
      discussions: DISCUSSIONS,
      page: built,
      budgetMs: BUDGET_MS,
      describe: annotated,
      edits,
      phases,
    };
    const out = fileURLToPath(new URL('../results/anchoring.json', import.meta.url));
    mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
    writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    console.log(`\nwrote ${out}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
