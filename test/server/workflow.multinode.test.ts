// Notifications and a user's own state across two real server processes on one PostgreSQL and one
// Redis: a notification made on one node reaches the user's connections on both exactly once, also
// when the write is retried on the other node, and a reconnect to the other node catches up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mentionToken, type NotificationT } from '../../lib/protocol';
import { TestClient, type Frame } from '../helpers/client';
import { startCluster, type Cluster, type ClusterUser } from '../helpers/cluster';
import { addComment, createChat } from '../helpers/frames';
import { DATABASE_URL, probePostgres, probeRedis, REDIS_URL, serviceAvailable } from '../helpers/services';

const available =
  (await serviceAvailable(`PostgreSQL at ${DATABASE_URL}`, 'DATABASE_URL', () => probePostgres())) &&
  (await serviceAvailable(`Redis at ${REDIS_URL}`, 'REDIS_URL', () => probeRedis()));

const PAGE = `https://example.com/workflow/${Date.now()}`;

describe.runIf(available)('team workflow on two nodes', () => {
  let cluster: Cluster;
  const clients: TestClient[] = [];
  const connect = async (user: ClusterUser, node: number) => {
    const c = await TestClient.connect(cluster.nodes[node]!.url, cluster.tokens[user]);
    clients.push(c);
    return c;
  };
  const acked = async (c: TestClient, write: { broadcastId: string }) => {
    c.send(write);
    return c.next((f) => (f.type === 'ack' || f.type === 'error') && f.broadcastId === write.broadcastId);
  };
  const seqsOf = (c: TestClient) =>
    c.received.flatMap((f: Frame) => (f.type === 'notification' ? [f.notification.seq] : []));
  const notification = async (c: TestClient): Promise<NotificationT> =>
    ((await c.next('notification', 10_000)) as Extract<Frame, { type: 'notification' }>).notification;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, redisUrl: REDIS_URL });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await cluster?.close();
  });

  it('delivers a notification once to each connection on either node, through a retry and a reconnect', async () => {
    const alice = await connect('alice', 0);
    const aliceElsewhere = await connect('alice', 1);
    const laptop = await connect('bob', 0);
    const phone = await connect('bob', 1);
    const carol = await connect('carol', 1);
    const eve = await connect('eve', 1);
    const bobId = laptop.welcome!.user.id;

    const chat = createChat({ page: PAGE, text: `${mentionToken(bobId)} please look` });
    const first = await acked(alice, chat);
    expect(first).toMatchObject({ type: 'ack' });
    // The same write retried on the other node, as after a lost ack: applied once, told once.
    expect(await acked(aliceElsewhere, chat)).toEqual(first);
    for (const bob of [laptop, phone]) {
      expect(await notification(bob)).toMatchObject({ seq: 1, kind: 'mention', chatId: chat.chatId });
    }
    // A second notification, from the other node, proves nothing else was coming.
    const reply = addComment(chat.chatId, { page: PAGE, text: `${mentionToken(bobId)} and again` });
    await acked(carol, reply);
    for (const bob of [laptop, phone]) {
      expect(await notification(bob)).toMatchObject({ seq: 2, commentId: reply.commentId });
      expect(seqsOf(bob)).toEqual([1, 2]);
    }
    expect(await notification(alice)).toMatchObject({ seq: 1, kind: 'reply', actor: { name: 'carol' } });
    expect(seqsOf(alice)).toEqual([1]);
    expect(eve.received.some((f) => f.type === 'notification')).toBe(false);

    // The phone reconnects to the other node and catches up from what it held.
    await phone.close();
    const again = await connect('bob', 0);
    again.send({ type: 'notifications-since', after: 1 });
    expect((await again.next('notifications')).notifications.map((n) => n.seq)).toEqual([2]);
    again.send({ type: 'notifications-since', after: 0 });
    expect(await again.next('notifications')).toMatchObject({ unread: 2, latest: 2 });

    // Marked read on one node, seen on the other; a read position likewise.
    const onOne = await connect('bob', 1);
    onOne.send({ type: 'mark-notifications-read', upTo: 2 });
    expect(await laptop.next('notifications-read', 10_000)).toEqual({
      type: 'notifications-read',
      upTo: 2,
      unread: 0,
    });
    onOne.send({ type: 'mark-read', page: PAGE, chatId: chat.chatId, at: 42 });
    expect(await laptop.next('read-positions', 10_000)).toEqual({
      type: 'read-positions',
      page: PAGE,
      chats: { [chat.chatId]: 42 },
    });
    const stored = await cluster.store.notificationsSince(cluster.tenants.a, bobId, 0, 100);
    expect(stored.notifications.map((n) => [n.seq, n.read])).toEqual([
      [1, true],
      [2, true],
    ]);
  });
});
