// The store's bounds against a real server, as a hostile member would test them: a very long thread,
// a page at its discussion limit and a team at its byte limit are each refused with their code, the
// snapshot of a huge page comes in parts of bounded size, and another team's live events and
// /healthz keep flowing meanwhile.
import { afterEach, describe, expect, it } from 'vitest';
import { addSnapshotPage, LIMITS, type DiscussionT, type SnapshotT } from '../../lib/protocol';
import { commitWrite, type Actor } from '../../server/ops';
import { TestClient } from '../helpers/client';
import { addComment, createChat, deleteChat, PAGE } from '../helpers/frames';
import { startTestServer, type TestServer } from '../helpers/server';

let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const actorOf = (t: TestServer, name: 'alice' | 'bob'): Actor => ({
  user: { id: t.users[name].id, name: t.users[name].name },
  role: 'member',
});

/** The other team keeps working: Eve's write reaches Eve's other socket, and /healthz answers. */
async function otherTeamUnaffected(t: TestServer): Promise<void> {
  const eve = await TestClient.connect(t.url, t.tokens.eve);
  const eve2 = await TestClient.connect(t.url, t.tokens.eve);
  for (const c of [eve, eve2]) {
    c.send({ type: 'subscribe', page: PAGE });
    await c.next('snapshot');
  }
  const write = createChat();
  eve.send(write);
  expect(await eve.next('ack')).toMatchObject({ broadcastId: write.broadcastId });
  expect(await eve2.next('new-text-chat')).toMatchObject({ broadcastId: write.broadcastId });
  const health = await fetch(t.server.httpUrl + '/healthz');
  expect(health.status).toBe(200);
  await eve.close();
  await eve2.close();
}

/** Reads a page's snapshot in all its parts, checking each frame's size. */
async function wholeSnapshot(
  client: TestClient,
  page: string,
): Promise<{ seq: number; chats: DiscussionT[]; parts: number }> {
  const chats: DiscussionT[] = [];
  let parts = 0;
  for (;;) {
    const frame = (await client.next((f) => f.type === 'snapshot' && f.page === page, 20_000)) as SnapshotT;
    expect(Buffer.byteLength(JSON.stringify(frame))).toBeLessThanOrEqual(LIMITS.snapshotFrameBytes);
    expect(frame.part ?? 0).toBe(parts);
    addSnapshotPage(chats, frame.chats);
    parts++;
    if (!frame.more) return { seq: frame.seq, chats, parts };
  }
}

describe('storage limits against a real server', () => {
  it('refuses the 2001st comment of a thread with thread-full, and sends the 2000 in bounded parts', async () => {
    t = await startTestServer();
    const server = t;
    const create = createChat();
    await commitWrite(server.server.store, server.tenants.a.id, create, actorOf(server, 'alice'));
    // 1999 replies (200 characters each) written through the store: the wire's rate limit would
    // make this take a minute.
    for (let i = 0; i < 1999; i++) {
      const r = await commitWrite(
        server.server.store,
        server.tenants.a.id,
        addComment(create.chatId, { text: `reply ${i} `.padEnd(200, 'x') }),
        actorOf(server, i % 2 ? 'alice' : 'bob'),
      );
      expect(r.status).toBe('applied');
    }
    const bob = await TestClient.connect(server.url, server.tokens.bob);
    bob.send({ type: 'subscribe', page: PAGE });
    const snap = await wholeSnapshot(bob, PAGE);
    expect(snap.parts).toBeGreaterThan(2);
    expect(snap.seq).toBe(2000);
    expect(snap.chats).toHaveLength(1);
    expect(snap.chats[0]!.comments).toHaveLength(2000);
    expect(snap.chats[0]!.comments).toEqual(
      (await server.server.store.snapshot(server.tenants.a.id, PAGE)).discussions[0]!.comments,
    );

    const oneMore = addComment(create.chatId);
    bob.send(oneMore);
    const refused = await bob.next('error');
    expect(refused).toMatchObject({ code: 'thread-full', broadcastId: oneMore.broadcastId, page: PAGE });
    expect(refused.message).toMatch(/at most 2000 comments/);
    await otherTeamUnaffected(server);
    // Nothing of the refused write was stored; the creator can still delete the whole thread.
    expect((await server.server.store.snapshot(server.tenants.a.id, PAGE)).seq).toBe(2000);
    const alice = await TestClient.connect(server.url, server.tokens.alice);
    const del = deleteChat(create.chatId);
    alice.send(del);
    expect(await alice.next('ack')).toMatchObject({ broadcastId: del.broadcastId, seq: 2001 });
    await alice.close();
    await bob.close();
  }, 120_000);

  it('refuses a discussion on a full page with page-full, and a write past the team’s bytes with quota-exceeded', async () => {
    t = await startTestServer({
      limits: { discussionsPerPage: 3, commentsPerDiscussion: 100, tenantBytes: 3000 },
    });
    const alice = await TestClient.connect(t.url, t.tokens.alice);
    alice.send({ type: 'subscribe', page: PAGE });
    await alice.next('snapshot');
    const chats = [createChat(), createChat(), createChat()];
    for (const c of chats) {
      alice.send(c);
      await alice.next('ack');
    }
    const fourth = createChat();
    alice.send(fourth);
    expect(await alice.next('error')).toMatchObject({ code: 'page-full', broadcastId: fourth.broadcastId });
    await otherTeamUnaffected(t);

    // Another page of the same team is not full, but the team's bytes run out.
    const other = 'https://example.com/another-page';
    const big = createChat({ page: other, text: 'b'.repeat(2600) });
    alice.send(big);
    const refused = await alice.next('error');
    expect(refused).toMatchObject({ code: 'quota-exceeded', broadcastId: big.broadcastId });
    expect(refused.message).toMatch(/at most 3000 bytes/);
    // Deleting frees room: the same write then goes through.
    const del = deleteChat(chats[0]!.chatId);
    alice.send(del);
    await alice.next((f) => f.type === 'ack' && f.broadcastId === del.broadcastId);
    const smaller = createChat({ page: other, text: 'b'.repeat(1200) });
    alice.send(smaller);
    expect(await alice.next((f) => f.type === 'ack' || f.type === 'error')).toMatchObject({
      type: 'ack',
      broadcastId: smaller.broadcastId,
    });
    await otherTeamUnaffected(t);
    await alice.close();
  });

  it('records the token that made each change', async () => {
    t = await startTestServer();
    const alice = await TestClient.connect(t.url, t.tokens.alice);
    alice.send({ type: 'subscribe', page: PAGE });
    await alice.next('snapshot');
    const create = createChat();
    alice.send(create);
    await alice.next('ack');
    const store = t.server.store as unknown as { db: { prepare(sql: string): { all(): unknown[] } } };
    expect(store.db.prepare('SELECT token_id FROM discussions').all()).toEqual([
      { token_id: t.tokenIds.alice },
    ]);
    expect(store.db.prepare('SELECT token_id FROM comments').all()).toEqual([{ token_id: t.tokenIds.alice }]);
    expect(store.db.prepare('SELECT token_id FROM events').all()).toEqual([{ token_id: t.tokenIds.alice }]);
    await alice.close();
  });
});
