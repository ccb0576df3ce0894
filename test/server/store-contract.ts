// The store contract: one suite that every Store implementation passes (SQLite and PostgreSQL).
// A test file calls storeContract with a factory that opens a fresh, empty store each time.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatEventT, DiscussionT, PersonT, WriteFrameT } from '../../lib/protocol';
import type { Store, WritePlanner } from '../../server/store/types';

const PAGE = 'https://example.com/article';
const OTHER_PAGE = 'https://example.com/other';
const SELECTORS = [{ type: 'TextQuoteSelector' as const, exact: 'quoted words' }];

/**
 * A small planner with the rules the contract needs: create refuses an existing id, the others
 * need the discussion on the write's page. The real rules (authorisation, authorship) live in ops.
 */
export function testPlanner(write: WriteFrameT, author: PersonT, at = 1_700_000_000_000): WritePlanner {
  return (current) => {
    const base = { page: write.page, broadcastId: write.broadcastId };
    if (write.type === 'create-chat') {
      if (current) return { ok: false, code: 'conflict', message: 'that discussion exists' };
      const chat: DiscussionT = {
        id: write.chatId,
        selectors: write.selectors,
        comments: [{ id: write.commentId, author, text: write.text, at }],
      };
      return { ok: true, chat, event: { type: 'new-text-chat', ...base, chat } };
    }
    if (!current || current.page !== write.page)
      return { ok: false, code: 'not-found', message: 'no such discussion on this page' };
    const chat = structuredClone(current.chat);
    switch (write.type) {
      case 'add-comment': {
        const comment = { id: write.commentId, author, text: write.text, at };
        chat.comments.push(comment);
        return {
          ok: true,
          chat,
          event: {
            type: 'updated-text-chat',
            ...base,
            chatId: chat.id,
            change: { op: 'add-comment', comment },
          },
        };
      }
      case 'edit-comment': {
        const c = chat.comments.find((x) => x.id === write.commentId);
        if (!c) return { ok: false, code: 'not-found', message: 'no such comment' };
        c.text = write.text;
        c.editedAt = at;
        return {
          ok: true,
          chat,
          event: {
            type: 'updated-text-chat',
            ...base,
            chatId: chat.id,
            change: { op: 'edit-comment', commentId: c.id, text: c.text, editedAt: at },
          },
        };
      }
      case 'delete-comment': {
        chat.comments = chat.comments.filter((x) => x.id !== write.commentId);
        return {
          ok: true,
          chat,
          event: {
            type: 'updated-text-chat',
            ...base,
            chatId: chat.id,
            change: { op: 'delete-comment', commentId: write.commentId },
          },
        };
      }
      case 'delete-chat':
        return { ok: true, chat: null, event: { type: 'deleted-text-chat', ...base, chatId: chat.id } };
    }
  };
}

let idCounter = 0;
const newId = (prefix: string) => `${prefix}${String(++idCounter).padStart(8, '0')}`;

export const writes = {
  create: (page = PAGE, chatId = newId('chat')): WriteFrameT => ({
    type: 'create-chat',
    broadcastId: randomUUID(),
    page,
    chatId,
    commentId: newId('cmt'),
    selectors: SELECTORS,
    text: 'first',
  }),
  add: (chatId: string, text = 'reply', page = PAGE): WriteFrameT => ({
    type: 'add-comment',
    broadcastId: randomUUID(),
    page,
    chatId,
    commentId: newId('cmt'),
    text,
  }),
  edit: (chatId: string, commentId: string, text: string, page = PAGE): WriteFrameT => ({
    type: 'edit-comment',
    broadcastId: randomUUID(),
    page,
    chatId,
    commentId,
    text,
  }),
  deleteComment: (chatId: string, commentId: string, page = PAGE): WriteFrameT => ({
    type: 'delete-comment',
    broadcastId: randomUUID(),
    page,
    chatId,
    commentId,
  }),
  deleteChat: (chatId: string, page = PAGE): WriteFrameT => ({
    type: 'delete-chat',
    broadcastId: randomUUID(),
    page,
    chatId,
  }),
};

export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    const opened: Store[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });
    const fresh = async () => {
      const store = await open();
      opened.push(store);
      return store;
    };
    const setup = async () => {
      const store = await fresh();
      const tenant = await store.createTenant(`team-${randomUUID()}`);
      const user = await store.createUser(tenant.id, 'Ada');
      const author = { id: user.id, name: user.name };
      const commit = async (write: WriteFrameT, tenantId = tenant.id) =>
        store.commit(tenantId, write, testPlanner(write, author));
      const applied = async (write: WriteFrameT): Promise<ChatEventT> => {
        const r = await commit(write);
        if (r.status !== 'applied') throw new Error(`expected applied, got ${JSON.stringify(r)}`);
        return r.event;
      };
      return { store, tenant, user, author, commit, applied };
    };

    describe('directory', () => {
      it('creates tenants and finds them by id or by name', async () => {
        const store = await fresh();
        const a = await store.createTenant('acme');
        const b = await store.createTenant('globex');
        expect(a.id).not.toBe(b.id);
        expect(a).toMatchObject({ name: 'acme', createdAt: expect.any(Number) });
        expect(await store.findTenant(a.id)).toEqual(a);
        expect(await store.findTenant('globex')).toEqual(b);
        expect(await store.findTenant('nobody')).toBeNull();
        expect((await store.listTenants()).map((t) => t.name).sort()).toEqual(['acme', 'globex']);
      });

      it('keeps users within their tenant', async () => {
        const store = await fresh();
        const a = await store.createTenant('acme');
        const b = await store.createTenant('globex');
        const ada = await store.createUser(a.id, 'Ada');
        await store.createUser(b.id, 'Bob');
        expect(ada).toMatchObject({ tenantId: a.id, name: 'Ada' });
        expect(await store.listUsers(a.id)).toEqual([ada]);
      });

      it('stores tokens by hash and revokes them once, within a tenant', async () => {
        const store = await fresh();
        const a = await store.createTenant('acme');
        const b = await store.createTenant('globex');
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
        const auth = await store.findTokenByHash('ab'.repeat(32));
        expect(auth).toEqual({ token, tenant: a, user: ada });
        expect(await store.findTokenByHash('cd'.repeat(32))).toBeNull();
        expect(await store.listTokens(a.id)).toEqual([token]);
        expect(await store.listTokens(b.id)).toEqual([]);

        expect(await store.revokeToken('tok-1', b.id)).toBeNull();
        expect(await store.revokeToken('no-such-token')).toBeNull();
        const revoked = await store.revokeToken('tok-1', a.id);
        expect(revoked?.revokedAt).toEqual(expect.any(Number));
        const again = await store.revokeToken('tok-1');
        expect(again?.revokedAt).toBe(revoked?.revokedAt);
        expect((await store.findTokenByHash('ab'.repeat(32)))?.token.revokedAt).toBe(revoked?.revokedAt);
      });
    });

    describe('pages', () => {
      it('answers a page never written with seq 0 and no discussions', async () => {
        const { store, tenant } = await setup();
        expect(await store.snapshot(tenant.id, PAGE)).toEqual({ seq: 0, chats: [] });
        expect(await store.eventsSince(tenant.id, PAGE, 0, 100)).toEqual({ seq: 0, events: [] });
        expect(await store.eventsSince(tenant.id, PAGE, 1, 100)).toBeNull();
      });

      it('gives every change the next seq and keeps the state and the events', async () => {
        const { store, tenant, applied } = await setup();
        const create = writes.create();
        const e1 = await applied(create);
        expect(e1).toMatchObject({
          type: 'new-text-chat',
          seq: 1,
          page: PAGE,
          broadcastId: create.broadcastId,
        });
        const chatId = create.chatId;
        const firstComment = (create as { commentId: string }).commentId;
        const e2 = await applied(writes.add(chatId, 'second'));
        const e3 = await applied(writes.edit(chatId, firstComment, 'first, edited'));
        const second = (e2 as { change: { comment: { id: string } } }).change.comment.id;
        const e4 = await applied(writes.deleteComment(chatId, second));
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
        expect(await store.eventsSince(tenant.id, PAGE, 1, 2)).toBeNull();
        expect(await store.eventsSince(tenant.id, PAGE, 5, 100)).toBeNull();

        const e5 = await applied(writes.deleteChat(chatId));
        expect(e5).toMatchObject({ type: 'deleted-text-chat', seq: 5, chatId });
        expect(await store.snapshot(tenant.id, PAGE)).toEqual({ seq: 5, chats: [] });
      });

      it('lists discussions in creation order, each page with its own seq', async () => {
        const { store, tenant, applied } = await setup();
        const a = writes.create();
        const b = writes.create(OTHER_PAGE);
        const c = writes.create();
        await applied(a);
        expect((await applied(b)).seq).toBe(1);
        expect((await applied(c)).seq).toBe(2);
        await applied(writes.add(a.chatId, 'later reply'));
        const snap = await store.snapshot(tenant.id, PAGE);
        expect(snap.seq).toBe(3);
        expect(snap.chats.map((x) => x.id)).toEqual([a.chatId, c.chatId]);
        expect((await store.snapshot(tenant.id, OTHER_PAGE)).chats.map((x) => x.id)).toEqual([b.chatId]);
      });

      it('applies a retried broadcastId once and answers with the original page and seq', async () => {
        const { store, tenant, commit, applied } = await setup();
        const create = writes.create();
        await applied(create);
        const add = writes.add(create.chatId);
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

      it('stores nothing and spends no seq when the planner rejects', async () => {
        const { store, tenant, commit, applied } = await setup();
        const create = writes.create();
        await applied(create);
        expect(await commit(writes.add('missing-chat-id'))).toEqual({
          status: 'rejected',
          code: 'not-found',
          message: 'no such discussion on this page',
        });
        expect(await commit({ ...writes.create(), chatId: create.chatId })).toMatchObject({
          status: 'rejected',
          code: 'conflict',
        });
        // A rejected broadcastId may be used again: it was never applied.
        const add = writes.add('missing-chat-id');
        await commit(add);
        expect((await commit({ ...add, chatId: create.chatId })).status).toBe('applied');
        expect((await store.snapshot(tenant.id, PAGE)).seq).toBe(2);
        expect((await store.eventsSince(tenant.id, PAGE, 0, 10))?.events.map((e) => e.seq)).toEqual([1, 2]);
      });

      it('keeps tenants apart: discussions, seqs and broadcastIds', async () => {
        const { store, tenant, author, applied } = await setup();
        const other = await store.createTenant(`other-${randomUUID()}`);
        const create = writes.create();
        await applied(create);
        // The same chat id and broadcastId in another tenant are a different discussion and write.
        const inOther = await store.commit(other.id, create, testPlanner(create, author));
        expect(inOther).toMatchObject({ status: 'applied', event: { seq: 1 } });
        const add = writes.add(create.chatId);
        let seen: unknown = 'not called';
        await store.commit(other.id, add, (current) => {
          seen = current?.chat.id;
          return { ok: false, code: 'not-found', message: 'x' };
        });
        expect(seen).toBe(create.chatId);
        expect((await store.snapshot(tenant.id, PAGE)).seq).toBe(1);
        expect((await store.snapshot(other.id, PAGE)).chats).toHaveLength(1);
        const missing = writes.add('chat-only-in-one');
        let current: unknown = 'not called';
        await store.commit(other.id, missing, (c) => {
          current = c;
          return { ok: false, code: 'not-found', message: 'x' };
        });
        expect(current).toBeNull();
      });

      it('passes the planner the discussion as stored, with its page', async () => {
        const { store, tenant, applied } = await setup();
        const create = writes.create(OTHER_PAGE);
        const created = await applied(create);
        let current: unknown;
        await store.commit(tenant.id, writes.add(create.chatId), (c) => {
          current = c;
          return { ok: false, code: 'not-found', message: 'elsewhere' };
        });
        expect(current).toEqual({ page: OTHER_PAGE, chat: (created as { chat: DiscussionT }).chat });
      });

      it('keeps seqs gap-free and in order under concurrent writers, losing no update', async () => {
        const { store, tenant, applied, commit } = await setup();
        const create = writes.create();
        await applied(create);
        const results = await Promise.all(
          Array.from({ length: 30 }, (_, i) => commit(writes.add(create.chatId, `reply ${i}`))),
        );
        const seqs = results.map((r) => (r.status === 'applied' ? r.event.seq : -1)).sort((a, b) => a - b);
        expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i + 2));
        const snap = await store.snapshot(tenant.id, PAGE);
        expect(snap.seq).toBe(31);
        expect(snap.chats[0]!.comments).toHaveLength(31);
        const events = (await store.eventsSince(tenant.id, PAGE, 0, 100))!.events;
        expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
        // Replaying the stored events in seq order rebuilds the stored state.
        const replayedTexts = events.flatMap((e) =>
          e.type === 'new-text-chat'
            ? e.chat.comments.map((c) => c.text)
            : e.type === 'updated-text-chat' && e.change.op === 'add-comment'
              ? [e.change.comment.text]
              : [],
        );
        expect(snap.chats[0]!.comments.map((c) => c.text)).toEqual(replayedTexts);
      });

      it('applies one write sent several times at once exactly once', async () => {
        const { store, tenant, commit, applied } = await setup();
        const create = writes.create();
        await applied(create);
        const add = writes.add(create.chatId);
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
