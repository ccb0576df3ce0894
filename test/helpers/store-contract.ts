// The behaviour every Store must have, as one suite each implementation runs against a fresh,
// empty store: `describeStoreContract('SqliteStore', open)`.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashToken, issueToken } from '../../server/auth';
import { plannerFor, type Actor } from '../../server/ops';
import type { Store, Tenant } from '../../server/store/types';
import { addComment, createChat, deleteChat, PAGE } from './frames';

export interface OpenedStore {
  store: Store;
  /** Closes the store and removes whatever the test created. */
  dispose(): Promise<void>;
}

const actor: Actor = { user: { id: 'u1', name: 'Ana' }, role: 'member' };

export function describeStoreContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`${name} (Store contract)`, () => {
    let opened: OpenedStore;
    let store: Store;
    let a: Tenant;
    let b: Tenant;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
      a = await store.createTenant('Tenant A');
      b = await store.createTenant('Tenant B');
    });
    afterEach(async () => {
      await opened.dispose();
    });

    const commit = (tenant: Tenant, write: Parameters<Store['commit']>[1]) =>
      store.commit(tenant.id, write, plannerFor(write, actor, Date.now()));
    const seqOf = (r: Awaited<ReturnType<Store['commit']>>) =>
      r.status === 'applied' ? r.event.seq : r.status;

    it('refuses a second tenant with the same name, and finds tenants by id or name', async () => {
      await expect(store.createTenant('Tenant A')).rejects.toThrow(/already exists/);
      expect(await store.findTenant(a.id)).toEqual(a);
      expect(await store.findTenant('Tenant A')).toEqual(a);
      expect(await store.findTenant('nope')).toBeNull();
      expect((await store.listTenants()).map((t) => t.name)).toEqual(['Tenant A', 'Tenant B']);
    });

    it('lists users per tenant', async () => {
      const ana = await store.createUser(a.id, 'Ana');
      await store.createUser(b.id, 'Eve');
      expect(await store.listUsers(a.id)).toEqual([ana]);
    });

    it('finds tokens by hash, revokes them per tenant, and reports revocations since a time', async () => {
      const u = await store.createUser(a.id, 'Ana');
      const { secret, info } = await issueToken(store, {
        tenantId: a.id,
        userId: u.id,
        role: 'admin',
        label: 'x',
      });
      expect(info).toMatchObject({
        tenantId: a.id,
        userId: u.id,
        role: 'admin',
        label: 'x',
        revokedAt: null,
      });
      const found = await store.findTokenByHash(hashToken(secret));
      expect(found).toMatchObject({
        token: { id: info.id },
        tenant: { id: a.id },
        user: { id: u.id, name: 'Ana' },
      });
      expect(await store.findTokenByHash(hashToken(secret + 'x'))).toBeNull();
      expect(await store.listTokens(a.id)).toEqual([info]);

      const before = Date.now();
      expect(await store.tokensRevokedSince(before)).toEqual([]);
      expect(await store.revokeToken(info.id, b.id)).toBeNull();
      expect(await store.revokeToken('tok_missing')).toBeNull();
      const revoked = await store.revokeToken(info.id, a.id);
      expect(revoked?.revokedAt).toBeGreaterThanOrEqual(before);
      expect((await store.tokensRevokedSince(before)).map((x) => x.id)).toEqual([info.id]);
      expect((await store.findTokenByHash(hashToken(secret)))?.token.revokedAt).toBe(revoked?.revokedAt);
    });

    it('gives each page gap-free seqs and applies a broadcastId once per tenant', async () => {
      const first = createChat();
      const other = createChat({ page: 'https://example.com/other' });
      expect(seqOf(await commit(a, first))).toBe(1);
      expect(seqOf(await commit(a, addComment(first.chatId)))).toBe(2);
      expect(seqOf(await commit(a, other))).toBe(1);
      expect(await commit(a, first)).toEqual({ status: 'duplicate', page: PAGE, seq: 1 });
      // The same broadcastId (and chat id) in another tenant is another write.
      expect(seqOf(await commit(b, first))).toBe(1);
      expect((await store.snapshot(a.id, PAGE)).seq).toBe(2);
    });

    it('keeps the seq gap-free under concurrent commits', async () => {
      const writes = Array.from({ length: 20 }, () => createChat());
      const results = await Promise.all(writes.map((w) => commit(a, w)));
      expect(results.map(seqOf).sort((x, y) => Number(x) - Number(y))).toEqual(writes.map((_, i) => i + 1));
      const replay = await store.eventsSince(a.id, PAGE, 0, 100);
      expect(replay?.events.map((e) => e.seq)).toEqual(writes.map((_, i) => i + 1));
    });

    it('answers snapshots in creation order with the state after every change', async () => {
      const one = createChat();
      const two = createChat();
      await commit(a, one);
      await commit(a, two);
      await commit(a, addComment(one.chatId, { text: 'reply' }));
      await commit(a, deleteChat(two.chatId));
      const snap = await store.snapshot(a.id, PAGE);
      expect(snap.seq).toBe(4);
      expect(snap.chats.map((c) => [c.id, c.comments.map((x) => x.text)])).toEqual([
        [one.chatId, [one.text, 'reply']],
      ]);
      expect(await store.snapshot(b.id, PAGE)).toEqual({ seq: 0, chats: [] });
    });

    it('replays the events after a seq, or null when too far behind or ahead', async () => {
      const chat = createChat();
      await commit(a, chat);
      await commit(a, addComment(chat.chatId));
      await commit(a, addComment(chat.chatId));
      expect((await store.eventsSince(a.id, PAGE, 0, 10))?.events.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(await store.eventsSince(a.id, PAGE, 1, 10)).toMatchObject({
        seq: 3,
        events: [{ seq: 2 }, { seq: 3 }],
      });
      expect(await store.eventsSince(a.id, PAGE, 3, 10)).toEqual({ seq: 3, events: [] });
      expect(await store.eventsSince(a.id, PAGE, 4, 10)).toBeNull();
      expect(await store.eventsSince(a.id, PAGE, 0, 2)).toBeNull();
      expect(await store.eventsSince(b.id, PAGE, 0, 10)).toEqual({ seq: 0, events: [] });
    });

    it('keeps nothing of a rejected write, and lets it be retried', async () => {
      const reply = addComment('chat-missing-1');
      expect(await commit(a, reply)).toMatchObject({ status: 'rejected', code: 'not-found' });
      expect(await store.snapshot(a.id, PAGE)).toEqual({ seq: 0, chats: [] });
      const chat = createChat({ chatId: 'chat-missing-1' });
      await commit(a, chat);
      expect(seqOf(await commit(a, reply))).toBe(2);
    });

    it('hands the planner the discussion of this tenant only', async () => {
      const chat = createChat();
      await commit(a, chat);
      const seen: unknown[] = [];
      const result = await store.commit(b.id, addComment(chat.chatId), (current) => {
        seen.push(current);
        return { ok: false, code: 'not-found', message: 'x' };
      });
      expect(seen).toEqual([null]);
      expect(result).toEqual({ status: 'rejected', code: 'not-found', message: 'x' });
    });
  });
}
