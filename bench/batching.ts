// Benchmark (not a test): one page, 200 reading clients, writers committing 1,000 events per second
// through the real write path, with batching on (the default flush window) and off, side by side in
// one run. Reports frames and events per client per second and the latency from a writer's send to
// each reader's receipt (p50/p99/max), then writes bench/results/batching.json.
//
// The server runs in the main thread; readers and writers each run in a worker thread of their own,
// so that client work does not stall the server's event loop more than the machine must.
// Loopback only; bounded: each mode writes for DURATION_MS and waits at most DRAIN_MS for the rest.
//
//   npm run bench:batching [-- --readers=200 --rate=1000 --seconds=5]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../lib/protocol';
import { createCollabServer } from '../server/app';
import { issueToken } from '../server/auth';
import { DEFAULTS, resolveConfig } from '../server/config';
import { openStore } from '../server/store/open';

const PAGE = 'https://bench.example/one-page';
/** Each writer connection stays under the per-connection rate limit (50 frames/s). */
const WRITER_RATE = 40;
const DRAIN_MS = 20_000;

interface Args {
  readers: number;
  rate: number;
  seconds: number;
  only?: 'batched' | 'unbatched';
}

function parseArgs(argv: string[]): Args {
  const args: Args = { readers: 200, rate: 1000, seconds: 5 };
  for (const arg of argv) {
    const only = /^--only=(batched|unbatched)$/.exec(arg);
    if (only) {
      args.only = only[1] as Args['only'];
      continue;
    }
    const m = /^--(readers|rate|seconds)=(\d+)$/.exec(arg);
    if (!m)
      throw new Error(
        `unknown argument ${arg}; use --readers=N --rate=N --seconds=N --only=batched|unbatched`,
      );
    args[m[1] as 'readers' | 'rate' | 'seconds'] = Number(m[2]);
  }
  if (args.seconds > 30 || args.readers > 2000 || args.rate > 5000) {
    throw new Error('keep it bounded: at most --seconds=30, --readers=2000, --rate=5000');
  }
  return args;
}

// ---------------------------------------------------------------- worker side

interface ReaderResult {
  frames: number;
  events: number;
  latencies: number[];
  closes: Record<string, number>;
  /** Wall-clock ms (clock()) when counting started and when the last event arrived. */
  startAt: number;
  lastAt: number;
}

type Job =
  | { role: 'readers'; url: string; token: string; count: number }
  | { role: 'writers'; url: string; token: string; rate: number; durationMs: number };

const clock = () => performance.timeOrigin + performance.now();

function open(url: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', token, protocol: PROTOCOL_VERSION })));
    ws.once('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string };
      if (frame.type === 'welcome') resolve(ws);
      else reject(new Error(`expected welcome, got ${frame.type}`));
    });
  });
}

async function runReaders(job: Extract<Job, { role: 'readers' }>): Promise<void> {
  const port = parentPort!;
  const result: ReaderResult = { frames: 0, events: 0, latencies: [], closes: {}, startAt: 0, lastAt: 0 };
  let counting = false;
  const sockets: WebSocket[] = [];
  const marker = /"text":"t:([0-9.]+)"/g;
  for (let i = 0; i < job.count; i++) {
    const ws = await open(job.url, job.token);
    await new Promise<void>((resolve) => {
      ws.on('message', (data) => {
        const text = data.toString();
        if (text.startsWith('{"type":"snapshot"')) resolve();
        if (!counting) return;
        result.frames++;
        const now = clock();
        // Cheaper than parsing every frame, and the same for plain and batched frames.
        for (const m of text.matchAll(marker)) {
          result.events++;
          result.latencies.push(now - Number(m[1]));
          result.lastAt = now;
        }
      });
      ws.on('close', (code) => {
        result.closes[code] = (result.closes[code] ?? 0) + 1;
      });
      ws.send(JSON.stringify({ type: 'subscribe', page: PAGE }));
    });
    sockets.push(ws);
  }
  port.on('message', (msg: { type: string; expected?: number }) => {
    if (msg.type === 'start') {
      counting = true;
      result.startAt = clock();
      return;
    }
    if (msg.type === 'drain') {
      const want = msg.expected! * job.count;
      const deadline = Date.now() + DRAIN_MS;
      const check = () => {
        if (result.events >= want || Date.now() > deadline) {
          for (const ws of sockets) ws.terminate();
          port.postMessage({ type: 'result', result });
        } else setTimeout(check, 20);
      };
      check();
    }
  });
  port.postMessage({ type: 'ready' });
}

async function runWriters(job: Extract<Job, { role: 'writers' }>): Promise<void> {
  const port = parentPort!;
  const count = Math.ceil(job.rate / WRITER_RATE);
  const sockets: WebSocket[] = [];
  let acked = 0;
  let errors = 0;
  const closes: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const ws = await open(job.url, job.token);
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('{"type":"ack"')) acked++;
      else if (text.startsWith('{"type":"error"')) errors++;
    });
    ws.on('close', (code) => {
      closes[code] = (closes[code] ?? 0) + 1;
    });
    sockets.push(ws);
  }
  port.on('message', (msg: { type: string }) => {
    if (msg.type !== 'start') return;
    const started = performance.now();
    let sent = 0;
    const tick = () => {
      const elapsed = performance.now() - started;
      const due = Math.min(
        Math.floor((elapsed / 1000) * job.rate),
        Math.floor((job.durationMs / 1000) * job.rate),
      );
      while (sent < due) {
        const n = sent++;
        const id = `c${n.toString(36).padStart(7, '0')}${randomUUID().slice(0, 8)}`;
        sockets[n % count]!.send(
          JSON.stringify({
            type: 'create-chat',
            broadcastId: randomUUID(),
            page: PAGE,
            chatId: id,
            commentId: `${id}x`,
            selectors: [
              {
                type: 'TextQuoteSelector',
                exact: 'a quoted sentence of the page',
                prefix: 'before ',
                suffix: ' after',
              },
            ],
            text: `t:${clock().toFixed(3)}`,
          }),
        );
      }
      if (elapsed < job.durationMs) {
        setTimeout(tick, 5);
        return;
      }
      const sentAt = performance.now();
      // Every write answered (ack or error), or give up after the drain bound.
      const wait = () => {
        if (acked + errors >= sent || performance.now() - sentAt > DRAIN_MS) {
          port.postMessage({
            type: 'result',
            sent,
            acked,
            errors,
            closes: { ...closes },
            seconds: elapsed / 1000,
          });
          for (const ws of sockets) ws.terminate();
        } else setTimeout(wait, 20);
      };
      wait();
    };
    tick();
  });
  port.postMessage({ type: 'ready' });
}

// ---------------------------------------------------------------- main side

function spawn(job: Job): { worker: Worker; next(type: string): Promise<Record<string, unknown>> } {
  // Workers do not inherit tsx's loader (privatenumber/tsx#354): register it, then load this file.
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
    .then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: job });
  const inbox: Record<string, unknown>[] = [];
  const waiting: { type: string; resolve(msg: Record<string, unknown>): void }[] = [];
  worker.on('message', (msg: Record<string, unknown>) => {
    const i = waiting.findIndex((w) => w.type === msg.type);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(msg);
    else inbox.push(msg);
  });
  worker.on('error', (err) => {
    console.error(`bench worker (${job.role}) failed: ${err.message}`);
    process.exit(1);
  });
  return {
    worker,
    next(type) {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]!);
      return new Promise((resolve) => waiting.push({ type, resolve }));
    },
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface ModeResult {
  mode: string;
  flushWindowMs: number;
  readers: number;
  targetRate: number;
  eventsSent: number;
  eventsAcked: number;
  /** Events the store holds at the end: what every reader should receive. */
  eventsCommitted: number;
  writeErrors: number;
  writerCloses: Record<string, number>;
  achievedRate: number;
  seconds: number;
  /** From the start of writing to the last event a reader received. */
  deliverySeconds: number;
  framesPerClientPerSec: number;
  eventsPerClientPerSec: number;
  eventsDelivered: number;
  eventsExpected: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** The server thread's event-loop delay while the mode ran (how far behind it fell). */
  serverLoopDelayMs: { p50: number; p99: number; max: number };
  loadavg: number[];
  closes: Record<string, number>;
}

async function runMode(args: Args, mode: string, flushWindowMs: number): Promise<ModeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'collab-chat-bench-'));
  try {
    const config = resolveConfig(
      {},
      {},
      { host: '127.0.0.1', port: 0, db: join(dir, 'bench.db'), flushWindowMs },
    );
    const seed = await openStore(config.db);
    const tenant = await seed.createTenant('Bench');
    const reader = await seed.createUser(tenant.id, 'Reader');
    const writer = await seed.createUser(tenant.id, 'Writer');
    const readerToken = (await issueToken(seed, { tenantId: tenant.id, userId: reader.id, role: 'member' }))
      .secret;
    const writerToken = (await issueToken(seed, { tenantId: tenant.id, userId: writer.id, role: 'member' }))
      .secret;
    await seed.close();
    const server = await createCollabServer(config, { log: () => {} });
    try {
      const readers = spawn({ role: 'readers', url: server.url, token: readerToken, count: args.readers });
      const writers = spawn({
        role: 'writers',
        url: server.url,
        token: writerToken,
        rate: args.rate,
        durationMs: args.seconds * 1000,
      });
      await Promise.all([readers.next('ready'), writers.next('ready')]);
      const loop = monitorEventLoopDelay({ resolution: 5 });
      loop.enable();
      readers.worker.postMessage({ type: 'start' });
      writers.worker.postMessage({ type: 'start' });
      const w = (await writers.next('result')) as {
        sent: number;
        acked: number;
        errors: number;
        closes: Record<string, number>;
        seconds: number;
      };
      const committed = (await server.store.snapshot(tenant.id, PAGE)).seq;
      readers.worker.postMessage({ type: 'drain', expected: committed });
      const r = ((await readers.next('result')) as { result: ReaderResult }).result;
      loop.disable();
      const ms = (ns: number) => Number((ns / 1e6).toFixed(1));
      await Promise.all([readers.worker.terminate(), writers.worker.terminate()]);
      const latencies = Float64Array.from(r.latencies).sort();
      const sorted = Array.from(latencies);
      const deliverySeconds = Math.max(0.001, (r.lastAt - r.startAt) / 1000);
      return {
        mode,
        flushWindowMs,
        readers: args.readers,
        targetRate: args.rate,
        eventsSent: w.sent,
        eventsAcked: w.acked,
        eventsCommitted: committed,
        writeErrors: w.errors,
        writerCloses: w.closes,
        achievedRate: Math.round(w.sent / w.seconds),
        seconds: Number(w.seconds.toFixed(2)),
        deliverySeconds: Number(deliverySeconds.toFixed(2)),
        framesPerClientPerSec: Number((r.frames / args.readers / deliverySeconds).toFixed(1)),
        eventsPerClientPerSec: Number((r.events / args.readers / deliverySeconds).toFixed(1)),
        eventsDelivered: r.events,
        eventsExpected: committed * args.readers,
        latencyMs: {
          p50: Number(percentile(sorted, 50).toFixed(1)),
          p99: Number(percentile(sorted, 99).toFixed(1)),
          max: Number(percentile(sorted, 100).toFixed(1)),
        },
        closes: r.closes,
        serverLoopDelayMs: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
        loadavg: loadavg().map((l) => Number(l.toFixed(2))),
      };
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = new Date().toISOString();
  const load = loadavg();
  const results: ModeResult[] = [];
  for (const [mode, window] of [
    ['batched', DEFAULTS.flushWindowMs],
    ['unbatched', 0],
  ] as const) {
    if (args.only !== undefined && args.only !== mode) continue;
    console.error(
      `running ${mode} (flush window ${window} ms): ${args.readers} readers, ${args.rate} events/s, ${args.seconds} s`,
    );
    results.push(await runMode(args, mode, window));
  }
  const rows = results.map((r) => ({
    mode: r.mode,
    'window ms': r.flushWindowMs,
    'events/s sent': r.achievedRate,
    committed: r.eventsCommitted,
    'write errors': r.writeErrors,
    'delivery s': r.deliverySeconds,
    'frames/client/s': r.framesPerClientPerSec,
    'events/client/s': r.eventsPerClientPerSec,
    delivered: `${r.eventsDelivered}/${r.eventsExpected}`,
    'p50 ms': r.latencyMs.p50,
    'p99 ms': r.latencyMs.p99,
    'max ms': r.latencyMs.max,
    'server loop p99 ms': r.serverLoopDelayMs.p99,
    'reader closes': Object.entries(r.closes)
      .map(([code, n]) => `${code}×${n}`)
      .join(' '),
    'writer closes': Object.entries(r.writerCloses)
      .map(([code, n]) => `${code}×${n}`)
      .join(' '),
  }));
  console.table(rows);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  const out = new URL('./results/batching.json', import.meta.url);
  writeFileSync(
    out,
    JSON.stringify(
      {
        started,
        node: process.version,
        cpus: cpus().length,
        loadavg: load.map((l) => Number(l.toFixed(2))),
        args,
        results,
      },
      null,
      2,
    ) + '\n',
  );
  console.error(`wrote ${out.pathname}`);
}

if (isMainThread) {
  main().catch((err: Error) => {
    console.error(`bench failed: ${err.message}`);
    process.exit(1);
  });
} else {
  const job = workerData as Job;
  void (job.role === 'readers' ? runReaders(job) : runWriters(job));
}
