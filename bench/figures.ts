// The measurements of docs/performance.md, each against one server kind in a fresh server process with fresh
// load workers. Every loop is bounded in events and in time.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureFrameBytes } from './bytes';
import { nowMicros } from './payload';
import { Load, probe, startServer, type ServerProcess } from './session';
import { histogramQuantile, quantile, sig } from './stats';
import type { ServerKind } from './load/worker';

export const LOAD_WORKERS = 2;

const newPage = () => `https://bench.example/page/${randomUUID()}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withSession<T>(
  kind: ServerKind,
  run: (server: ServerProcess, load: Load) => Promise<T>,
  mode: 'measure' | 'storm' = 'measure',
): Promise<T> {
  const server = await startServer(kind);
  const load = new Load(kind, LOAD_WORKERS);
  try {
    await load.init(server.port, newPage(), mode);
    return await run(server, load);
  } finally {
    await load.stop();
    await server.stop();
  }
}

/** Keeps `window` events in flight, each written once and counted once every client has it. */
function windowed(
  load: Load,
  o: { first: number; window: number; durationMs: number; maxEvents: number },
): Promise<{ events: number; seconds: number; allReceivedUs: number[] }> {
  const n = load.workers.length;
  return new Promise((resolve) => {
    const partial = new Map<number, { count: number; lastUs: number }>();
    const allReceivedUs: number[] = [];
    const started = performance.now();
    let next = o.first;
    let inflight = 0;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      off();
      clearTimeout(guard);
      resolve({ events: allReceivedUs.length, seconds: (performance.now() - started) / 1000, allReceivedUs });
    };
    const launch = () => {
      while (
        inflight < o.window &&
        performance.now() - started < o.durationMs &&
        next - o.first < o.maxEvents
      ) {
        const event = next++;
        inflight++;
        load.workers[event % n]?.call('fire', { event }).catch(() => finish());
      }
      if (inflight === 0) finish();
    };
    const off = load.onDone((event, lastUs) => {
      const p = partial.get(event) ?? { count: 0, lastUs: 0 };
      p.count++;
      p.lastUs = Math.max(p.lastUs, lastUs);
      if (p.count < n) return void partial.set(event, p);
      partial.delete(event);
      allReceivedUs.push(p.lastUs);
      inflight--;
      launch();
    });
    // An event some client never gets (a dropped socket) must not hold the run forever.
    const guard = setTimeout(finish, o.durationMs + 20_000);
    launch();
  });
}

export interface FanoutSample {
  deliveriesPerSec: number;
  cpuMicrosPerDelivery: number;
  events: number;
  seconds: number;
  closed: number;
  errors: Record<string, number>;
}

export function fanout(
  kind: ServerKind,
  clients: number,
  o: { durationMs: number; window: number },
): Promise<FanoutSample> {
  return withSession(kind, async (server, load) => {
    await load.connect(clients, 8);
    await load.all('track', { on: true });
    await windowed(load, {
      first: 0,
      window: o.window,
      durationMs: Math.min(1500, o.durationMs),
      maxEvents: 200,
    });
    await load.all('track', { on: true });
    const cpu0 = await probe.cpu(server);
    const run = await windowed(load, {
      first: 1_000_000,
      window: o.window,
      durationMs: o.durationMs,
      maxEvents: 100_000,
    });
    const cpu1 = await probe.cpu(server);
    const r = await load.reports();
    return {
      deliveriesPerSec: sig(r.deliveries / run.seconds),
      cpuMicrosPerDelivery: sig((cpu1.micros - cpu0.micros) / Math.max(1, r.deliveries)),
      events: run.events,
      seconds: sig(run.seconds),
      closed: r.closed,
      errors: r.errors,
    };
  });
}

export interface LatencySample {
  p50Ms: number;
  p99Ms: number;
  allReceivedP50Ms: number;
  allReceivedP99Ms: number;
  loopDelayP99Ms: number;
  deliveries: number;
  frames: number;
  closed: number;
  errors: Record<string, number>;
}

/** Writes at a fixed rate (open loop) and times every delivery to every other client. */
export async function paced(load: Load, server: ServerProcess, ratePerSec: number, durationMs: number) {
  const n = load.workers.length;
  const allReceived = new Map<number, { count: number; lastUs: number }>();
  const complete: number[] = [];
  const off = load.onDone((event, lastUs) => {
    const p = allReceived.get(event) ?? { count: 0, lastUs: 0 };
    p.count++;
    p.lastUs = Math.max(p.lastUs, lastUs);
    allReceived.set(event, p);
    if (p.count === n) complete.push(p.lastUs);
  });
  await load.all('track', { on: true });
  await probe.loopReset(server);
  const started = performance.now();
  const sent = await Promise.all(
    load.workers.map((w, i) =>
      w.call<{ sent: number }>(
        'pace',
        { ratePerSec: ratePerSec / n, durationMs, first: 2_000_000 + i, stride: n },
        durationMs + 30_000,
      ),
    ),
  );
  const total = sent.reduce((s, x) => s + x.sent, 0);
  const deadline = Date.now() + 10_000;
  while (complete.length < total && Date.now() < deadline) await sleep(50);
  // From the first write until the last delivery (or the drain deadline): longer than the writing
  // when the server falls behind.
  const seconds = (performance.now() - started) / 1000;
  off();
  const loop = await probe.loop(server);
  const r = await load.reports();
  return { r, loop, complete, total, seconds };
}

export function latency(kind: ServerKind, clients: number, ratePerSec: number, durationMs: number) {
  return withSession(kind, async (server, load): Promise<LatencySample> => {
    await load.connect(clients, 4);
    await paced(load, server, ratePerSec, Math.min(1000, durationMs)); // warm-up
    const { r, loop, complete } = await paced(load, server, ratePerSec, durationMs);
    return {
      p50Ms: sig(histogramQuantile(r.latency, 0.5) / 1000),
      p99Ms: sig(histogramQuantile(r.latency, 0.99) / 1000),
      allReceivedP50Ms: sig(quantile(complete, 0.5) / 1000),
      allReceivedP99Ms: sig(quantile(complete, 0.99) / 1000),
      loopDelayP99Ms: sig(loop.p99Ms),
      deliveries: r.deliveries,
      frames: r.frames,
      closed: r.closed,
      errors: r.errors,
    };
  });
}

export function memory(kind: ServerKind, connections: number) {
  return withSession(kind, async (server, load) => {
    // `--heap-snapshots=<dir>` (run.ts): snapshots before and after, for bench/heap-diff.ts.
    const snapshots = process.env.BENCH_HEAP_SNAPSHOT_DIR;
    const snap = (when: string) =>
      snapshots
        ? server.child.call(
            'heap-snapshot',
            { path: join(snapshots, `${kind}-${when}.heapsnapshot`) },
            120_000,
          )
        : Promise.resolve();
    await snap('before');
    const before = await probe.memory(server);
    await load.connect(connections, 0);
    await sleep(1000);
    const after = await probe.memory(server);
    await snap(`after-${connections}`);
    return {
      heapBytesPerConn: Math.round((after.heapUsed - before.heapUsed) / connections),
      rssBytesPerConn: Math.round((after.rss - before.rss) / connections),
    };
  });
}

export async function frameBytes() {
  const server = await startServer('ours');
  try {
    return await measureFrameBytes(server.port);
  } finally {
    await server.stop();
  }
}

export interface StormSample {
  recoverSeconds: number | null;
  /** Seconds from the kill until half / 90 % of the clients had resynced. */
  resyncP50Seconds: number;
  resyncP90Seconds: number;
  /** Connection attempts per client after the kill (refused ones included). */
  maxDials: number;
  meanDials: number;
  errors: Record<string, number>;
  restartSeconds: number;
  /** CPU seconds the restarted server spent from listening until every client had resynced. */
  serverCpuSeconds: number | null;
  lost: number;
  duplicated: number;
  writesAcked: number;
  ignoredRepeats: number;
  snapshots: number;
  replays: number;
  notes: string[];
}

interface StormStatus {
  clients: number;
  ready: number;
  resynced: number;
  maxSeq: number;
  minSeq: number;
  lastResyncAt: number;
  pending: number;
}

/**
 * Kills our server (SIGKILL, as a crash or an OOM kill would) under `clients` subscribed clients
 * while writers keep writing, starts it again on the same port and database, and times how long
 * until every client has resubscribed with `since` and holds every event.
 */
export async function storm(
  clients: number,
  o: { writesPerSec: number; killAfterMs: number; writeMs: number; timeoutMs: number },
): Promise<StormSample> {
  const dir = mkdtempSync(join(tmpdir(), 'collab-bench-storm-'));
  const db = join(dir, 'bench.sqlite');
  let server = await startServer('ours', { db });
  const port = server.port;
  const load = new Load('ours', LOAD_WORKERS);
  const notes: string[] = [];
  try {
    await load.init(port, newPage(), 'storm');
    await load.connect(clients, 8);
    await load.all('storm-arm', { untilMs: o.timeoutMs + o.writeMs });
    const writing = load.all(
      'storm-write',
      { ratePerSec: o.writesPerSec / LOAD_WORKERS, durationMs: o.writeMs },
      o.writeMs + 60_000,
    );
    await sleep(o.killAfterMs);
    const killedAt = nowMicros();
    await server.child.stop('SIGKILL');
    const restartStart = performance.now();
    server = await startServer('ours', { db, port });
    const restartSeconds = (performance.now() - restartStart) / 1000;
    const cpuAtListen = await probe.cpu(server);
    const status = async () => {
      const all = await load.all<StormStatus>('storm-status', { sinceMicros: killedAt });
      return {
        resynced: all.reduce((s, x) => s + x.resynced, 0),
        lastResyncAt: Math.max(...all.map((x) => x.lastResyncAt)),
        maxSeq: Math.max(...all.map((x) => x.maxSeq)),
        minSeq: Math.min(...all.map((x) => x.minSeq)),
        pending: all.reduce((s, x) => s + x.pending, 0),
      };
    };
    const deadline = Date.now() + o.timeoutMs;
    while (Date.now() < deadline && (await status()).resynced < clients) await sleep(100);
    const cpuAtResync = await probe.cpu(server);
    await writing;
    // Let the outboxes drain and every client reach the last seq.
    const settle = Date.now() + 20_000;
    let last = await status();
    while (Date.now() < settle && (last.pending > 0 || last.minSeq < last.maxSeq)) {
      await sleep(200);
      last = await status();
    }
    if (last.pending > 0) notes.push(`storm: ${last.pending} writes still unacknowledged at the end`);
    const timeline = await load.all<{ resyncedAt: number[]; dials: number[] }>('storm-timeline');
    const resyncSeconds = timeline
      .flatMap((t) => t.resyncedAt)
      .filter((at) => at >= killedAt)
      .map((at) => (at - killedAt) / 1e6);
    const dials = timeline.flatMap((t) => t.dials);
    const recoverSeconds = resyncSeconds.length === clients ? sig(Math.max(...resyncSeconds)) : null;
    if (recoverSeconds === null) {
      notes.push(
        `storm: only ${resyncSeconds.length} of ${clients} clients resynced within the bounds of the run`,
      );
    }
    const acked = (await load.all<{ chatId: string; seq: number }[]>('storm-acked')).flat();
    const checks = await load.all<{
      lost: number;
      duplicated: number;
      ignoredRepeats: number;
      snapshots: number;
      replays: number;
    }>('storm-check', { acked: acked.map((a) => a.chatId) }, 120_000);
    const sum = (k: keyof (typeof checks)[number]) => checks.reduce((s, c) => s + c[k], 0);
    const seqs = new Set(acked.map((a) => a.seq));
    if (seqs.size !== acked.length) notes.push(`storm: ${acked.length - seqs.size} acks shared a seq`);
    const errors = (await load.reports()).errors;
    return {
      recoverSeconds,
      resyncP50Seconds: sig(quantile(resyncSeconds, 0.5)),
      resyncP90Seconds: sig(quantile(resyncSeconds, 0.9)),
      maxDials: Math.max(0, ...dials),
      meanDials: sig(dials.reduce((a, b) => a + b, 0) / Math.max(1, dials.length)),
      errors,
      restartSeconds: sig(restartSeconds),
      serverCpuSeconds: recoverSeconds === null ? null : sig((cpuAtResync.micros - cpuAtListen.micros) / 1e6),
      lost: sum('lost'),
      duplicated: sum('duplicated') + (acked.length - seqs.size),
      writesAcked: acked.length,
      ignoredRepeats: sum('ignoredRepeats'),
      snapshots: sum('snapshots'),
      replays: sum('replays'),
      notes,
    };
  } finally {
    await load.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function batching(clients: number, eventsPerSec: number, durationMs: number) {
  return withSession('ours', async (server, load) => {
    await load.connect(clients, 16);
    const { r, seconds } = await paced(load, server, eventsPerSec, durationMs);
    return {
      framesPerClientPerSec: sig(r.frames / clients / seconds),
      eventsPerClientPerSec: sig(r.deliveries / clients / seconds),
      p99Ms: sig(histogramQuantile(r.latency, 0.99) / 1000),
      seconds: sig(seconds),
      errors: r.errors,
    };
  });
}
