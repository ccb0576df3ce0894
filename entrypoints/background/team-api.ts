// Reads of the team's HTTP API (docs/api.md) for the extension's team page, and the person's own
// data (their export and erasure request). The background owns the
// network and the token: the page names a path and its filters, the background adds the saved
// server (its https:// or, on localhost, http:// twin of the WebSocket URL) and the bearer token.
import type { TeamReplyT } from '@/lib/messaging';
import { checkServerUrl } from '@/lib/reconnect';

export type FetchLike = (
  url: string,
  init: { headers: Record<string, string>; method?: 'GET' | 'POST' },
) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}>;

/** The HTTP URL of the server whose WebSocket URL is `serverUrl`; null when it is not usable. */
export function apiBase(serverUrl: string): string | null {
  const checked = checkServerUrl(serverUrl);
  if (!checked.ok) return null;
  const url = new URL(checked.url);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = url.pathname.replace(/\/+$/, '');
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/$/, '');
}

export async function teamRequest(
  settings: { serverUrl: string; token: string },
  path: 'discussions' | 'search',
  params: Record<string, string>,
  fetchFn: FetchLike,
): Promise<TeamReplyT> {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== ''));
  return apiRequest(settings, `${path}?${query.toString()}`, 'GET', fetchFn);
}

/** The person's own data on the server (their export, their erasure request). */
export function ownDataRequest(
  settings: { serverUrl: string; token: string },
  action: 'export' | 'erasure-status' | 'request-erasure',
  fetchFn: FetchLike,
): Promise<TeamReplyT> {
  if (action === 'export') return apiRequest(settings, 'own-data', 'GET', fetchFn);
  return apiRequest(
    settings,
    'own-data/erasure-request',
    action === 'request-erasure' ? 'POST' : 'GET',
    fetchFn,
  );
}

async function apiRequest(
  settings: { serverUrl: string; token: string },
  pathAndQuery: string,
  method: 'GET' | 'POST',
  fetchFn: FetchLike,
): Promise<TeamReplyT> {
  const base = apiBase(settings.serverUrl);
  if (!base || !settings.token.trim()) {
    return { ok: false, problem: 'not-set-up', error: 'no server or token saved' };
  }
  let res;
  try {
    res = await fetchFn(`${base}/api/${pathAndQuery}`, {
      headers: { authorization: `Bearer ${settings.token.trim()}` },
      ...(method === 'POST' && { method }),
    });
  } catch (error) {
    return { ok: false, problem: 'unreachable', error: String(error) };
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return { ok: false, problem: 'failed', status: res.status, error: 'the answer is not JSON' };
  }
  if (res.ok) return { ok: true, body };
  const error =
    typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string'
      ? (body as { error: string }).error
      : `HTTP ${res.status}`;
  return {
    ok: false,
    problem: res.status === 401 || res.status === 403 ? 'refused' : 'failed',
    status: res.status,
    error,
  };
}
