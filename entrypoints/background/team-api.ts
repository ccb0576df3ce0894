// Reads of the team's HTTP API (docs/api.md) for the extension's team page. The background owns the
// network and the token: the page names a path and its filters, the background adds the saved
// server (its https:// or, on localhost, http:// twin of the WebSocket URL) and the bearer token.
import type { TeamReplyT } from '@/lib/messaging';
import { checkServerUrl } from '@/lib/reconnect';

export type FetchLike = (
  url: string,
  init: { headers: Record<string, string> },
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
  const base = apiBase(settings.serverUrl);
  if (!base || !settings.token.trim()) {
    return { ok: false, problem: 'not-set-up', error: 'no server or token saved' };
  }
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== ''));
  let res;
  try {
    res = await fetchFn(`${base}/api/${path}?${query.toString()}`, {
      headers: { authorization: `Bearer ${settings.token.trim()}` },
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
