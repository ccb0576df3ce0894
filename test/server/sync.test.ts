// Two users of one tenant editing one page: echoes, seqs, resync, retries, authorisation, tenant
// isolation and durability across a restart.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { liveSelectors, PROTOCOL_VERSION, type DiscussionEventT } from '../../lib/protocol';
import { TestClient } from '../helpers/client';
import { addComment, createChat, deleteChat, deleteComment, editComment, PAGE } from '../helpers/frames';
import { startTestServer, type TestServer } from '../helpers/server';

describe('sync between clients', () => {
  let t: TestServer;
  const clients: TestClient[] = [];
  const connect = async (who: keyof TestServer['tokens']) => {
    const c = await TestClient.connect(t.url, t.tokens[who]);
    clients.push(c);
    return c;
  };
  const subscribed = async (who: keyof TestServer['tokens'], since?: number, page = PAGE) => {
    const c = await connect(who);
    c.send({ type: 'subscribe', page, ...(since === undefined ? {} : { since }) });
    await c.next((f) => f.type === 'snapshot' || f.type === 'replay');
    return c;
  };

  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await t.close();
  });

  it('welcomes with the token’s user, tenant and role', async () => {
    const c = await connect('admin');
    expect(c.welcome).toMatchObject({
      user: { id: t.users.admin.id, name: 'Admin' },
      tenant: { id: t.tenants.a.id, name: 'Tenant A' },
      role: 'admin',
      protocol: PROTOCOL_VERSION,
    });
  });

  it('shows creates, edits and deletes to both users with broadcastId and seq, author echo included', async () => {
    const alice = await subscribed('alice');
    const bob = await subscribed('bob');

    const create = createChat({ text: 'Is this right?' });
    alice.send(create);
    expect(await alice.next('ack')).toEqual({
      type: 'ack',
      broadcastId: create.broadcastId,
      page: PAGE,
      seq: 1,
    });
    const seenByBob = await bob.next('new-text-chat');
    const echo = await alice.next('new-text-chat');
    expect(echo).toEqual(seenByBob);
    expect(seenByBob).toMatchObject({
      page: PAGE,
      seq: 1,
      broadcastId: create.broadcastId,
      chat: {
        id: create.chatId,
        // A live event carries the quote; the hints come with snapshots and replays.
        selectors: liveSelectors(create.selectors),
        comments: [
          { id: create.commentId, author: { id: t.users.alice.id, name: 'Alice' }, text: 'Is this right?' },
        ],
      },
    });
    // On the wire: the page by its alias, the author by id, named once.
    const snapshotAlias = bob.raw.find((f) => f.type === 'snapshot')!;
    const wire = bob.raw
      .flatMap((f) => (f.type === 'batch' ? f.events : [f]))
      .find((f) => f.type === 'new-text-chat')!;
    expect(wire).not.toHaveProperty('page');
    expect(wire).toMatchObject({
      alias: (snapshotAlias as { alias: number }).alias,
      chat: { comments: [{ author: t.users.alice.id }] },
      authors: { [t.users.alice.id]: 'Alice' },
    });

    const reply = addComment(create.chatId, { text: 'Yes.' });
    bob.send(reply);
    expect(await bob.next('ack')).toMatchObject({ broadcastId: reply.broadcastId, seq: 2 });
    expect(await alice.next('updated-text-chat')).toMatchObject({
      seq: 2,
      broadcastId: reply.broadcastId,
      chatId: create.chatId,
      change: { op: 'add-comment', comment: { id: reply.commentId, author: { name: 'Bob' }, text: 'Yes.' } },
    });
    await bob.next('updated-text-chat');

    const edit = editComment(create.chatId, reply.commentId, 'Yes, it is.');
    bob.send(edit);
    expect(await alice.next('updated-text-chat')).toMatchObject({
      seq: 3,
      broadcastId: edit.broadcastId,
      change: { op: 'edit-comment', commentId: reply.commentId, text: 'Yes, it is.' },
    });

    const del = deleteComment(create.chatId, reply.commentId);
    bob.send(del);
    expect(await alice.next('updated-text-chat')).toMatchObject({
      seq: 4,
      broadcastId: del.broadcastId,
      change: { op: 'delete-comment', commentId: reply.commentId },
    });

    const drop = deleteChat(create.chatId);
    alice.send(drop);
    expect(await bob.next('deleted-text-chat')).toEqual({
      type: 'deleted-text-chat',
      page: PAGE,
      seq: 5,
      broadcastId: drop.broadcastId,
      chatId: create.chatId,
    });
  });

  it('lets a client write without subscribing, and keeps pages apart', async () => {
    const other = 'https://example.com/other';
    const watcher = await subscribed('bob', undefined, other);
    const writer = await connect('alice');
    const create = createChat();
    writer.send(create);
    expect(await writer.next('ack')).toMatchObject({ seq: 1 });
    const onOther = createChat({ page: other });
    writer.send(onOther);
    expect(await watcher.next('new-text-chat')).toMatchObject({ broadcastId: onOther.broadcastId, seq: 1 });
    expect(writer.pending().filter((f) => f.type === 'new-text-chat')).toEqual([]);
  });

  it('refuses a non-author edit and a member deleting another’s comment or chat, changing nothing', async () => {
    const alice = await subscribed('alice');
    const bob = await subscribed('bob');
    const create = createChat();
    alice.send(create);
    await alice.next('ack');

    for (const write of [
      editComment(create.chatId, create.commentId),
      deleteComment(create.chatId, create.commentId),
      deleteChat(create.chatId),
    ]) {
      bob.send(write);
      expect(await bob.next('error')).toMatchObject({ code: 'forbidden', broadcastId: write.broadcastId });
    }
    // An admin may delete it; the seq shows nothing happened in between.
    const admin = await connect('admin');
    const drop = deleteChat(create.chatId);
    admin.send(drop);
    expect(await admin.next('ack')).toMatchObject({ seq: 2 });
    expect(await bob.next('new-text-chat')).toMatchObject({ seq: 1 });
    expect(await bob.next('deleted-text-chat')).toMatchObject({ seq: 2, broadcastId: drop.broadcastId });
  });

  it('applies a retried write once and acks it with the original seq', async () => {
    const alice = await subscribed('alice');
    const create = createChat();
    alice.send(create);
    expect(await alice.next('ack')).toMatchObject({ seq: 1 });
    const reply = addComment(create.chatId);
    alice.send(reply);
    expect(await alice.next('ack')).toMatchObject({ seq: 2 });

    // The retry arrives on a new connection, as after a reconnect.
    const again = await connect('alice');
    again.send(create);
    expect(await again.next('ack')).toEqual({
      type: 'ack',
      broadcastId: create.broadcastId,
      page: PAGE,
      seq: 1,
    });
    again.send({ type: 'subscribe', page: PAGE });
    const snap = await again.next('snapshot');
    expect(snap.seq).toBe(2);
    expect(snap.chats).toHaveLength(1);
    expect(snap.chats[0]!.comments).toHaveLength(2);
  });

  it('gives a returning client exactly the events it missed, in order', async () => {
    const alice = await subscribed('alice');
    const create = createChat();
    alice.send(create);
    await alice.next('ack');

    const away = await subscribed('bob');
    await away.close();

    const writes = [
      addComment(create.chatId, { text: 'one' }),
      addComment(create.chatId, { text: 'two' }),
      addComment(create.chatId, { text: 'three' }),
    ];
    for (const w of writes) alice.send(w);
    for (let i = 0; i < writes.length; i++) await alice.next('ack');

    const back = await connect('bob');
    back.send({ type: 'subscribe', page: PAGE, since: 1 });
    const replay = await back.next('replay');
    expect(replay.seq).toBe(4);
    expect(replay.events.map((e: DiscussionEventT) => [e.seq, e.broadcastId])).toEqual(
      writes.map((w, i) => [i + 2, w.broadcastId]),
    );

    // since ahead of the server (e.g. after a database reset): a snapshot instead.
    const confused = await connect('bob');
    confused.send({ type: 'subscribe', page: PAGE, since: 99 });
    expect(await confused.next('snapshot')).toMatchObject({ seq: 4 });
  });

  it('sends live events after the snapshot, none lost and none repeated', async () => {
    const alice = await subscribed('alice');
    const bob = await connect('bob');
    const writes = Array.from({ length: 20 }, () => createChat());
    // Bob subscribes while alice is writing: the snapshot and the live events must join up.
    for (const w of writes.slice(0, 10)) alice.send(w);
    bob.send({ type: 'subscribe', page: PAGE });
    for (const w of writes.slice(10)) alice.send(w);
    for (let i = 0; i < writes.length; i++) await alice.next('ack');

    const snap = await bob.next('snapshot');
    const live: number[] = [];
    for (let seq = snap.seq + 1; seq <= writes.length; seq++) {
      live.push((await bob.next('new-text-chat')).seq);
    }
    expect([...Array.from({ length: snap.seq }, (_, i) => i + 1), ...live]).toEqual(
      writes.map((_, i) => i + 1),
    );
    expect(snap.chats.map((c) => c.id)).toEqual(writes.slice(0, snap.seq).map((w) => w.chatId));
    expect(bob.pending().filter((f) => f.type === 'new-text-chat')).toEqual([]);
  });

  it('orders concurrent writers’ events gap-free, the same for every subscriber', async () => {
    const alice = await subscribed('alice');
    const bob = await subscribed('bob');
    const watcher = await subscribed('admin');
    const fromAlice = Array.from({ length: 15 }, () => createChat());
    const fromBob = Array.from({ length: 15 }, () => createChat());
    for (let i = 0; i < 15; i++) {
      alice.send(fromAlice[i]);
      bob.send(fromBob[i]);
    }
    const seen = async (c: TestClient) => {
      const events = [];
      for (let i = 0; i < 30; i++) events.push(await c.next('new-text-chat'));
      return events.map((e) => [e.seq, e.broadcastId]);
    };
    const [a, b, w] = await Promise.all([seen(alice), seen(bob), seen(watcher)]);
    expect(a.map(([seq]) => seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(b).toEqual(a);
    expect(w).toEqual(a);
    // Each writer's own writes keep their order, and its acks match the events.
    const acks = [];
    for (let i = 0; i < 15; i++) acks.push(await alice.next('ack'));
    expect(acks.map((x) => x.broadcastId)).toEqual(fromAlice.map((x) => x.broadcastId));
    expect(acks.map((x) => [x.seq, x.broadcastId])).toEqual(
      a.filter(([, id]) => fromAlice.some((x) => x.broadcastId === id)),
    );
  });

  it('lets no frame cross tenants: eve on the same URL sees nothing and cannot write there', async () => {
    const alice = await subscribed('alice');
    const eve = await subscribed('eve');
    expect(eve.received.find((f) => f.type === 'snapshot')).toMatchObject({ seq: 0, chats: [] });

    const create = createChat();
    alice.send(create);
    await alice.next('ack');
    await alice.next('new-text-chat');

    for (const write of [
      addComment(create.chatId),
      editComment(create.chatId, create.commentId),
      deleteComment(create.chatId, create.commentId),
      deleteChat(create.chatId),
    ]) {
      eve.send(write);
      expect(await eve.next('error')).toMatchObject({ code: 'not-found', broadcastId: write.broadcastId });
    }
    // Eve's own discussion lives in tenant B only, with its own seq.
    const own = createChat();
    eve.send(own);
    expect(await eve.next('ack')).toMatchObject({ seq: 1 });
    await eve.next('new-text-chat');

    // Alice saw nothing of eve's, and the page in tenant A is unchanged.
    const check = await connect('bob');
    check.send({ type: 'subscribe', page: PAGE });
    const snap = await check.next('snapshot');
    expect(snap.seq).toBe(1);
    expect(snap.chats.map((c) => c.comments.length)).toEqual([1]);
    // Besides presence, only her own state of the page, given with her subscribe's answer.
    expect(
      alice.pending().filter((f) => !['presence', 'watching', 'read-positions'].includes(f.type)),
    ).toEqual([]);
    expect(eve.received.some((f) => JSON.stringify(f).includes(create.chatId) && f.type !== 'error')).toBe(
      false,
    );
  });

  it('keeps everything acked across a restart on the same database file', async () => {
    const alice = await connect('alice');
    const create = createChat();
    const reply = addComment(create.chatId);
    alice.send(create);
    alice.send(reply);
    await alice.next('ack');
    await alice.next('ack');
    await t.restart();
    expect(await alice.closed).toMatchObject({ code: 1001, reason: expect.stringMatching(/shutting down/) });

    const bob = await connect('bob');
    bob.send({ type: 'subscribe', page: PAGE, since: 0 });
    const replay = await bob.next('replay');
    expect(replay.events.map((e) => e.broadcastId)).toEqual([create.broadcastId, reply.broadcastId]);
    // The retry after the restart is still recognised.
    bob.send(create);
    expect(await bob.next('ack')).toMatchObject({ broadcastId: create.broadcastId, seq: 1 });
    const next = addComment(create.chatId);
    bob.send(next);
    expect(await bob.next('ack')).toMatchObject({ seq: 3 });
  });
});
