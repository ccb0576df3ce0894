// The reconnect policy: exponential backoff with full jitter (AWS architecture blog, "Exponential
// Backoff And Jitter"), capped low, never giving up. The cap bounds how long a lone client stays away
// once the server is back (at most 4 s, half the time under 1.2 s); a crowd returning together is
// spread by the jitter and, when the server is busy, by its `retry-after-ms` close (lib/protocol),
// which the connection obeys instead of this delay. Pure: randomness comes in as an argument.

export interface BackoffPolicy {
  /** First delay ceiling, ms. */
  baseMs: number;
  /** Largest delay, ms. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 4_000 };

/**
 * Nudges (the browser back online, a tab shown, a write while reconnecting) retry at once, but at
 * most this often, so a user clicking "send" repeatedly at a down server does not hammer it.
 */
export const NUDGE_INTERVAL_MS = 1_000;

/**
 * The delay before retry number `attempt` (0 for the first retry): uniform in
 * [0, min(cap, base · 2^attempt)]. `random` returns a number in [0, 1).
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.floor(random() * ceiling);
}

/** Whether a server URL may be used: wss:// anywhere, plain ws:// only to this machine. */
export function checkServerUrl(
  raw: string,
): { ok: true; url: string } | { ok: false; reason: 'invalid-url' | 'insecure' } {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, reason: 'invalid-url' };
  }
  if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'wss:') return { ok: true, url: url.toString() };
  if (url.protocol !== 'ws:') return { ok: false, reason: 'invalid-url' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const local = host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host);
  return local ? { ok: true, url: url.toString() } : { ok: false, reason: 'insecure' };
}
