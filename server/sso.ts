// Single sign-on: this server as an OpenID Connect relying party (authorization code flow with PKCE,
// state and nonce, through `openid-client`), and the sessions it hands to the extension.
//
// The extension's background starts a sign-in in `browser.identity.launchWebAuthFlow` at
// GET /sso/start with its own redirect URL (https://<id>.chromiumapp.org/ or
// https://<sha1 of the add-on id>.extensions.allizom.org/: nothing else is ever redirected to), a PKCE-style challenge
// of a verifier it keeps, and its own state. The provider sends the person back to
// GET /sso/callback, where the ID token is checked and the person admitted (a linked member, an email
// the rules allow, or a waiting request an admin approves on the dashboard). The extension's redirect
// URL then receives only a one-time code that lives a minute; the background trades it, with its
// verifier, by POST /sso/token for a session: an access token of this server (a `cc_` token with an
// expiry, scoped to the member) and a refresh token that rotates at every use. A refresh token used
// twice ends the session (someone holds a copy); POST /sso/logout ends it too. Ending a session
// closes its sockets. See docs/api.md and docs/security.md.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as oidc from 'openid-client';
import { hashToken, revokeToken, TOKEN_PREFIX } from './auth';
import type { SessionLifetimes, SsoConfig } from './config';
import { answer, bearer, HttpError, json, readJsonBody } from './http-json';
import { newId } from './ids';
import { AttemptLimiter } from './invites';
import { EXTENSION_ORIGIN, extensionOnly, type OriginPolicy } from './origin';
import { NO_PLACE, type SsoRequest, type Store, type TokenAuth, type User } from './store/types';

export const REFRESH_PREFIX = 'ccr_';
export const HANDOFF_PREFIX = 'cch_';
/** How long a sign-in may stay at the provider, and how long its one-time code lives. */
export const LOGIN_TTL_MS = 10 * 60_000;
export const HANDOFF_TTL_MS = 60_000;

const CHROME_REDIRECT = /^([a-p]{32})\.chromiumapp\.org$/;
// Firefox names the host by the SHA-1 (hex) of the add-on's id (toolkit/components/extensions/child/ext-identity.js).
const FIREFOX_REDIRECT = /^([0-9a-f]{40})\.extensions\.allizom\.org$/;

/**
 * Whether `value` is an extension's redirect URL for `identity.launchWebAuthFlow` (and, when
 * `extensionIds` is not empty, one of theirs): the only place a sign-in result may go. Web origins
 * never qualify, so no page can have a code sent where it can read it.
 */
export function extensionRedirect(value: unknown, extensionIds: readonly string[] = []): URL | null {
  if (typeof value !== 'string' || value.length > 500) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || url.port !== '' || url.username !== '' || url.password !== '') return null;
  if (url.search !== '' || url.hash !== '') return null;
  const id = CHROME_REDIRECT.exec(url.hostname)?.[1] ?? FIREFOX_REDIRECT.exec(url.hostname)?.[1];
  if (!id) return null;
  if (extensionIds.length > 0 && !extensionIds.includes(id)) return null;
  return url;
}

/** Whether a verified email may enter by the rules (domains, list). */
export function emailAllowed(
  email: string,
  config: Pick<SsoConfig, 'emailDomains' | 'allowedEmails'>,
): boolean {
  const e = email.trim().toLowerCase();
  const at = e.lastIndexOf('@');
  if (at <= 0) return false;
  return config.allowedEmails.includes(e) || config.emailDomains.includes(e.slice(at + 1));
}

const sha256url = (value: string) => createHash('sha256').update(value, 'utf8').digest('base64url');
const secret = (prefix: string) => prefix + randomBytes(32).toString('base64url');

/** Why a sign-in did not admit the person: the code the extension reads, and words for the person. */
export const SSO_REFUSALS = {
  'sso-refused': 'your account is not allowed on this Collab Chat server; ask your admin to let you in',
  'sso-waiting':
    'your request to join is waiting for an admin of the team to approve it; sign in again once they have',
  'sso-declined': 'an admin of the team declined your request to join',
  'sso-removed': 'you were removed from this team; ask an admin of the team to add you again',
  'sso-email-unverified':
    'your identity provider did not vouch for your email address (email_verified); ask your admin',
  'sso-provider-error': 'the identity provider did not sign you in',
  'sso-failed': 'signing in failed',
} as const;
export type SsoRefusal = keyof typeof SSO_REFUSALS;

class SsoError extends HttpError {
  constructor(
    status: number,
    readonly code: string,
    message: string,
  ) {
    super(status, message);
  }
}

interface LoginState {
  verifier: string;
  nonce: string;
  redirectUri: string;
  challenge: string;
  clientState: string;
}

interface Handoff {
  tenantId: string;
  userId: string;
  challenge: string;
}

export interface SsoApiDeps {
  store: Store;
  config: SsoConfig;
  lifetimes: SessionLifetimes;
  origins: OriginPolicy;
  /** Closes the live sockets of a token (a session ended); returns how many. */
  closeToken(tokenId: string): number;
  log(message: string): void;
  limits?: { perWindow: number; windowMs: number };
  now?: () => number;
}

/** The session the extension keeps, as POST /sso/token answers it. */
function sessionBody(auth: TokenAuth, access: string, refresh: string, refreshExpiresAt: number) {
  return {
    token: access,
    expiresAt: auth.token.expiresAt,
    refreshToken: refresh,
    refreshExpiresAt,
    user: { id: auth.user.id, name: auth.user.name },
    tenant: { id: auth.tenant.id, name: auth.tenant.name },
    role: auth.token.role,
  };
}

export function createSsoApi(deps: SsoApiDeps) {
  const { store, config } = deps;
  const now = deps.now ?? Date.now;
  const limiter = new AttemptLimiter(deps.limits?.perWindow ?? 60, deps.limits?.windowMs ?? 10 * 60_000);
  // Read at each use: a test server learns its own URL only once it listens.
  const callbackUrl = () => `${config.publicUrl}/sso/callback`;
  let discovered: Promise<oidc.Configuration> | null = null;
  // Looked up at first use and kept; a failed lookup (the provider down) is tried again next time.
  const provider = () =>
    (discovered ??= (async () => {
      const issuer = new URL(config.issuer);
      const local = issuer.protocol === 'http:';
      return oidc.discovery(
        issuer,
        config.clientId,
        config.clientSecret,
        config.clientSecret === undefined ? oidc.None() : undefined,
        local ? { execute: [oidc.allowInsecureRequests] } : undefined,
      );
    })().catch((err: Error) => {
      discovered = null;
      deps.log(`single sign-on: the identity provider at ${config.issuer} could not be read: ${err.message}`);
      throw new SsoError(
        502,
        'sso-provider-unreachable',
        'the identity provider could not be reached; try again shortly',
      );
    }));
  const tenant = async () => {
    const found = await store.findTenant(config.tenant);
    if (!found)
      throw new SsoError(
        500,
        'sso-misconfigured',
        `single sign-on is set up for the team ${JSON.stringify(config.tenant)}, which does not exist; ask the operator`,
      );
    return found;
  };

  const limit = (req: IncomingMessage) => {
    const wait = limiter.take(req.socket.remoteAddress ?? 'unknown');
    if (wait > 0)
      throw new SsoError(
        429,
        'rate-limited',
        `too many sign-in attempts from your address; try again in ${wait} seconds`,
      );
  };

  /** Where the sign-in started: the provider's authorization URL with our state, nonce and PKCE. */
  async function start(req: IncomingMessage): Promise<string> {
    limit(req);
    const params = new URL(req.url ?? '/', 'http://x').searchParams;
    const redirect = extensionRedirect(params.get('redirect_uri'), config.extensionIds);
    if (!redirect)
      throw new SsoError(
        400,
        'sso-redirect-refused',
        'sign-in starts from the Collab Chat extension only: redirect_uri must be its https://<id>.chromiumapp.org/ or https://<hash>.extensions.allizom.org/ URL',
      );
    const challenge = params.get('code_challenge') ?? '';
    const clientState = params.get('state') ?? '';
    if (!/^[A-Za-z0-9_-]{43}$/.test(challenge) || params.get('code_challenge_method') !== 'S256')
      throw new SsoError(
        400,
        'sso-bad-request',
        'code_challenge must be an S256 challenge (43 base64url characters)',
      );
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(clientState))
      throw new SsoError(400, 'sso-bad-request', 'state must be 16 to 128 base64url characters');
    const configuration = await provider();
    const login: LoginState = {
      verifier: oidc.randomPKCECodeVerifier(),
      nonce: oidc.randomNonce(),
      redirectUri: redirect.href,
      challenge,
      clientState,
    };
    const state = oidc.randomState();
    await store.sso.putOneTime(`login:${state}`, JSON.stringify(login), now() + LOGIN_TTL_MS);
    return oidc
      .buildAuthorizationUrl(configuration, {
        redirect_uri: callbackUrl(),
        scope: 'openid email profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(login.verifier),
        code_challenge_method: 'S256',
        state,
        nonce: login.nonce,
      })
      .toString();
  }

  /** Whom the verified claims are: a member to sign in, or why not. */
  async function admit(claims: oidc.IDToken): Promise<{ user: User } | { refusal: SsoRefusal }> {
    const team = await tenant();
    const issuer = claims.iss;
    const subject = claims.sub;
    const member = await store.sso.findMember(team.id, issuer, subject);
    if (member) return member.removedAt === null ? { user: member } : { refusal: 'sso-removed' };
    const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
    const verified = claims.email_verified === true;
    const name =
      (
        [claims.name, claims.preferred_username, email].find(
          (v) => typeof v === 'string' && v.trim() !== '',
        ) as string | undefined
      )
        ?.trim()
        .slice(0, 80) ?? 'Member';
    if (email !== '' && verified && emailAllowed(email, config)) {
      const { user, created } = await store.sso.addMember(
        team.id,
        { issuer, subject },
        { userId: newId('usr'), name, at: now() },
      );
      if (created)
        await store.addAudit({
          ...NO_PLACE,
          tenantId: team.id,
          at: now(),
          kind: 'sso-joined',
          actorId: null,
          subjectId: user.id,
          tokenId: null,
          detail: `signed in as ${email}`,
        });
      return user.removedAt === null ? { user } : { refusal: 'sso-removed' };
    }
    if (config.unknown !== 'wait' || email === '') return { refusal: 'sso-refused' };
    if (!verified) return { refusal: 'sso-email-unverified' };
    const { request, created } = await store.sso.request({
      id: newId('req'),
      tenantId: team.id,
      issuer,
      subject,
      email,
      name,
      requestedAt: now(),
    });
    if (created)
      await store.addAudit({
        ...NO_PLACE,
        tenantId: team.id,
        at: request.requestedAt,
        kind: 'sso-requested',
        actorId: null,
        subjectId: null,
        tokenId: null,
        detail: `${request.id}: ${email}`,
      });
    return { refusal: request.decision === 'refused' ? 'sso-declined' : 'sso-waiting' };
  }

  /** The provider sent the person back: check, admit, and send a one-time code to the extension. */
  async function callback(req: IncomingMessage): Promise<string> {
    limit(req);
    const current = new URL(req.url ?? '/', config.publicUrl);
    const state = current.searchParams.get('state') ?? '';
    const saved = state ? await store.sso.takeOneTime(`login:${state}`, now()) : null;
    if (!saved)
      throw new SsoError(
        400,
        'sso-state-unknown',
        'this sign-in has expired or was already used; start again from the Collab Chat extension',
      );
    const login = JSON.parse(saved) as LoginState;
    const back = (params: Record<string, string>) => {
      const url = new URL(login.redirectUri);
      for (const [k, v] of Object.entries({ ...params, state: login.clientState }))
        url.searchParams.set(k, v);
      return url.toString();
    };
    const refused = (refusal: SsoRefusal, detail?: string) =>
      back({
        error: refusal,
        error_description: detail ? `${SSO_REFUSALS[refusal]}: ${detail}` : SSO_REFUSALS[refusal],
      });
    const providerError = current.searchParams.get('error');
    if (providerError !== null) {
      const words = current.searchParams.get('error_description') ?? providerError;
      return refused('sso-provider-error', words.slice(0, 200));
    }
    let claims: oidc.IDToken | undefined;
    try {
      const configuration = await provider();
      const tokens = await oidc.authorizationCodeGrant(configuration, current, {
        pkceCodeVerifier: login.verifier,
        expectedState: state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
      // Many providers put the email in the ID token; others only answer it at userinfo, for the
      // same subject (checked by openid-client).
      if (claims && claims.email === undefined && tokens.access_token) {
        const info = await oidc.fetchUserInfo(configuration, tokens.access_token, claims.sub);
        claims = {
          ...claims,
          ...(info.email !== undefined && { email: info.email }),
          ...(info.email_verified !== undefined && { email_verified: info.email_verified }),
          ...(info.name !== undefined && claims.name === undefined && { name: info.name }),
          ...(info.preferred_username !== undefined && { preferred_username: info.preferred_username }),
        };
      }
    } catch (err) {
      deps.log(`single sign-on: the provider's answer was refused: ${(err as Error).message}`);
      return refused('sso-failed', "the identity provider's answer could not be checked");
    }
    if (!claims) return refused('sso-failed', 'no ID token');
    const outcome = await admit(claims);
    if ('refusal' in outcome) return refused(outcome.refusal);
    const code = secret(HANDOFF_PREFIX);
    const handoff: Handoff = {
      tenantId: outcome.user.tenantId,
      userId: outcome.user.id,
      challenge: login.challenge,
    };
    await store.sso.putOneTime(`code:${hashToken(code)}`, JSON.stringify(handoff), now() + HANDOFF_TTL_MS);
    return back({ code });
  }

  /** A new session for a member: its token row (with an expiry) and first refresh token. */
  async function openSession(handoff: Handoff): Promise<[number, unknown]> {
    const member = (await store.listUsers(handoff.tenantId)).find((u) => u.id === handoff.userId);
    if (!member || member.removedAt !== null)
      throw new SsoError(403, 'sso-removed', SSO_REFUSALS['sso-removed']);
    // The member's role as an admin last set it (on their live tokens); a new member's is member.
    const theirs = (await store.listTokens(handoff.tenantId)).filter((t) => t.userId === handoff.userId);
    const role = (theirs.findLast((t) => t.revokedAt === null) ?? theirs.at(-1))?.role ?? 'member';
    const access = secret(TOKEN_PREFIX);
    const refresh = secret(REFRESH_PREFIX);
    const at = now();
    const refreshExpiresAt = at + deps.lifetimes.refreshMs;
    const token = await store.sso.startSession({
      token: {
        id: newId('tok'),
        tenantId: handoff.tenantId,
        userId: handoff.userId,
        role,
        label: 'signed in with single sign-on',
        hash: hashToken(access),
        createdAt: at,
        createdBy: null,
        expiresAt: at + deps.lifetimes.accessMs,
      },
      refreshHash: hashToken(refresh),
      refreshExpiresAt,
    });
    const auth = await store.findTokenByHash(hashToken(access));
    if (!auth) throw new Error('the new session was not stored');
    await store.addAudit({
      ...NO_PLACE,
      tenantId: token.tenantId,
      at,
      kind: 'token-created',
      actorId: null,
      subjectId: token.userId,
      tokenId: token.id,
      detail: `${token.role} token "${token.label}"`,
    });
    return [201, sessionBody(auth, access, refresh, refreshExpiresAt)];
  }

  async function exchange(req: IncomingMessage): Promise<[number, unknown]> {
    limit(req);
    const body = await readJsonBody(req, 4096);
    const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (input.grant_type === 'authorization_code') {
      const code = typeof input.code === 'string' ? input.code : '';
      const verifier = typeof input.code_verifier === 'string' ? input.code_verifier : '';
      const saved = code.startsWith(HANDOFF_PREFIX)
        ? await store.sso.takeOneTime(`code:${hashToken(code)}`, now())
        : null;
      if (!saved)
        throw new SsoError(
          400,
          'sso-code-invalid',
          'this sign-in code is unknown, expired or already used; sign in again',
        );
      const handoff = JSON.parse(saved) as Handoff;
      // The code was sent to a URL; only who started the sign-in holds the verifier of its challenge.
      if (!/^[A-Za-z0-9_-]{43,128}$/.test(verifier) || sha256url(verifier) !== handoff.challenge)
        throw new SsoError(
          400,
          'sso-code-invalid',
          'the code verifier does not match this sign-in; sign in again',
        );
      return openSession(handoff);
    }
    if (input.grant_type === 'refresh_token') {
      const refresh = typeof input.refresh_token === 'string' ? input.refresh_token : '';
      if (!refresh.startsWith(REFRESH_PREFIX))
        throw new SsoError(401, 'session-ended', 'this session has ended; sign in again');
      const access = secret(TOKEN_PREFIX);
      const next = secret(REFRESH_PREFIX);
      const at = now();
      const refreshExpiresAt = at + deps.lifetimes.refreshMs;
      const result = await store.sso.rotateSession(hashToken(refresh), at, {
        accessHash: hashToken(access),
        expiresAt: at + deps.lifetimes.accessMs,
        refreshHash: hashToken(next),
        refreshExpiresAt,
      });
      if (result.status === 'rotated') return [200, sessionBody(result.auth, access, next, refreshExpiresAt)];
      if (result.status === 'reused') {
        deps.closeToken(result.token.id);
        await store.addAudit({
          ...NO_PLACE,
          tenantId: result.token.tenantId,
          at,
          kind: 'token-revoked',
          actorId: null,
          subjectId: result.token.userId,
          tokenId: result.token.id,
          detail: `${result.token.role} token "${result.token.label}": its refresh token was used twice, the session was ended`,
        });
        throw new SsoError(
          401,
          'session-reused',
          'this session was ended because its refresh token was used twice (a copy may exist elsewhere); sign in again',
        );
      }
      throw new SsoError(401, 'session-ended', 'this session has ended; sign in again');
    }
    throw new SsoError(400, 'sso-bad-request', 'grant_type must be authorization_code or refresh_token');
  }

  /** Ends the session of the bearer's access token (expired or not) and closes its sockets. */
  async function logout(req: IncomingMessage): Promise<[number, unknown]> {
    limit(req);
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) throw new HttpError(401, 'send Authorization: Bearer <the session token>');
    const auth = await store.findTokenByHash(hashToken(match[1]!));
    if (!auth || auth.token.expiresAt === null)
      throw new HttpError(401, 'not the token of a signed-in session');
    const info = await revokeToken(store, auth.token.id, { tenantId: auth.tenant.id, by: auth.user.id });
    const closed = deps.closeToken(auth.token.id);
    return [200, { revoked: info?.revokedAt !== null, closed }];
  }

  const plain = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    res.end(text);
  };
  /** A redirect (to the provider, or to the extension), or a plain-words page when none may be made. */
  const navigate = (res: ServerResponse, work: Promise<string>) => {
    work
      .then((location) => {
        res.writeHead(302, { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
        res.end();
      })
      .catch((err: Error) => {
        if (err instanceof HttpError) plain(res, err.status, `Collab Chat: ${err.message}.`);
        else {
          deps.log(`single sign-on failed: ${err.message}`);
          plain(res, 500, `Collab Chat: signing in failed (${err.message}); try again.`);
        }
      });
  };
  const answerSso = (res: ServerResponse, work: Promise<[number, unknown]>) =>
    answer(
      res,
      work.catch((err: unknown): [number, unknown] => {
        if (err instanceof SsoError) {
          if (err.status === 429) res.setHeader('retry-after', '60');
          return [err.status, { error: err.message, code: err.code }];
        }
        throw err;
      }),
    );

  return function handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path !== '/sso' && !path.startsWith('/sso/')) return false;
    const method = req.method ?? 'GET';
    if (path === '/sso' && method === 'GET') {
      allowExtension(req, res);
      json(res, 200, { enabled: true, issuer: new URL(config.issuer).host });
      return true;
    }
    if (path === '/sso/start' && method === 'GET') {
      navigate(res, start(req));
      return true;
    }
    if (path === '/sso/callback' && method === 'GET') {
      navigate(res, callback(req));
      return true;
    }
    if (path === '/sso/token' || path === '/sso/logout') {
      // As invite redemption: the extension's pages and non-browser clients only; no web page may
      // read a session (no CORS header for it, and its origin is refused).
      const gate = extensionOnly(
        req,
        res,
        deps.origins,
        'sessions are handed to the Collab Chat extension only',
        'content-type, authorization',
      );
      if (gate === 'answered') return true;
      if (method === 'POST') {
        answerSso(res, path === '/sso/token' ? exchange(req) : logout(req));
        return true;
      }
    }
    json(res, 404, { error: `no such page: ${method} ${path}` });
    return true;
  };
}

/** Lets the extension's background read an answer that holds no secret (whether sign-in is offered). */
function allowExtension(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (origin !== undefined && EXTENSION_ORIGIN.test(origin)) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'origin');
  }
}

/** Answers /sso on a server without single sign-on, so the extension can say so. */
export function ssoNotConfigured(req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? '/').split('?')[0]!;
  if (path !== '/sso' && !path.startsWith('/sso/')) return false;
  allowExtension(req, res);
  json(res, 404, { error: 'single sign-on is not set up on this server', code: 'sso-not-configured' });
  return true;
}

/** A waiting request as the dashboard lists it. */
const requestView = (r: SsoRequest) => ({
  id: r.id,
  email: r.email,
  name: r.name,
  requestedAt: new Date(r.requestedAt).toISOString(),
  state: r.decision === null ? 'waiting' : r.decision,
  decidedAt: r.decidedAt === null ? null : new Date(r.decidedAt).toISOString(),
  decidedBy: r.decidedBy,
  userId: r.userId,
});

/** How many requests the dashboard lists. */
const REQUESTS_SHOWN = 200;

/**
 * The admin's side of the waiting list (/api/sso/requests, docs/api.md): list, approve, refuse.
 * `enabled`: whether single sign-on is set up (the dashboard shows the list only then).
 */
export function createSsoAdminApi(deps: { store: Store; enabled: boolean }) {
  async function route(req: IncomingMessage, path: string): Promise<[number, unknown]> {
    const auth = await bearer(deps.store, req, 'admin token');
    if (auth.token.role !== 'admin')
      throw new HttpError(403, 'this token is not an admin token; ask an admin of your team');
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/api/sso/requests') {
      const requests = deps.enabled ? await deps.store.sso.listRequests(auth.tenant.id, REQUESTS_SHOWN) : [];
      return [200, { enabled: deps.enabled, requests: requests.map(requestView) }];
    }
    const match = /^\/api\/sso\/requests\/([^/]+)\/(approve|refuse)$/.exec(path);
    if (method === 'POST' && match) {
      const decision = match[2] === 'approve' ? 'approved' : 'refused';
      const at = Date.now();
      const done = await deps.store.sso.decide(
        auth.tenant.id,
        decodeURIComponent(match[1]!),
        decision,
        auth.user.id,
        at,
        { userId: newId('usr') },
      );
      if (!done) throw new HttpError(404, 'no such request in your team');
      if (!done.changed)
        throw new HttpError(409, `this request was ${done.request.decision} already; nothing changed`);
      await deps.store.addAudit({
        ...NO_PLACE,
        tenantId: auth.tenant.id,
        at,
        kind: decision === 'approved' ? 'sso-approved' : 'sso-refused',
        actorId: auth.user.id,
        subjectId: done.request.userId,
        tokenId: null,
        detail: `${done.request.id}: ${done.request.email}`,
      });
      return [200, requestView(done.request)];
    }
    throw new HttpError(404, `no such API: ${method} ${path}`);
  }
  return function handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path !== '/api/sso/requests' && !path.startsWith('/api/sso/requests/')) return false;
    answer(res, route(req, path));
    return true;
  };
}
