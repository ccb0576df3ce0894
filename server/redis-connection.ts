// What the Redis bus and the Redis presence board share: their options, opening a connection that
// reconnects by itself, the start-up error when Redis cannot be reached, and a polite close.
import { Redis } from 'ioredis';
import { ServiceUnavailableError } from './unavailable';

export interface RedisOptions {
  /** A `redis://` (or `rediss://`) URL. */
  url: string;
  /** Prepended to every key and channel, so that several deployments may share one Redis. */
  prefix?: string;
  /** Where connection trouble is reported; the connections keep retrying regardless. */
  log?: (message: string) => void;
}

export class RedisUnavailableError extends ServiceUnavailableError {
  constructor(url: string, cause: unknown) {
    super(
      'Redis',
      url,
      cause,
      'Check that Redis runs and that --redis / REDIS_URL names it (redis://[:password@]host:port).',
    );
  }
}

/** Where a Redis user reports trouble when its options name no log. */
export const defaultRedisLog = (message: string) => console.error(message);

/**
 * Opens one connection and waits until Redis answers; rejects with a clear error when it does not.
 * Afterwards the connection reconnects by itself (backoff capped at 2 s), never giving up.
 */
export async function connectRedis(
  options: RedisOptions,
  role: string,
  { queueWhileDown }: { queueWhileDown: boolean },
): Promise<Redis> {
  const log = options.log ?? defaultRedisLog;
  const redis = new Redis(options.url, {
    lazyConnect: true,
    // Either a command fails at once while Redis is down (the caller recovers later), or it waits
    // for the reconnect however long that takes (subscriptions).
    enableOfflineQueue: queueWhileDown,
    maxRetriesPerRequest: queueWhileDown ? null : 0,
    autoResubscribe: false,
    retryStrategy: (times) => Math.min(times * 100, 2000),
    connectionName: `collab-chat-${role}`,
  });
  let up = false;
  redis.on('error', (err: Error) => {
    if (up) log(`redis (${role}): ${err.message}; retrying`);
  });
  redis.on('ready', () => {
    if (up) log(`redis (${role}): connected again`);
  });
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new RedisUnavailableError(options.url, err);
  }
  up = true;
  return redis;
}

/** Closes a connection politely (QUIT, at most a second), then for good. */
export async function quit(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await Promise.race([redis.quit(), new Promise((r) => setTimeout(r, 1000))]);
  } catch {
    // Already gone: nothing to close politely.
  }
  redis.disconnect();
}
