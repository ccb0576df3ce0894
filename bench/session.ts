// One benchmark server (ours, the `ws` floor or Socket.IO) in its own process plus the load-worker
// processes pointed at it, with every wait bounded. The figures in run.ts are built from these.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Child, type ChildEvent } from './ipc';
import { benchSecret } from './payload';
import type { InitArgs, ServerKind, WorkerReport } from './load/worker';
import type { CpuSample, LoopDelay, MemorySample } from './servers/probe';
import { emptyHistogram, merge, type Histogram } from './stats';

const SERVER_SCRIPTS: Record<ServerKind, string> = {
  ours: './servers/ours.ts',
  ws: './servers/floor.ts',
  socketio: './servers/socketio.ts',
};

export const TOKENS = 64;
const SOURCE_ADDRESSES = 8;
const START_TIMEOUT_MS = 30_000;

export interface ServerProcess {
  child: Child;
  port: number;
  /** Stops the process and removes the database directory it was given by startServer. */
  stop(): Promise<void>;
}

export async function startServer(
  kind: ServerKind,
  options: { db?: string; port?: number } = {},
): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = { BENCH_TOKENS: String(TOKENS) };
  let ownDir: string | null = null;
  if (kind === 'ours') {
    if (options.db) env.BENCH_DB = options.db;
    else {
      ownDir = mkdtempSync(join(tmpdir(), 'collab-bench-'));
      env.BENCH_DB = join(ownDir, 'bench.sqlite');
    }
    env.BENCH_PORT = String(options.port ?? 0);
  }
  const nodeArgs = ['--expose-gc'];
  // `--profile=<dir>` (run.ts): a V8 CPU profile of every server process, written when it exits.
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  // One directory per server process: tsx's loader thread writes a profile of its own beside it.
  if (profileDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${join(profileDir, `${kind}-${Date.now()}`)}`);
  // Extra V8/Node flags for the server processes (e.g. `--single-threaded-gc`), to compare settings.
  nodeArgs.push(...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean));
  const child = new Child(`${kind} server`, SERVER_SCRIPTS[kind], { nodeArgs, env });
  const removeDir = () => {
    if (ownDir) rmSync(ownDir, { recursive: true, force: true });
  };
  const ready = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${kind} server did not start within 30 s`)),
      START_TIMEOUT_MS,
    );
    child.on((e) => {
      if (e.event === 'ready') {
        clearTimeout(timer);
        resolve(Number(e.port));
      }
    });
    child.process.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} server exited with ${code} before it was ready`));
    });
  });
  let port: number;
  try {
    port = await ready;
  } catch (err) {
    await child.stop('SIGKILL');
    removeDir();
    throw err;
  }
  return {
    child,
    port,
    async stop() {
      await child.stop();
      removeDir();
    },
  };
}

export class Load {
  readonly workers: Child[];
  constructor(
    readonly kind: ServerKind,
    workerCount: number,
  ) {
    this.workers = Array.from(
      { length: workerCount },
      (_, i) => new Child(`load worker ${i}`, './load/worker.ts'),
    );
  }

  async init(port: number, page: string, mode: InitArgs['mode']): Promise<void> {
    const tokens = Array.from({ length: TOKENS }, (_, i) => benchSecret(i));
    await this.all('init', {
      kind: this.kind,
      port,
      page,
      tokens,
      mode,
      sourceAddresses: SOURCE_ADDRESSES,
    } satisfies InitArgs);
  }

  /** Spreads `clients` over the workers, `writersPerWorker` of each worker's clients may write. */
  async connect(clients: number, writersPerWorker: number, timeoutMs = 120_000): Promise<number> {
    const share = this.split(clients);
    const results = await Promise.all(
      this.workers.map((w, i) =>
        w.call<{ ready: number; failed: number }>(
          'connect',
          { count: share[i], writers: writersPerWorker, concurrency: 64, timeoutMs },
          timeoutMs + 10_000,
        ),
      ),
    );
    const ready = results.reduce((s, r) => s + r.ready, 0);
    if (ready < clients) {
      const failed = results.reduce((s, r) => s + r.failed, 0);
      const reports = await this.reports();
      throw new Error(
        `${this.kind}: only ${ready} of ${clients} clients connected (${failed} failed); errors: ${JSON.stringify(reports.errors)}`,
      );
    }
    return ready;
  }

  split(total: number): number[] {
    const n = this.workers.length;
    return this.workers.map((_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));
  }

  all<T>(cmd: string, args: unknown = {}, timeoutMs?: number): Promise<T[]> {
    return Promise.all(this.workers.map((w) => w.call<T>(cmd, args, timeoutMs)));
  }

  async reports(): Promise<{
    deliveries: number;
    frames: number;
    latency: Histogram;
    closed: number;
    errors: Record<string, number>;
  }> {
    const reports = await this.all<WorkerReport>('report');
    const errors: Record<string, number> = {};
    for (const r of reports) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
    return {
      deliveries: reports.reduce((s, r) => s + r.deliveries, 0),
      frames: reports.reduce((s, r) => s + r.frames, 0),
      latency: reports.reduce((h, r) => merge(h, r.latency), emptyHistogram()),
      closed: reports.reduce((s, r) => s + r.closed, 0),
      errors,
    };
  }

  /** Calls `listener` for every "event fully delivered in one worker" notice. */
  onDone(listener: (event: number, lastUs: number) => void): () => void {
    const offs = this.workers.map((w) =>
      w.on((e: ChildEvent) => {
        if (e.event === 'done') listener(Number(e.id), Number(e.lastUs));
      }),
    );
    return () => offs.forEach((off) => off());
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.call('close', {}, 30_000)));
    await Promise.all(this.workers.map((w) => w.stop()));
  }
}

export const probe = {
  cpu: (s: ServerProcess) => s.child.call<CpuSample>('cpu'),
  loopReset: (s: ServerProcess) => s.child.call('loop-reset'),
  loop: (s: ServerProcess) => s.child.call<LoopDelay>('loop'),
  memory: (s: ServerProcess) => s.child.call<MemorySample>('memory', {}, 60_000),
};
