// The store figures: writes/s and p99 ack latency to threads of 10, 1,000 and 10,000 comments (the
// goal is a flat line), and the longest event-loop stall of our server while a page of 300 discussions
// of ~15 KB is subscribed over and over. The database is made before the server starts, as schema 2
// (the previous release's: one JSON document per discussion) so that the same seed serves a server
// of either release; the current server migrates it on open.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { benchSecret, entityId, hello, TYPICAL_PAGE, anchorSelectors } from './payload';
import { startServer, TOKENS } from './session';
import { hashToken } from '../server/auth';
import type { CpuSample, LoopDelay } from './servers/probe';
import { quantile } from './stats';

export const THREAD_SIZES = [10, 1_000, 10_000] as const;
const STORM_PAGE = 'https://news.example.com/2026/11/a-page-with-three-hundred-discussions';
const STORM_DISCUSSIONS = 300;

export interface ThreadRun {
  comments: number;
  writesPerSec: number;
  p50AckMs: number;
  p99AckMs: number;
  loopMaxMs: number;
  loopP99Ms: number;
}

export interface StoreFigure {
  threads: ThreadRun[];
  storm: {
    subscribes: number;
    snapshotFrames: number;
    largestFrameBytes: number;
    loopMaxMs: number;
    loopP99Ms: number;
    /** The longest stall the server's own CPU time accounts for (see LoopDelay.cpuStallMaxMs). */
    cpuStallMaxMs: number;
    gcMaxMs: number;
    /** CPU time the server used during the storm (user + system, all its threads). */
    serverCpuMs: number;
    healthzMaxMs: number;
    healthzChecks: number;
  };
}

/** Schema 2 of the SQLite store, as the previous release created it (its two migrations). */
const SCHEMA_2 = `
  CREATE TABLE tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);
  CREATE TABLE users (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), name TEXT NOT NULL,
    created_at INTEGER NOT NULL);
  CREATE INDEX users_tenant ON users(tenant_id);
  CREATE TABLE tokens (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id),
    user_id TEXT NOT NULL REFERENCES users(id), role TEXT NOT NULL CHECK (role IN ('member', 'admin')),
    label TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL, revoked_at INTEGER);
  CREATE INDEX tokens_tenant ON tokens(tenant_id);
  CREATE INDEX tokens_revoked ON tokens(revoked_at) WHERE revoked_at IS NOT NULL;
  CREATE TABLE discussions (ord INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id TEXT NOT NULL, id TEXT NOT NULL,
    page TEXT NOT NULL, doc TEXT NOT NULL, UNIQUE (tenant_id, id));
  CREATE INDEX discussions_page ON discussions(tenant_id, page, ord);
  CREATE TABLE pages (tenant_id TEXT NOT NULL, page TEXT NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, page)) WITHOUT ROWID;
  CREATE TABLE events (tenant_id TEXT NOT NULL, page TEXT NOT NULL, seq INTEGER NOT NULL,
    broadcast_id TEXT NOT NULL, frame TEXT NOT NULL, created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, page, seq), UNIQUE (tenant_id, broadcast_id)) WITHOUT ROWID;
  CREATE TABLE usage (tenant_id TEXT NOT NULL, hour INTEGER NOT NULL, site TEXT NOT NULL,
    messages INTEGER NOT NULL, bytes INTEGER NOT NULL, PRIMARY KEY (tenant_id, hour, site)) WITHOUT ROWID;
  PRAGMA user_version = 2;
`;

const threadId = (n: number) => `bench-thread-${n}`;

/** The bench tenant with its tokens, one thread per size on the typical page, and the storm page. */
function seed(path: string): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA_2);
  const tenant = 'ten_bench';
  db.transaction(() => {
    db.prepare('INSERT INTO tenants VALUES (?, ?, ?)').run(tenant, 'bench', Date.now());
    for (let i = 0; i < TOKENS; i++) {
      db.prepare('INSERT INTO users VALUES (?, ?, ?, ?)').run(`usr_bench_${i}`, tenant, `Bench User ${i}`, 1);
      db.prepare('INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?, NULL)').run(
        randomUUID(),
        tenant,
        `usr_bench_${i}`,
        'member',
        `bench ${i}`,
        hashToken(benchSecret(i)),
        1,
      );
    }
    const insert = db.prepare('INSERT INTO discussions (tenant_id, id, page, doc) VALUES (?, ?, ?, ?)');
    const comment = (i: number, text: string) => ({
      id: `c${i.toString().padStart(6, '0')}-${entityId().slice(0, 10)}`,
      author: { id: `usr_bench_${i % TOKENS}`, name: `Bench User ${i % TOKENS}` },
      text,
      at: 1_764_000_000_000 + i,
    });
    const remark = 'A typical remark about the quoted passage, long enough to say something useful. ';
    for (const n of THREAD_SIZES) {
      const comments = Array.from({ length: n }, (_, i) => comment(i, remark.slice(0, 80)));
      insert.run(
        tenant,
        threadId(n),
        TYPICAL_PAGE,
        JSON.stringify({ id: threadId(n), selectors: anchorSelectors(), comments }),
      );
    }
    db.prepare('INSERT INTO pages VALUES (?, ?, ?)').run(tenant, TYPICAL_PAGE, THREAD_SIZES.length);
    // ~15 KB each: an opening comment and three replies of about 3,700 characters.
    const long = remark.repeat(50).slice(0, 3700);
    for (let d = 0; d < STORM_DISCUSSIONS; d++) {
      const comments = Array.from({ length: 4 }, (_, i) => comment(d * 4 + i, long));
      insert.run(
        tenant,
        `storm-${d}`,
        STORM_PAGE,
        JSON.stringify({ id: `storm-${d}`, selectors: anchorSelectors(), comments }),
      );
    }
    db.prepare('INSERT INTO pages VALUES (?, ?, ?)').run(tenant, STORM_PAGE, STORM_DISCUSSIONS);
  })();
  db.close();
}

async function connect(port: number, token: number): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify(hello(benchSecret(token))));
  await new Promise<void>((resolve, reject) => {
    const onMessage = (data: Buffer) => {
      const type = (JSON.parse(data.toString()) as { type: string }).type;
      if (type === 'welcome') {
        ws.off('message', onMessage);
        resolve();
      } else reject(new Error(`expected welcome, got ${type}`));
    };
    ws.on('message', onMessage);
  });
  return ws;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `clients` connections each write replies to one thread, one at a time (the next after the ack),
 * at most 45 per second each (under the per-connection rate limit), for `ms`.
 */
async function writeToThread(
  port: number,
  discussionId: string,
  clients: number,
  ms: number,
): Promise<number[]> {
  const sockets = await Promise.all(Array.from({ length: clients }, (_, i) => connect(port, i)));
  const latencies: number[] = [];
  const until = performance.now() + ms;
  try {
    await Promise.all(
      sockets.map(async (ws) => {
        while (performance.now() < until) {
          const broadcastId = randomUUID();
          const sent = performance.now();
          const acked = new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('no ack within 30 s')), 30_000);
            const onMessage = (data: Buffer) => {
              const f = JSON.parse(data.toString()) as { type: string; broadcastId?: string; code?: string };
              if (f.broadcastId !== broadcastId) return;
              ws.off('message', onMessage);
              clearTimeout(timer);
              if (f.type === 'ack') resolve();
              else reject(new Error(`write refused: ${f.code}`));
            };
            ws.on('message', onMessage);
          });
          ws.send(
            JSON.stringify({
              type: 'add-comment',
              broadcastId,
              page: TYPICAL_PAGE,
              chatId: discussionId,
              commentId: entityId(),
              text: 'A typical reply of about eighty characters, long enough to say something useful.',
            }),
          );
          await acked;
          latencies.push(performance.now() - sent);
          const wait = sent + 1000 / 45 - performance.now();
          if (wait > 0) await sleep(wait);
        }
      }),
    );
  } finally {
    for (const ws of sockets) ws.terminate();
  }
  return latencies;
}

export async function storeFigure(options: {
  seconds: number;
  clients: number;
  stormSockets: number;
}): Promise<StoreFigure> {
  const dir = mkdtempSync(join(tmpdir(), 'collab-bench-store-'));
  const db = join(dir, 'store.sqlite');
  seed(db);
  process.env.BENCH_MAX_COMMENTS = '1000000';
  const server = await startServer('ours', { db });
  const loop = async <T>(measure: () => Promise<T>): Promise<[T, LoopDelay]> => {
    await server.child.call('loop-reset');
    const value = await measure();
    return [value, await server.child.call<LoopDelay>('loop')];
  };
  try {
    const threads: ThreadRun[] = [];
    // A second of writes first, so the first thread measured does not pay for warming up.
    if (!process.env.BENCH_STORE_STORM_ONLY)
      await writeToThread(server.port, threadId(10), options.clients, 1000);
    for (const n of process.env.BENCH_STORE_STORM_ONLY ? [] : THREAD_SIZES) {
      const started = performance.now();
      const [latencies, delay] = await loop(() =>
        writeToThread(server.port, threadId(n), options.clients, options.seconds * 1000),
      );
      const seconds = (performance.now() - started) / 1000;
      threads.push({
        comments: n,
        writesPerSec: Math.round(latencies.length / seconds),
        p50AckMs: round(quantile(latencies, 0.5)),
        p99AckMs: round(quantile(latencies, 0.99)),
        loopMaxMs: round(delay.maxMs),
        loopP99Ms: round(delay.p99Ms),
      });
    }

    // The storm: sockets subscribe to the big page over and over (within the rate limit), while
    // /healthz is timed from here.
    const sockets = await Promise.all(
      Array.from({ length: options.stormSockets }, (_, i) => connect(server.port, i)),
    );
    let frames = 0;
    let largest = 0;
    let subscribes = 0;
    for (const ws of sockets)
      ws.on('message', (data: Buffer) => {
        if (data.includes('"type":"snapshot"')) {
          frames++;
          largest = Math.max(largest, data.length);
        }
      });
    const healthz: number[] = [];
    const cpuBefore = await server.child.call<CpuSample>('cpu');
    const [, delay] = await loop(async () => {
      const until = performance.now() + options.seconds * 1000;
      const storm = Promise.all(
        sockets.map(async (ws) => {
          while (performance.now() < until) {
            ws.send(JSON.stringify({ type: 'subscribe', page: STORM_PAGE }));
            subscribes++;
            await sleep(1000 / 20);
          }
        }),
      );
      while (performance.now() < until) {
        const t0 = performance.now();
        await fetch(`http://127.0.0.1:${server.port}/healthz`);
        healthz.push(performance.now() - t0);
        await sleep(100);
      }
      await storm;
    });
    const cpuAfter = await server.child.call<CpuSample>('cpu');
    for (const ws of sockets) ws.terminate();
    return {
      threads,
      storm: {
        subscribes,
        snapshotFrames: frames,
        largestFrameBytes: largest,
        loopMaxMs: round(delay.maxMs),
        loopP99Ms: round(delay.p99Ms),
        cpuStallMaxMs: round(delay.cpuStallMaxMs),
        gcMaxMs: round(delay.gcMaxMs),
        serverCpuMs: Math.round((cpuAfter.micros - cpuBefore.micros) / 1000),
        healthzMaxMs: round(Math.max(...healthz)),
        healthzChecks: healthz.length,
      },
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 10) / 10;

// `tsx bench/store.ts`: this figure alone, printed as JSON.
if (import.meta.url === `file://${process.argv[1]}`) {
  storeFigure({ seconds: Number(process.env.BENCH_STORE_SECONDS ?? 5), clients: 16, stormSockets: 8 }).then(
    (r) => {
      console.log(JSON.stringify(r, null, 2));
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
