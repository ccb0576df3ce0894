import { describe, expect, it, vi } from 'vitest';
import type { VaultSession } from '@/lib/token-vault';
import { RENEW_BEFORE_MS, SessionKeeper, signIn, type HttpLike, type SignInDeps } from './sso';

const REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
const SESSION_BODY = {
  token: 'cc_access',
  expiresAt: 100_000,
  refreshToken: 'ccr_refresh',
  refreshExpiresAt: 900_000,
  user: { id: 'u1', name: 'Carol' },
  tenant: { id: 't1', name: 'Acme' },
  role: 'member',
};

/** A server that offers single sign-on and trades codes; `launch` decides how the window ends. */
function harness(
  launch: (url: URL) => string | Promise<string>,
  answers: Record<string, [number, unknown]> = {},
) {
  const calls: { url: string; body?: string }[] = [];
  const saved: [string, string, VaultSession][] = [];
  const http: HttpLike = async (url, init) => {
    calls.push({ url, ...(init.body !== undefined && { body: init.body }) });
    const path = new URL(url).pathname;
    const [status, body] =
      answers[path] ?? (path === '/sso' ? [200, { enabled: true }] : [201, SESSION_BODY]);
    return { ok: status < 300, status, json: async () => body };
  };
  const deps: SignInDeps = {
    http,
    launch: async (url) => launch(new URL(url)),
    redirectUrl: REDIRECT,
    randomBytes: (n) => new Uint8Array(n).map((_, i) => i + 1),
    sha256: async (text) =>
      new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))),
    now: () => 0,
    save: async (serverUrl, token, session) => {
      saved.push([serverUrl, token, session]);
      return { result: 'connected', user: SESSION_BODY.user, tenant: SESSION_BODY.tenant, role: 'member' };
    },
  };
  return { deps, calls, saved };
}

const back = (start: URL, params: Record<string, string>) => {
  const url = new URL(REDIRECT);
  for (const [k, v] of Object.entries({ ...params, state: start.searchParams.get('state')! }))
    url.searchParams.set(k, v);
  return url.toString();
};

describe('signing in', () => {
  it('sends only a challenge, trades the code with its verifier, and saves the session', async () => {
    let started: URL | null = null;
    const h = harness((url) => {
      started = url;
      return back(url, { code: 'cch_one' });
    });
    const reply = await signIn('wss://chat.example.com', h.deps);
    expect(reply).toMatchObject({ ok: true, user: { name: 'Carol' }, tenant: { name: 'Acme' } });
    expect(started!.origin + started!.pathname).toBe('https://chat.example.com/sso/start');
    expect(started!.searchParams.get('redirect_uri')).toBe(REDIRECT);
    expect(started!.searchParams.get('code_challenge_method')).toBe('S256');
    const trade = JSON.parse(h.calls.at(-1)!.body!) as Record<string, string>;
    expect(trade.grant_type).toBe('authorization_code');
    expect(trade.code).toBe('cch_one');
    // The verifier went only to the trade, and its hash is the challenge sent at the start.
    const digest = new Uint8Array(
      await crypto.subtle.digest('SHA-256', new TextEncoder().encode(trade.code_verifier)),
    );
    const challenge = btoa(String.fromCharCode(...digest))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    expect(started!.searchParams.get('code_challenge')).toBe(challenge);
    expect(started!.href).not.toContain(trade.code_verifier!);
    expect(h.saved).toEqual([
      [
        'wss://chat.example.com',
        'cc_access',
        {
          serverUrl: 'wss://chat.example.com',
          expiresAt: 100_000,
          refreshToken: 'ccr_refresh',
          refreshExpiresAt: 900_000,
        },
      ],
    ]);
  });

  it.each([
    [
      'a server without single sign-on',
      () => harness(() => '', { '/sso': [404, { code: 'sso-not-configured' }] }),
      'not-configured',
    ],
    ['the window closed', () => harness(() => Promise.reject(new Error('closed'))), 'cancelled'],
    [
      'a result of another sign-in (its state)',
      () => harness(() => `${REDIRECT}?code=cch_x&state=other`),
      'failed',
    ],
    [
      'waiting for an admin',
      () => harness((u) => back(u, { error: 'sso-waiting', error_description: 'wait' })),
      'waiting',
    ],
    [
      'refused',
      () => harness((u) => back(u, { error: 'sso-refused', error_description: 'not allowed' })),
      'refused',
    ],
    [
      'a code refused at the trade',
      () => harness((u) => back(u, { code: 'cch_x' }), { '/sso/token': [400, { error: 'used' }] }),
      'failed',
    ],
  ])('says so and saves nothing: %s', async (_what, make, problem) => {
    const h = make();
    const reply = await signIn('wss://chat.example.com', h.deps);
    expect(reply).toMatchObject({ ok: false, problem });
    expect(h.saved).toEqual([]);
  });

  it('refuses an insecure server before anything is sent', async () => {
    const h = harness(() => '');
    expect(await signIn('ws://chat.example.com', h.deps)).toEqual({ ok: false, problem: 'insecure' });
    expect(h.calls).toEqual([]);
  });
});

describe('SessionKeeper', () => {
  const vault = (token: string, session: VaultSession | null) => {
    const state = { token, session };
    return {
      state,
      get: async () => state.token,
      getSession: async () => state.session,
      setWithSession: vi.fn(async (t: string, s: VaultSession | null) => {
        state.token = t;
        state.session = s;
      }),
    };
  };
  const session: VaultSession = {
    serverUrl: 'wss://chat.example.com',
    expiresAt: 1_000_000,
    refreshToken: 'ccr_old',
    refreshExpiresAt: 9_000_000,
  };
  const renewing = (status: number, body: unknown) => {
    const http = vi.fn<HttpLike>(async () => ({ ok: status < 300, status, json: async () => body }));
    return http;
  };

  it('leaves a token alone until shortly before it expires, then renews it once for all callers', async () => {
    const v = vault('cc_old', session);
    const http = renewing(200, {
      ...SESSION_BODY,
      token: 'cc_new',
      refreshToken: 'ccr_new',
      expiresAt: 2_000_000,
    });
    let now = session.expiresAt - RENEW_BEFORE_MS - 1;
    const keeper = new SessionKeeper({ vault: v, http, now: () => now });
    expect(await keeper.token()).toBe('cc_old');
    expect(http).not.toHaveBeenCalled();
    now += 2;
    expect(await Promise.all([keeper.token(), keeper.token()])).toEqual(['cc_new', 'cc_new']);
    expect(http).toHaveBeenCalledTimes(1);
    expect(JSON.parse(http.mock.calls[0]![1].body!)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'ccr_old',
    });
    expect(v.state.session).toMatchObject({ refreshToken: 'ccr_new', expiresAt: 2_000_000 });
    expect(keeper.lastRenewed).toBe('cc_new');
  });

  it('renews when forced (the server said expired), and forgets a session the server ended', async () => {
    const v = vault('cc_old', session);
    const ended: string[] = [];
    const keeper = new SessionKeeper({
      vault: v,
      http: renewing(401, { code: 'session-reused', error: 'used twice; sign in again' }),
      now: () => 0,
      ended: (reason) => void ended.push(reason),
    });
    expect(await keeper.token(true)).toBe('');
    expect(v.state).toEqual({ token: '', session: null });
    expect(ended).toEqual(['used twice; sign in again']);
  });

  it('keeps the token when the server cannot be reached, and never renews a pasted token', async () => {
    const v = vault('cc_old', session);
    const down = new SessionKeeper({
      vault: v,
      http: () => Promise.reject(new Error('offline')),
      now: () => 0,
    });
    expect(await down.token(true)).toBe('cc_old');
    const pasted = vault('cc_pasted', null);
    const http = renewing(200, SESSION_BODY);
    expect(await new SessionKeeper({ vault: pasted, http, now: () => 0 }).token(true)).toBe('cc_pasted');
    expect(http).not.toHaveBeenCalled();
  });
});
