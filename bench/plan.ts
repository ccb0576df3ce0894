// How big each figure is: the sizes docs/performance.md reports, and a quick variant that only proves the
// harness works end to end.
import { loadavg } from 'node:os';

export interface Plan {
  sizes: {
    fanoutClients: number[];
    latency: { clients: number; ratePerSec: number }[];
    memoryConnections: number;
    stormClients: number;
    stormWritesPerSec: number;
    batchingClients: number;
    batchingEventsPerSec: number;
  };
  fanout: { durationMs: number; window: number };
  latencyMs: number;
  storm: { killAfterMs: number; writeMs: number; timeoutMs: number };
  batchingMs: number;
  loadAtStart: number[];
}

export function planFor(quick: boolean): Plan {
  const loadAtStart = loadavg().map((x) => Math.round(x * 100) / 100);
  if (quick) {
    return {
      sizes: {
        fanoutClients: [50, 200],
        latency: [
          { clients: 50, ratePerSec: 10 },
          { clients: 200, ratePerSec: 2 },
        ],
        memoryConnections: 200,
        stormClients: 100,
        stormWritesPerSec: 10,
        batchingClients: 50,
        batchingEventsPerSec: 200,
      },
      fanout: { durationMs: 1000, window: 8 },
      latencyMs: 1500,
      storm: { killAfterMs: 1000, writeMs: 3000, timeoutMs: 20_000 },
      batchingMs: 1000,
      loadAtStart,
    };
  }
  return {
    sizes: {
      fanoutClients: [1000, 5000],
      latency: [
        { clients: 1000, ratePerSec: 10 },
        { clients: 5000, ratePerSec: 2 },
      ],
      memoryConnections: 5000,
      stormClients: 2000,
      stormWritesPerSec: 20,
      batchingClients: 200,
      batchingEventsPerSec: 1000,
    },
    fanout: { durationMs: 6000, window: 8 },
    latencyMs: 10_000,
    storm: { killAfterMs: 3000, writeMs: 12_000, timeoutMs: 30_000 },
    batchingMs: 3000,
    loadAtStart,
  };
}
