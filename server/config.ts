// The server's settings, from command-line flags with environment variables as fallback. Every
// setting the README lists is parsed and checked here; nothing else reads process.env.
import { LIMITS } from '../lib/protocol';
import type { InviteLimits } from './invites';
import { DEFAULT_STORE_LIMITS, type StoreLimits } from './ops';
import { parseAllowedOrigins } from './origin';
import { DEFAULT_REPLAY_WINDOW, type ReplayWindow } from './store/types';

export interface ServerConfig {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** A file path for SQLite (the default), or a postgres:// URL. */
  db: string;
  tlsCert?: string;
  tlsKey?: string;
  /** Redis URL for the multi-node bus and presence; unused on a single node. */
  redis?: string;
  /** With Redis: how long a node's viewers stay counted after its last heartbeat (a dead node's). */
  presenceTtlMs?: number;
  helloTimeoutMs: number;
  /** How often every socket is pinged. */
  heartbeatMs: number;
  /** A socket whose ping stays unanswered this long is terminated (default LIMITS.pongTimeoutMs). */
  pongTimeoutMs?: number;
  /**
   * Sockets still in their handshake (connected, not yet welcomed) above which new sockets are
   * refused with 1013 and a retry-after (default DEFAULTS.maxHandshaking).
   */
  maxHandshaking?: number;
  /**
   * How often each node checks its live rooms against the store for events the bus did not bring
   * (default DEFAULTS.reconcileMs with Redis; 0 turns it off, as on one node it has nothing to find).
   */
  reconcileMs?: number;
  /**
   * How often to look for tokens revoked by another process (the CLI) or node (a member removed on
   * another node's dashboard): their sockets here close within this time.
   */
  revocationPollMs: number;
  /** Invite attempts allowed per client address (default DEFAULT_INVITE_LIMITS). */
  inviteLimits?: InviteLimits;
  /** A socket whose unsent data exceeds this is closed as a slow consumer (4408). */
  maxBufferedBytes: number;
  /** Browser origins allowed to connect (exact, or with `*`); absent: any origin (see docs/security.md). */
  allowedOrigins?: string[];
  /**
   * Live frames due for a socket written to less than this many ms ago wait for the window's end and
   * go out as one batch; 0 turns batching off (default DEFAULTS.flushWindowMs).
   */
  flushWindowMs?: number;
  /** How often usage counters are added to the store (default DEFAULTS.usageFlushMs). */
  usageFlushMs?: number;
  /** When set, GET /metrics requires `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** How much of each page's event log is kept for replays (default DEFAULT_REPLAY_WINDOW). */
  replayWindow?: ReplayWindow;
  /** What a page, a discussion and a team may hold (default DEFAULT_STORE_LIMITS). */
  limits?: StoreLimits;
  /** How often expired log entries are dropped and the SQLite WAL checkpointed (default DEFAULTS.compactEveryMs). */
  compactEveryMs?: number;
  /** Single sign-on with an OpenID Connect provider (server/sso.ts); absent: no Sign in. */
  sso?: SsoConfig;
  /** How long a signed-in session's access and refresh tokens last (default DEFAULT_SESSION_LIFETIMES). */
  sessionLifetimes?: SessionLifetimes;
  /** How often discussions past their tenant's retention are removed (default DEFAULTS.retentionSweepMs). */
  retentionSweepMs?: number;
}

export interface SsoConfig {
  /** The provider's issuer URL; its settings come from `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  /** Absent: a public client (PKCE only, no secret). */
  clientSecret?: string;
  /** The team (tenant id or name) people who sign in belong to. */
  tenant: string;
  /** This server's public https:// origin: the provider sends people back to `<it>/sso/callback`. */
  publicUrl: string;
  /** Verified emails in these domains may enter (lower case, no @). */
  emailDomains: string[];
  /** These verified emails may enter (lower case). */
  allowedEmails: string[];
  /** Whom the rules do not let in: refused, or put on a waiting list an admin decides. */
  unknown: 'refuse' | 'wait';
  /**
   * The first label of the redirect hosts that may receive a sign-in: a Chrome extension id, or for
   * Firefox the hex SHA-1 of the add-on id; empty: any extension's.
   */
  extensionIds: string[];
}

export interface SessionLifetimes {
  accessMs: number;
  refreshMs: number;
}

export const DEFAULT_SESSION_LIFETIMES: SessionLifetimes = {
  accessMs: 15 * 60_000,
  refreshMs: 30 * 24 * 3_600_000,
};

export class ConfigError extends Error {}

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8787,
  db: './data/collab-chat.db',
  helloTimeoutMs: LIMITS.helloTimeoutMs,
  heartbeatMs: LIMITS.heartbeatMs,
  pongTimeoutMs: LIMITS.pongTimeoutMs,
  maxHandshaking: 512,
  reconcileMs: 1000,
  revocationPollMs: 1000,
  maxBufferedBytes: 4 * 1024 * 1024,
  presenceTtlMs: 10_000,
  flushWindowMs: 10,
  usageFlushMs: 60_000,
  compactEveryMs: 60_000,
  /** The retention sweep: at start, then this often. */
  retentionSweepMs: 10 * 60_000,
  /** On shutdown, how long writes under way may take to be stored and acked before sockets close. */
  shutdownGraceMs: 5000,
} as const;

/** The flags of `serve`, with the environment variable each falls back to. */
export const SERVE_OPTIONS = {
  host: { env: 'HOST', help: `interface to listen on (default ${DEFAULTS.host})` },
  port: { env: 'PORT', help: `TCP port (default ${DEFAULTS.port})` },
  db: { env: 'DATABASE_URL', help: `SQLite file path or postgres:// URL (default ${DEFAULTS.db})` },
  'tls-cert': { env: 'TLS_CERT', help: 'PEM certificate file: serve wss:// directly (needs --tls-key)' },
  'tls-key': { env: 'TLS_KEY', help: 'PEM private key file for --tls-cert' },
  redis: { env: 'REDIS_URL', help: 'Redis URL for several server nodes (bus and presence)' },
  'presence-ttl': {
    env: 'PRESENCE_TTL_MS',
    help: `with --redis: ms a dead node's viewers stay counted (default ${DEFAULTS.presenceTtlMs})`,
  },
  'allowed-origins': {
    env: 'ALLOWED_ORIGINS',
    help: 'browser origins allowed to connect, comma-separated, * as wildcard (default: any)',
  },
  'metrics-token': {
    env: 'METRICS_TOKEN',
    help: 'secret Prometheus must send as a Bearer token to read /metrics (default: /metrics is open)',
  },
  'replay-events': {
    env: 'REPLAY_WINDOW_EVENTS',
    help: `events per page kept for replays; a client further behind gets a snapshot (default ${DEFAULT_REPLAY_WINDOW.events})`,
  },
  'replay-hours': {
    env: 'REPLAY_WINDOW_HOURS',
    help: `hours an event is kept for replays and a broadcastId for retries (default ${DEFAULT_REPLAY_WINDOW.ageMs / 3_600_000})`,
  },
  'max-discussions-per-page': {
    env: 'MAX_DISCUSSIONS_PER_PAGE',
    help: `discussions one page may hold (default ${DEFAULT_STORE_LIMITS.discussionsPerPage})`,
  },
  'max-comments-per-discussion': {
    env: 'MAX_COMMENTS_PER_DISCUSSION',
    help: `comments one discussion may hold (default ${DEFAULT_STORE_LIMITS.commentsPerDiscussion})`,
  },
  'max-team-bytes': {
    env: 'MAX_TEAM_BYTES',
    help: `bytes of comment text and anchors one team may store (default ${DEFAULT_STORE_LIMITS.tenantBytes})`,
  },
  'sso-issuer': {
    env: 'SSO_ISSUER',
    help: 'OpenID Connect issuer URL: turns on "Sign in" (needs --sso-client-id, --sso-tenant, --sso-public-url)',
  },
  'sso-client-id': { env: 'SSO_CLIENT_ID', help: 'client id registered with the identity provider' },
  'sso-client-secret': {
    env: 'SSO_CLIENT_SECRET',
    help: 'client secret registered with the identity provider (absent: a public client, PKCE only)',
  },
  'sso-tenant': { env: 'SSO_TENANT', help: 'the team (id or name) people who sign in join' },
  'sso-public-url': {
    env: 'SSO_PUBLIC_URL',
    help: "this server's public https:// origin; register <it>/sso/callback as the redirect URI",
  },
  'sso-email-domains': {
    env: 'SSO_EMAIL_DOMAINS',
    help: 'comma-separated email domains whose verified addresses may enter, e.g. example.com',
  },
  'sso-allowed-emails': {
    env: 'SSO_ALLOWED_EMAILS',
    help: 'comma-separated verified email addresses that may enter',
  },
  'sso-unknown': {
    env: 'SSO_UNKNOWN',
    help: 'whom the email rules leave out: refuse (default) or wait (an admin approves on the dashboard)',
  },
  'sso-extension-ids': {
    env: 'SSO_EXTENSION_IDS',
    help: 'comma-separated redirect hosts that may receive a sign-in: Chrome extension ids, Firefox hex SHA-1 of the add-on id (default: any extension)',
  },
  'session-minutes': {
    env: 'SESSION_ACCESS_MINUTES',
    help: `minutes a signed-in access token lasts before the extension renews it (default ${DEFAULT_SESSION_LIFETIMES.accessMs / 60_000})`,
  },
  'session-days': {
    env: 'SESSION_REFRESH_DAYS',
    help: `days a signed-in session lasts without use before signing in again (default ${DEFAULT_SESSION_LIFETIMES.refreshMs / 86_400_000})`,
  },
} as const;

export type ServeFlags = Partial<Record<keyof typeof SERVE_OPTIONS, string>>;

function int(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(
      `${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** Builds the config from flags (which win) and environment variables. Throws ConfigError. */
export function resolveConfig(
  flags: ServeFlags,
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<ServerConfig> = {},
): ServerConfig {
  const pick = (k: keyof typeof SERVE_OPTIONS) => {
    const v = flags[k] ?? env[SERVE_OPTIONS[k].env];
    return v === '' ? undefined : v;
  };
  const tlsCert = pick('tls-cert');
  const tlsKey = pick('tls-key');
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new ConfigError('TLS needs both --tls-cert (TLS_CERT) and --tls-key (TLS_KEY), or neither');
  }
  const config: ServerConfig = {
    host: pick('host') ?? DEFAULTS.host,
    port: int('--port / PORT', pick('port'), DEFAULTS.port, 0, 65535),
    db: pick('db') ?? DEFAULTS.db,
    helloTimeoutMs: DEFAULTS.helloTimeoutMs,
    heartbeatMs: DEFAULTS.heartbeatMs,
    revocationPollMs: DEFAULTS.revocationPollMs,
    maxBufferedBytes: DEFAULTS.maxBufferedBytes,
    presenceTtlMs: int(
      '--presence-ttl / PRESENCE_TTL_MS',
      pick('presence-ttl'),
      DEFAULTS.presenceTtlMs,
      500,
      600_000,
    ),
    ...overrides,
  };
  if (tlsCert !== undefined) config.tlsCert = tlsCert;
  if (tlsKey !== undefined) config.tlsKey = tlsKey;
  const redis = pick('redis');
  if (redis !== undefined) config.redis = redis;
  const origins = pick('allowed-origins');
  if (origins !== undefined && config.allowedOrigins === undefined) {
    try {
      config.allowedOrigins = parseAllowedOrigins(origins);
    } catch (err) {
      throw new ConfigError(`--allowed-origins / ALLOWED_ORIGINS: ${(err as Error).message}`);
    }
  }
  const metricsToken = pick('metrics-token');
  if (metricsToken !== undefined) config.metricsToken = metricsToken;
  if (config.replayWindow === undefined) {
    config.replayWindow = {
      events: int(
        '--replay-events / REPLAY_WINDOW_EVENTS',
        pick('replay-events'),
        DEFAULT_REPLAY_WINDOW.events,
        1,
        1_000_000,
      ),
      ageMs:
        int(
          '--replay-hours / REPLAY_WINDOW_HOURS',
          pick('replay-hours'),
          DEFAULT_REPLAY_WINDOW.ageMs / 3_600_000,
          1,
          24 * 366,
        ) * 3_600_000,
    };
  }
  if (config.limits === undefined) {
    config.limits = {
      discussionsPerPage: int(
        '--max-discussions-per-page / MAX_DISCUSSIONS_PER_PAGE',
        pick('max-discussions-per-page'),
        DEFAULT_STORE_LIMITS.discussionsPerPage,
        1,
        100_000,
      ),
      commentsPerDiscussion: int(
        '--max-comments-per-discussion / MAX_COMMENTS_PER_DISCUSSION',
        pick('max-comments-per-discussion'),
        DEFAULT_STORE_LIMITS.commentsPerDiscussion,
        1,
        1_000_000,
      ),
      tenantBytes: int(
        '--max-team-bytes / MAX_TEAM_BYTES',
        pick('max-team-bytes'),
        DEFAULT_STORE_LIMITS.tenantBytes,
        1024,
        Number.MAX_SAFE_INTEGER,
      ),
    };
  }
  if (config.sso === undefined) {
    const sso = resolveSso(pick);
    if (sso) config.sso = sso;
  }
  config.sessionLifetimes ??= {
    accessMs:
      int('--session-minutes / SESSION_ACCESS_MINUTES', pick('session-minutes'), 15, 1, 24 * 60) * 60_000,
    refreshMs: int('--session-days / SESSION_REFRESH_DAYS', pick('session-days'), 30, 1, 366) * 86_400_000,
  };
  return config;
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');

/** The single sign-on settings, or undefined when no issuer is set; throws ConfigError when half set. */
function resolveSso(pick: (k: keyof typeof SERVE_OPTIONS) => string | undefined): SsoConfig | undefined {
  const issuer = pick('sso-issuer');
  const others = (
    [
      'sso-client-id',
      'sso-client-secret',
      'sso-tenant',
      'sso-public-url',
      'sso-email-domains',
      'sso-allowed-emails',
      'sso-unknown',
      'sso-extension-ids',
    ] as const
  ).filter((k) => pick(k) !== undefined);
  if (issuer === undefined) {
    if (others.length > 0)
      throw new ConfigError(
        `--${others[0]} is set but --sso-issuer (SSO_ISSUER) is not: set both, or neither`,
      );
    return undefined;
  }
  const need = (k: 'sso-client-id' | 'sso-tenant' | 'sso-public-url') => {
    const v = pick(k);
    if (v === undefined)
      throw new ConfigError(`single sign-on needs --${k} (${SERVE_OPTIONS[k].env}) as well as --sso-issuer`);
    return v;
  };
  const url = (name: string, value: string) => {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ConfigError(`${name} must be a URL, got ${JSON.stringify(value)}`);
    }
    const local = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && local))
      throw new ConfigError(
        `${name} must be https:// (http:// only for localhost), got ${JSON.stringify(value)}`,
      );
    return parsed;
  };
  url('--sso-issuer / SSO_ISSUER', issuer);
  const publicUrl = url('--sso-public-url / SSO_PUBLIC_URL', need('sso-public-url'));
  const unknown = pick('sso-unknown') ?? 'refuse';
  if (unknown !== 'refuse' && unknown !== 'wait')
    throw new ConfigError(
      `--sso-unknown / SSO_UNKNOWN must be refuse or wait, got ${JSON.stringify(unknown)}`,
    );
  const emailDomains = list(pick('sso-email-domains')).map((d) => d.replace(/^@/, ''));
  const allowedEmails = list(pick('sso-allowed-emails'));
  for (const d of emailDomains)
    if (!/^[a-z0-9.-]+\.[a-z0-9-]+$/.test(d))
      throw new ConfigError(`--sso-email-domains: ${JSON.stringify(d)} is not a domain`);
  for (const e of allowedEmails)
    if (!/^[^@\s]+@[^@\s]+$/.test(e))
      throw new ConfigError(`--sso-allowed-emails: ${JSON.stringify(e)} is not an email address`);
  if (emailDomains.length === 0 && allowedEmails.length === 0 && unknown === 'refuse')
    throw new ConfigError(
      'single sign-on lets no one in: set --sso-email-domains or --sso-allowed-emails, or --sso-unknown wait',
    );
  const clientSecret = pick('sso-client-secret');
  return {
    issuer,
    clientId: need('sso-client-id'),
    ...(clientSecret !== undefined && { clientSecret }),
    tenant: need('sso-tenant'),
    publicUrl: publicUrl.origin,
    emailDomains,
    allowedEmails,
    unknown,
    extensionIds: list(pick('sso-extension-ids')),
  };
}
