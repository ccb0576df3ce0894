// Single sign-on, for the options page's "Sign in" and "Sign out", and the renewal of a signed-in
// session (docs/api.md). The background (the network owner) makes a verifier it keeps and sends
// only its challenge, with its own state and the browser's extension redirect URL, to the server's
// /sso/start in `identity.launchWebAuthFlow`; the flow ends on the redirect URL with a one-time code,
// which is traded with the verifier (POST /sso/token) for the session. The session is saved as
// "Save" saves a token, with its refresh token beside it in the token vault; nothing of it ever goes
// to a page. Renewal happens before the access token expires (checked whenever the token is about to
// be used) and when the server says it has; a session the server ended is forgotten.
import type { SignInReplyT, SignOutReplyT } from '@/lib/messaging';
import type { VaultSession } from '@/lib/token-vault';
import { apiBase } from './team-api';

/** Renew this long before the access token expires, so a connection never presents an expired one. */
export const RENEW_BEFORE_MS = 60_000;

export type HttpLike = (
  url: string,
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export interface SignInDeps {
  http: HttpLike;
  /** `identity.launchWebAuthFlow({ url, interactive: true })`: the URL the flow ended on. */
  launch(url: string): Promise<string>;
  /** `identity.getRedirectURL()`. */
  redirectUrl: string;
  randomBytes(n: number): Uint8Array;
  sha256(text: string): Promise<Uint8Array>;
  now(): number;
  /** Saves the server URL, token and session as "Save" does, then checks them. */
  save(
    serverUrl: string,
    token: string,
    session: VaultSession,
  ): Promise<Extract<SignInReplyT, { ok: true }>['check']>;
}

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

interface SessionBody {
  token: string;
  expiresAt: number;
  refreshToken: string;
  refreshExpiresAt: number;
  user: { id: string; name: string };
  tenant: { id: string; name: string };
  role: 'member' | 'admin';
}

/** The session in a /sso/token answer, or null when it is not one. */
export function sessionOf(body: unknown): SessionBody | null {
  const b = body as Partial<SessionBody> | null;
  if (
    typeof b !== 'object' ||
    b === null ||
    typeof b.token !== 'string' ||
    !b.token.startsWith('cc_') ||
    typeof b.expiresAt !== 'number' ||
    typeof b.refreshToken !== 'string' ||
    !b.refreshToken.startsWith('ccr_') ||
    typeof b.refreshExpiresAt !== 'number' ||
    typeof b.user?.id !== 'string' ||
    typeof b.user.name !== 'string' ||
    typeof b.tenant?.id !== 'string' ||
    typeof b.tenant.name !== 'string' ||
    (b.role !== 'member' && b.role !== 'admin')
  )
    return null;
  return b as SessionBody;
}

const words = (body: unknown, status: number) => {
  const error = (body as { error?: unknown } | null)?.error;
  return typeof error === 'string' ? error.slice(0, 500) : `HTTP ${status}`;
};

export async function signIn(serverUrl: string, deps: SignInDeps): Promise<SignInReplyT> {
  const base = apiBase(serverUrl.trim());
  if (!base) return { ok: false, problem: /^ws:\/\//i.test(serverUrl.trim()) ? 'insecure' : 'invalid-url' };
  const host = new URL(base).host;
  // Whether this server signs people in at all, before a window opens for nothing.
  let offered;
  try {
    offered = await deps.http(`${base}/sso`, { method: 'GET' });
  } catch {
    return { ok: false, problem: 'unreachable', detail: host };
  }
  if (!offered.ok) {
    const body = await offered.json().catch(() => null);
    if ((body as { code?: unknown } | null)?.code === 'sso-not-configured')
      return { ok: false, problem: 'not-configured' };
    return { ok: false, problem: 'failed', detail: words(body, offered.status) };
  }
  const verifier = base64url(deps.randomBytes(32));
  const state = base64url(deps.randomBytes(16));
  const start = new URL(`${base}/sso/start`);
  start.search = new URLSearchParams({
    redirect_uri: deps.redirectUrl,
    code_challenge: base64url(await deps.sha256(verifier)),
    code_challenge_method: 'S256',
    state,
  }).toString();
  let ended: URL;
  try {
    ended = new URL(await deps.launch(start.toString()));
  } catch {
    // The person closed the window, or the browser could not show it.
    return { ok: false, problem: 'cancelled' };
  }
  if (!ended.href.startsWith(deps.redirectUrl) || ended.searchParams.get('state') !== state)
    return { ok: false, problem: 'failed', detail: 'the sign-in came back without this sign-in’s state' };
  const error = ended.searchParams.get('error');
  if (error !== null) {
    const detail = (ended.searchParams.get('error_description') ?? error).slice(0, 500);
    return { ok: false, problem: error === 'sso-waiting' ? 'waiting' : 'refused', detail };
  }
  const code = ended.searchParams.get('code') ?? '';
  let traded;
  try {
    // A simple request (text/plain): no preflight; the server answers extension origins only.
    traded = await deps.http(`${base}/sso/token`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ grant_type: 'authorization_code', code, code_verifier: verifier }),
    });
  } catch {
    return { ok: false, problem: 'unreachable', detail: host };
  }
  const body = await traded.json().catch(() => null);
  const session = traded.ok ? sessionOf(body) : null;
  if (!session) return { ok: false, problem: 'failed', detail: words(body, traded.status) };
  const check = await deps.save(serverUrl.trim(), session.token, {
    serverUrl: serverUrl.trim(),
    expiresAt: session.expiresAt,
    refreshToken: session.refreshToken,
    refreshExpiresAt: session.refreshExpiresAt,
  });
  return { ok: true, user: session.user, tenant: session.tenant, role: session.role, check };
}

/** What renewing found: a new token and session, the session over (sign in again), or no answer. */
export type Renewal =
  | { status: 'renewed'; token: string; session: VaultSession }
  | { status: 'ended'; reason: string }
  | { status: 'unavailable' };

export async function renewSession(session: VaultSession, http: HttpLike): Promise<Renewal> {
  const base = apiBase(session.serverUrl);
  if (!base) return { status: 'ended', reason: 'the saved server URL is not usable' };
  let res;
  try {
    res = await http(`${base}/sso/token`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: session.refreshToken }),
    });
  } catch {
    return { status: 'unavailable' };
  }
  const body = await res.json().catch(() => null);
  if (res.status === 401 || res.status === 403) return { status: 'ended', reason: words(body, res.status) };
  const next = res.ok ? sessionOf(body) : null;
  if (!next) return { status: 'unavailable' };
  return {
    status: 'renewed',
    token: next.token,
    session: {
      serverUrl: session.serverUrl,
      expiresAt: next.expiresAt,
      refreshToken: next.refreshToken,
      refreshExpiresAt: next.refreshExpiresAt,
    },
  };
}

/** Ends the session on the server (which closes its sockets); the caller forgets it either way. */
export async function endSession(
  session: VaultSession,
  token: string,
  http: HttpLike,
): Promise<SignOutReplyT> {
  const base = apiBase(session.serverUrl);
  if (!base) return { ok: true, server: 'unreachable' };
  try {
    const res = await http(`${base}/sso/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain;charset=UTF-8' },
      body: '{}',
    });
    return { ok: true, server: res.ok ? 'revoked' : 'refused' };
  } catch {
    return { ok: true, server: 'unreachable' };
  }
}

export interface SessionKeeperDeps {
  vault: {
    get(): Promise<string>;
    getSession(): Promise<VaultSession | null>;
    setWithSession(token: string, session: VaultSession | null): Promise<void>;
  };
  http: HttpLike;
  now(): number;
  /** The server ended the session (its words): the person must sign in again. */
  ended?(reason: string): void;
}

/**
 * Keeps the saved token usable: a signed-in session's token is renewed before it is used when it
 * is about to expire (or `force`d, when the server said it expired), one renewal at a time. A
 * session the server ended leaves no token (the person signs in again; queued writes stay).
 */
export class SessionKeeper {
  private renewing: Promise<string> | null = null;
  /** The token the last renewal saved (its announcement is not a new sign-in). */
  lastRenewed: string | null = null;

  constructor(private readonly deps: SessionKeeperDeps) {}

  /** The token to use now. */
  async token(force = false): Promise<string> {
    const [token, session] = await Promise.all([this.deps.vault.get(), this.deps.vault.getSession()]);
    if (!session || !token) return token;
    if (!force && session.expiresAt - this.deps.now() > RENEW_BEFORE_MS) return token;
    return (this.renewing ??= this.renew(session, token).finally(() => (this.renewing = null)));
  }

  private async renew(session: VaultSession, token: string): Promise<string> {
    const renewal = await renewSession(session, this.deps.http);
    if (renewal.status === 'renewed') {
      this.lastRenewed = renewal.token;
      await this.deps.vault.setWithSession(renewal.token, renewal.session);
      return renewal.token;
    }
    if (renewal.status === 'ended') {
      console.warn(`Collab Chat: the signed-in session ended: ${renewal.reason}`);
      this.deps.ended?.(renewal.reason);
      await this.deps.vault.setWithSession('', null);
      return '';
    }
    // No answer: the token as it is; the connection retries, and renewal with it.
    return token;
  }
}
