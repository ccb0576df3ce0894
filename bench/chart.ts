// Draws the benchmark's throughput and latency figures as grouped bar charts in inline SVG (made
// here, no chart library, no network) and screenshots the page in the system Chromium into a PNG.
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/helpers/browsers';
import { SERVER_KINDS, type BenchResultT, type ServerKindName } from './schema';

const COLORS: Record<ServerKindName, string> = { ours: '#2563eb', ws: '#9ca3af', socketio: '#f59e0b' };
const NAMES: Record<ServerKindName, string> = {
  ours: 'Collab Chat',
  ws: 'bare ws (floor)',
  socketio: 'Socket.IO 4',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const short = (v: number) =>
  v >= 1e6 ? `${+(v / 1e6).toFixed(2)}M` : v >= 1e3 ? `${+(v / 1e3).toFixed(1)}k` : `${+v.toPrecision(3)}`;

export function barChart(
  title: string,
  groups: string[],
  values: Record<ServerKindName, (number | null)[]>,
  unit: string,
): string {
  const W = 560;
  const H = 300;
  const left = 60;
  const bottom = 40;
  const top = 36;
  const plotH = H - top - bottom;
  const plotW = W - left - 16;
  const max = niceMax(Math.max(0, ...SERVER_KINDS.flatMap((k) => values[k].map((v) => v ?? 0))));
  const groupW = plotW / Math.max(1, groups.length);
  const barW = (groupW * 0.7) / SERVER_KINDS.length;
  const parts: string[] = [
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="15" font-weight="600">${esc(title)}</text>`,
  ];
  for (let t = 0; t <= 4; t++) {
    const y = top + plotH - (plotH * t) / 4;
    parts.push(`<line x1="${left}" x2="${W - 16}" y1="${y}" y2="${y}" stroke="#e5e7eb"/>`);
    parts.push(
      `<text x="${left - 6}" y="${y + 4}" text-anchor="end" font-size="11">${short((max * t) / 4)}</text>`,
    );
  }
  parts.push(
    `<text x="14" y="${top + plotH / 2}" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle" font-size="11">${esc(unit)}</text>`,
  );
  groups.forEach((g, gi) => {
    const x0 = left + gi * groupW + groupW * 0.15;
    SERVER_KINDS.forEach((k, si) => {
      const v = values[k][gi];
      const x = x0 + si * barW;
      if (v === null || v === undefined) {
        parts.push(
          `<text x="${x + barW / 2}" y="${top + plotH - 4}" text-anchor="middle" font-size="10">n/a</text>`,
        );
        return;
      }
      const h = (plotH * v) / max;
      parts.push(
        `<rect x="${x}" y="${top + plotH - h}" width="${barW - 2}" height="${h}" fill="${COLORS[k]}"/>`,
      );
      parts.push(
        `<text x="${x + barW / 2}" y="${top + plotH - h - 3}" text-anchor="middle" font-size="10">${short(v)}</text>`,
      );
    });
    parts.push(
      `<text x="${left + gi * groupW + groupW / 2}" y="${H - bottom + 16}" text-anchor="middle" font-size="12">${esc(g)}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">${parts.join('')}</svg>`;
}

export function chartPage(r: BenchResultT): string {
  const pick = <T>(f: (k: ServerKindName) => T) =>
    Object.fromEntries(SERVER_KINDS.map((k) => [k, f(k)])) as Record<ServerKindName, T>;
  const fanGroups = r.fanout.ours.clients.map((c) => `${c} clients`);
  const latGroups = r.latency.ours.clients.map((c, i) => `${c} × ${r.latency.ours.ratePerSec[i]}/s`);
  const charts = [
    barChart(
      'Fan-out throughput (higher is better)',
      fanGroups,
      pick((k) => r.fanout[k].deliveriesPerSec),
      'deliveries / s',
    ),
    barChart(
      'Server CPU per delivery (lower is better)',
      fanGroups,
      pick((k) => r.fanout[k].cpuMicrosPerDelivery),
      'µs',
    ),
    barChart(
      'Latency p50, write → other client',
      latGroups,
      pick((k) => r.latency[k].p50Ms),
      'ms',
    ),
    barChart(
      'Latency p99, write → other client',
      latGroups,
      pick((k) => r.latency[k].p99Ms),
      'ms',
    ),
    barChart(
      'CPU-bound throughput, 1e6 / CPU µs (higher is better)',
      fanGroups,
      pick((k) => r.fanout[k].cpuBoundDeliveriesPerSec),
      'deliveries / s per core',
    ),
    barChart(
      'Server event-loop delay p99 during latency runs',
      latGroups,
      pick((k) => r.latency[k].loopDelayP99Ms),
      'ms',
    ),
  ];
  const legend = SERVER_KINDS.map(
    (k) =>
      `<span style="margin-right:18px"><span style="display:inline-block;width:12px;height:12px;background:${COLORS[k]}"></span> ${NAMES[k]}</span>`,
  ).join('');
  const m = r.meta.machine;
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:16px;font-family:sans-serif;color:#111;background:#fff;width:1160px}
.grid{display:grid;grid-template-columns:repeat(2,560px);gap:16px}
</style></head><body>
<h2 style="margin:0 0 4px">Collab Chat benchmark${r.meta.quick ? ' (quick mode: small client counts)' : ''}</h2>
<div style="font-size:12px;margin-bottom:8px">${esc(r.meta.date)} · ${m.cpus} × ${esc(m.cpuModel)} · ${m.memoryGiB} GiB · Node ${esc(m.node)} · load ${m.loadAverageAtStart.join(' ')} · commit ${esc(r.meta.commit)}</div>
<div style="font-size:13px;margin-bottom:12px">${legend}</div>
<div class="grid">${charts.join('')}</div></body></html>`;
}

export async function drawCharts(r: BenchResultT, pngPath: string): Promise<void> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.setContent(chartPage(r));
    await page.screenshot({ path: pngPath, fullPage: true });
  } finally {
    await browser.close();
  }
}
