// Team workflow against a real server with real sockets: resolving and reopening a discussion, the
// member list for @mentions, notifications (each rule, live to every connection of the user, caught
// up after a reconnect and a restart, marked read), watches and read positions shared by all of a
// user's connections, and a removed user.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOSE, mentionToken, type NotificationT } from '../../lib/protocol';
import { runCli } from '../../server/cli';
import { openStore } from '../../server/store/open';
import { TestClient, type Frame } from '../helpers/client';
import { addComment, createChat, deleteChat, editComment, PAGE, resolveChat } from '../helpers/frames';
import { startTestServer, type TestServer, type TestUserName } from '../helpers/server';

const OTHER = 'https://example.com/elsewhere';

describe('team workflow', () => {
  let t: TestServer;
  const clients: TestClient[] = [];
  const connect = async (user: TestUserName) => {
    const c = await TestClient.connect(t.url, t.tokens[user]);
    clients.push(c);
    return c;
  };
  /** Connects and subscribes, resolving after the page's answer and the user's state of it. */
  const viewer = async (user: TestUserName, page = PAGE) => {
    const c = await connect(user);
    c.send({ type: 'subscribe', page });
    await c.next((f) => f.type === 'read-positions' && f.page === page);
    return c;
  };
  const acked = async (c: TestClient, write: { broadcastId: string }) => {
    c.send(write);
    return c.next((f) => (f.type === 'ack' || f.type === 'error') && f.broadcastId === write.broadcastId);
  };
  const notification = async (c: TestClient): Promise<NotificationT> =>
    ((await c.next('notification')) as Extract<Frame, { type: 'notification' }>).notification;
  /** Every notification frame `c` received so far. */
  const notificationsOf = (c: TestClient) =>
    c.received.flatMap((f) => (f.type === 'notification' ? [f.notification] : []));

  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await t.close();
  });

  describe('resolve and reopen', () => {
    it('any member resolves a discussion; every viewer sees who and when, live and in snapshots', async () => {
      const alice = await viewer('alice');
      const bob = await viewer('bob');
      const chat = createChat();
      expect(await acked(alice, chat)).toMatchObject({ type: 'ack' });
      const resolve = resolveChat(chat.chatId);
      const ack = await acked(bob, resolve);
      expect(ack).toMatchObject({ type: 'ack', page: PAGE, seq: 2 });
      const seen = await alice.next((f) => f.type === 'updated-text-chat' && f.seq === 2);
      expect(seen).toMatchObject({
        chatId: chat.chatId,
        broadcastId: resolve.broadcastId,
        change: {
          op: 'resolve',
          resolved: { by: { id: t.users.bob.id, name: 'Bob' }, at: expect.any(Number) },
        },
      });
      // On the wire the resolver goes by id, named in `authors` like comment authors.
      // (It may have come inside a batch.)
      const wire = alice.raw
        .flatMap((f) => (f.type === 'batch' ? f.events : [f]))
        .find((f) => f.type === 'updated-text-chat' && f.seq === 2) as unknown as {
        change: { resolved: { by: string } };
        authors?: Record<string, string>;
      };
      expect(wire.change.resolved.by).toBe(t.users.bob.id);
      expect(wire.authors).toEqual({ [t.users.bob.id]: 'Bob' });

      const fresh = await connect('admin');
      fresh.send({ type: 'subscribe', page: PAGE });
      const snap = await fresh.next('snapshot');
      expect(snap.chats[0]!.resolved).toEqual({
        by: { id: t.users.bob.id, name: 'Bob' },
        at: expect.any(Number),
      });

      // Reopened by someone else again; the retry of the resolve changes nothing.
      expect(await acked(alice, resolveChat(chat.chatId, false))).toMatchObject({ type: 'ack', seq: 3 });
      expect(await acked(bob, resolve)).toMatchObject({ type: 'ack', seq: 2 });
      const replayer = await connect('bob');
      replayer.send({ type: 'subscribe', page: PAGE, since: 1 });
      const replay = await replayer.next('replay');
      expect(replay.events.map((e) => e.type === 'updated-text-chat' && e.change)).toEqual([
        { op: 'resolve', resolved: null },
        { op: 'resolve', resolved: null },
      ]);
      const again = await connect('admin');
      again.send({ type: 'subscribe', page: PAGE });
      expect((await again.next('snapshot')).chats[0]).not.toHaveProperty('resolved');
      expect(bob.received.filter((f) => f.type === 'updated-text-chat' && f.seq > 3)).toEqual([]);
    });

    it('refuses a resolve of another tenant’s discussion as not-found; only creator and admins delete', async () => {
      const alice = await connect('alice');
      const chat = createChat();
      await acked(alice, chat);
      const eve = await connect('eve');
      expect(await acked(eve, resolveChat(chat.chatId))).toMatchObject({ type: 'error', code: 'not-found' });
      const bob = await connect('bob');
      expect(await acked(bob, resolveChat(chat.chatId))).toMatchObject({ type: 'ack' });
      expect(await acked(bob, deleteChat(chat.chatId))).toMatchObject({ type: 'error', code: 'forbidden' });
      expect(await acked(alice, deleteChat(chat.chatId))).toMatchObject({ type: 'ack' });
    });
  });

  describe('members', () => {
    it('lists the members of the asker’s tenant and nobody else', async () => {
      const bob = await connect('bob');
      bob.send({ type: 'list-members' });
      const { members } = await bob.next('members');
      expect(members.map((m) => m.name).sort()).toEqual(['Admin', 'Alice', 'Bob']);
      const eve = await connect('eve');
      eve.send({ type: 'list-members' });
      expect((await eve.next('members')).members).toEqual([{ id: t.users.eve.id, name: 'Eve' }]);
    });
  });

  describe('notifications', () => {
    it('tells a mentioned member on every connection at once, never the writer nor another tenant', async () => {
      const alice = await connect('alice');
      const bobLaptop = await connect('bob');
      const bobPhone = await connect('bob');
      const eve = await connect('eve');
      const chat = createChat({
        page: OTHER,
        text: `${mentionToken(t.users.bob.id)} can you check? ${mentionToken(t.users.eve.id)} ${mentionToken(t.users.alice.id)}`,
      });
      await acked(alice, chat);
      for (const bob of [bobLaptop, bobPhone]) {
        expect(await notification(bob)).toEqual({
          seq: 1,
          kind: 'mention',
          page: OTHER,
          chatId: chat.chatId,
          commentId: chat.commentId,
          actor: { id: t.users.alice.id, name: 'Alice' },
          at: expect.any(Number),
          read: false,
          excerpt: chat.text,
        });
      }
      // A later write to Alice proves nothing else was on its way to her or to Eve.
      const reply = addComment(chat.chatId, { page: OTHER, text: 'on it' });
      await acked(bobLaptop, reply);
      expect(await notification(alice)).toMatchObject({ seq: 1, kind: 'reply', commentId: reply.commentId });
      expect(notificationsOf(alice)).toHaveLength(1);
      eve.send({ type: 'notifications-since', after: 0 });
      expect(await eve.next('notifications')).toEqual({
        type: 'notifications',
        notifications: [],
        unread: 0,
        latest: 0,
      });
      expect(notificationsOf(eve)).toEqual([]);
      expect(notificationsOf(bobLaptop)).toHaveLength(1);
    });

    it('tells participants of a reply, watchers of a new discussion, the creator of a resolve', async () => {
      const alice = await connect('alice');
      const bob = await connect('bob');
      const admin = await connect('admin');
      admin.send({ type: 'watch', page: PAGE, watch: true });
      expect(await admin.next('watching')).toEqual({ type: 'watching', page: PAGE, watch: true });
      const chat = createChat();
      await acked(alice, chat);
      expect(await notification(admin)).toMatchObject({
        kind: 'new-chat',
        chatId: chat.chatId,
        excerpt: chat.text,
      });
      await acked(bob, addComment(chat.chatId));
      expect(await notification(alice)).toMatchObject({ kind: 'reply', actor: { name: 'Bob' } });
      await acked(admin, addComment(chat.chatId, { text: 'agreed' }));
      expect(await notification(alice)).toMatchObject({ kind: 'reply', actor: { name: 'Admin' } });
      expect(await notification(bob)).toMatchObject({ kind: 'reply', actor: { name: 'Admin' } });
      await acked(bob, resolveChat(chat.chatId));
      expect(await notification(alice)).toMatchObject({ kind: 'resolve', actor: { name: 'Bob' } });
      // An edit that adds a mention tells only the one it adds.
      const mine = addComment(chat.chatId, { text: `${mentionToken(t.users.alice.id)} thanks` });
      await acked(bob, mine);
      expect(await notification(alice)).toMatchObject({ kind: 'mention', commentId: mine.commentId });
      expect(await notification(admin)).toMatchObject({ kind: 'reply', commentId: mine.commentId });
      await acked(
        bob,
        editComment(
          chat.chatId,
          mine.commentId,
          `${mentionToken(t.users.alice.id)} ${mentionToken(t.users.admin.id)}`,
        ),
      );
      expect(await notification(admin)).toMatchObject({ kind: 'mention', commentId: mine.commentId });
      admin.send({ type: 'watch', page: PAGE, watch: false });
      await admin.next((f) => f.type === 'watching' && !f.watch);
      await acked(alice, createChat());
      // Bob replies to a discussion of Admin's: the next notification Admin gets is that reply.
      const own = createChat({ page: OTHER });
      await acked(admin, own);
      await acked(bob, addComment(own.chatId, { page: OTHER }));
      expect(await notification(admin)).toMatchObject({ kind: 'reply', chatId: own.chatId });
      expect(notificationsOf(alice).map((n) => n.kind)).toEqual(['reply', 'reply', 'resolve', 'mention']);
      expect(notificationsOf(admin).map((n) => n.kind)).toEqual(['new-chat', 'reply', 'mention', 'reply']);
      expect(notificationsOf(bob).map((n) => n.kind)).toEqual(['reply']);
    });

    it('are caught up after a reconnect and a restart, and marked read on every connection', async () => {
      const alice = await connect('alice');
      const chat = createChat({ text: `${mentionToken(t.users.bob.id)} one` });
      await acked(alice, chat);
      await acked(alice, addComment(chat.chatId, { text: `${mentionToken(t.users.bob.id)} two` }));
      await acked(alice, addComment(chat.chatId, { text: `${mentionToken(t.users.bob.id)} three` }));
      await t.restart();
      const laptop = await connect('bob');
      const phone = await connect('bob');
      laptop.send({ type: 'notifications-since', after: 1 });
      const caught = await laptop.next('notifications');
      expect(caught.notifications.map((n) => [n.seq, n.excerpt])).toEqual([
        [2, `${mentionToken(t.users.bob.id)} two`],
        [3, `${mentionToken(t.users.bob.id)} three`],
      ]);
      expect(caught).toMatchObject({ unread: 3, latest: 3 });
      phone.send({ type: 'notifications-since' });
      expect((await phone.next('notifications')).notifications.map((n) => n.seq)).toEqual([1, 2, 3]);

      phone.send({ type: 'mark-notifications-read', seqs: [3] });
      for (const bob of [laptop, phone]) {
        expect(await bob.next('notifications-read')).toEqual({
          type: 'notifications-read',
          seqs: [3],
          unread: 2,
        });
      }
      laptop.send({ type: 'mark-notifications-read', upTo: 2 });
      for (const bob of [laptop, phone]) {
        expect(await bob.next('notifications-read')).toEqual({
          type: 'notifications-read',
          upTo: 2,
          unread: 0,
        });
      }
      laptop.send({ type: 'notifications-since', after: 0 });
      expect((await laptop.next('notifications')).notifications.every((n) => n.read)).toBe(true);
    });
  });

  describe('read positions and watches', () => {
    it('are given with every subscribe answer and shared by all of a user’s connections', async () => {
      const alice = await connect('alice');
      const chat = createChat();
      await acked(alice, chat);
      const laptop = await connect('bob');
      laptop.send({ type: 'subscribe', page: PAGE });
      await laptop.next('snapshot');
      expect(await laptop.next('watching')).toEqual({ type: 'watching', page: PAGE, watch: false });
      expect(await laptop.next('read-positions')).toEqual({ type: 'read-positions', page: PAGE, chats: {} });
      const phone = await viewer('bob');
      laptop.send({ type: 'mark-read', page: PAGE, chatId: chat.chatId, at: 1000 });
      for (const bob of [laptop, phone]) {
        expect(await bob.next('read-positions')).toEqual({
          type: 'read-positions',
          page: PAGE,
          chats: { [chat.chatId]: 1000 },
        });
      }
      // A position never goes back; the answer says where it stands.
      phone.send({ type: 'mark-read', page: PAGE, chatId: chat.chatId, at: 10 });
      expect(await phone.next('read-positions')).toMatchObject({ chats: { [chat.chatId]: 1000 } });
      phone.send({ type: 'watch', page: PAGE, watch: true });
      expect(await laptop.next('watching')).toEqual({ type: 'watching', page: PAGE, watch: true });

      // Another browser of Bob's, later, and after a restart.
      await t.restart();
      const desktop = await connect('bob');
      desktop.send({ type: 'subscribe', page: PAGE });
      expect(await desktop.next('watching')).toMatchObject({ watch: true });
      expect(await desktop.next('read-positions')).toMatchObject({ chats: { [chat.chatId]: 1000 } });
      // Nothing of Bob's reaches Alice.
      expect(alice.received.some((f) => f.type === 'read-positions' || f.type === 'watching')).toBe(false);
    });

    it('refuses a position for a discussion not on that page', async () => {
      const alice = await connect('alice');
      const chat = createChat();
      await acked(alice, chat);
      const eve = await connect('eve');
      eve.send({ type: 'mark-read', page: PAGE, chatId: chat.chatId, at: 5 });
      expect(await eve.next('error')).toMatchObject({ code: 'not-found', page: PAGE });
      alice.send({ type: 'mark-read', page: OTHER, chatId: chat.chatId, at: 5 });
      expect(await alice.next('error')).toMatchObject({ code: 'not-found', page: OTHER });
    });
  });

  describe('a removed user', () => {
    it('is disconnected, keeps the name on old mentions, and is never notified again', async () => {
      const alice = await connect('alice');
      const bob = await connect('bob');
      const old = createChat({ text: `${mentionToken(t.users.bob.id)} before` });
      await acked(alice, old);
      await notification(bob);
      const out: string[] = [];
      const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l), env: {} };
      expect(
        await runCli(['user', 'remove', '--tenant', 'Tenant A', '--user', 'Bob', '--db', t.dbPath], io),
      ).toBe(0);
      expect(out.join('\n')).toMatch(/Removed Bob .* 1 token\(s\) revoked/);
      expect((await bob.closed).code).toBe(CLOSE.revoked);

      alice.send({ type: 'list-members' });
      const { members } = await alice.next('members');
      expect(members).toContainEqual({ id: t.users.bob.id, name: 'Bob', removed: true });
      const after = createChat({ text: `${mentionToken(t.users.bob.id)} after` });
      await acked(alice, after);
      // The mention stays in the text as typed; Bob's inbox is gone and stays empty.
      const store = await openStore(t.dbPath);
      try {
        expect(
          (await store.notificationsSince(t.tenants.a.id, t.users.bob.id, 0, 100)).notifications,
        ).toEqual([]);
        expect(
          (await store.snapshot(t.tenants.a.id, PAGE)).discussions.map((c) => c.comments[0]!.text),
        ).toEqual([old.text, after.text]);
      } finally {
        await store.close();
      }
      const reconnect = await TestClient.open(t.url);
      clients.push(reconnect);
      reconnect.send({ type: 'hello', token: t.tokens.bob, protocol: 3 });
      expect((await reconnect.closed).code).toBe(CLOSE.revoked);
    });
  });
});
