// The shape of bench/results/latest.json, checked before it is written so that a harness change
// cannot silently drop a figure. Numbers are null where a server could not be measured (the reason
// is in `notes`).
import { z } from 'zod';

const num = z.number().nullable();
const nums = z.array(num);

export const SERVER_KINDS = ['ours', 'ws', 'socketio'] as const;
export type ServerKindName = (typeof SERVER_KINDS)[number];

/** Parallel arrays: entry i of every list belongs to `clients[i]`. */
export const FanoutFigure = z.object({
  clients: z.array(z.number().int().positive()),
  deliveriesPerSec: nums,
  cpuMicrosPerDelivery: nums,
  /**
   * 1e6 / cpuMicrosPerDelivery: what one fully busy server core would deliver at the measured cost.
   * On a small shared machine the load generator, not the server, limits deliveriesPerSec.
   */
  cpuBoundDeliveriesPerSec: nums,
  events: nums,
  seconds: nums,
});
export const LatencyFigure = z.object({
  clients: z.array(z.number().int().positive()),
  ratePerSec: z.array(z.number().positive()),
  /** Each (event, other client) delivery: write sent → frame received. */
  p50Ms: nums,
  p99Ms: nums,
  /** Per event: write sent → the last other client received it. */
  allReceivedP50Ms: nums,
  allReceivedP99Ms: nums,
  loopDelayP99Ms: nums,
  deliveries: nums,
});
export const MemoryFigure = z.object({
  connections: z.number().int().positive(),
  heapBytesPerConn: num,
  rssBytesPerConn: num,
});

const perServer = <T extends z.ZodType>(figure: T) =>
  z.object({ ours: figure, ws: figure, socketio: figure });

export const FrameBytes = z.object({ payload: z.number().int(), wire: z.number().int() });

/** The store figure (bench/store.ts): writes to threads of several lengths, and a subscribe storm. */
export const StoreFigure = z.object({
  threads: z.array(
    z.object({
      comments: z.number().int(),
      writesPerSec: z.number(),
      p50AckMs: z.number(),
      p99AckMs: z.number(),
      loopMaxMs: z.number(),
      loopP99Ms: z.number(),
    }),
  ),
  storm: z.object({
    subscribes: z.number().int(),
    snapshotFrames: z.number().int(),
    largestFrameBytes: z.number().int(),
    loopMaxMs: z.number(),
    loopP99Ms: z.number(),
    healthzMaxMs: z.number(),
    healthzChecks: z.number().int(),
  }),
});

export const BenchResult = z.object({
  meta: z.object({
    date: z.string(),
    quick: z.boolean(),
    /** The commit measured ("+changes" when server/, lib/ or bench/ differed from it). */
    commit: z.string(),
    command: z.string(),
    machine: z.object({
      cpus: z.number(),
      cpuModel: z.string(),
      memoryGiB: z.number(),
      node: z.string(),
      loadAverageAtStart: z.array(z.number()),
    }),
    seconds: z.number(),
    notes: z.array(z.string()),
  }),
  fanout: perServer(FanoutFigure),
  latency: perServer(LatencyFigure),
  memory: perServer(MemoryFigure),
  store: StoreFigure.optional(),
  /** The search figure (bench/search.ts): search-as-you-type latency per store. */
  search: z
    .array(
      z.object({
        store: z.enum(['sqlite', 'postgres']),
        comments: z.number().int(),
        queries: z.number().int(),
        p50Ms: z.number(),
        p95Ms: z.number(),
        p99Ms: z.number(),
        maxMs: z.number(),
        seedSeconds: z.number(),
      }),
    )
    .optional(),
  bytes: z.object({
    /**
     * Wire bytes of a typical new-text-chat (150-character quote, 80-character comment), by an
     * author already named on the page.
     */
    newTextChat: num,
    /** The same by an author whose first event on the page it is (it carries their name). */
    newTextChatNamingAuthor: num.optional(),
    /** The same event as Socket.IO puts it on the wire (`42["event",{…}]`). */
    socketioNewTextChat: num,
    /** By frame type and direction, e.g. `server:new-text-chat`, `client:create-chat`. */
    frames: z.record(z.string(), FrameBytes),
  }),
  storm: z.object({
    clients: z.number().int().positive(),
    writesPerSec: z.number(),
    recoverSeconds: num,
    resyncP50Seconds: num,
    resyncP90Seconds: num,
    /** Seconds from the kill until the new server process listened. */
    restartSeconds: num,
    /** CPU seconds (user + system) the restarted server spent from listening until all had resynced. */
    serverCpuSeconds: num.optional(),
    maxDials: num,
    meanDials: num,
    lost: num,
    duplicated: num,
    writesAcked: num,
    ignoredRepeats: num,
    snapshots: num,
    replays: num,
  }),
  /** One client's time from "server back" to live after an outage (simulated clock, bench/comeback.ts). */
  comeback: z.object({
    rows: z.array(
      z.object({
        policy: z.string(),
        outageSeconds: z.number(),
        trials: z.number().int(),
        p50Seconds: z.number(),
        p90Seconds: z.number(),
        maxSeconds: z.number(),
        meanDials: z.number(),
      }),
    ),
  }),
  batching: z.object({
    clients: z.number().int().positive(),
    eventsPerSec: z.number(),
    /** Our server as it is now, and, where the server can turn batching off, without it. */
    runs: z.array(
      z.object({
        label: z.string(),
        framesPerClientPerSec: num,
        eventsPerClientPerSec: num,
        p99Ms: num,
        /** From the first write to the last delivery. */
        seconds: num,
      }),
    ),
  }),
  goals: z.array(
    z.object({
      goal: z.string(),
      value: num,
      limit: z.number(),
      met: z.boolean().nullable(),
      unit: z.string(),
    }),
  ),
});
export type BenchResultT = z.infer<typeof BenchResult>;

/** A result with every figure empty, for the given client counts; the run fills it in. */
export function emptyResult(sizes: {
  fanoutClients: number[];
  latency: { clients: number; ratePerSec: number }[];
  memoryConnections: number;
  stormClients: number;
  stormWritesPerSec: number;
  batchingClients: number;
  batchingEventsPerSec: number;
}): Omit<BenchResultT, 'meta' | 'goals'> {
  const nulls = (n: number) => Array.from({ length: n }, () => null);
  const fan = () => ({
    clients: [...sizes.fanoutClients],
    deliveriesPerSec: nulls(sizes.fanoutClients.length),
    cpuMicrosPerDelivery: nulls(sizes.fanoutClients.length),
    cpuBoundDeliveriesPerSec: nulls(sizes.fanoutClients.length),
    events: nulls(sizes.fanoutClients.length),
    seconds: nulls(sizes.fanoutClients.length),
  });
  const n = sizes.latency.length;
  const lat = () => ({
    clients: sizes.latency.map((l) => l.clients),
    ratePerSec: sizes.latency.map((l) => l.ratePerSec),
    p50Ms: nulls(n),
    p99Ms: nulls(n),
    allReceivedP50Ms: nulls(n),
    allReceivedP99Ms: nulls(n),
    loopDelayP99Ms: nulls(n),
    deliveries: nulls(n),
  });
  const mem = () => ({ connections: sizes.memoryConnections, heapBytesPerConn: null, rssBytesPerConn: null });
  return {
    fanout: { ours: fan(), ws: fan(), socketio: fan() },
    latency: { ours: lat(), ws: lat(), socketio: lat() },
    memory: { ours: mem(), ws: mem(), socketio: mem() },
    bytes: { newTextChat: null, socketioNewTextChat: null, frames: {} },
    storm: {
      clients: sizes.stormClients,
      writesPerSec: sizes.stormWritesPerSec,
      recoverSeconds: null,
      resyncP50Seconds: null,
      resyncP90Seconds: null,
      restartSeconds: null,
      serverCpuSeconds: null,
      maxDials: null,
      meanDials: null,
      lost: null,
      duplicated: null,
      writesAcked: null,
      ignoredRepeats: null,
      snapshots: null,
      replays: null,
    },
    comeback: { rows: [] },
    batching: { clients: sizes.batchingClients, eventsPerSec: sizes.batchingEventsPerSec, runs: [] },
  };
}

/** The goals of docs/performance.md ("Goals"), evaluated on a result (null where a figure is missing). */
export function evaluateGoals(r: Omit<BenchResultT, 'meta' | 'goals'>): BenchResultT['goals'] {
  const ratio = (a: number | null | undefined, b: number | null | undefined) =>
    a == null || b == null || b === 0 ? null : a / b;
  const goal = (goal: string, value: number | null, limit: number, unit: string, atMost = true) => ({
    goal,
    value,
    limit,
    unit,
    met: value === null ? null : atMost ? value <= limit : value >= limit,
  });
  const goals: BenchResultT['goals'] = [];
  r.fanout.ours.clients.forEach((clients, i) => {
    goals.push(
      goal(
        `CPU per delivery vs bare ws, ${clients} clients`,
        ratio(r.fanout.ours.cpuMicrosPerDelivery[i], r.fanout.ws.cpuMicrosPerDelivery[i]),
        1.3,
        '×',
      ),
      goal(
        `deliveries/s vs Socket.IO, ${clients} clients`,
        ratio(r.fanout.ours.deliveriesPerSec[i], r.fanout.socketio.deliveriesPerSec[i]),
        2,
        '×',
        false,
      ),
      goal(
        `CPU-bound deliveries/s vs Socket.IO, ${clients} clients`,
        ratio(r.fanout.ours.cpuBoundDeliveriesPerSec[i], r.fanout.socketio.cpuBoundDeliveriesPerSec[i]),
        2,
        '×',
        false,
      ),
    );
  });
  const l = r.latency.ours;
  if (l.clients.length > 0) {
    goals.push(
      goal(`p99 latency, ${l.clients[0]} clients × ${l.ratePerSec[0]}/s`, l.p99Ms[0] ?? null, 50, 'ms'),
    );
  }
  goals.push(
    goal(
      `idle memory per connection vs bare ws (RSS), ${r.memory.ours.connections} connections`,
      ratio(r.memory.ours.rssBytesPerConn, r.memory.ws.rssBytesPerConn),
      1.5,
      '×',
    ),
    goal(
      `idle memory per connection vs bare ws (heap), ${r.memory.ours.connections} connections`,
      ratio(r.memory.ours.heapBytesPerConn, r.memory.ws.heapBytesPerConn),
      1.5,
      '×',
    ),
    goal('new-text-chat wire bytes', r.bytes.newTextChat, 600, 'B'),
    goal(`storm of ${r.storm.clients}: seconds to resync`, r.storm.recoverSeconds, 10, 's'),
    goal(`storm of ${r.storm.clients}: events lost`, r.storm.lost, 0, ''),
    goal(`storm of ${r.storm.clients}: events duplicated`, r.storm.duplicated, 0, ''),
  );
  for (const row of r.comeback.rows.filter((x) => x.policy.startsWith('now'))) {
    goals.push(
      goal(`lone client back after a ${row.outageSeconds} s outage: p50`, row.p50Seconds, 2, 's'),
      goal(`lone client back after a ${row.outageSeconds} s outage: max`, row.maxSeconds, 6, 's'),
    );
  }
  return goals;
}
