// Erasure and retention across two nodes (one PostgreSQL, one Redis, real processes): a member erased
// on node 1's admin API loses their comments live for a viewer on node 2; a retention saved on node 1
// removes a discussion live for a viewer on node 2.
import { describe, expect, it } from 'vitest';
import type { WriteFrameT } from '../../lib/protocol';
import { plannerFor } from '../../server/ops';
import { adminCluster } from '../helpers/admin-cluster';
import { addComment, createChat } from '../helpers/frames';
import { DATABASE_URL, probePostgres, probeRedis, REDIS_URL, serviceAvailable } from '../helpers/services';

const available =
  (await serviceAvailable(`PostgreSQL at ${DATABASE_URL}`, 'DATABASE_URL', () => probePostgres())) &&
  (await serviceAvailable(`Redis at ${REDIS_URL}`, 'REDIS_URL', () => probeRedis()));

const PAGE = `https://example.com/erasure/${Date.now()}`;

describe.runIf(available)('erasure and retention across two nodes', () => {
  const world = adminCluster(PAGE);
  const { api, connect, acked, userId } = world;

  it('a member erased on node 1 loses their comments live for a viewer on node 2', async () => {
    const bob = await connect(world.cluster.tokens.bob, 0);
    const alice = await connect(world.cluster.tokens.alice, 1);
    const shared = createChat({ page: PAGE, text: 'bob opens' });
    expect((await acked(bob, shared)).type).toBe('ack');
    expect((await acked(alice, addComment(shared.chatId, { page: PAGE, text: 'alice stays' }))).type).toBe(
      'ack',
    );
    const lone = createChat({ page: PAGE, text: 'bob alone' });
    expect((await acked(bob, lone)).type).toBe('ack');
    await alice.next((f) => f.type === 'new-text-chat' && f.chat.id === lone.chatId);

    const erased = await api(0, `/api/users/${await userId('bob')}/erase`, {});
    expect(erased.body).toMatchObject({ erased: { comments: 2, discussions: 1 } });
    await alice.next(
      (f) =>
        f.type === 'updated-text-chat' &&
        f.change.op === 'delete-comment' &&
        f.change.commentId === shared.commentId,
    );
    await alice.next((f) => f.type === 'deleted-text-chat' && f.chatId === lone.chatId);
    expect((await bob.closed).code).toBe(4403);
  });

  it('a retention saved on node 1 removes an old discussion live for a viewer on node 2', async () => {
    const alice = await connect(world.cluster.tokens.alice, 1);
    const old = createChat({ page: PAGE, text: 'old words' });
    const actor = { user: { id: await userId('alice'), name: 'Alice' }, role: 'member' as const };
    const at = Date.now() - 10 * 24 * 3600 * 1000;
    const r = await world.cluster.store.commit(
      world.cluster.tenants.a,
      old,
      plannerFor(old as WriteFrameT, actor, at),
    );
    expect(r.status).toBe('applied');
    const saved = await api(0, '/api/retention', { days: 5 });
    expect(saved.body).toEqual({ days: 5, removed: 1 });
    await alice.next((f) => f.type === 'deleted-text-chat' && f.chatId === old.chatId);
  });
});
