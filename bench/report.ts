// The table `npm run bench` prints: one row per figure, one column per server, then the goals.
import { SERVER_KINDS, type BenchResultT } from './schema';

const fmt = (v: number | null | undefined, unit = ''): string => {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  const abs = Math.abs(v);
  const text = abs >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : abs >= 1e4 ? `${(v / 1e3).toFixed(1)}k` : `${v}`;
  return unit ? `${text} ${unit}` : text;
};

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ')).join('\n');
}

export function tableRows(r: BenchResultT): string[][] {
  const rows: string[][] = [['figure', 'ours', 'ws floor', 'Socket.IO']];
  const per = (label: string, pick: (k: (typeof SERVER_KINDS)[number]) => string) =>
    rows.push([label, ...SERVER_KINDS.map(pick)]);
  r.fanout.ours.clients.forEach((clients, i) => {
    per(`fan-out deliveries/s, ${clients} clients`, (k) => fmt(r.fanout[k].deliveriesPerSec[i]));
    per(`server CPU µs/delivery, ${clients} clients`, (k) => fmt(r.fanout[k].cpuMicrosPerDelivery[i]));
    per(`  CPU-bound deliveries/s (1e6 / µs)`, (k) => fmt(r.fanout[k].cpuBoundDeliveriesPerSec[i]));
  });
  r.latency.ours.clients.forEach((clients, i) => {
    const rate = r.latency.ours.ratePerSec[i];
    per(
      `latency p50 / p99 ms, ${clients} × ${rate}/s`,
      (k) => `${fmt(r.latency[k].p50Ms[i])} / ${fmt(r.latency[k].p99Ms[i])}`,
    );
    per(
      `  all received p50 / p99 ms`,
      (k) => `${fmt(r.latency[k].allReceivedP50Ms[i])} / ${fmt(r.latency[k].allReceivedP99Ms[i])}`,
    );
    per(`  server event-loop delay p99 ms`, (k) => fmt(r.latency[k].loopDelayP99Ms[i]));
  });
  per(`idle heap B/conn, ${r.memory.ours.connections} conns`, (k) => fmt(r.memory[k].heapBytesPerConn));
  per(`idle RSS B/conn, ${r.memory.ours.connections} conns`, (k) => fmt(r.memory[k].rssBytesPerConn));
  rows.push([
    'new-text-chat wire bytes',
    fmt(r.bytes.newTextChat),
    fmt(r.bytes.newTextChat),
    fmt(r.bytes.socketioNewTextChat),
  ]);
  rows.push([
    `storm ${r.storm.clients} clients: resync s / lost / dup`,
    `${fmt(r.storm.recoverSeconds)} / ${fmt(r.storm.lost)} / ${fmt(r.storm.duplicated)}`,
    'n/a',
    'n/a',
  ]);
  for (const row of r.comeback.rows) {
    rows.push([
      `lone client back after ${row.outageSeconds} s outage (${row.policy}): p50 / max s`,
      `${fmt(row.p50Seconds)} / ${fmt(row.maxSeconds)}`,
      'n/a',
      'n/a',
    ]);
  }
  for (const run of r.batching.runs) {
    rows.push([
      `batching ${r.batching.clients} × ${r.batching.eventsPerSec}/s, ${run.label}: frames/s, events/s, p99 ms`,
      `${fmt(run.framesPerClientPerSec)}, ${fmt(run.eventsPerClientPerSec)}, ${fmt(run.p99Ms)}`,
      'n/a',
      'n/a',
    ]);
  }
  return rows;
}

export function printTable(r: BenchResultT): void {
  console.log(
    `\nCollab Chat benchmark ${r.meta.quick ? '(quick: small client counts, not the real figures)' : ''}`,
  );
  console.log(
    `${r.meta.machine.cpus} × ${r.meta.machine.cpuModel}, ${r.meta.machine.memoryGiB} GiB, Node ${r.meta.machine.node}, load ${r.meta.machine.loadAverageAtStart.join(' ')}, commit ${r.meta.commit}\n`,
  );
  console.log(table(tableRows(r)));
  console.log('\nbytes by frame type (payload / wire):');
  console.log(table(Object.entries(r.bytes.frames).map(([k, v]) => [k, `${v.payload}`, `${v.wire}`])));
  console.log('\ngoals (docs/performance.md):');
  console.log(
    table(
      r.goals.map((g) => [
        g.met === null ? '  ?' : g.met ? ' ok' : 'MISS',
        g.goal,
        `${fmt(g.value === null ? null : Number(g.value.toPrecision(3)))}${g.unit}`,
        `limit ${g.limit}${g.unit}`,
      ]),
    ),
  );
  if (r.meta.notes.length > 0) console.log(`\nnotes:\n${r.meta.notes.map((n) => `- ${n}`).join('\n')}`);
}
