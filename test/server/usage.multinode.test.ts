// Usage adds up across nodes: two server processes on one PostgreSQL database each count what they
// write, and the tenant's usage is the sum of both once each has saved its part.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../server/auth';
import { ClusterClient, clusterWrites as w, startCluster, type Cluster } from '../helpers/cluster';
import {
  DATABASE_URL,
  probePostgres,
  probeRedis,
  REDIS_URL,
  serviceAvailable,
  until,
} from '../helpers/services';

const available =
  (await serviceAvailable(`PostgreSQL at ${DATABASE_URL}`, 'DATABASE_URL', () => probePostgres())) &&
  (await serviceAvailable(`Redis at ${REDIS_URL}`, 'REDIS_URL', () => probeRedis()));

describe.runIf(available)('usage across nodes', () => {
  let cluster: Cluster;
  const clients: ClusterClient[] = [];
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, redisUrl: REDIS_URL });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await cluster?.close();
  });

  it("sums both nodes' counts in the store", async () => {
    const page = `https://usage.example/multinode/${Date.now()}`;
    const urls = () => cluster.nodes.map((n) => n.url);
    const alice = await ClusterClient.connect(urls, cluster.tokens.alice, 0);
    const bob = await ClusterClient.connect(urls, cluster.tokens.bob, 1);
    clients.push(alice, bob);
    for (const c of [alice, bob]) {
      c.subscribe(page);
      await until('the snapshot', () => c.page(page).state !== null);
    }
    const create = w.create(page);
    alice.write(create);
    alice.write(w.add(page, create.chatId, 'two'));
    alice.write(w.add(page, create.chatId, 'three'));
    for (const c of [alice, bob]) await c.synced(page, 3);

    const users = await cluster.store.listUsers(cluster.tenants.a);
    const admin = await issueToken(cluster.store, {
      tenantId: cluster.tenants.a,
      userId: users[0]!.id,
      role: 'admin',
    });
    const messages = async (node: number) => {
      const res = await fetch(`${cluster.nodes[node]!.url.replace(/^ws/, 'http')}/api/usage`, {
        headers: { authorization: `Bearer ${admin.secret}` },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { rows: { site: string; pubSubMessageCount: number }[] };
      return body.rows
        .filter((r) => r.site === 'usage.example')
        .reduce((sum, r) => sum + r.pubSubMessageCount, 0);
    };
    // Each answer first saves the answering node's own counts.
    const first = await messages(0);
    expect(first).toBeGreaterThanOrEqual(3);
    const both = await messages(1);
    // Bob's node delivered at least the three events to him.
    expect(both - first).toBeGreaterThanOrEqual(3);
    expect(await messages(0)).toBeGreaterThanOrEqual(both);
  });
});
