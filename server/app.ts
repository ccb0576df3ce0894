// Builds one server node from its config and wires its parts: store, bus, presence, hub, transport,
// the connection registry and its heartbeat, the revocation watch and the HTTP routes. All state
// lives in the returned object; nothing is module-level.
// The port is bound first and refuses (1013 / HTTP 503 with a retry-after) until everything behind
// it is open, and again from the moment shutdown starts; while too many sockets are still in their
// handshake, new ones are refused the same way, so a returning crowd is spread over time.
import { performance } from 'node:perf_hooks';
import { CLOSE, drawRetryAfter, LIMITS, retryAfterReason, type DiscussionEventT } from '../lib/protocol';
import { sweepRetention } from './forgetting';
import { createOwnDataApi } from './own-data';
import { createAdminApi } from './admin-api';
import { MemoryBus } from './bus/memory';
import { openRedisBus } from './bus/redis';
import type { Bus } from './bus/types';
import { UserChannels } from './user-channels';
import type { ServerConfig } from './config';
import { DEFAULT_SESSION_LIFETIMES, DEFAULTS } from './config';
import { Connection } from './connection';
import { ConnectionRegistry } from './connections';
import { createDashboardAssets } from './dashboard/assets';
import { createInviteApi } from './invites';
import { createSsoAdminApi, createSsoApi, ssoNotConfigured } from './sso';
import { OriginPolicy } from './origin';
import { FlushClock, FrameEncoder, type OutletOptions } from './fanout';
import { Hub } from './hub';
import { DEFAULT_STORE_LIMITS } from './ops';
import { createMetrics, createMetricsRoute } from './metrics';
import { MemoryPresence } from './presence/memory';
import { openRedisPresence } from './presence/redis';
import type { PresenceBoard } from './presence/types';
import { openStore } from './store/open';
import type { Store } from './store/types';
import { SubscribeBudget } from './subscribe-budget';
import { createTeamApi } from './team-api';
import { startTransport, type Refusal, type TransportHandlers } from './transport';
import { UsageMeter } from './usage';
import { watchRevocations } from './revocation-watch';

/** How often the event loop's utilisation is read for the flush window. */
const LOAD_WATCH_MS = 250;

export interface CollabServer {
  /** ws:// or wss:// URL clients connect to. */
  readonly url: string;
  readonly httpUrl: string;
  readonly port: number;
  readonly store: Store;
  /** What the node holds now; back to its baseline once every client has gone (leak checks). */
  stats(): ServerStats;
  close(): Promise<void>;
}

export interface ServerStats {
  /** Open sockets, authenticated or not (each holds a hello timer until its hello). */
  connections: number;
  /** Authenticated sockets, as tracked for revocation. */
  authenticated: number;
  rooms: number;
  subscriptions: number;
  unansweredSubscriptions: number;
}

/** Parts a caller may supply instead of the defaults built from config (the caller then closes them). */
export interface ServerParts {
  store?: Store;
  bus?: Bus;
  presence?: PresenceBoard;
  log?: (message: string) => void;
}

export async function createCollabServer(
  config: ServerConfig,
  parts: ServerParts = {},
): Promise<CollabServer> {
  const log = parts.log ?? ((message: string) => console.error(`[collab-chat] ${message}`));
  let phase: 'starting' | 'ready' | 'draining' = 'starting';
  /** What serves sockets and HTTP once the node is ready. */
  let serve: Required<Omit<TransportHandlers, 'refusal'>> | null = null;
  let connections: ConnectionRegistry | null = null;
  const maxHandshaking = config.maxHandshaking ?? DEFAULTS.maxHandshaking;
  // Each refusal draws its own wait, so the clients it turns away come back spread out.
  const refusal = (): Refusal | null => {
    if (phase === 'starting')
      return {
        status: 'starting',
        retryAfterMs: drawRetryAfter('starting'),
        message: 'the server is starting',
      };
    if (phase === 'draining')
      return {
        status: 'draining',
        retryAfterMs: drawRetryAfter('draining'),
        message: 'the server is shutting down',
      };
    if ((connections?.handshaking ?? 0) >= maxHandshaking)
      return { status: 'busy', retryAfterMs: drawRetryAfter('busy'), message: 'the server is busy' };
    return null;
  };
  const transport = await startTransport(config, {
    refusal,
    onSocket: (ws, req) => serve?.onSocket(ws, req),
    health: () => serve?.health() ?? {},
    request: (req, res) => serve?.request(req, res) ?? false,
  });

  // What the node opened, closed in the reverse order by the one teardown path (a failed start and
  // close() alike); parts the caller supplied are the caller's to close.
  const opened: (() => unknown)[] = [];
  const closeOpened = async () => {
    while (opened.length > 0) await opened.pop()!();
  };
  let store: Store;
  let bus: Bus;
  let presence: PresenceBoard;
  try {
    store =
      parts.store ??
      (await openStore(config.db, log, config.replayWindow ? { replayWindow: config.replayWindow } : {}));
    if (!parts.store) opened.push(() => store.close());
    // With Redis, the bus and presence span every node; without, they stay in this process.
    const redis = config.redis;
    bus = parts.bus ?? (redis === undefined ? new MemoryBus() : await openRedisBus({ url: redis, log }));
    if (!parts.bus) opened.push(() => bus.close());
    presence =
      parts.presence ??
      (redis === undefined
        ? new MemoryPresence()
        : await openRedisPresence({
            url: redis,
            log,
            ...(config.presenceTtlMs !== undefined && {
              ttlMs: config.presenceTtlMs,
              heartbeatMs: Math.max(100, Math.floor(config.presenceTtlMs / 3)),
            }),
          }));
    if (!parts.presence) opened.push(() => presence.close());
  } catch (err) {
    await closeOpened();
    await transport.close();
    throw err;
  }
  const usage = new UsageMeter({ store, flushMs: config.usageFlushMs ?? DEFAULTS.usageFlushMs, log });
  opened.push(() => usage.close().catch(() => {}));
  const users = new UserChannels(bus, store, log);
  opened.push(() => users.close());
  const hub = new Hub({ store, bus, presence, replayLimit: LIMITS.replayEvents, log });
  opened.push(() => hub.close());
  const flushWindowMs = config.flushWindowMs ?? DEFAULTS.flushWindowMs;
  const flushClock = flushWindowMs > 0 ? new FlushClock(flushWindowMs) : null;
  if (flushClock) opened.push(() => flushClock.close());
  const registry = new ConnectionRegistry(users);
  connections = registry;
  const budget = new SubscribeBudget();
  const outletOptions: OutletOptions = {
    maxBufferedBytes: config.maxBufferedBytes,
    encoder: new FrameEncoder(),
  };
  const closeToken = (tokenId: string) => registry.closeToken(tokenId);
  const metricsRoute = createMetricsRoute(
    createMetrics({ usage, connectionTenants: () => registry.tenants() }),
    config.metricsToken,
  );
  const publish = (tenantId: string, event: DiscussionEventT) =>
    bus.publish({ tenantId, page: event.page }, JSON.stringify(event));
  const adminApi = createAdminApi({
    store,
    usage,
    publish,
    forgetNames: (tenantId) => hub.forgetNames(tenantId),
    live: (tenantId) => registry.live(tenantId),
    closeToken,
    tellMember: (tenantId, userId, frame) =>
      users
        .publish(tenantId, userId, frame)
        .catch((err: Error) => log(`telling a member of a change failed: ${err.message}`)),
  });
  const teamApi = createTeamApi({
    store,
    limits: config.limits ?? DEFAULT_STORE_LIMITS,
    publish,
  });
  const ownData = createOwnDataApi({ store });
  const dashboard = createDashboardAssets();
  const invites = createInviteApi({
    store,
    origins: new OriginPolicy(config.allowedOrigins),
    ...(config.inviteLimits && { limits: config.inviteLimits }),
  });
  const sso = config.sso
    ? createSsoApi({
        store,
        config: config.sso,
        lifetimes: config.sessionLifetimes ?? DEFAULT_SESSION_LIFETIMES,
        origins: new OriginPolicy(config.allowedOrigins),
        closeToken,
        log,
      })
    : ssoNotConfigured;
  const ssoAdmin = createSsoAdminApi({ store, enabled: config.sso !== undefined });

  // Ready: from here the transport hands sockets and HTTP requests to these.
  serve = {
    onSocket(ws) {
      const conn = new Connection(ws, {
        store,
        hub,
        bus,
        budget,
        users,
        helloTimeoutMs: config.helloTimeoutMs,
        pongTimeoutMs: config.pongTimeoutMs ?? DEFAULTS.pongTimeoutMs,
        flushClock,
        outletOptions,
        onWrite: (tenantId, page, messages, bytes) => usage.record(tenantId, page, messages, bytes),
        onIdentity: (c, identity) => registry.identify(c, identity),
        onEnd: (c) => registry.end(c),
        log,
        limits: config.limits ?? DEFAULT_STORE_LIMITS,
      });
      registry.add(conn);
    },
    health: () => ({ store: store.kind, connections: registry.size }),
    request: (req, res) =>
      metricsRoute(req, res) ||
      teamApi(req, res) ||
      ssoAdmin(req, res) ||
      ownData(req, res) ||
      adminApi(req, res) ||
      invites(req, res) ||
      sso(req, res) ||
      dashboard(req, res),
  };
  phase = 'ready';

  // Timers, stopped first when the node closes.
  const stops: (() => void)[] = [];
  const every = (ms: number, fn: () => void, unref = false) => {
    const timer = setInterval(fn, ms);
    if (unref) timer.unref();
    stops.push(() => clearInterval(timer));
  };

  // With several nodes an event can miss the bus (its publisher died after the ack, Redis dropped):
  // each node looks for such events in the store about once a second.
  const reconcileMs = config.reconcileMs ?? (config.redis !== undefined ? DEFAULTS.reconcileMs : 0);
  if (reconcileMs > 0) every(reconcileMs, () => void hub.reconcile());

  // The flush window widens while the event loop is saturated (see FlushClock).
  if (flushClock) {
    let utilization = performance.eventLoopUtilization();
    every(
      LOAD_WATCH_MS,
      () => {
        const now = performance.eventLoopUtilization();
        flushClock.observeUtilization(performance.eventLoopUtilization(now, utilization).utilization);
        utilization = now;
      },
      true,
    );
  }

  every(config.heartbeatMs, () => registry.beat(config.heartbeatMs));

  stops.push(
    watchRevocations({
      store,
      pollMs: config.revocationPollMs,
      holdsTokens: () => registry.holdsTokens,
      closeToken,
      log,
    }),
  );

  // Log entries past the replay window's age go, a bounded batch per turn, and SQLite's WAL is
  // checkpointed so that deleted text leaves the file.
  let compacting: Promise<unknown> | null = null;
  every(
    config.compactEveryMs ?? DEFAULTS.compactEveryMs,
    () => {
      compacting ??= store
        .compact()
        .catch((err: Error) => log(`compacting the event log failed: ${err.message}`))
        .finally(() => (compacting = null));
    },
    true,
  );

  // Discussions past their tenant's retention go on start and then periodically, each as a delete
  // published to every node (several nodes may sweep at once: a discussion is deleted once).
  let sweeping: Promise<unknown> | null = null;
  const sweep = () => {
    sweeping ??= sweepRetention({ store, publish }, Date.now(), log)
      .catch((err: Error) => log(`the retention sweep failed: ${err.message}`))
      .finally(() => (sweeping = null));
  };
  sweep();
  every(config.retentionSweepMs ?? DEFAULTS.retentionSweepMs, sweep, true);

  const goingAway = () =>
    retryAfterReason(drawRetryAfter('goingAway'), 'the server is shutting down; reconnect shortly');
  let closing: Promise<void> | null = null;
  return {
    url: transport.url,
    httpUrl: transport.httpUrl,
    port: transport.port,
    store,
    stats() {
      return { connections: registry.size, authenticated: registry.authenticated, ...hub.stats() };
    },
    close() {
      closing ??= (async () => {
        // From now on newcomers are refused with a retry-after, not accepted and then dropped.
        phase = 'draining';
        for (const stop of stops) stop();
        await compacting;
        await sweeping;
        // Writes under way are stored and acked before their socket closes (bounded by the grace).
        const settled = Promise.all(
          registry.all().map((conn) => conn.closeWhenSettled(CLOSE.goingAway, goingAway())),
        );
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([
          settled,
          new Promise<void>((resolve) => {
            grace = setTimeout(resolve, DEFAULTS.shutdownGraceMs);
          }),
        ]);
        clearTimeout(grace);
        for (const conn of registry.all()) conn.close(CLOSE.goingAway, goingAway());
        await transport.close();
        await closeOpened();
      })();
      return closing;
    },
  };
}
