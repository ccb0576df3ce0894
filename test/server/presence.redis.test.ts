// Redis presence against a real Redis: distinct users across nodes, a user on two nodes counted
// once, and the viewers of a node killed with SIGKILL dropping out when its entries expire.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import type { RoomKey } from '../../server/bus/types';
import { openRedisPresence } from '../../server/presence/redis';
import {
  probeRedis,
  REDIS_URL,
  serviceAvailable,
  startPrivateRedis,
  uniquePrefix,
  until,
} from '../helpers/services';

const available = await serviceAvailable(`Redis at ${REDIS_URL}`, 'REDIS_URL', () => probeRedis());

const ROOM: RoomKey = { tenantId: 't1', page: 'https://example.com/a' };

describe.runIf(available)('Redis presence', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const open = async (prefix: string, ttlMs = 10_000, url = REDIS_URL) => {
    const board = await openRedisPresence({
      url,
      prefix,
      ttlMs,
      heartbeatMs: ttlMs / 4,
      log: () => undefined,
    });
    cleanups.push(() => board.close());
    const counts = new Map<string, number>();
    board.onCount((room, count) => counts.set(`${room.tenantId} ${room.page}`, count));
    const countOf = (room: RoomKey) => counts.get(`${room.tenantId} ${room.page}`);
    return { board, countOf };
  };
  const expectCount = (node: { countOf: (r: RoomKey) => number | undefined }, n: number, room = ROOM) =>
    until(`count ${n}`, () => node.countOf(room) === n);

  it('counts distinct users across nodes, a user on two nodes once', async () => {
    const prefix = uniquePrefix();
    const a = await open(prefix);
    const b = await open(prefix);
    a.board.setLocal(ROOM, new Set(['ada', 'bob']));
    await expectCount(a, 2);
    b.board.setLocal(ROOM, new Set(['bob', 'cy']));
    await expectCount(a, 3);
    await expectCount(b, 3);
    b.board.setLocal(ROOM, new Set());
    await expectCount(a, 2);
    a.board.setLocal(ROOM, new Set(['ada']));
    await expectCount(a, 1);
  });

  it('keeps tenants and pages apart', async () => {
    const prefix = uniquePrefix();
    const a = await open(prefix);
    const b = await open(prefix);
    const otherTenant = { tenantId: 't2', page: ROOM.page };
    a.board.setLocal(ROOM, new Set(['ada']));
    b.board.setLocal(otherTenant, new Set(['bob', 'cy']));
    await expectCount(b, 2, otherTenant);
    await expectCount(a, 1);
    b.board.setLocal(ROOM, new Set(['dan']));
    await expectCount(a, 2);
    expect(b.countOf(otherTenant)).toBe(2);
  });

  it("takes a closed node's viewers away at once", async () => {
    const prefix = uniquePrefix();
    const a = await open(prefix);
    const b = await openRedisPresence({ url: REDIS_URL, prefix, log: () => undefined });
    a.board.setLocal(ROOM, new Set(['ada']));
    b.setLocal(ROOM, new Set(['bob']));
    await expectCount(a, 2);
    await b.close();
    await expectCount(a, 1);
  });

  it('rebuilds the counts by itself after Redis restarts empty', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const prefix = uniquePrefix();
    const a = await open(prefix, 1000, redis.url);
    const b = await open(prefix, 1000, redis.url);
    a.board.setLocal(ROOM, new Set(['ada']));
    b.board.setLocal(ROOM, new Set(['bob']));
    await expectCount(a, 2);
    await redis.kill();
    await redis.start();
    b.board.setLocal(ROOM, new Set(['bob', 'cy']));
    await expectCount(a, 3);
    await expectCount(b, 3);
  });

  it('drops the viewers of a node killed with SIGKILL once its entries expire', async () => {
    const prefix = uniquePrefix();
    const ttlMs = 1500;
    const a = await open(prefix, ttlMs);
    a.board.setLocal(ROOM, new Set(['ada']));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/helpers/presence-node.ts',
        REDIS_URL,
        prefix,
        ROOM.tenantId,
        ROOM.page,
        String(ttlMs),
        'bob',
        'cy',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    cleanups.push(() => child.kill('SIGKILL'));
    const lines = createInterface({ input: child.stdout! });
    const childCounts: number[] = [];
    lines.on('line', (l) => childCounts.push(Number(l.split(' ')[1])));
    await expectCount(a, 3);
    await until('the child to count 3', () => childCounts.includes(3));
    child.kill('SIGKILL');
    await expectCount(a, 1);
  });
});
