// Joining a team with an invite link, for the options page: the background (the network owner)
// takes the link apart, redeems it with the link's server (POST /invite/redeem, docs/api.md) and
// hands back the new token only to `save`, which stores the server and token as "Save" does. The
// token never goes back to a page; only the extension's own pages may ask (checked by the caller).
import type { JoinReplyT } from '@/lib/messaging';
import { checkServerUrl } from '@/lib/reconnect';

export type PostLike = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string },
) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export interface JoinDeps {
  post: PostLike;
  /** Saves the server URL and token exactly as the options page's "Save", then checks them. */
  save(serverUrl: string, token: string): Promise<Extract<JoinReplyT, { ok: true }>['check']>;
}

/** The server (its origin) and the invite's secret in a pasted invite link; null when it is not one. */
export function parseInviteLink(link: string): { origin: string; serverUrl: string; secret: string } | null {
  let url: URL;
  try {
    url = new URL(link.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const secret = /^#(cci_[A-Za-z0-9_-]{20,100})$/.exec(url.hash)?.[1];
  if (!secret || url.pathname.replace(/\/+$/, '') !== '/invite') return null;
  return { origin: url.origin, serverUrl: url.origin.replace(/^http/, 'ws'), secret };
}

const REFUSALS = new Set(['invite-unknown', 'invite-expired', 'invite-used-up', 'invite-revoked']);

export async function redeemInvite(link: string, name: string, deps: JoinDeps): Promise<JoinReplyT> {
  const parsed = parseInviteLink(link);
  if (!parsed) return { ok: false, problem: 'invalid-link' };
  const checked = checkServerUrl(parsed.serverUrl);
  if (!checked.ok) return { ok: false, problem: checked.reason === 'insecure' ? 'insecure' : 'invalid-link' };
  if (name.trim() === '') return { ok: false, problem: 'missing-name' };
  let res;
  try {
    // A simple request (text/plain): no preflight; the server answers extension origins only.
    res = await deps.post(`${parsed.origin}/invite/redeem`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ invite: parsed.secret, name: name.trim() }),
    });
  } catch {
    return { ok: false, problem: 'unreachable', detail: new URL(parsed.origin).host };
  }
  const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  const words = typeof body?.error === 'string' ? body.error.slice(0, 500) : `HTTP ${res.status}`;
  if (!res.ok) {
    const code = typeof body?.code === 'string' ? body.code : '';
    if (REFUSALS.has(code)) return { ok: false, problem: code as 'invite-unknown' };
    if (res.status === 429) return { ok: false, problem: 'rate-limited', detail: words };
    if (res.status === 403 || res.status === 400) return { ok: false, problem: 'refused', detail: words };
    return { ok: false, problem: 'failed', detail: words };
  }
  const token = body?.token;
  const user = body?.user as { id?: unknown; name?: unknown } | undefined;
  const tenant = body?.tenant as { id?: unknown; name?: unknown } | undefined;
  const role = body?.role;
  if (
    typeof token !== 'string' ||
    !token.startsWith('cc_') ||
    typeof user?.id !== 'string' ||
    typeof user.name !== 'string' ||
    typeof tenant?.id !== 'string' ||
    typeof tenant.name !== 'string' ||
    (role !== 'member' && role !== 'admin')
  ) {
    return { ok: false, problem: 'failed', detail: 'the server answered something that is not a new member' };
  }
  const check = await deps.save(parsed.serverUrl, token);
  return {
    ok: true,
    user: { id: user.id, name: user.name },
    tenant: { id: tenant.id, name: tenant.name },
    role,
    check,
  };
}
