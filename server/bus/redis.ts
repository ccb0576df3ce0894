// The Redis bus: carries serialised event frames between server nodes over Redis pub/sub, one
// channel per room. A node subscribes only to the rooms its clients watch. Publishing and
// subscribing use separate connections (a subscribed connection can issue nothing else). When a
// connection drops the bus retries for ever, resubscribes, and tells the hub that frames may have
// been missed so that it can catch its rooms up from the store. A publish that fails is kept and
// sent again, in order, until Redis takes it (the event is committed and acked: other nodes must
// hear of it), and the failure itself is reported as frames possibly missed.
import type { Redis } from 'ioredis';
import { roomSuffix, type Bus, type BusHandler, type RoomKey } from './types';
import { connectRedis, defaultRedisLog, quit, type RedisOptions } from '../redis-connection';

/**
 * Publishes kept for a retry at most; beyond that the oldest are dropped, which costs nothing but
 * time: every node's reconciliation against the store finds those events within about a second.
 */
const MAX_UNSENT = 10_000;
/** The first wait before a failed publish is tried again; it doubles up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 1000;

interface Channel {
  room: RoomKey;
  handlers: Set<BusHandler>;
}

export async function openRedisBus(options: RedisOptions): Promise<RedisBus> {
  // A publish while Redis is down fails at once: the event is committed and subscribers catch up
  // from the store, so waiting would only hold up the writer.
  const pub = await connectRedis(options, 'publish', { queueWhileDown: false });
  let sub: Redis;
  try {
    sub = await connectRedis(options, 'subscribe', { queueWhileDown: true });
  } catch (err) {
    pub.disconnect();
    throw err;
  }
  return new RedisBus(pub, sub, options);
}

export class RedisBus implements Bus {
  private readonly channels = new Map<string, Channel>();
  private readonly missedHandlers = new Set<() => void>();
  private readonly prefix: string;
  private readonly log: (message: string) => void;
  private closed = false;
  /** Publishes Redis did not take yet, oldest first. */
  private readonly unsent: { channel: string; frame: string }[] = [];
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryDelayMs = RETRY_FIRST_MS;
  private flushing = false;

  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    options: RedisOptions,
  ) {
    this.prefix = `${options.prefix ?? 'collab:'}room:`;
    this.log = options.log ?? defaultRedisLog;
    sub.on('message', (channel: string, frame: string) => {
      const c = this.channels.get(channel);
      if (!c) return;
      for (const handler of [...c.handlers]) {
        try {
          handler(c.room, frame);
        } catch (err) {
          this.log(`bus handler failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    });
    // The first 'ready' came before this constructor; every later one follows a reconnect.
    sub.on('ready', () => void this.resubscribe());
    pub.on('ready', () => {
      this.retryDelayMs = RETRY_FIRST_MS;
      void this.flush();
      this.notifyMissed();
    });
  }

  /**
   * Resolves once Redis took the frame, or once it is kept for a retry (the writer is not held up
   * while Redis is away); never rejects.
   */
  async publish(room: RoomKey, frame: string): Promise<void> {
    if (this.closed) return;
    const channel = this.channelOf(room);
    if (this.unsent.length > 0) {
      this.keep(channel, frame);
      return;
    }
    try {
      await this.pub.publish(channel, frame);
    } catch (err) {
      this.log(`bus: publish failed (${err instanceof Error ? err.message : String(err)}); retrying`);
      this.keep(channel, frame);
      // This node's own rooms hear their events through Redis too: catch them up from the store.
      this.notifyMissed();
    }
  }

  /** Publishes waiting for a retry (for tests and metrics). */
  get unsentCount(): number {
    return this.unsent.length;
  }

  private keep(channel: string, frame: string): void {
    this.unsent.push({ channel, frame });
    if (this.unsent.length > MAX_UNSENT) {
      this.unsent.splice(0, this.unsent.length - MAX_UNSENT);
      this.log(`bus: over ${MAX_UNSENT} publishes waiting for Redis; the oldest are left to reconciliation`);
    }
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.flush();
    }, this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, RETRY_MAX_MS);
  }

  /** Sends what waits, oldest first, until Redis refuses again. */
  private async flush(): Promise<void> {
    if (this.flushing || this.closed) return;
    this.flushing = true;
    try {
      while (this.unsent.length > 0 && !this.closed) {
        const next = this.unsent[0]!;
        await this.pub.publish(next.channel, next.frame);
        if (this.unsent[0] === next) this.unsent.shift();
      }
      this.retryDelayMs = RETRY_FIRST_MS;
    } catch {
      this.scheduleFlush();
    } finally {
      this.flushing = false;
    }
  }

  subscribe(room: RoomKey, handler: BusHandler): () => void {
    const name = this.channelOf(room);
    let c = this.channels.get(name);
    if (!c) {
      c = { room: { tenantId: room.tenantId, page: room.page }, handlers: new Set() };
      this.channels.set(name, c);
      this.sub.subscribe(name).catch((err: Error) => this.log(`bus: subscribe failed (${err.message})`));
    }
    const entry = c;
    const own = (r: RoomKey, f: string) => handler(r, f);
    entry.handlers.add(own);
    return () => {
      if (!entry.handlers.delete(own) || entry.handlers.size > 0) return;
      if (this.channels.get(name) !== entry) return;
      this.channels.delete(name);
      if (!this.closed)
        this.sub
          .unsubscribe(name)
          .catch((err: Error) => this.log(`bus: unsubscribe failed (${err.message})`));
    };
  }

  /**
   * Called after the bus's connection to Redis came back: frames published meanwhile may be lost,
   * so the caller catches its rooms up from the store. Called only once resubscribed.
   */
  onMissed(handler: () => void): () => void {
    this.missedHandlers.add(handler);
    return () => this.missedHandlers.delete(handler);
  }

  /** The rooms this node subscribes to now. */
  rooms(): RoomKey[] {
    return [...this.channels.values()].map((c) => c.room);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.channels.clear();
    await Promise.all([quit(this.pub), quit(this.sub)]);
  }

  private channelOf(room: RoomKey): string {
    return this.prefix + roomSuffix(room);
  }

  private async resubscribe(): Promise<void> {
    const names = [...this.channels.keys()];
    try {
      if (names.length > 0) await this.sub.subscribe(...names);
    } catch (err) {
      this.log(`bus: resubscribe failed (${err instanceof Error ? err.message : String(err)})`);
      return;
    }
    this.notifyMissed();
  }

  private notifyMissed(): void {
    if (this.closed) return;
    for (const handler of [...this.missedHandlers]) {
      try {
        handler();
      } catch (err) {
        this.log(`bus: catch-up handler failed (${err instanceof Error ? err.message : String(err)})`);
      }
    }
  }
}
