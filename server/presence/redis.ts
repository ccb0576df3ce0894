// Presence across server nodes in Redis. Each node keeps, per room, a set of the users it has
// viewing that room under a key of its own with an expiry that its heartbeat renews; a node that
// dies stops renewing and its viewers drop out when the key expires. The count is the size of the
// union of every node's set, so a user on two nodes counts once. A node announces a change on the
// room's channel; the nodes with viewers in that room recount, and every heartbeat recounts too
// (that is how an expired node is noticed, since Redis announces no expiry here).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connectRedis, defaultRedisLog, quit, type RedisOptions } from '../redis-connection';
import { roomSuffix, type RoomKey } from '../bus/types';
import type { PresenceBoard, PresenceHandler } from './types';

export interface RedisPresenceOptions extends RedisOptions {
  /** How long a node's entries outlive its last heartbeat. */
  ttlMs?: number;
  /** How often a node renews its entries and recounts its rooms. */
  heartbeatMs?: number;
  /** Identifies this node's entries; random by default. */
  nodeId?: string;
}

export const PRESENCE_TTL_MS = 10_000;
export const PRESENCE_HEARTBEAT_MS = 3_000;

interface LocalRoom {
  room: RoomKey;
  users: string[];
  /** The last count reported for this room. */
  count: number | null;
}

export async function openRedisPresence(options: RedisPresenceOptions): Promise<RedisPresence> {
  // Presence updates fail at once while Redis is down; the heartbeat rewrites everything after.
  const cmd = await connectRedis(options, 'presence', { queueWhileDown: false });
  let sub: Redis;
  try {
    sub = await connectRedis(options, 'presence-subscribe', { queueWhileDown: true });
  } catch (err) {
    cmd.disconnect();
    throw err;
  }
  return new RedisPresence(cmd, sub, options);
}

export class RedisPresence implements PresenceBoard {
  readonly nodeId: string;
  private readonly rooms = new Map<string, LocalRoom>();
  private readonly handlers = new Set<PresenceHandler>();
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly log: (message: string) => void;
  private readonly timer: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(
    private readonly cmd: Redis,
    private readonly sub: Redis,
    options: RedisPresenceOptions,
  ) {
    this.nodeId = options.nodeId ?? randomUUID();
    this.prefix = `${options.prefix ?? 'collab:'}presence:`;
    this.ttlMs = options.ttlMs ?? PRESENCE_TTL_MS;
    this.log = options.log ?? defaultRedisLog;
    sub.on('message', (channel: string) => {
      const local = this.rooms.get(channel);
      if (local) void this.recount(channel, local, true);
    });
    // After a reconnect: subscribe again and rewrite this node's entries (Redis may have restarted empty).
    sub.on('ready', () => {
      const channels = [...this.rooms.keys()];
      if (channels.length > 0) this.sub.subscribe(...channels).catch(() => undefined);
    });
    cmd.on('ready', () => void this.heartbeat());
    this.timer = setInterval(() => void this.heartbeat(), options.heartbeatMs ?? PRESENCE_HEARTBEAT_MS);
    this.timer.unref();
  }

  setLocal(room: RoomKey, users: ReadonlySet<string>): void {
    if (this.closed) return;
    const channel = this.channelOf(room);
    let local = this.rooms.get(channel);
    if (users.size === 0) {
      if (!local) return;
      this.rooms.delete(channel);
      this.sub.unsubscribe(channel).catch(() => undefined);
      this.send(
        this.cmd
          .multi()
          .del(this.nodeKey(room))
          .srem(this.nodesKey(room), this.nodeId)
          .publish(channel, this.nodeId),
      );
      return;
    }
    if (!local) {
      local = { room: { tenantId: room.tenantId, page: room.page }, users: [], count: null };
      this.rooms.set(channel, local);
      this.sub
        .subscribe(channel)
        .catch((err: Error) => this.log(`presence: subscribe failed (${err.message})`));
    }
    local.users = [...users];
    this.send(this.write(this.cmd.multi(), local).publish(channel, this.nodeId));
    void this.recount(channel, local, true);
  }

  onCount(handler: PresenceHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    // A node that stops politely takes its viewers away at once rather than at expiry.
    if (this.cmd.status === 'ready' && this.rooms.size > 0) {
      const m = this.cmd.multi();
      for (const [channel, local] of this.rooms) {
        m.del(this.nodeKey(local.room))
          .srem(this.nodesKey(local.room), this.nodeId)
          .publish(channel, this.nodeId);
      }
      await Promise.race([m.exec().catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
    }
    this.rooms.clear();
    await Promise.all([quit(this.cmd), quit(this.sub)]);
  }

  private write(m: ReturnType<Redis['multi']>, local: LocalRoom): ReturnType<Redis['multi']> {
    const key = this.nodeKey(local.room);
    const nodes = this.nodesKey(local.room);
    return m
      .del(key)
      .sadd(key, ...local.users)
      .pexpire(key, this.ttlMs)
      .sadd(nodes, this.nodeId)
      .pexpire(nodes, this.ttlMs * 3);
  }

  private send(m: ReturnType<Redis['multi']>): void {
    m.exec().catch((err: Error) =>
      this.log(`presence: update failed (${err.message}); the heartbeat retries`),
    );
  }

  /** Renews this node's entries (rewriting them, in case Redis restarted empty) and recounts. */
  private async heartbeat(): Promise<void> {
    if (this.closed || this.rooms.size === 0 || this.cmd.status !== 'ready') return;
    const m = this.cmd.multi();
    for (const local of this.rooms.values()) this.write(m, local);
    try {
      await m.exec();
    } catch (err) {
      this.log(`presence: heartbeat failed (${err instanceof Error ? err.message : String(err)})`);
      return;
    }
    await Promise.all([...this.rooms].map(([channel, local]) => this.recount(channel, local, false)));
  }

  private async recount(channel: string, local: LocalRoom, always: boolean): Promise<void> {
    let count: number;
    try {
      count = await this.count(local.room);
    } catch (err) {
      this.log(`presence: count failed (${err instanceof Error ? err.message : String(err)})`);
      return;
    }
    // The room may have been left while Redis answered.
    if (this.closed || this.rooms.get(channel) !== local) return;
    if (!always && count === local.count) return;
    local.count = count;
    for (const handler of [...this.handlers]) {
      try {
        handler(local.room, count);
      } catch (err) {
        this.log(`presence handler failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** Distinct users across the nodes whose entries have not expired; forgets the expired ones. */
  private async count(room: RoomKey): Promise<number> {
    const nodesKey = this.nodesKey(room);
    const nodes = await this.cmd.smembers(nodesKey);
    if (nodes.length === 0) return 0;
    const keys = nodes.map((n) => this.nodeKey(room, n));
    const m = this.cmd.multi().sunion(...keys);
    for (const key of keys) m.exists(key);
    const results = (await m.exec()) ?? [];
    const union = (results[0]?.[1] as string[] | undefined) ?? [];
    const expired = nodes.filter((_, i) => results[i + 1]?.[1] === 0);
    if (expired.length > 0) this.cmd.srem(nodesKey, ...expired).catch(() => undefined);
    return union.length;
  }

  private channelOf(room: RoomKey): string {
    return `${this.prefix}changed:${roomSuffix(room)}`;
  }

  private nodesKey(room: RoomKey): string {
    return `${this.prefix}nodes:${roomSuffix(room)}`;
  }

  private nodeKey(room: RoomKey, nodeId = this.nodeId): string {
    return `${this.prefix}node:${nodeId}:${roomSuffix(room)}`;
  }
}
