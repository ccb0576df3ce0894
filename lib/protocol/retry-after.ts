// The server's "try again in N ms": a close reason that starts with `retry-after-ms=N;` followed by
// words for a person. The server sends it with close 1013 while it starts, shuts down or is
// overloaded (and with 1001 when it shuts down); the client waits N ms, then reconnects.

/** The longest wait a client accepts from a server; a larger N is treated as this. */
export const RETRY_AFTER_MAX_MS = 60_000;

const PATTERN = /^retry-after-ms=(\d{1,9});/;

/** A close reason telling the client to wait `ms` (rounded, at least 0) before reconnecting. */
export function retryAfterReason(ms: number, text: string): string {
  return `retry-after-ms=${Math.max(0, Math.round(ms))}; ${text}`;
}

/** The wait a close reason asks for, clamped to [0, RETRY_AFTER_MAX_MS]; null when it asks none. */
export function retryAfterOf(reason: string): number | null {
  const match = PATTERN.exec(reason);
  return match ? Math.min(Number(match[1]), RETRY_AFTER_MAX_MS) : null;
}

/**
 * The waits a server draws from (uniform, ms) when it refuses: short while starting (it will be
 * ready in a moment), longer while shutting down (a restart takes seconds; another node may take
 * the client sooner), spread widely while busy. Open sockets closed by a shutdown get `goingAway`.
 */
export const RETRY_AFTER_MS = {
  starting: [200, 1000],
  draining: [1000, 3000],
  busy: [250, 2250],
  goingAway: [250, 1250],
} as const satisfies Record<string, readonly [number, number]>;

/** A wait drawn uniformly from one of RETRY_AFTER_MS's ranges. */
export function drawRetryAfter(
  kind: keyof typeof RETRY_AFTER_MS,
  random: () => number = Math.random,
): number {
  const [low, high] = RETRY_AFTER_MS[kind];
  return Math.round(low + random() * (high - low));
}
