// Members managed on one node of two (one PostgreSQL, one Redis, real processes): a role changed on
// node 1's admin API applies to the member's live connection on node 2 at once, and that connection
// is told with a `role` frame; removing a member on node 1 closes their connection on node 2.
import { describe, expect, it } from 'vitest';
import { TestClient } from '../helpers/client';
import { adminCluster } from '../helpers/admin-cluster';
import { addComment, createChat, deleteComment } from '../helpers/frames';
import { DATABASE_URL, probePostgres, probeRedis, REDIS_URL, serviceAvailable } from '../helpers/services';

const available =
  (await serviceAvailable(`PostgreSQL at ${DATABASE_URL}`, 'DATABASE_URL', () => probePostgres())) &&
  (await serviceAvailable(`Redis at ${REDIS_URL}`, 'REDIS_URL', () => probeRedis()));

const PAGE = `https://example.com/members/${Date.now()}`;

describe.runIf(available)('members across two nodes', () => {
  const world = adminCluster(PAGE);
  const { api, connect, acked, userId } = world;

  it('a role changed on node 1 applies at once to a live connection on node 2', async () => {
    const alice = await connect(world.cluster.tokens.alice, 0);
    const bob = await connect(world.cluster.tokens.bob, 1);
    const chat = createChat({ page: PAGE });
    expect((await acked(alice, chat)).type).toBe('ack');
    const reply = addComment(chat.chatId, { page: PAGE });
    expect((await acked(alice, reply)).type).toBe('ack');
    expect(await acked(bob, deleteComment(chat.chatId, reply.commentId, PAGE))).toMatchObject({
      code: 'forbidden',
    });
    const told = bob.next((f) => f.type === 'role');
    expect((await api(0, `/api/users/${await userId('bob')}/role`, { role: 'admin' })).status).toBe(200);
    // Bob's page hears of it too, so that it offers what an admin may do without a reconnect.
    expect(await told).toEqual({ type: 'role', role: 'admin' });
    expect((await acked(bob, deleteComment(chat.chatId, reply.commentId, PAGE))).type).toBe('ack');
    const toldBack = bob.next((f) => f.type === 'role');
    expect((await api(0, `/api/users/${await userId('bob')}/role`, { role: 'member' })).status).toBe(200);
    expect(await toldBack).toEqual({ type: 'role', role: 'member' });
    expect(await acked(bob, deleteComment(chat.chatId, chat.commentId, PAGE))).toMatchObject({
      code: 'forbidden',
    });
  });

  it('removing a member on node 1 closes their connection on node 2, and their writes are refused meanwhile', async () => {
    const carol = await connect(world.cluster.tokens.carol, 1);
    const started = Date.now();
    const removed = await api(0, `/api/users/${await userId('carol')}/remove`, {});
    expect(removed.status).toBe(200);
    // Nothing is written in the removed member's name, even before their socket closes.
    const late = await acked(carol, createChat({ page: PAGE })).catch(() => null);
    if (late) expect(late).toMatchObject({ type: 'error', code: 'forbidden' });
    expect((await carol.closed).code).toBe(4403);
    // Within the revocation poll (1 s by default) of node 2.
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(
      TestClient.connect(world.cluster.nodes[1]!.url, world.cluster.tokens.carol),
    ).rejects.toThrow();
  });
});
