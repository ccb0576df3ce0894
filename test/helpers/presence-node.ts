// A child process holding Redis presence for one room, so that a test can kill -9 it for real.
// Usage: tsx test/helpers/presence-node.ts <redisUrl> <prefix> <tenantId> <page> <ttlMs> <user>...
import { openRedisPresence } from '../../server/presence/redis';

const [url, prefix, tenantId, page, ttl, ...users] = process.argv.slice(2);
const board = await openRedisPresence({
  url: url!,
  prefix: prefix!,
  ttlMs: Number(ttl),
  heartbeatMs: Math.max(50, Number(ttl) / 4),
});
board.onCount((_room, count) => process.stdout.write(`count ${count}\n`));
board.setLocal({ tenantId: tenantId!, page: page! }, new Set(users));
