// The behaviour every Store must have, as one suite each implementation runs against a fresh,
// empty store per test: `describeStoreContract('SqliteStore', open)`. Writes are planned by the
// server's own planner (ops), so the stored events have the shapes the server really stores.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatEventT, DiscussionT, WriteFrameT } from '../../lib/protocol';
import { plannerFor, type Actor } from '../../server/ops';
import type { CommitResult, Store } from '../../server/store/types';
import { addComment, createChat, deleteChat, deleteComment, editComment, entityId, PAGE } from './frames';

export interface OpenedStore {
  store: Store;
  /** Closes the store and removes whatever the test created. */
  dispose(): Promise<void>;
}

const OTHER_PAGE = 'https://example.com/other';

/** The message ops' planner rejects a write with when its discussion is not on the page. */
const notFoundMessage = (chatId: string) => `no discussion ${chatId} on this page; it may have been deleted`;

export function describeStoreContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`${name} (Store contract)`, () => {
    let opened: OpenedStore;
    let store: Store;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.dispose();
    });

    /** A tenant with one member who writes everything `commit` sends. */
    const setup = async () => {
      const tenant = await store.createTenant('Tenant A');
      const user = await store.createUser(tenant.id, 'Ada');
      const actor: Actor = { user: { id: user.id, name: user.name }, role: 'member' };
      const commit = (write: WriteFrameT, tenantId = tenant.id): Promise<CommitResult> =>
        store.commit(tenantId, write, plannerFor(write, actor, Date.now()));
      const applied = async (write: WriteFrameT, tenantId = tenant.id): Promise<ChatEventT> => {
        const r = await commit(write, tenantId);
        if (r.status !== 'applied') throw new Error(`expected applied, got ${JSON.stringify(r)}`);
        return r.event;
      };
      return { tenant, user, commit, applied };
    };
    const rejectAll =
      (seen: unknown[], message = 'x') =>
      (current: unknown) => {
        seen.push(current);
        return { ok: false as const, code: 'not-found' as const, message };
      };

    describe('directory', () => {
      it('creates tenants with unique names and finds them by id or by name', async () => {
        const a = await store.createTenant('Tenant A');
        const b = await store.createTenant('Tenant B');
        expect(a.id).not.toBe(b.id);
        expect(a).toMatchObject({ name: 'Tenant A', createdAt: expect.any(Number) });
        await expect(store.createTenant('Tenant A')).rejects.toThrow(/already exists/);
        expect(await store.findTenant(a.id)).toEqual(a);
        expect(await store.findTenant('Tenant A')).toEqual(a);
        expect(await store.findTenant('Tenant B')).toEqual(b);
        expect(await store.findTenant('nope')).toBeNull();
        expect((await store.listTenants()).map((t) => t.name)).toEqual(['Tenant A', 'Tenant B']);
      });

      it('keeps users within their tenant', async () => {
        const a = await store.createTenant('Tenant A');
        const b = await store.createTenant('Tenant B');
        const ada = await store.createUser(a.id, 'Ada');
        await store.createUser(b.id, 'Bob');
        expect(ada).toMatchObject({ tenantId: a.id, name: 'Ada' });
        expect(await store.listUsers(a.id)).toEqual([ada]);
      });

      it('stores tokens by hash, revokes them once within a tenant, and reports revocations since a time', async () => {
        const a = await store.createTenant('Tenant A');
        const b = await store.createTenant('Tenant B');
        const ada = await store.createUser(a.id, 'Ada');
        const token = await store.insertToken({
          id: 'tok-1',
          tenantId: a.id,
          userId: ada.id,
          role: 'admin',
          label: 'laptop',
          hash: 'ab'.repeat(32),
          createdAt: 1000,
        });
        expect(token).toEqual({
          id: 'tok-1',
          tenantId: a.id,
          userId: ada.id,
          role: 'admin',
          label: 'laptop',
          createdAt: 1000,
          revokedAt: null,
        });
        expect(token).not.toHaveProperty('hash');
        expect(await store.findTokenByHash('ab'.repeat(32))).toEqual({ token, tenant: a, user: ada });
        expect(await store.findTokenByHash('cd'.repeat(32))).toBeNull();
        expect(await store.listTokens(a.id)).toEqual([token]);
        expect(await store.listTokens(b.id)).toEqual([]);

        const before = Date.now();
        expect(await store.tokensRevokedSince(before)).toEqual([]);
        expect(await store.revokeToken('tok-1', b.id)).toBeNull();
        expect(await store.revokeToken('no-such-token')).toBeNull();
        const revoked = await store.revokeToken('tok-1', a.id);
        expect(revoked?.revokedAt).toBeGreaterThanOrEqual(before);
        const again = await store.revokeToken('tok-1');
        expect(again?.revokedAt).toBe(revoked?.revokedAt);
        expect((await store.tokensRevokedSince(before)).map((x) => x.id)).toEqual(['tok-1']);
        expect((await store.findTokenByHash('ab'.repeat(32)))?.token.revokedAt).toBe(revoked?.revokedAt);
      });
    });

    describe('pages', () => {
      it('answers a page never written with seq 0 and no discussions', async () => {
        const { tenant } = await setup();
        expect(await store.snapshot(tenant.id, PAGE)).toEqual({ seq: 0, chats: [] });
        expect(await store.eventsSince(tenant.id, PAGE, 0, 100)).toEqual({ seq: 0, events: [] });
        expect(await store.eventsSince(tenant.id, PAGE, 1, 100)).toBeNull();
      });

      it('reads the latest seq of many pages at once, 0 for pages never written, in the order asked', async () => {
        const { tenant, applied } = await setup();
        const other = await store.createTenant('Tenant B');
        expect(await store.latestSeqs([])).toEqual([]);
        const create = createChat();
        await applied(create);
        await applied(addComment(create.chatId, { text: 'second' }));
        const asked = [
          { tenantId: other.id, page: PAGE },
          { tenantId: tenant.id, page: PAGE },
          { tenantId: tenant.id, page: `${PAGE}?never` },
          { tenantId: tenant.id, page: PAGE },
        ];
        expect(await store.latestSeqs(asked)).toEqual([0, 2, 0, 2]);
        const many = Array.from({ length: 1200 }, (_, i) => ({
          tenantId: tenant.id,
          page: `${PAGE}?n=${i}`,
        }));
        expect(await store.latestSeqs([...many, { tenantId: tenant.id, page: PAGE }])).toEqual([
          ...many.map(() => 0),
          2,
        ]);
      });

      it('gives every change the next seq and keeps the state and the events', async () => {
        const { tenant, applied } = await setup();
        const create = createChat();
        const e1 = await applied(create);
        expect(e1).toMatchObject({
          type: 'new-text-chat',
          seq: 1,
          page: PAGE,
          broadcastId: create.broadcastId,
        });
        const chatId = create.chatId;
        const e2 = await applied(addComment(chatId, { text: 'second' }));
        const e3 = await applied(editComment(chatId, create.commentId, 'first, edited'));
        const second = (e2 as { change: { comment: { id: string } } }).change.comment.id;
        const e4 = await applied(deleteComment(chatId, second));
        expect([e2.seq, e3.seq, e4.seq]).toEqual([2, 3, 4]);

        const snap = await store.snapshot(tenant.id, PAGE);
        expect(snap.seq).toBe(4);
        expect(snap.chats).toHaveLength(1);
        expect(snap.chats[0]!.comments.map((c) => c.text)).toEqual(['first, edited']);
        expect(snap.chats[0]!.comments[0]!.editedAt).toEqual(expect.any(Number));

        expect(await store.eventsSince(tenant.id, PAGE, 0, 100)).toEqual({
          seq: 4,
          events: [e1, e2, e3, e4],
        });
        expect(await store.eventsSince(tenant.id, PAGE, 2, 100)).toEqual({ seq: 4, events: [e3, e4] });
        expect(await store.eventsSince(tenant.id, PAGE, 4, 100)).toEqual({ seq: 4, events: [] });
        // More events than the limit, or a seq the store never reached: the client takes a snapshot.
        expect(await store.eventsSince(tenant.id, PAGE, 0, 2)).toBeNull();
        expect(await store.eventsSince(tenant.id, PAGE, 1, 2)).toBeNull();
        expect(await store.eventsSince(tenant.id, PAGE, 5, 100)).toBeNull();

        const e5 = await applied(deleteChat(chatId));
        expect(e5).toMatchObject({ type: 'deleted-text-chat', seq: 5, chatId });
        expect(await store.snapshot(tenant.id, PAGE)).toEqual({ seq: 5, chats: [] });
      });

      it('lists discussions in creation order with their state, each page with its own seq', async () => {
        const { tenant, applied } = await setup();
        const a = createChat();
        const b = createChat({ page: OTHER_PAGE });
        const c = createChat();
        await applied(a);
        expect((await applied(b)).seq).toBe(1);
        expect((await applied(c)).seq).toBe(2);
        await applied(addComment(a.chatId, { text: 'later reply' }));
        const snap = await store.snapshot(tenant.id, PAGE);
        expect(snap.seq).toBe(3);
        expect(snap.chats.map((x) => [x.id, x.comments.map((m) => m.text)])).toEqual([
          [a.chatId, [a.text, 'later reply']],
          [c.chatId, [c.text]],
        ]);
        expect((await store.snapshot(tenant.id, OTHER_PAGE)).chats.map((x) => x.id)).toEqual([b.chatId]);

        await applied(deleteChat(c.chatId));
        const after = await store.snapshot(tenant.id, PAGE);
        expect(after.seq).toBe(4);
        expect(after.chats.map((x) => [x.id, x.comments.map((m) => m.text)])).toEqual([
          [a.chatId, [a.text, 'later reply']],
        ]);
      });

      it('applies a retried broadcastId once and answers with the original page and seq', async () => {
        const { tenant, commit, applied } = await setup();
        const create = createChat();
        await applied(create);
        const add = addComment(create.chatId);
        await applied(add);
        expect(await commit(add)).toEqual({ status: 'duplicate', page: PAGE, seq: 2 });
        // The same id sent for another page is still the same write.
        expect(await commit({ ...add, page: OTHER_PAGE })).toEqual({
          status: 'duplicate',
          page: PAGE,
          seq: 2,
        });
        expect(await commit(create)).toEqual({ status: 'duplicate', page: PAGE, seq: 1 });
        const snap = await store.snapshot(tenant.id, PAGE);
        expect(snap.seq).toBe(2);
        expect(snap.chats[0]!.comments).toHaveLength(2);
        expect((await store.snapshot(tenant.id, OTHER_PAGE)).seq).toBe(0);
      });

      it('stores nothing and spends no seq when the planner rejects, and lets the write be retried', async () => {
        const { tenant, commit, applied } = await setup();
        const missing = entityId('chat');
        const reply = addComment(missing);
        expect(await commit(reply)).toEqual({
          status: 'rejected',
          code: 'not-found',
          message: notFoundMessage(missing),
        });
        expect(await store.snapshot(tenant.id, PAGE)).toEqual({ seq: 0, chats: [] });

        const create = createChat();
        await applied(create);
        expect(await commit(createChat({ chatId: create.chatId }))).toMatchObject({
          status: 'rejected',
          code: 'conflict',
        });
        // A rejected broadcastId may be used again: it was never applied.
        const add = addComment(missing);
        expect((await commit(add)).status).toBe('rejected');
        expect((await commit({ ...add, chatId: create.chatId })).status).toBe('applied');
        expect((await applied(createChat({ chatId: missing }))).seq).toBe(3);
        expect(await commit(reply)).toMatchObject({ status: 'applied', event: { seq: 4 } });
        expect((await store.snapshot(tenant.id, PAGE)).seq).toBe(4);
        expect((await store.eventsSince(tenant.id, PAGE, 0, 10))?.events.map((e) => e.seq)).toEqual([
          1, 2, 3, 4,
        ]);
      });

      it('keeps tenants apart: discussions, seqs, events and broadcastIds', async () => {
        const { tenant, commit, applied } = await setup();
        const other = await store.createTenant('Tenant B');
        const create = createChat();
        await applied(create);
        await applied(addComment(create.chatId));

        // The other tenant's planner sees nothing of this discussion, and its rejection is passed on as is.
        const seen: unknown[] = [];
        const rejected = await store.commit(other.id, addComment(create.chatId), rejectAll(seen));
        expect(seen).toEqual([null]);
        expect(rejected).toEqual({ status: 'rejected', code: 'not-found', message: 'x' });
        expect(await store.snapshot(other.id, PAGE)).toEqual({ seq: 0, chats: [] });
        expect(await store.eventsSince(other.id, PAGE, 0, 10)).toEqual({ seq: 0, events: [] });

        // The same chat id and broadcastId in another tenant are a different discussion and write.
        expect(await commit(create, other.id)).toMatchObject({ status: 'applied', event: { seq: 1 } });
        expect(await commit(create)).toEqual({ status: 'duplicate', page: PAGE, seq: 1 });
        const seenInOther: unknown[] = [];
        await store.commit(other.id, addComment(create.chatId), (current) => {
          seenInOther.push(current?.chat.id);
          return { ok: false, code: 'not-found', message: 'x' };
        });
        expect(seenInOther).toEqual([create.chatId]);
        expect((await store.snapshot(tenant.id, PAGE)).seq).toBe(2);
        expect((await store.snapshot(other.id, PAGE)).chats).toHaveLength(1);
        const none: unknown[] = [];
        await store.commit(other.id, addComment('chat-only-in-one'), rejectAll(none));
        expect(none).toEqual([null]);
      });

      it('passes the planner the discussion as stored, with its page', async () => {
        const { tenant, applied } = await setup();
        const create = createChat({ page: OTHER_PAGE });
        const created = await applied(create);
        const seen: unknown[] = [];
        await store.commit(tenant.id, addComment(create.chatId), rejectAll(seen, 'elsewhere'));
        expect(seen).toEqual([{ page: OTHER_PAGE, chat: (created as { chat: DiscussionT }).chat }]);
      });

      it('keeps seqs gap-free and in order under concurrent writers, losing no update', async () => {
        const { tenant, applied, commit } = await setup();
        const create = createChat();
        await applied(create);
        // Replies to one discussion contend for its row; new discussions only for the page's seq.
        const results = await Promise.all([
          ...Array.from({ length: 30 }, (_, i) => commit(addComment(create.chatId, { text: `reply ${i}` }))),
          ...Array.from({ length: 10 }, () => commit(createChat())),
        ]);
        const seqs = results.map((r) => (r.status === 'applied' ? r.event.seq : -1)).sort((a, b) => a - b);
        expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 2));
        const snap = await store.snapshot(tenant.id, PAGE);
        expect(snap.seq).toBe(41);
        expect(snap.chats).toHaveLength(11);
        expect(snap.chats[0]!.comments).toHaveLength(31);
        const events = (await store.eventsSince(tenant.id, PAGE, 0, 100))!.events;
        expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
        // Replaying the stored events in seq order rebuilds the stored state.
        const replayed = new Map<string, string[]>();
        for (const e of events) {
          if (e.type === 'new-text-chat')
            replayed.set(
              e.chat.id,
              e.chat.comments.map((c) => c.text),
            );
          else if (e.type === 'updated-text-chat' && e.change.op === 'add-comment')
            replayed.get(e.chatId)!.push(e.change.comment.text);
        }
        expect(snap.chats.map((c) => [c.id, c.comments.map((x) => x.text)])).toEqual([...replayed]);
      });

      it('applies one write sent several times at once exactly once', async () => {
        const { tenant, commit, applied } = await setup();
        const create = createChat();
        await applied(create);
        const add = addComment(create.chatId);
        const results = await Promise.all(Array.from({ length: 8 }, () => commit(add)));
        expect(results.filter((r) => r.status === 'applied')).toHaveLength(1);
        expect(results.filter((r) => r.status === 'duplicate')).toEqual(
          Array.from({ length: 7 }, () => ({ status: 'duplicate', page: PAGE, seq: 2 })),
        );
        expect((await store.snapshot(tenant.id, PAGE)).chats[0]!.comments).toHaveLength(2);
      });
    });
  });
}
