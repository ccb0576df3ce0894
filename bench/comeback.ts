// Time from "server back" to "live" for one client after an outage, through the extension's own
// `Connection` (entrypoints/background/connection.ts) and its reconnect policy, on a simulated clock:
// a five-minute outage takes milliseconds to run, and the figure does not depend on the machine's
// load. The simulated server refuses every connection while down (after one round trip, as a
// refused TCP connection or a proxy's 502 look to a browser), then spends a moment starting (where
// our server answers 1013 with a retry-after), then welcomes the hello after one more round trip.
import { Connection, type SocketLike, type Timers } from '../entrypoints/background/connection';
import { CLOSE, drawRetryAfter, PROTOCOL_VERSION, retryAfterReason } from '../lib/protocol';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../lib/reconnect';
import { quantile } from './stats';

export interface ComebackOptions {
  outagesMs: number[];
  trials: number;
  /** One network round trip, ms. */
  rttMs: number;
  /** How long the server refuses with 1013 while it starts, before it is ready ("back"). */
  startingMs: number;
}

export interface ComebackRow {
  policy: string;
  outageSeconds: number;
  trials: number;
  p50Seconds: number;
  p90Seconds: number;
  maxSeconds: number;
  /** Connection attempts per trial, mean, from the drop until live. */
  meanDials: number;
}

/** A small seeded PRNG (mulberry32), so every run draws the same jitter. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Discrete-event clock: timers run in time order; promises settle between them. */
class SimClock implements Timers {
  now = 0;
  private seq = 0;
  private readonly queue = new Map<number, { at: number; fn: () => void; every?: number }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.queue.set(id, { at: this.now + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.queue.delete(handle as number);
  }
  setInterval(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.queue.set(id, { at: this.now + ms, fn, every: ms });
    return id;
  }
  clearInterval(handle: unknown): void {
    this.queue.delete(handle as number);
  }

  /** Runs timers until `done()` or the clock passes `untilMs`. */
  async run(done: () => boolean, untilMs: number): Promise<void> {
    await settle();
    while (!done()) {
      let next: [number, { at: number; fn: () => void; every?: number }] | null = null;
      for (const entry of this.queue) if (!next || entry[1].at < next[1].at) next = entry;
      if (!next || next[1].at > untilMs) throw new Error(`not live by ${untilMs} ms (simulated)`);
      const [id, timer] = next;
      this.now = timer.at;
      if (timer.every) timer.at += timer.every;
      else this.queue.delete(id);
      timer.fn();
      await settle();
    }
  }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

class SimSocket implements SocketLike {
  readyState = 0;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;

  constructor(
    private readonly clock: SimClock,
    private readonly server: SimServer,
  ) {
    clock.setTimeout(() => {
      const phase = server.phaseAt(clock.now);
      if (phase === 'down') return this.end(1006, '');
      this.readyState = 1;
      this.onopen?.({});
      if (phase === 'starting') {
        this.end(
          CLOSE.tryAgainLater,
          retryAfterReason(drawRetryAfter('starting', server.random), 'starting'),
        );
      }
    }, server.rttMs);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    const frame = JSON.parse(data) as { type: string; t?: number };
    if (frame.type === 'hello') {
      this.clock.setTimeout(() => {
        if (this.readyState !== 1) return;
        this.onmessage?.({
          data: JSON.stringify({
            type: 'welcome',
            protocol: PROTOCOL_VERSION,
            user: { id: 'usr_bench', name: 'Bench' },
            tenant: { id: 'ten_bench', name: 'Bench' },
            role: 'member',
          }),
        });
      }, this.server.rttMs);
    } else if (frame.type === 'ping') {
      this.clock.setTimeout(
        () => this.onmessage?.({ data: JSON.stringify({ type: 'pong', t: frame.t }) }),
        1,
      );
    }
  }

  close(): void {
    this.readyState = 3;
  }

  end(code: number, reason: string): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

interface SimServer {
  rttMs: number;
  random: () => number;
  phaseAt(now: number): 'down' | 'starting' | 'up';
}

/** One trial: live, the server dies at 0 and is ready again at `outageMs`; ms from then to live. */
async function trial(
  policy: BackoffPolicy,
  outageMs: number,
  options: ComebackOptions,
  seed: number,
): Promise<{ ms: number; dials: number }> {
  const clock = new SimClock();
  const random = seeded(seed);
  // The outage starts at a random moment relative to the client's ping schedule.
  const downAt = Math.floor(random() * 10_000) + 1000;
  const backAt = downAt + outageMs;
  const server: SimServer = {
    rttMs: options.rttMs,
    random,
    phaseAt: (now) =>
      now < downAt ? 'up' : now < backAt - options.startingMs ? 'down' : now < backAt ? 'starting' : 'up',
  };
  let current: SimSocket | null = null;
  let dials = 0;
  const connection = new Connection({
    createSocket: () => {
      if (clock.now >= downAt) dials++;
      current = new SimSocket(clock, server);
      return current;
    },
    loadSettings: async () => ({ serverUrl: 'wss://chat.example.com/', token: 'cc_bench' }),
    timers: clock,
    random,
    now: () => clock.now,
    backoff: policy,
    onLive: () => {},
    onFrame: () => {},
    onState: () => {},
  });
  connection.setWanted(true);
  // The server process dies: its sockets close at once.
  clock.setTimeout(() => (current as SimSocket | null)?.end(1006, ''), downAt);
  await clock.run(() => clock.now >= backAt && connection.live, backAt + 10 * 60_000);
  const ms = clock.now - backAt;
  connection.setWanted(false);
  return { ms, dials };
}

export async function comeback(
  policies: { label: string; policy: BackoffPolicy }[],
  options: ComebackOptions,
): Promise<ComebackRow[]> {
  const rows: ComebackRow[] = [];
  for (const { label, policy } of policies) {
    for (const outageMs of options.outagesMs) {
      const times: number[] = [];
      let dials = 0;
      for (let i = 0; i < options.trials; i++) {
        const r = await trial(policy, outageMs, options, 1000 * outageMs + i);
        times.push(r.ms / 1000);
        dials += r.dials;
      }
      rows.push({
        policy: label,
        outageSeconds: outageMs / 1000,
        trials: options.trials,
        p50Seconds: round(quantile(times, 0.5)),
        p90Seconds: round(quantile(times, 0.9)),
        maxSeconds: round(Math.max(...times)),
        meanDials: round(dials / options.trials),
      });
    }
  }
  return rows;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** The policy the extension uses now, and the one it used before (500 ms base, 30 s cap). */
export const COMEBACK_POLICIES = [
  { label: 'before: 500 ms base, 30 s cap', policy: { baseMs: 500, capMs: 30_000 } },
  {
    label: `now: ${DEFAULT_BACKOFF.baseMs} ms base, ${DEFAULT_BACKOFF.capMs / 1000} s cap`,
    policy: DEFAULT_BACKOFF,
  },
];
