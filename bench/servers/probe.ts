// What every benchmark server process answers over IPC, whatever it serves: CPU time used, event-loop
// delay, and heap/RSS after a forced GC. The coordinator reads these around each measurement.
import { monitorEventLoopDelay } from 'node:perf_hooks';
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
}

export function probeHandlers(): Record<string, Handler> {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const gc = (globalThis as { gc?: () => void }).gc;
  return {
    cpu: (): CpuSample => {
      const u = process.cpuUsage();
      return { micros: u.user + u.system };
    },
    'loop-reset': () => loop.reset(),
    loop: (): LoopDelay => ({
      p50Ms: loop.percentile(50) / 1e6,
      p99Ms: loop.percentile(99) / 1e6,
      maxMs: loop.max / 1e6,
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
