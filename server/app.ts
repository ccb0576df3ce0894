// Builds one server node from its config: store, bus, presence, hub, transport, heartbeat and the
// revocation watch. All state lives in the returned object; nothing is module-level.
import { CLOSE, LIMITS } from '../lib/protocol';
import { MemoryBus } from './bus/memory';
import { openRedisBus } from './bus/redis';
import type { Bus } from './bus/types';
import type { ServerConfig } from './config';
import { Connection } from './connection';
import { Hub } from './hub';
import { MemoryPresence } from './presence/memory';
import { openRedisPresence } from './presence/redis';
import type { PresenceBoard } from './presence/types';
import { openStore } from './store/open';
import type { Store } from './store/types';
import { startTransport } from './transport';

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
  const store = parts.store ?? (await openStore(config.db, log));
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
    throw err;
  }
  const hub = new Hub(store, bus, presence, LIMITS.replayEvents, undefined, log);
  const connections = new Set<Connection>();
  const byToken = new Map<string, Set<Connection>>();

  const onIdentity = (conn: Connection, auth: { token: { id: string } } | null) => {
    const tokenId = conn.tokenId;
    if (tokenId === null) return;
    let set = byToken.get(tokenId);
    if (auth) {
      if (!set) byToken.set(tokenId, (set = new Set()));
      set.add(conn);
    } else if (set) {
      set.delete(conn);
      if (set.size === 0) byToken.delete(tokenId);
    }
  };

  let transport;
  try {
    transport = await startTransport(config, {
      onSocket(ws) {
        const conn = new Connection(ws, {
          store,
          hub,
          bus,
          helloTimeoutMs: config.helloTimeoutMs,
          maxBufferedBytes: config.maxBufferedBytes,
          onIdentity,
          log,
        });
        connections.add(conn);
        ws.on('close', () => connections.delete(conn));
      },
      health: () => ({ store: store.kind, connections: connections.size }),
    });
  } catch (err) {
    hub.close();
    if (!parts.bus) await bus.close();
    if (!parts.presence) await presence.close();
    if (!parts.store) await store.close();
    throw err;
  }

  const heartbeat = setInterval(() => {
    for (const conn of connections) conn.heartbeat();
  }, config.heartbeatMs);

  // Tokens are revoked by the CLI in another process; look for them and close their sockets. The
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
          for (const conn of byToken.get(token.id) ?? []) {
            conn.close(CLOSE.revoked, 'this token was revoked; ask your admin for a new one');
          }
        }
      })
      .catch((err: Error) => log(`checking for revoked tokens failed: ${err.message}`))
      .finally(() => {
        polling = false;
      });
  }, config.revocationPollMs);

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
        clearInterval(heartbeat);
        clearInterval(revocationPoll);
        for (const conn of connections)
          conn.close(CLOSE.goingAway, 'the server is shutting down; reconnect shortly');
        await transport.close();
        hub.close();
        if (!parts.bus) await bus.close();
        if (!parts.presence) await presence.close();
        if (!parts.store) await store.close();
      })();
      return closing;
    },
  };
}
