// What every benchmark server process answers over IPC, whatever it serves: CPU time used, event-loop
// delay, and heap/RSS after a forced GC. The coordinator reads these around each measurement.
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import type { Handler } from '../ipc';

export interface CpuSample {
  /** user + system CPU time of this process, µs. */
  micros: number;
}
export interface MemorySample {
  heapUsed: number;
  rss: number;
}
export interface LoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /**
   * The longest stall the process's own work can account for: for each late tick of a 5 ms timer,
   * the smaller of the time since the previous tick and the CPU time the process used meanwhile
   * (all its threads: an upper bound of the loop's own work). On a loaded machine `maxMs` also
   * holds the time the OS kept the process off a core; this does not.
   */
  cpuStallMaxMs: number;
  /** The longest garbage-collection pause of the loop. */
  gcMaxMs: number;
}

/** Watches ticks of a 5 ms timer: the CPU the process used between two ticks bounds its own stall. */
function stallMonitor(): { reset(): void; cpuMaxMs(): number; gcMaxMs(): number } {
  let lastWall = performance.now();
  let lastCpu = process.cpuUsage();
  let cpuMax = 0;
  let gcMax = 0;
  setInterval(() => {
    const wall = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    lastCpu = process.cpuUsage();
    const busy = Math.min(wall - lastWall, (cpu.user + cpu.system) / 1000);
    lastWall = wall;
    if (busy > cpuMax) cpuMax = busy;
  }, 5).unref();
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (process.env.BENCH_GC_LOG && entry.duration > 20)
        console.error(
          `gc ${entry.duration.toFixed(1)} ms ${JSON.stringify((entry as { detail?: unknown }).detail)}`,
        );
      if (entry.duration > gcMax) gcMax = entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  return {
    reset: () => {
      cpuMax = 0;
      gcMax = 0;
    },
    cpuMaxMs: () => cpuMax,
    gcMaxMs: () => gcMax,
  };
}

export function probeHandlers(): Record<string, Handler> {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const stalls = stallMonitor();
  const gc = (globalThis as { gc?: () => void }).gc;
  return {
    cpu: (): CpuSample => {
      const u = process.cpuUsage();
      return { micros: u.user + u.system };
    },
    'loop-reset': () => {
      loop.reset();
      stalls.reset();
    },
    loop: (): LoopDelay => ({
      p50Ms: loop.percentile(50) / 1e6,
      p99Ms: loop.percentile(99) / 1e6,
      maxMs: loop.max / 1e6,
      cpuStallMaxMs: stalls.cpuMaxMs(),
      gcMaxMs: stalls.gcMaxMs(),
    }),
    /** Writes a heap snapshot (after the same GC passes as `memory`) and answers its path. */
    'heap-snapshot': async (args: { path: string }): Promise<string> => {
      for (let i = 0; i < 4; i++) {
        gc?.();
        await new Promise((r) => setImmediate(r));
      }
      return writeHeapSnapshot(args.path);
    },
    memory: async (): Promise<MemorySample> => {
      if (!gc) throw new Error('start the server with --expose-gc to measure memory');
      // Several passes with a turn in between so that weak callbacks and finalizers settle.
      for (let i = 0; i < 4; i++) {
        gc();
        await new Promise((r) => setImmediate(r));
      }
      const m = process.memoryUsage();
      return { heapUsed: m.heapUsed, rss: m.rss };
    },
  };
}
