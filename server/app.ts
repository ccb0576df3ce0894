// Builds one server node from its config: store, bus, presence, hub, transport, heartbeat and the
// revocation watch. All state lives in the returned object; nothing is module-level.
// The port is bound first and refuses (1013 / HTTP 503 with a retry-after) until everything behind
// it is open, and again from the moment shutdown starts; while too many sockets are still in their
// handshake, new ones are refused the same way, so a returning crowd is spread over time.
import { performance } from 'node:perf_hooks';
import { CLOSE, drawRetryAfter, LIMITS, retryAfterReason } from '../lib/protocol';
import { createAdminApi, type LiveView } from './admin-api';
import { MemoryBus } from './bus/memory';
import { openRedisBus } from './bus/redis';
import type { Bus } from './bus/types';
import { UserChannels } from './user-channels';
import type { ServerConfig } from './config';
import { DEFAULTS } from './config';
import { Connection, type Identity } from './connection';
import { createDashboardAssets } from './dashboard/assets';
import { createInviteApi } from './invites';
import { OriginPolicy } from './origin';
import { FlushClock, FrameEncoder, type OutletOptions } from './fanout';
import { Hub } from './hub';
import { DEFAULT_STORE_LIMITS } from './ops';
import { createMetrics, metricsAllowed } from './metrics';
import { MemoryPresence } from './presence/memory';
import { openRedisPresence } from './presence/redis';
import type { PresenceBoard } from './presence/types';
import { openStore } from './store/open';
import type { Store } from './store/types';
import { SubscribeBudget } from './subscribe-budget';
import { createTeamApi } from './team-api';
import { startTransport, type Refusal, type TransportHandlers } from './transport';
import { siteOf, UsageMeter } from './usage';

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
  pendingSubscriptions: number;
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
  /** Open sockets, and welcomed ones: the difference is the handshakes under way. */
  const connections = new Set<Connection>();
  let welcomed = 0;
  const maxPending = config.maxPendingHandshakes ?? DEFAULTS.maxPendingHandshakes;
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
    if (connections.size - welcomed >= maxPending)
      return { status: 'busy', retryAfterMs: drawRetryAfter('busy'), message: 'the server is busy' };
    return null;
  };
  const transport = await startTransport(config, {
    refusal,
    onSocket: (ws, req) => serve?.onSocket(ws, req),
    health: () => serve?.health() ?? {},
    request: (req, res) => serve?.request(req, res) ?? false,
  });
  let store: Store;
  try {
    store =
      parts.store ??
      (await openStore(config.db, log, config.replayWindow ? { replayWindow: config.replayWindow } : {}));
  } catch (err) {
    await transport.close();
    throw err;
  }
  // With Redis, the bus and presence span every node; without, they stay in this process.
  let bus: Bus;
  let presence: PresenceBoard;
  try {
    const redis = config.redis;
    bus = parts.bus ?? (redis === undefined ? new MemoryBus() : await openRedisBus({ url: redis, log }));
    try {
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
    } catch (err) {
      if (!parts.bus) await bus.close();
      throw err;
    }
  } catch (err) {
    if (!parts.store) await store.close();
    await transport.close();
    throw err;
  }
  const hub = new Hub({ store, bus, presence, replayLimit: LIMITS.replayEvents, log });
  const users = new UserChannels(bus, store, log);
  const budget = new SubscribeBudget();
  const byToken = new Map<string, Set<Connection>>();
  const flushWindowMs = config.flushWindowMs ?? DEFAULTS.flushWindowMs;
  const flushClock = flushWindowMs > 0 ? new FlushClock(flushWindowMs) : null;
  const outletOptions: OutletOptions = {
    maxBufferedBytes: config.maxBufferedBytes,
    encoder: new FrameEncoder(),
  };
  const onEnd = (conn: Connection) => connections.delete(conn);
  const usage = new UsageMeter({ store, flushMs: config.usageFlushMs ?? DEFAULTS.usageFlushMs, log });
  const closeToken = (tokenId: string): number => {
    const live = [...(byToken.get(tokenId) ?? [])];
    for (const conn of live)
      void conn.closeWhenSettled(CLOSE.revoked, 'this token was revoked; ask your admin for a new one');
    return live.length;
  };
  const live = (tenantId: string): LiveView => {
    const view: LiveView = { connections: 0, pages: [], byToken: {} };
    const pages = new Map<string, { sockets: number; users: Set<string> }>();
    for (const conn of connections) {
      const who = conn.identity;
      if (!who || who.tenantId !== tenantId) continue;
      view.connections++;
      view.byToken[who.tokenId] = (view.byToken[who.tokenId] ?? 0) + 1;
      for (const page of conn.subscribedPages) {
        let entry = pages.get(page);
        if (!entry) pages.set(page, (entry = { sockets: 0, users: new Set() }));
        entry.sockets++;
        entry.users.add(who.userId);
      }
    }
    for (const [page, entry] of pages) {
      view.pages.push({ page, site: siteOf(page), connections: entry.sockets, viewers: entry.users.size });
    }
    view.pages.sort((a, b) => b.viewers - a.viewers || a.page.localeCompare(b.page));
    return view;
  };
  const metrics = createMetrics({
    usage,
    *connectionTenants() {
      for (const conn of connections) if (conn.identity) yield conn.identity.tenantId;
    },
  });
  const adminApi = createAdminApi({ store, usage, live, closeToken });
  const teamApi = createTeamApi({
    store,
    limits: config.limits ?? DEFAULT_STORE_LIMITS,
    publish: (tenantId, event) => bus.publish({ tenantId, page: event.page }, JSON.stringify(event)),
  });
  const dashboard = createDashboardAssets();
  const invites = createInviteApi({
    store,
    origins: new OriginPolicy(config.allowedOrigins),
    ...(config.inviteLimits && { limits: config.inviteLimits }),
  });

  const onWrite = (tenantId: string, page: string | undefined, messages: number, bytes: number) =>
    usage.record(tenantId, page, messages, bytes);
  const onIdentity = (conn: Connection, identity: Identity | null) => {
    const tokenId = conn.tokenId;
    if (tokenId === null) return;
    let set = byToken.get(tokenId);
    welcomed += identity ? 1 : -1;
    if (identity) {
      if (!set) byToken.set(tokenId, (set = new Set()));
      set.add(conn);
      users.join(conn);
    } else {
      users.leave(conn);
      if (set) {
        set.delete(conn);
        if (set.size === 0) byToken.delete(tokenId);
      }
    }
  };

  // Ready: from here the transport hands sockets and HTTP requests to these.
  {
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
          onWrite,
          onIdentity,
          onEnd,
          log,
          limits: config.limits ?? DEFAULT_STORE_LIMITS,
        });
        connections.add(conn);
      },
      health: () => ({ store: store.kind, connections: connections.size }),
      request(req, res) {
        if (req.method === 'GET' && (req.url ?? '').split('?')[0] === '/metrics') {
          if (!metricsAllowed(req.headers.authorization, config.metricsToken)) {
            res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
            res.end(JSON.stringify({ error: "send Authorization: Bearer <the server's METRICS_TOKEN>" }));
            return true;
          }
          metrics
            .render()
            .then((text) => {
              res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
              res.end(text);
            })
            .catch((err: Error) => {
              res.writeHead(500, { 'content-type': 'application/json' });
              res.end(JSON.stringify({ error: `collecting metrics failed: ${err.message}` }));
            });
          return true;
        }
        return teamApi(req, res) || adminApi(req, res) || invites(req, res) || dashboard(req, res);
      },
    };
  }
  phase = 'ready';

  // With several nodes an event can miss the bus (its publisher died after the ack, Redis dropped):
  // each node looks for such events in the store about once a second.
  const reconcileMs = config.reconcileMs ?? (config.redis !== undefined ? DEFAULTS.reconcileMs : 0);
  const reconciler = reconcileMs > 0 ? setInterval(() => void hub.reconcile(), reconcileMs) : null;

  // The flush window widens while the event loop is saturated (see FlushClock).
  let utilization = performance.eventLoopUtilization();
  const loadWatch = flushClock
    ? setInterval(() => {
        const now = performance.eventLoopUtilization();
        flushClock.observeUtilization(performance.eventLoopUtilization(now, utilization).utilization);
        utilization = now;
      }, LOAD_WATCH_MS)
    : null;
  loadWatch?.unref();

  const heartbeat = setInterval(() => {
    const now = Date.now();
    for (const conn of connections) conn.heartbeat(now);
  }, config.heartbeatMs);

  // Tokens are revoked by the CLI in another process, or by another node (a member removed on its
  // dashboard); look for them and close their sockets. The
  // window overlaps the previous one so a revocation stamped by a slightly different clock is seen.
  let checkedAt = Date.now();
  let polling = false;
  const revocationPoll = setInterval(() => {
    if (polling || byToken.size === 0) {
      checkedAt = Date.now();
      return;
    }
    polling = true;
    const from = checkedAt - 2 * config.revocationPollMs - 1000;
    checkedAt = Date.now();
    store
      .tokensRevokedSince(from)
      .then((revoked) => {
        for (const token of revoked) {
          closeToken(token.id);
        }
      })
      .catch((err: Error) => log(`checking for revoked tokens failed: ${err.message}`))
      .finally(() => {
        polling = false;
      });
  }, config.revocationPollMs);

  // Log entries past the replay window's age go, a bounded batch per turn, and SQLite's WAL is
  // checkpointed so that deleted text leaves the file.
  let compacting: Promise<unknown> | null = null;
  const compaction = setInterval(() => {
    compacting ??= store
      .compact()
      .catch((err: Error) => log(`compacting the event log failed: ${err.message}`))
      .finally(() => (compacting = null));
  }, config.compactEveryMs ?? DEFAULTS.compactEveryMs);
  compaction.unref();

  let closing: Promise<void> | null = null;
  return {
    url: transport.url,
    httpUrl: transport.httpUrl,
    port: transport.port,
    store,
    stats() {
      let authenticated = 0;
      for (const set of byToken.values()) authenticated += set.size;
      return { connections: connections.size, authenticated, ...hub.stats() };
    },
    close() {
      closing ??= (async () => {
        // From now on newcomers are refused with a retry-after, not accepted and then dropped.
        phase = 'draining';
        if (reconciler) clearInterval(reconciler);
        if (loadWatch) clearInterval(loadWatch);
        clearInterval(heartbeat);
        clearInterval(revocationPoll);
        clearInterval(compaction);
        await compacting;
        // Writes under way are stored and acked before their socket closes (bounded by the grace).
        const settled = Promise.all(
          [...connections].map((conn) =>
            conn.closeWhenSettled(
              CLOSE.goingAway,
              retryAfterReason(drawRetryAfter('goingAway'), 'the server is shutting down; reconnect shortly'),
            ),
          ),
        );
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([
          settled,
          new Promise<void>((resolve) => {
            grace = setTimeout(resolve, DEFAULTS.shutdownGraceMs);
          }),
        ]);
        clearTimeout(grace);
        for (const conn of connections)
          conn.close(
            CLOSE.goingAway,
            retryAfterReason(drawRetryAfter('goingAway'), 'the server is shutting down; reconnect shortly'),
          );
        await transport.close();
        flushClock?.close();
        hub.close();
        users.close();
        await usage.close().catch(() => {});
        if (!parts.bus) await bus.close();
        if (!parts.presence) await presence.close();
        if (!parts.store) await store.close();
      })();
      return closing;
    },
  };
}
