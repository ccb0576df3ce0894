// Delivery that does not depend on one PUBLISH, with real server processes on PostgreSQL and Redis:
// an event acked by a node that dies before publishing it, and events written while one node is cut
// off from Redis, reach every live reader on every node within the bound written in
// docs/architecture.md (2 s from the moment the condition ends), in order, once, on a page that then
// stays quiet (no later write reveals the gap). Also: a write retried after its node died, and
// answered as a duplicate, is published again.
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { TcpProxy } from '../e2e/tcp-proxy';
import { ClusterClient, clusterWrites as w, startCluster, type Cluster } from '../helpers/cluster';
import {
  DATABASE_URL,
  probePostgres,
  probeRedis,
  REDIS_URL,
  serviceAvailable,
  startPrivateRedis,
  until,
  type PrivateRedis,
} from '../helpers/services';

const available =
  (await serviceAvailable(`PostgreSQL at ${DATABASE_URL}`, 'DATABASE_URL', () => probePostgres())) &&
  (await serviceAvailable(`Redis at ${REDIS_URL}`, 'REDIS_URL', () => probeRedis()));

/** The bound: every live reader holds an acked event this long after the fault ends. */
const BOUND_MS = 2000;

let pageCounter = 0;
const newPage = () => `https://example.com/delivery/${Date.now()}/${++pageCounter}`;

/** Each reader applied the page's events once, in seq order, with no gap seen, and holds what the store holds. */
async function expectConverged(cluster: Cluster, page: string, readers: ClusterClient[]): Promise<void> {
  const db = await cluster.store.snapshot(cluster.tenants.a, page);
  for (const c of readers) {
    const followed = c.page(page);
    expect(followed.state).toEqual(db);
    expect(followed.gaps).toBe(0);
    const seqs = followed.applied.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  }
}

describe.runIf(available)('delivery across nodes when a publish is lost', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => {});
  });
  const connect = async (cluster: Cluster, user: keyof Cluster['tokens'], node: number, page: string) => {
    const c = await ClusterClient.connect(() => cluster.nodes.map((n) => n.url), cluster.tokens[user], node);
    cleanup.push(() => c.close());
    c.subscribe(page);
    await until('the snapshot', () => c.page(page).state !== null);
    return c;
  };

  it('an event acked by a node killed before it could publish reaches readers on the other node', async () => {
    const redis: PrivateRedis = await startPrivateRedis();
    cleanup.push(() => redis.stop());
    const cluster = await startCluster({ nodes: 2, redisUrl: redis.url });
    cleanup.push(() => cluster.close());
    const page = newPage();
    const writer = await connect(cluster, 'alice', 0, page);
    const reader = await connect(cluster, 'bob', 1, page);
    writer.stopReconnecting();
    const create = w.create(page);
    writer.write(create);
    await reader.synced(page, 1);

    // Redis holds every write command back, PUBLISH included: node 1 acks and cannot publish.
    const admin = new Redis(redis.url, { lazyConnect: true });
    await admin.connect();
    cleanup.push(async () => admin.disconnect());
    await admin.call('CLIENT', 'PAUSE', '30000', 'WRITE');
    const reply = w.add(page, create.chatId, 'acked, never published');
    writer.write(reply);
    await until('the ack', () => writer.acks.get(reply.broadcastId));
    expect(writer.acks.get(reply.broadcastId)).toBe(2);
    await cluster.nodes[0]!.kill();
    const killedAt = Date.now();

    // Nothing else is written: only the nodes' reconciliation with the store can bring it.
    await reader.synced(page, 2, 10_000);
    const deliveredMs = Date.now() - killedAt;
    console.log(`acked event reached the reader ${deliveredMs} ms after its node was killed`);
    expect(deliveredMs).toBeLessThanOrEqual(BOUND_MS);
    await admin.call('CLIENT', 'UNPAUSE');
    await expectConverged(cluster, page, [reader]);
    expect(reader.page(page).applied.map((e) => e.seq)).toEqual([1, 2]);

    // The writer sends the same write again to the surviving node: a duplicate, acked with the
    // original seq, and published again (harmless for readers who already hold it).
    const retry = await ClusterClient.connect(() => [cluster.nodes[1]!.url], cluster.tokens.alice);
    cleanup.push(() => retry.close());
    retry.write(reply);
    await until('the duplicate ack', () => retry.acks.get(reply.broadcastId));
    expect(retry.acks.get(reply.broadcastId)).toBe(2);
    expect((await cluster.store.snapshot(cluster.tenants.a, page)).seq).toBe(2);
    await expectConverged(cluster, page, [reader]);
  }, 60_000);

  it('events written while one node is cut off from Redis reach every reader on both nodes, in order', async () => {
    const redis: PrivateRedis = await startPrivateRedis();
    cleanup.push(() => redis.stop());
    // Node 1 reaches Redis through a proxy the test can cut; node 2 directly.
    const redisProxy = await TcpProxy.start(redis.port);
    cleanup.push(() => redisProxy.close());
    const cluster = await startCluster({
      nodes: 2,
      redisUrl: redis.url,
      redisUrlOf: (i) => (i === 0 ? `redis://127.0.0.1:${redisProxy.port}` : undefined),
    });
    cleanup.push(() => cluster.close());
    const page = newPage();
    const cutWriter = await connect(cluster, 'alice', 0, page);
    const cutReader = await connect(cluster, 'carol', 0, page);
    const farWriter = await connect(cluster, 'bob', 1, page);
    const farReader = await connect(cluster, 'eve', 1, newPage()); // another tenant's page: untouched
    const readers = [cutWriter, cutReader, farWriter];
    const create = w.create(page);
    cutWriter.write(create);
    for (const c of readers) await c.synced(page, 1);

    redisProxy.cutAll();
    const cutAt = Date.now();
    // Both sides write while node 1 cannot reach Redis: its publishes fail, it hears nothing.
    for (let i = 0; i < 3; i++) {
      cutWriter.write(w.add(page, create.chatId, `from the cut-off node ${i}`));
      farWriter.write(w.add(page, create.chatId, `from the connected node ${i}`));
    }
    await until('every write acked', () => cutWriter.acks.size === 4 && farWriter.acks.size === 3);
    const ackedAt = Date.now();
    // The store is the second path: the events arrive while the cut lasts.
    await until('every reader at seq 7 during the cut', () =>
      readers.every((c) => (c.page(page).state?.seq ?? 0) >= 7),
    );
    console.log(
      `during the Redis cut, every reader held every event ${Date.now() - ackedAt} ms after the last ack`,
    );
    // The cut lasts 10 s, the longest the bound covers.
    await until('ten seconds of cut', () => Date.now() - cutAt >= 10_000, 15_000);
    redisProxy.restore();
    const restoredAt = Date.now();

    // Nothing else is written.
    await until(
      'every reader at seq 7',
      () => readers.every((c) => (c.page(page).state?.seq ?? 0) >= 7),
      10_000,
    );
    const lateMs = Date.now() - restoredAt;
    console.log(`after a 10 s Redis cut, every reader held every event ${lateMs} ms after it ended`);
    expect(lateMs).toBeLessThanOrEqual(BOUND_MS);
    await expectConverged(cluster, page, readers);
    for (const c of readers) expect(c.connections).toBe(1); // no reconnect needed
    expect(farReader.page(farReader.pages.keys().next().value!).applied).toEqual([]);

    // And the bus works again: a new write arrives everywhere over it.
    farWriter.write(w.add(page, create.chatId, 'after the cut'));
    for (const c of readers) await c.synced(page, 8);
    await expectConverged(cluster, page, readers);
  }, 90_000);
});
