// Several real server processes on one PostgreSQL database and one Redis: every node sees every
// event with the same seq, presence is summed across nodes, a node killed with SIGKILL under
// writes loses nothing, a Redis restart loses no acked event, and concurrent writers on two nodes
// leave gap-free seqs with every client converged to the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscussionEventT, DiscussionT } from '../../lib/protocol';
import pg from 'pg';
import {
  ClusterClient,
  clusterWrites as w,
  serveUntilExit,
  startCluster,
  type Cluster,
} from '../helpers/cluster';
import {
  DATABASE_URL,
  freePort,
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

let pageCounter = 0;
const newPage = () => `https://example.com/multinode/${Date.now()}/${++pageCounter}`;

/** Comment texts of a page's discussions, for comparing states. */
const texts = (chats: DiscussionT[]) =>
  chats.map((c) => ({ id: c.id, comments: c.comments.map((x) => x.text) }));

describe.runIf(available)('several server nodes on PostgreSQL and Redis', () => {
  const clients: ClusterClient[] = [];
  const connect = async (cluster: Cluster, user: keyof Cluster['tokens'], node: number) => {
    const c = await ClusterClient.connect(() => cluster.nodes.map((n) => n.url), cluster.tokens[user], node);
    clients.push(c);
    return c;
  };
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  describe('three nodes', () => {
    let cluster: Cluster;
    beforeAll(async () => {
      cluster = await startCluster({ nodes: 3, redisUrl: REDIS_URL });
    }, 60_000);
    afterAll(async () => {
      await cluster?.close();
    });

    it('delivers every event to clients on every node with the same seq', async () => {
      const page = newPage();
      const [c1, c2, c3] = await Promise.all([
        connect(cluster, 'alice', 0),
        connect(cluster, 'bob', 1),
        connect(cluster, 'carol', 2),
      ]);
      for (const c of [c1, c2, c3]) {
        c.subscribe(page);
        await until('the snapshot', () => c.page(page).state !== null);
      }
      const create = w.create(page);
      c1.write(create);
      await until('the create ack', () => c1.acks.get(create.broadcastId));
      const reply = w.add(page, create.chatId, 'a reply');
      c1.write(reply);
      c1.write(w.edit(page, create.chatId, create.commentId, 'first, edited'));
      c1.write(w.deleteComment(page, create.chatId, reply.commentId));
      await until('four acks', () => c1.acks.size === 4 && c1.outbox.size === 0);
      c1.write(w.deleteChat(page, create.chatId));
      await until('five acks', () => c1.acks.size === 5);

      for (const c of [c1, c2, c3]) await c.synced(page, 5);
      const seen = (c: ClusterClient) => c.page(page).applied.map((e) => [e.seq, e.type, e.broadcastId]);
      expect(seen(c1).map((x) => x[0])).toEqual([1, 2, 3, 4, 5]);
      expect(seen(c2)).toEqual(seen(c1));
      expect(seen(c3)).toEqual(seen(c1));
      expect(c2.page(page).applied).toEqual(c1.page(page).applied);
      expect([...c1.acks.values()]).toEqual([1, 2, 3, 4, 5]);
      for (const c of [c1, c2, c3]) expect(c.page(page).gaps).toBe(0);
      expect(c3.page(page).state).toEqual({ seq: 5, discussions: [] });
    });

    it('sums presence across nodes and counts a user on two nodes once', async () => {
      const page = newPage();
      const alice1 = await connect(cluster, 'alice', 0);
      const bob2 = await connect(cluster, 'bob', 1);
      const alice3 = await connect(cluster, 'alice', 2);
      const eve = await connect(cluster, 'eve', 1);
      for (const c of [alice1, bob2, alice3, eve]) c.subscribe(page);
      const all = [alice1, bob2, alice3];
      await until('everyone to count 2 (alice on two nodes once)', () =>
        all.every((c) => c.page(page).presence === 2),
      );
      // Another tenant on the same page is a different room.
      await until('eve alone in her tenant', () => eve.page(page).presence === 1);
      bob2.unsubscribe(page);
      await until('alice to count 1', () => [alice1, alice3].every((c) => c.page(page).presence === 1));
      alice3.unsubscribe(page);
      bob2.subscribe(page);
      await until('alice and bob again', () => [alice1, bob2].every((c) => c.page(page).presence === 2));
    });

    it('keeps serving when the database drops every connection', async () => {
      const page = newPage();
      const [c1, c2] = await Promise.all([connect(cluster, 'alice', 0), connect(cluster, 'bob', 1)]);
      for (const c of [c1, c2]) {
        c.subscribe(page);
        await until('the snapshot', () => c.page(page).state !== null);
      }
      const create = w.create(page);
      c1.write(create);
      await c2.synced(page, 1);
      // What a database restart or failover does to the nodes' pooled connections.
      const admin = new pg.Client({ connectionString: cluster.db.url });
      await admin.connect();
      const { rows } = await admin.query<{ n: string }>(
        'SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      await admin.end();
      expect(Number(rows[0]!.n)).toBeGreaterThan(0);
      for (let i = 0; i < 5; i++) c1.write(w.add(page, create.chatId, `after the drop ${i}`));
      await until('every write acked', () => c1.outbox.size === 0);
      for (const c of [c1, c2]) await c.synced(page, 6);
      expect(c2.page(page).state).toEqual(await cluster.store.snapshot(cluster.tenants.a, page));
      expect(c1.errors).toEqual([]);
      for (const node of cluster.nodes) expect(node.child.exitCode).toBeNull();
    });

    it('keeps seqs gap-free when two nodes write one page at once, and every client converges to the database', async () => {
      const page = newPage();
      const writers = [await connect(cluster, 'alice', 0), await connect(cluster, 'bob', 1)];
      const watcher = await connect(cluster, 'carol', 2);
      for (const c of [...writers, watcher]) {
        c.subscribe(page);
        await until('the snapshot', () => c.page(page).state !== null);
      }
      const create = w.create(page);
      writers[0]!.write(create);
      await until('the create ack', () => writers[0]!.acks.get(create.broadcastId));

      const perWriter = 40;
      for (let i = 0; i < perWriter; i++) {
        for (const [n, c] of writers.entries()) c.write(w.add(page, create.chatId, `writer ${n} reply ${i}`));
      }
      await until('every write acked', () => writers.every((c) => c.outbox.size === 0));
      const total = 1 + 2 * perWriter;
      const ackSeqs = writers.flatMap((c) => [...c.acks.values()]).sort((a, b) => a - b);
      expect(ackSeqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      for (const c of writers) expect(c.errors).toEqual([]);

      const db = await cluster.store.snapshot(cluster.tenants.a, page);
      expect(db.seq).toBe(total);
      expect(db.discussions[0]!.comments).toHaveLength(total);
      for (const c of [...writers, watcher]) {
        await c.synced(page, total);
        expect(c.page(page).state).toEqual(db);
        expect(c.page(page).gaps).toBe(0);
        expect(c.page(page).applied.map((e: DiscussionEventT) => e.seq)).toEqual(
          Array.from({ length: total }, (_, i) => i + 1),
        );
      }
      // Each writer's own comments are in the order it sent them.
      for (const n of [0, 1]) {
        const mine = db.discussions[0]!.comments.map((x) => x.text).filter((t) =>
          t.startsWith(`writer ${n} `),
        );
        expect(mine).toEqual(Array.from({ length: perWriter }, (_, i) => `writer ${n} reply ${i}`));
      }
    });
  });

  it('refuses to start, saying which, when PostgreSQL or Redis cannot be reached', async () => {
    const deadPort = await freePort();
    const noDb = await serveUntilExit([
      '--db',
      `postgres://postgres:secret@127.0.0.1:${deadPort}/collab`,
      '--redis',
      REDIS_URL,
    ]);
    expect(noDb.code).toBe(1);
    expect(noDb.output).toContain(
      `error: cannot reach PostgreSQL at postgres://postgres:***@127.0.0.1:${deadPort}/collab`,
    );
    expect(noDb.output).not.toContain('secret');
    const noRedis = await serveUntilExit(['--db', DATABASE_URL, '--redis', `redis://127.0.0.1:${deadPort}`]);
    expect(noRedis.code).toBe(1);
    expect(noRedis.output).toContain(`error: cannot reach Redis at redis://127.0.0.1:${deadPort}`);
    expect(noRedis.output).toContain('--redis / REDIS_URL');
  }, 60_000); // two server processes started one after the other

  it('loses nothing when a node is killed with SIGKILL under writes; presence converges', async () => {
    const cluster = await startCluster({ nodes: 2, redisUrl: REDIS_URL, presenceTtlMs: 1500 });
    try {
      const page = newPage();
      const onDoomed = await connect(cluster, 'alice', 0);
      const onSurvivor = await connect(cluster, 'bob', 1);
      const viewer = await connect(cluster, 'carol', 0);
      for (const c of [onDoomed, onSurvivor, viewer]) {
        c.subscribe(page);
        await until('the snapshot', () => c.page(page).state !== null);
      }
      await until('three viewers', () => onSurvivor.page(page).presence === 3);
      const create = w.create(page);
      onSurvivor.write(create);
      await until('the create ack', () => onSurvivor.acks.get(create.broadcastId));

      // Both write continuously; node 1 dies in the middle of it.
      const sent: string[] = [];
      const writeSome = (c: ClusterClient, who: string, n: number) => {
        for (let i = 0; i < n; i++) {
          const text = `${who} ${sent.length}`;
          sent.push(text);
          c.write(w.add(page, create.chatId, text));
        }
      };
      writeSome(onDoomed, 'alice', 20);
      writeSome(onSurvivor, 'bob', 20);
      await until("some of alice's writes acked", () => onDoomed.acks.size >= 5);
      viewer.stopReconnecting(); // carol just goes away with the node
      await cluster.nodes[0]!.kill();
      writeSome(onDoomed, 'alice', 20);
      writeSome(onSurvivor, 'bob', 20);

      await until('alice to reconnect to the other node', () => onDoomed.connections === 2);
      await until(
        'every write acked',
        () => onDoomed.outbox.size === 0 && onSurvivor.outbox.size === 0,
        20_000,
      );
      const db = await cluster.store.snapshot(cluster.tenants.a, page);
      const stored = db.discussions[0]!.comments.map((c) => c.text);
      expect(stored.slice(1).sort()).toEqual([...sent].sort()); // each write once: nothing lost or doubled
      expect(db.seq).toBe(1 + sent.length);
      for (const c of [onDoomed, onSurvivor]) {
        await c.synced(page, db.seq);
        expect(c.page(page).state).toEqual(db);
        expect(c.errors).toEqual([]);
      }
      // carol's socket was on the dead node: her entry expires; alice is now counted on node 2.
      await until('presence to converge to alice and bob', () =>
        [onDoomed, onSurvivor].every((c) => c.page(page).presence === 2),
      );
    } finally {
      await cluster.close();
    }
  }, 120_000); // two nodes started, one killed, under a busy machine

  it('recovers by itself when Redis restarts, and no acked event is lost to any client', async () => {
    let redis: PrivateRedis | null = null;
    let cluster: Cluster | null = null;
    try {
      redis = await startPrivateRedis();
      cluster = await startCluster({ nodes: 2, redisUrl: redis.url });
      const page = newPage();
      const writer = await connect(cluster, 'alice', 0);
      const reader = await connect(cluster, 'bob', 1);
      for (const c of [writer, reader]) {
        c.subscribe(page);
        await until('the snapshot', () => c.page(page).state !== null);
      }
      const create = w.create(page);
      writer.write(create);
      await reader.synced(page, 1);

      await redis.kill();
      for (let i = 0; i < 5; i++) writer.write(w.add(page, create.chatId, `while Redis is down ${i}`));
      await until('the writes acked while Redis is down', () => writer.acks.size === 6);
      await redis.start();
      // Nothing else is written: the reader gets the missed events only through the nodes' catch-up.
      await reader.synced(page, 6, 20_000);
      await writer.synced(page, 6);
      writer.write(w.add(page, create.chatId, 'after the restart'));
      await reader.synced(page, 7);
      const db = await cluster.store.snapshot(cluster.tenants.a, page);
      for (const c of [writer, reader]) {
        expect(c.page(page).state).toEqual(db);
        expect(c.connections).toBe(1);
      }
      expect(texts(db.discussions)[0]!.comments).toHaveLength(7);
      // Presence was rebuilt in the empty Redis by the heartbeats; a new viewer is counted.
      const carol = await connect(cluster, 'carol', 0);
      carol.subscribe(page);
      await until('presence across nodes after the restart', () => reader.page(page).presence === 3);
    } finally {
      await cluster?.close();
      await redis?.stop();
    }
  }, 120_000);
});
