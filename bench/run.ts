// `npm run bench`: runs every figure of docs/performance.md against our server, the bare `ws` floor and
// Socket.IO one after another, prints a table, writes bench/results/latest.json and draws the
// latency and throughput charts (bench/results/latest.png). `--quick` uses small client counts to
// smoke-test the harness; `--only=fanout,latency,…` runs some figures; `--profile=<dir>` writes a
// CPU profile of each server process; `--heap-snapshots=<dir>` heap snapshots around the memory figure; `--servers=ours,ws` measures only those.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { drawCharts } from './chart';
import { comeback, COMEBACK_POLICIES } from './comeback';
import * as fig from './figures';
import { printTable } from './report';
import {
  BenchResult,
  emptyResult,
  evaluateGoals,
  SERVER_KINDS,
  type BenchResultT,
  type ServerKindName,
} from './schema';
import { planFor, type Plan } from './plan';
import { sig } from './stats';
import { searchFigure } from './search';
import { storeFigure } from './store';

const FIGURES = [
  'fanout',
  'latency',
  'memory',
  'bytes',
  'storm',
  'comeback',
  'batching',
  'store',
  'search',
] as const;

function parseArgs(argv: string[]): {
  quick: boolean;
  only: Set<string>;
  out: string;
  servers: readonly ServerKindName[];
} {
  let quick = false;
  let servers: readonly ServerKindName[] = SERVER_KINDS;
  let only = new Set<string>(FIGURES);
  let out = fileURLToPath(new URL('./results/', import.meta.url));
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg.startsWith('--only=')) only = new Set(arg.slice(7).split(','));
    else if (arg.startsWith('--out=')) out = arg.slice(6);
    else if (arg.startsWith('--profile=')) process.env.BENCH_CPU_PROF_DIR = arg.slice(10);
    else if (arg.startsWith('--heap-snapshots=')) process.env.BENCH_HEAP_SNAPSHOT_DIR = arg.slice(17);
    else if (arg.startsWith('--servers=')) {
      const names = arg.slice(10).split(',');
      for (const n of names)
        if (!(SERVER_KINDS as readonly string[]).includes(n)) throw new Error(`unknown server ${n}`);
      servers = SERVER_KINDS.filter((k) => names.includes(k));
    } else
      throw new Error(
        `unknown option ${arg}; use --quick, --only=${FIGURES.join(',')}, --servers=ours,ws,socketio, --out=<dir>, --profile=<dir> or --heap-snapshots=<dir>`,
      );
  }
  for (const f of only)
    if (!(FIGURES as readonly string[]).includes(f)) throw new Error(`unknown figure ${f}`);
  return { quick, only, out: out.endsWith('/') ? out : `${out}/`, servers };
}

/** The commit measured, with "+changes" when the work tree differs from it. */
function treeVersion(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'server', 'lib', 'bench'], {
      encoding: 'utf8',
    }).trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const plan: Plan = planFor(args.quick);
  const started = performance.now();
  const notes: string[] = [];
  const result = emptyResult(plan.sizes);
  const log = (line: string) =>
    console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${line}`);
  const attempt = async <T>(what: string, run: () => Promise<T>): Promise<T | null> => {
    log(`${what} …`);
    try {
      return await run();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      notes.push(`${what}: failed: ${message}`);
      log(`${what}: FAILED: ${message}`);
      return null;
    }
  };
  const warnIf = (what: string, s: { closed: number; errors: Record<string, number> } | null) => {
    if (s && (s.closed > 0 || Object.keys(s.errors).length > 0)) {
      notes.push(`${what}: ${s.closed} sockets closed during the run; errors ${JSON.stringify(s.errors)}`);
    }
  };

  if (args.only.has('fanout')) {
    for (const [i, clients] of plan.sizes.fanoutClients.entries()) {
      for (const kind of args.servers) {
        const s = await attempt(`fan-out ${kind} ${clients} clients`, () =>
          fig.fanout(kind, clients, plan.fanout),
        );
        warnIf(`fan-out ${kind} ${clients}`, s);
        if (!s) continue;
        const f = result.fanout[kind];
        f.deliveriesPerSec[i] = s.deliveriesPerSec;
        f.cpuMicrosPerDelivery[i] = s.cpuMicrosPerDelivery;
        f.cpuBoundDeliveriesPerSec[i] = sig(1e6 / s.cpuMicrosPerDelivery);
        f.events[i] = s.events;
        f.seconds[i] = s.seconds;
        log(
          `  ${s.deliveriesPerSec} deliveries/s, ${s.cpuMicrosPerDelivery} µs CPU/delivery (${s.events} events)`,
        );
      }
    }
  }
  if (args.only.has('latency')) {
    for (const [i, l] of plan.sizes.latency.entries()) {
      for (const kind of args.servers) {
        const s = await attempt(`latency ${kind} ${l.clients} clients × ${l.ratePerSec}/s`, () =>
          fig.latency(kind, l.clients, l.ratePerSec, plan.latencyMs),
        );
        warnIf(`latency ${kind} ${l.clients}`, s);
        if (!s) continue;
        const f = result.latency[kind];
        f.p50Ms[i] = s.p50Ms;
        f.p99Ms[i] = s.p99Ms;
        f.allReceivedP50Ms[i] = s.allReceivedP50Ms;
        f.allReceivedP99Ms[i] = s.allReceivedP99Ms;
        f.loopDelayP99Ms[i] = s.loopDelayP99Ms;
        f.deliveries[i] = s.deliveries;
        log(
          `  p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms, all-received p99 ${s.allReceivedP99Ms} ms, loop p99 ${s.loopDelayP99Ms} ms`,
        );
      }
    }
  }
  if (args.only.has('memory')) {
    for (const kind of args.servers) {
      const s = await attempt(`memory ${kind} ${plan.sizes.memoryConnections} connections`, () =>
        fig.memory(kind, plan.sizes.memoryConnections),
      );
      if (!s) continue;
      result.memory[kind].heapBytesPerConn = s.heapBytesPerConn;
      result.memory[kind].rssBytesPerConn = s.rssBytesPerConn;
      log(`  heap ${s.heapBytesPerConn} B/conn, RSS ${s.rssBytesPerConn} B/conn`);
    }
  }
  if (args.only.has('bytes') && args.servers.includes('ours')) {
    const s = await attempt('wire bytes per frame type', () => fig.frameBytes());
    if (s) {
      result.bytes = s;
      log(
        `  new-text-chat ${s.newTextChat} B on the wire, ${s.newTextChatNamingAuthor} B naming its author (Socket.IO: ${s.socketioNewTextChat} B)`,
      );
    }
  }
  if (args.only.has('storm') && args.servers.includes('ours')) {
    const s = await attempt(`reconnect storm ${plan.sizes.stormClients} clients`, () =>
      fig.storm(plan.sizes.stormClients, { writesPerSec: plan.sizes.stormWritesPerSec, ...plan.storm }),
    );
    if (s) {
      Object.assign(result.storm, {
        recoverSeconds: s.recoverSeconds,
        resyncP50Seconds: s.resyncP50Seconds,
        resyncP90Seconds: s.resyncP90Seconds,
        restartSeconds: s.restartSeconds,
        serverCpuSeconds: s.serverCpuSeconds,
        maxDials: s.maxDials,
        meanDials: s.meanDials,
        lost: s.lost,
        duplicated: s.duplicated,
        writesAcked: s.writesAcked,
        ignoredRepeats: s.ignoredRepeats,
        snapshots: s.snapshots,
        replays: s.replays,
      });
      notes.push(...s.notes);
      log(
        `  all resynced in ${s.recoverSeconds} s (half ${s.resyncP50Seconds} s, 90 % ${s.resyncP90Seconds} s; server back after ${s.restartSeconds} s, then ${s.serverCpuSeconds} s of its CPU), ` +
          `lost ${s.lost}, duplicated ${s.duplicated}, ${s.writesAcked} writes acked, dials per client mean ${s.meanDials} max ${s.maxDials}`,
      );
      log(`  client-side errors: ${JSON.stringify(s.errors)}`);
    }
  }
  if (args.only.has('comeback')) {
    const rows = await attempt('lone client back after an outage (simulated clock)', () =>
      comeback(COMEBACK_POLICIES, {
        outagesMs: [5_000, 60_000, 300_000],
        trials: 50,
        rttMs: 50,
        startingMs: 300,
      }),
    );
    if (rows) {
      result.comeback.rows = rows;
      for (const row of rows)
        log(
          `  ${row.policy}, ${row.outageSeconds} s outage: p50 ${row.p50Seconds} s, p90 ${row.p90Seconds} s, max ${row.maxSeconds} s (${row.meanDials} dials)`,
        );
    }
  }
  if (args.only.has('batching') && args.servers.includes('ours')) {
    const b = plan.sizes;
    const s = await attempt(
      `batching ${b.batchingClients} clients × ${b.batchingEventsPerSec} events/s`,
      () => fig.batching(b.batchingClients, b.batchingEventsPerSec, plan.batchingMs),
    );
    warnIf('batching', s ? { closed: 0, errors: s.errors } : null);
    if (s) {
      result.batching.runs.push({
        label: 'as built',
        framesPerClientPerSec: s.framesPerClientPerSec,
        eventsPerClientPerSec: s.eventsPerClientPerSec,
        p99Ms: s.p99Ms,
        seconds: s.seconds,
      });
      log(
        `  ${s.framesPerClientPerSec} frames and ${s.eventsPerClientPerSec} events per client per s, p99 ${s.p99Ms} ms`,
      );
    }
  }

  if (args.only.has('store') && args.servers.includes('ours')) {
    const s = await attempt(
      'store: writes to threads of 10, 1,000 and 10,000 comments; subscribe storm',
      () => storeFigure({ seconds: args.quick ? 2 : 5, clients: 16, stormSockets: 8 }),
    );
    if (s) {
      (result as { store?: typeof s }).store = s;
      for (const r of s.threads)
        log(
          `  ${r.comments} comments: ${r.writesPerSec} writes/s, ack p50 ${r.p50AckMs} ms, p99 ${r.p99AckMs} ms, loop max ${r.loopMaxMs} ms`,
        );
      log(
        `  storm: ${s.storm.subscribes} subscribes, largest frame ${s.storm.largestFrameBytes} B, loop max ${s.storm.loopMaxMs} ms (p99 ${s.storm.loopP99Ms}), server CPU ${s.storm.serverCpuMs} ms, /healthz max ${s.storm.healthzMaxMs} ms`,
      );
    }
  }

  if (args.only.has('search')) {
    const comments = args.quick ? 10_000 : 100_000;
    const runs = await attempt(`search as you type over ${comments} comments, SQLite and PostgreSQL`, () =>
      searchFigure({
        comments,
        databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      }),
    );
    if (runs) {
      result.search = runs;
      for (const r of runs)
        log(
          `  ${r.store}, ${r.comments} comments: ${r.queries} queries, p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms (seeded in ${r.seedSeconds} s)`,
        );
    }
  }

  const cpu = cpus();
  const full: BenchResultT = BenchResult.parse({
    meta: {
      date: new Date().toISOString(),
      quick: args.quick,
      commit: treeVersion(),
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      machine: {
        cpus: cpu.length,
        cpuModel: cpu[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        loadAverageAtStart: plan.loadAtStart,
      },
      seconds: Math.round((performance.now() - started) / 1000),
      notes,
    },
    ...result,
    goals: evaluateGoals(result),
  });
  mkdirSync(args.out, { recursive: true });
  const name = args.quick ? 'quick' : 'latest';
  writeFileSync(`${args.out}${name}.json`, JSON.stringify(full, null, 2) + '\n');
  printTable(full);
  const png = `${args.out}${name}.png`;
  await attempt('chart', () => drawCharts(full, png));
  console.log(`\nwrote ${args.out}${name}.json and ${png}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
