// A real OpenID Connect provider (`oidc-provider`, with its own login and consent pages) on port 0,
// and a Collab Chat server on port 0 signed in against it: what single sign-on tests run on. The
// provider's accounts are made up from the login typed: `<anything>@<domain>` has that email,
// verified, unless the login starts with `unverified.`. Any password is accepted.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { expect } from 'vitest';
import type { ServerParts } from '../../server/app';
import type { ServerConfig, SsoConfig } from '../../server/config';
import { startTestServer, type TestServer } from './server';

export const CLIENT_ID = 'collab-chat';
export const CLIENT_SECRET = 'a-client-secret-for-tests-only';
/** A Chrome extension redirect URL (the shape `identity.getRedirectURL()` gives). */
export const CHROME_REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';

export interface TestProvider {
  issuer: string;
  /** Registers the Collab Chat server's callback (known once it listens). */
  allow(redirectUri: string): void;
  close(): Promise<void>;
}

export async function startProvider(): Promise<TestProvider> {
  let handler: ((req: never, res: never) => void) | null = null;
  const http: Server = createServer((req, res) => {
    if (handler) (handler as (a: typeof req, b: typeof res) => void)(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const redirectUris: string[] = [];
  let provider: Provider | null = null;
  const cookieKey = randomBytes(24).toString('hex');
  const build = () => {
    provider = new Provider(issuer, {
      clients: [
        {
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
          redirect_uris: [...redirectUris],
          token_endpoint_auth_method: 'client_secret_post',
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      // A key of its own: providers on 127.0.0.1 share cookies (ports do not part them), and their
      // default storage is shared in this process; another provider's login must not count here.
      cookies: { keys: [cookieKey] },
      pkce: { required: () => true },
      async findAccount(_ctx, id) {
        const email = id.replace(/^unverified\./, '');
        const local = email.split('@')[0] ?? id;
        return {
          accountId: id,
          async claims() {
            return {
              sub: id,
              email,
              email_verified: !id.startsWith('unverified.'),
              name: local.charAt(0).toUpperCase() + local.slice(1),
            };
          },
        };
      },
    });
    // The provider answers on plain HTTP here; it must not insist on TLS.
    provider.proxy = true;
    handler = provider.callback() as never;
  };
  return {
    issuer,
    allow(redirectUri) {
      redirectUris.push(redirectUri);
      build();
    },
    async close() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

export interface SsoTestSetup {
  t: TestServer;
  provider: TestProvider;
  sso: SsoConfig;
  close(): Promise<void>;
}

/** A provider and a server whose single sign-on lets `allowed.test` in; `sso` overrides the rules. */
export async function startSsoServer(
  sso: Partial<SsoConfig> = {},
  overrides: Partial<ServerConfig> = {},
  parts: ServerParts = {},
): Promise<SsoTestSetup> {
  const provider = await startProvider();
  const config: SsoConfig = {
    issuer: provider.issuer,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    tenant: 'Tenant A',
    publicUrl: 'http://127.0.0.1',
    emailDomains: ['allowed.test'],
    allowedEmails: [],
    unknown: 'refuse',
    extensionIds: [],
    ...sso,
  };
  const t = await startTestServer({ sso: config, ...overrides }, parts);
  // The server learns its URL once it listens; the callback registered with the provider follows.
  const origin = new URL(t.server.httpUrl).origin;
  config.publicUrl = origin;
  provider.allow(`${origin}/sso/callback`);
  return {
    t,
    provider,
    sso: config,
    async close() {
      await t.close();
      await provider.close();
    },
  };
}

/** Cookies per host, as a browser keeps them between the provider's pages. */
class CookieJar {
  private readonly jar = new Map<string, Map<string, string>>();
  header(url: URL): string {
    return [...(this.jar.get(url.host) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  keep(url: URL, res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      let host = this.jar.get(url.host);
      if (!host) this.jar.set(url.host, (host = new Map()));
      host.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
  }
}

export interface FlowResult {
  /** Where the server finally sent the browser (the extension's redirect URL), or null. */
  redirect: URL | null;
  /** The last answer when it was not a redirect to the extension (an error page). */
  status: number;
  text: string;
}

/**
 * Goes through a sign-in as a browser would: follows redirects (keeping cookies), types `login` and
 * a password in the provider's login page and continues on its consent page, and stops at the first
 * redirect to `stopAt` (the extension's redirect URL), which a browser would hand to the extension.
 */
export async function signInOverHttp(
  startUrl: string,
  login: string,
  stopAt = CHROME_REDIRECT,
): Promise<FlowResult> {
  const jar = new CookieJar();
  let url = new URL(startUrl);
  let method = 'GET';
  let body: string | undefined;
  for (let hop = 0; hop < 30; hop++) {
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        cookie: jar.header(url),
        ...(body !== undefined && { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(body !== undefined && { body }),
    });
    jar.keep(url, res);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, url);
      if (next.href.startsWith(stopAt)) return { redirect: next, status: res.status, text: '' };
      url = next;
      method = 'GET';
      body = undefined;
      continue;
    }
    const text = await res.text();
    const form = /<form[^>]*action="([^"]+)"[^>]*method="post"/i.exec(text);
    if (res.status === 200 && form) {
      const prompt = /name="prompt" value="(\w+)"/.exec(text)?.[1];
      url = new URL(form[1]!.replace(/&amp;/g, '&'), url);
      method = 'POST';
      body =
        prompt === 'login'
          ? new URLSearchParams({ prompt, login, password: 'any password' }).toString()
          : new URLSearchParams({ prompt: prompt ?? 'consent' }).toString();
      continue;
    }
    return { redirect: null, status: res.status, text };
  }
  throw new Error('the sign-in went round in circles');
}

// ---------------------------------------------------------------- what the background does

export interface Started {
  url: string;
  verifier: string;
  state: string;
}

/** What the background does before launchWebAuthFlow: a verifier it keeps, its challenge, a state. */
export function startOf(s: SsoTestSetup, redirect = CHROME_REDIRECT): Started {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(16).toString('base64url');
  const url = new URL('/sso/start', s.t.server.httpUrl);
  url.search = new URLSearchParams({
    redirect_uri: redirect,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
  }).toString();
  return { url: url.toString(), verifier, state };
}

export async function post(
  s: SsoTestSetup,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(new URL(path, s.t.server.httpUrl), {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export interface SignedIn {
  token: string;
  refreshToken: string;
  expiresAt: number;
  user: { id: string; name: string };
  tenant: { id: string; name: string };
  role: string;
}

/** Signs `login` in and trades the code for a session, as the background would. */
export async function signIn(s: SsoTestSetup, login: string): Promise<SignedIn> {
  const started = startOf(s);
  const flow = await signInOverHttp(started.url, login);
  expect(flow.redirect, flow.text).not.toBeNull();
  expect(flow.redirect!.searchParams.get('state')).toBe(started.state);
  const code = flow.redirect!.searchParams.get('code');
  expect(code, flow.redirect!.searchParams.get('error_description') ?? '').toMatch(/^cch_/);
  const traded = await post(s, '/sso/token', {
    grant_type: 'authorization_code',
    code,
    code_verifier: started.verifier,
  });
  expect(traded.status, JSON.stringify(traded.body)).toBe(201);
  return traded.body as unknown as SignedIn;
}
