// Two server nodes (one PostgreSQL, one Redis, real processes) and an admin of tenant A, for tests of
// what an admin does on one node and a member sees on the other. Registers its own beforeAll and
// afterAll; the tests reach the cluster through `world.cluster` once they run.
import { afterAll, beforeAll } from 'vitest';
import { issueToken } from '../../server/auth';
import { TestClient } from './client';
import { startCluster, type Cluster } from './cluster';
import { REDIS_URL } from './services';

export interface AdminCluster {
  readonly cluster: Cluster;
  /** POSTs `body` as the admin to a node's HTTP API. */
  api(node: number, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** A member's client on a node, subscribed to `page` with its snapshot received. */
  connect(token: string, node: number): Promise<TestClient>;
  /** Sends a write and waits for its ack or refusal. */
  acked(c: TestClient, write: { broadcastId: string }): ReturnType<TestClient['next']>;
  /** The id of tenant A's member of that name. */
  userId(name: string): Promise<string>;
}

export function adminCluster(page: string): AdminCluster {
  let cluster: Cluster | undefined;
  let adminToken = '';
  const clients: TestClient[] = [];
  const started = () => {
    if (!cluster) throw new Error('the cluster is not started yet: use it inside a test');
    return cluster;
  };

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, redisUrl: REDIS_URL });
    const admin = await cluster.store.createUser(cluster.tenants.a, 'Admin');
    adminToken = (
      await issueToken(cluster.store, { tenantId: cluster.tenants.a, userId: admin.id, role: 'admin' })
    ).secret;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await cluster?.close();
  });

  return {
    get cluster() {
      return started();
    },
    async api(node, path, body) {
      const res = await fetch(`${started().nodes[node]!.url.replace(/^ws/, 'http')}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async connect(token, node) {
      const c = await TestClient.connect(started().nodes[node]!.url, token);
      clients.push(c);
      c.send({ type: 'subscribe', page });
      await c.next('snapshot');
      return c;
    },
    acked(c, write) {
      c.send(write);
      return c.next((f) => (f.type === 'ack' || f.type === 'error') && f.broadcastId === write.broadcastId);
    },
    async userId(name) {
      const c = started();
      return (await c.store.listUsers(c.tenants.a)).find((u) => u.name === name)!.id;
    },
  };
}
