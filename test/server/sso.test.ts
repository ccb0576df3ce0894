// Single sign-on against a real OpenID Connect provider (oidc-provider, in this process, port 0):
// the whole code flow over HTTP as the extension's background and a browser drive it, then the
// session it gives (a socket that connects, refresh with rotation, reuse, sign-out).
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLOSE, PROTOCOL_VERSION } from '../../lib/protocol';
import { TestClient } from '../helpers/client';
import {
  CHROME_REDIRECT,
  post,
  signIn,
  signInOverHttp,
  startOf,
  startSsoServer,
  type SsoTestSetup,
} from '../helpers/oidc';
import { startTestServer } from '../helpers/server';

// Firefox: the SHA-1 (hex) of the add-on id.
const FIREFOX_REDIRECT = `https://${createHash('sha1').update('collab-chat@example.org').digest('hex')}.extensions.allizom.org/`;

describe('single sign-on: the code flow', () => {
  let s: SsoTestSetup;
  beforeAll(async () => {
    s = await startSsoServer({ allowedEmails: ['guest@elsewhere.test'] });
  });
  afterAll(() => s.close());

  it('an allowed identity gets a token of its own that connects over the WebSocket', async () => {
    const session = await signIn(s, 'carol@allowed.test');
    expect(session.token).toMatch(/^cc_/);
    expect(session.refreshToken).toMatch(/^ccr_/);
    expect(session.tenant.name).toBe('Tenant A');
    expect(session.user.name).toBe('Carol');
    expect(session.role).toBe('member');
    const c = await TestClient.connect(s.t.url, session.token);
    expect(c.welcome?.user.name).toBe('Carol');
    expect(c.welcome?.tenant.id).toBe(s.t.tenants.a.id);
    await c.close();
    // Signing in again is the same member, not a new one.
    const again = await signIn(s, 'carol@allowed.test');
    expect(again.user.id).toBe(session.user.id);
    expect(again.token).not.toBe(session.token);
    const audit = await s.t.server.store.listAudit(s.t.tenants.a.id, 20);
    expect(audit.filter((e) => e.kind === 'sso-joined' && e.subjectId === session.user.id)).toHaveLength(1);
  });

  it('an email on the allowed list enters; Firefox redirect URLs work as Chrome ones do', async () => {
    const started = startOf(s, FIREFOX_REDIRECT);
    const flow = await signInOverHttp(started.url, 'guest@elsewhere.test', FIREFOX_REDIRECT);
    expect(flow.redirect?.searchParams.get('code')).toMatch(/^cch_/);
  });

  it('an identity the rules leave out is sent back with a clear error, and gets no code', async () => {
    const started = startOf(s);
    const flow = await signInOverHttp(started.url, 'mallory@other.test');
    expect(flow.redirect?.searchParams.get('code')).toBeNull();
    expect(flow.redirect?.searchParams.get('error')).toBe('sso-refused');
    expect(flow.redirect?.searchParams.get('error_description')).toMatch(
      /not allowed on this Collab Chat server/,
    );
    expect(flow.redirect?.searchParams.get('state')).toBe(started.state);
  });

  it('an email the provider does not vouch for is refused even in an allowed domain', async () => {
    const flow = await signInOverHttp(startOf(s).url, 'unverified.dave@allowed.test');
    expect(flow.redirect?.searchParams.get('error')).toBe('sso-refused');
  });

  it('a code is used once, only with its verifier, and not by a web page', async () => {
    const started = startOf(s);
    const flow = await signInOverHttp(started.url, 'erin@allowed.test');
    const code = flow.redirect!.searchParams.get('code');
    const wrong = await post(s, '/sso/token', {
      grant_type: 'authorization_code',
      code,
      code_verifier: randomBytes(32).toString('base64url'),
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('sso-code-invalid');
    // The wrong verifier spent the code: whoever intercepted it cannot try again, nor can the owner.
    const replay = await post(s, '/sso/token', {
      grant_type: 'authorization_code',
      code,
      code_verifier: started.verifier,
    });
    expect(replay.status).toBe(400);
    expect(replay.body.code).toBe('sso-code-invalid');

    const other = startOf(s);
    const second = await signInOverHttp(other.url, 'erin@allowed.test');
    const body = {
      grant_type: 'authorization_code',
      code: second.redirect!.searchParams.get('code'),
      code_verifier: other.verifier,
    };
    const fromPage = await post(s, '/sso/token', body, { origin: 'https://evil.example' });
    expect(fromPage.status).toBe(403);
    expect(fromPage.body.code).toBe('origin-refused');
    const ok = await post(s, '/sso/token', body, {
      origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
    });
    expect(ok.status).toBe(201);
    const replayed = await post(s, '/sso/token', body);
    expect(replayed.status).toBe(400);
    expect(replayed.body.code).toBe('sso-code-invalid');
  });

  it('the provider callback is used once: a replayed callback URL is refused', async () => {
    // Stop at the server's callback (do not let it run), then send it twice.
    const started = startOf(s);
    const flow = await signInOverHttp(started.url, 'frank@allowed.test', `${s.sso.publicUrl}/sso/callback`);
    const callback = flow.redirect!;
    const first = await fetch(callback, { redirect: 'manual' });
    expect(first.status).toBe(302);
    expect(new URL(first.headers.get('location')!).searchParams.get('code')).toMatch(/^cch_/);
    const second = await fetch(callback, { redirect: 'manual' });
    expect(second.status).toBe(400);
    expect(await second.text()).toMatch(/expired or was already used/);
  });

  it.each([
    ['a web origin', 'https://evil.example/'],
    ['a look-alike host', 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org.evil.example/'],
    ['plain http', 'http://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/'],
    ['a port', 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org:8443/'],
    ['a query', `${CHROME_REDIRECT}?next=https://evil.example/`],
    ['an extension page', 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/options.html'],
  ])('a sign-in to be sent back to %s is refused before the provider is asked', async (_what, redirect) => {
    const res = await fetch(startOf(s, redirect).url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toMatch(/redirect_uri must be its https:\/\/<id>\.chromiumapp\.org/);
  });

  it('only the listed extensions may receive a sign-in when the operator lists them', async () => {
    const listed = await startSsoServer({ extensionIds: ['bcdefghijklmnopabcdefghijklmnopa'] });
    try {
      const res = await fetch(startOf(listed).url, { redirect: 'manual' });
      expect(res.status).toBe(400);
      const ok = await fetch(
        startOf(listed, 'https://bcdefghijklmnopabcdefghijklmnopa.chromiumapp.org/').url,
        {
          redirect: 'manual',
        },
      );
      expect(ok.status).toBe(302);
      expect(ok.headers.get('location')).toContain(listed.provider.issuer);
    } finally {
      await listed.close();
    }
  });
});

describe('single sign-on: the waiting list', () => {
  let s: SsoTestSetup;
  beforeAll(async () => {
    s = await startSsoServer({ emailDomains: [], unknown: 'wait' });
  });
  afterAll(() => s.close());

  const admin = (path: string, method = 'GET') =>
    fetch(new URL(path, s.t.server.httpUrl), {
      method,
      headers: { authorization: `Bearer ${s.t.tokens.admin}` },
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

  it('someone unknown waits, an admin approves on the dashboard API, then they sign in', async () => {
    const first = await signInOverHttp(startOf(s).url, 'gina@outside.test');
    expect(first.redirect?.searchParams.get('error')).toBe('sso-waiting');
    const again = await signInOverHttp(startOf(s).url, 'gina@outside.test');
    expect(again.redirect?.searchParams.get('error')).toBe('sso-waiting');

    const member = await fetch(new URL('/api/sso/requests', s.t.server.httpUrl), {
      headers: { authorization: `Bearer ${s.t.tokens.alice}` },
    });
    expect(member.status).toBe(403);
    const listed = await admin('/api/sso/requests');
    expect(listed.status).toBe(200);
    const requests = listed.body.requests as { id: string; email: string; state: string }[];
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ email: 'gina@outside.test', state: 'waiting' });
    const approved = await admin(`/api/sso/requests/${requests[0]!.id}/approve`, 'POST');
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ state: 'approved' });

    const session = await signIn(s, 'gina@outside.test');
    expect(session.user.name).toBe('Gina');
    const c = await TestClient.connect(s.t.url, session.token);
    await c.close();
    const kinds = (await s.t.server.store.listAudit(s.t.tenants.a.id, 20)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['sso-requested', 'sso-approved']));
  });

  it('a refused request says so at the next sign-in', async () => {
    await signInOverHttp(startOf(s).url, 'hugo@outside.test');
    const requests = (await admin('/api/sso/requests')).body.requests as { id: string; email: string }[];
    const hugo = requests.find((r) => r.email === 'hugo@outside.test')!;
    const refused = await admin(`/api/sso/requests/${hugo.id}/refuse`, 'POST');
    expect(refused.body).toMatchObject({ state: 'refused' });
    // Deciding twice changes nothing.
    const twice = await admin(`/api/sso/requests/${hugo.id}/approve`, 'POST');
    expect(twice.status).toBe(409);
    const flow = await signInOverHttp(startOf(s).url, 'hugo@outside.test');
    expect(flow.redirect?.searchParams.get('error')).toBe('sso-declined');
  });
});

describe('single sign-on: sessions', () => {
  let s: SsoTestSetup;
  afterEach(() => s.close());

  it('an access token expires; the refresh token renews it, rotating, and the old access token stops', async () => {
    s = await startSsoServer({}, { sessionLifetimes: { accessMs: 1500, refreshMs: 60_000 } });
    const session = await signIn(s, 'ivan@allowed.test');
    const live = await TestClient.connect(s.t.url, session.token);
    // Past its expiry (the server's clock is this process's), a new socket with it is refused.
    await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(session.expiresAt), { timeout: 5000 });
    const late = await TestClient.open(s.t.url);
    late.send({ type: 'hello', token: session.token, protocol: PROTOCOL_VERSION });
    const closed = await late.closed;
    expect(closed.code).toBe(CLOSE.tokenExpired);
    expect(closed.reason).toMatch(/sign-in has expired/);
    // A socket already open stays open: expiry is checked at hello.
    expect(s.t.server.stats().authenticated).toBe(1);
    const renewed = await post(s, '/sso/token', {
      grant_type: 'refresh_token',
      refresh_token: session.refreshToken,
    });
    expect(renewed.status).toBe(200);
    expect(renewed.body.token).not.toBe(session.token);
    expect(renewed.body.refreshToken).not.toBe(session.refreshToken);
    expect(renewed.body.user).toEqual(session.user);
    const c = await TestClient.connect(s.t.url, renewed.body.token as string);
    expect(c.welcome?.user.id).toBe(session.user.id);
    await c.close();
    await live.close();
  });

  it('a refresh token used twice ends the session and closes its sockets', async () => {
    s = await startSsoServer();
    const session = await signIn(s, 'judy@allowed.test');
    const renewed = await post(s, '/sso/token', {
      grant_type: 'refresh_token',
      refresh_token: session.refreshToken,
    });
    expect(renewed.status).toBe(200);
    const c = await TestClient.connect(s.t.url, renewed.body.token as string);
    const reused = await post(s, '/sso/token', {
      grant_type: 'refresh_token',
      refresh_token: session.refreshToken,
    });
    expect(reused.status).toBe(401);
    expect(reused.body.code).toBe('session-reused');
    expect((await c.closed).code).toBe(CLOSE.revoked);
    // The newest refresh token is dead too: the whole session ended.
    const after = await post(s, '/sso/token', {
      grant_type: 'refresh_token',
      refresh_token: renewed.body.refreshToken,
    });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('session-ended');
    const audit = await s.t.server.store.listAudit(s.t.tenants.a.id, 5);
    expect(audit[0]).toMatchObject({ kind: 'token-revoked', subjectId: session.user.id });
    expect(audit[0]!.detail).toMatch(/used twice/);
  });

  it('signing out revokes the session on the server and closes its sockets', async () => {
    s = await startSsoServer();
    const session = await signIn(s, 'kim@allowed.test');
    const c = await TestClient.connect(s.t.url, session.token);
    const out = await post(s, '/sso/logout', {}, { authorization: `Bearer ${session.token}` });
    expect(out.status).toBe(200);
    expect(out.body).toMatchObject({ revoked: true, closed: 1 });
    expect((await c.closed).code).toBe(CLOSE.revoked);
    const refresh = await post(s, '/sso/token', {
      grant_type: 'refresh_token',
      refresh_token: session.refreshToken,
    });
    expect(refresh.status).toBe(401);
    const hello = await TestClient.open(s.t.url);
    hello.send({ type: 'hello', token: session.token, protocol: PROTOCOL_VERSION });
    expect((await hello.closed).code).toBe(CLOSE.revoked);
    // A pasted token is not a session: logging out with it is refused, and it keeps working.
    const pasted = await post(s, '/sso/logout', {}, { authorization: `Bearer ${s.t.tokens.bob}` });
    expect(pasted.status).toBe(401);
    const bob = await TestClient.connect(s.t.url, s.t.tokens.bob);
    await bob.close();
  });

  it('a member removed by an admin cannot sign in again', async () => {
    s = await startSsoServer();
    const session = await signIn(s, 'liam@allowed.test');
    await s.t.server.store.removeMember(s.t.tenants.a.id, session.user.id);
    const flow = await signInOverHttp(startOf(s).url, 'liam@allowed.test');
    expect(flow.redirect?.searchParams.get('error')).toBe('sso-removed');
    const refresh = await post(s, '/sso/token', {
      grant_type: 'refresh_token',
      refresh_token: session.refreshToken,
    });
    expect(refresh.status).toBe(401);
  });
});

describe('a server without single sign-on', () => {
  it('says so, and pasted tokens work as before', async () => {
    const t = await startTestServer();
    try {
      const res = await fetch(new URL('/sso', t.server.httpUrl));
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'sso-not-configured' });
      const start = await fetch(new URL('/sso/start', t.server.httpUrl), { redirect: 'manual' });
      expect(start.status).toBe(404);
      const c = await TestClient.connect(t.url, t.tokens.alice);
      await c.close();
    } finally {
      await t.close();
    }
  });
});
