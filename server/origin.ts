// The Origin allowlist: which browser origins may open a WebSocket to this server. Parsed once from
// config; checked by the transport before the upgrade, so a refused origin never reaches a socket.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { json, preflight } from './http-json';

export type OriginCheck = { allowed: true } | { allowed: false; reason: string };

/** Lower-cases and drops a trailing slash, so `https://A.example/` matches `https://a.example`. */
function normalise(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, '');
}

/** An entry as a matcher: exact, or with `*` standing for any run of characters except `/`. */
function matcher(entry: string): (origin: string) => boolean {
  const norm = normalise(entry);
  if (!norm.includes('*')) return (origin) => origin === norm;
  const source = norm
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  const re = new RegExp(`^${source}$`);
  return (origin) => re.test(origin);
}

/**
 * Splits a comma-separated allowlist (`--allowed-origins` / `ALLOWED_ORIGINS`). Throws on an entry
 * that is not an origin (`scheme://host[:port]`, `*` allowed in scheme and host), so a typo is
 * caught at startup rather than refusing every client.
 */
export function parseAllowedOrigins(list: string): string[] {
  const entries = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const entry of entries) {
    if (!/^[a-z*][a-z0-9+.*-]*:\/\/[^/\s]+\/?$/i.test(entry)) {
      throw new Error(
        `${JSON.stringify(entry)} is not an origin; write scheme://host[:port], e.g. chrome-extension://<id> or moz-extension://*`,
      );
    }
  }
  return entries;
}

export class OriginPolicy {
  private readonly matchers: ((origin: string) => boolean)[];

  /** `allowed` undefined or empty: every origin is allowed (the default). */
  constructor(allowed: readonly string[] | undefined) {
    this.matchers = (allowed ?? []).map(matcher);
  }

  get enabled(): boolean {
    return this.matchers.length > 0;
  }

  /**
   * A request without an Origin header comes from a non-browser client, which could send any
   * Origin it likes: refusing it would protect nothing, so only a present, unlisted Origin is refused.
   */
  check(req: Pick<IncomingMessage, 'headers'>): OriginCheck {
    if (!this.enabled) return { allowed: true };
    const origin = req.headers.origin;
    if (origin === undefined || origin === '') return { allowed: true };
    const norm = normalise(origin);
    if (this.matchers.some((m) => m(norm))) return { allowed: true };
    return {
      allowed: false,
      reason: `origin ${JSON.stringify(origin).slice(0, 200)} is not allowed on this server; ask the operator to add it to --allowed-origins`,
    };
  }
}

/** The origin of the extension's own pages and background, in Chrome and in Firefox. */
export const EXTENSION_ORIGIN = /^(chrome|moz)-extension:\/\/[^/]+$/i;

/**
 * The gate of a route that hands a secret (a session, an invite's token) to the extension's own pages
 * and to non-browser clients only: a web page's origin, or an extension origin the policy does not
 * list, is refused with 403 and `refusal`; the extension's origin may read the answer (CORS), and its
 * preflight is answered here. Returns 'answered' when the request needs nothing more, else 'go'.
 */
export function extensionOnly(
  req: IncomingMessage,
  res: ServerResponse,
  policy: OriginPolicy,
  refusal: string,
  allowHeaders: string,
): 'answered' | 'go' {
  const origin = req.headers.origin;
  const fromExtension = origin !== undefined && EXTENSION_ORIGIN.test(origin);
  if (origin !== undefined && (!fromExtension || !policy.check(req).allowed)) {
    json(res, 403, { error: refusal, code: 'origin-refused' });
    return 'answered';
  }
  if (fromExtension) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'origin');
  }
  if (req.method === 'OPTIONS') {
    preflight(res, 'POST', allowHeaders);
    return 'answered';
  }
  return 'go';
}
