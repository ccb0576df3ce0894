// The behaviour every Store must have, as one suite each implementation runs against a fresh,
// empty store per test: `describeStoreContract('SqliteStore', open)`. Writes are planned by the
// server's own planner (ops), so the stored events have the shapes the server really stores.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addSnapshotPage,
  applyReplay,
  type DiscussionEventT,
  type DiscussionT,
  type PageState,
  type WriteFrameT,
  LIMITS,
  mentionToken,
} from '../../lib/protocol';
import { eraseMember, sweepRetention, sweepTenant } from '../../server/forgetting';
import { DEFAULT_STORE_LIMITS, plannerFor, type Actor } from '../../server/ops';
import { selectorBytes } from '../../server/store/rows';
import type { CommitResult, PlanInput, Store, StoreOptions } from '../../server/store/types';
import {
  addComment,
  createChat,
  deleteChat,
  deleteComment,
  editComment,
  entityId,
  PAGE,
  resolveChat,
} from './frames';

export interface OpenedStore {
  store: Store;
  /** Closes the store and removes whatever the test created. */
  dispose(): Promise<void>;
  /**
   * Everything the store holds, as raw as the implementation allows: the SQLite file and its WAL
   * (after the store's own compaction and checkpoint), or every row of every table in PostgreSQL.
   */
  raw?(): Promise<string>;
}

const OTHER_PAGE = 'https://example.com/other';

/** The message ops' planner rejects a write with when its discussion is not on the page. */
const notFoundMessage = (chatId: string) => `no discussion ${chatId} on this page; it may have been deleted`;

export function describeStoreContract(
  name: string,
  open: (options?: StoreOptions) => Promise<OpenedStore>,
): void {
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
      const applied = async (write: WriteFrameT, tenantId = tenant.id): Promise<DiscussionEventT> => {
        const r = await commit(write, tenantId);
        if (r.status !== 'applied') throw new Error(`expected applied, got ${JSON.stringify(r)}`);
        return r.event;
      };
      return { tenant, user, commit, applied };
    };
    const rejectAll =
      (seen: unknown[], message = 'x') =>
      (input: PlanInput) => {
        seen.push(input.discussion);
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
          createdBy: null,
          expiresAt: null,
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
        expect(await store.snapshot(tenant.id, PAGE)).toEqual({ seq: 0, discussions: [] });
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
        expect(snap.discussions).toHaveLength(1);
        expect(snap.discussions[0]!.comments.map((c) => c.text)).toEqual(['first, edited']);
        expect(snap.discussions[0]!.comments[0]!.editedAt).toEqual(expect.any(Number));

        // Replays are rendered from the rows as they are now: the deleted comment's add is a
        // tombstone, and the opening comment is replayed with its current text.
        const opening = snap.discussions[0]!.comments[0]!;
        const tombstone = { ...e4, seq: 2, broadcastId: e2.broadcastId };
        const edited = {
          ...e3,
          change: { ...(e3 as { change: object }).change, editedAt: opening.editedAt },
        };
        expect(await store.eventsSince(tenant.id, PAGE, 0, 100)).toEqual({
          seq: 4,
          events: [
            { ...e1, chat: { ...(e1 as { chat: DiscussionT }).chat, comments: [opening] } },
            tombstone,
            edited,
            e4,
          ],
        });
        expect(await store.eventsSince(tenant.id, PAGE, 2, 100)).toEqual({ seq: 4, events: [edited, e4] });
        expect(await store.eventsSince(tenant.id, PAGE, 4, 100)).toEqual({ seq: 4, events: [] });
        // More events than the limit, or a seq the store never reached: the client takes a snapshot.
        expect(await store.eventsSince(tenant.id, PAGE, 0, 2)).toBeNull();
        expect(await store.eventsSince(tenant.id, PAGE, 1, 2)).toBeNull();
        expect(await store.eventsSince(tenant.id, PAGE, 5, 100)).toBeNull();

        const e5 = await applied(deleteChat(chatId));
        expect(e5).toMatchObject({ type: 'deleted-text-chat', seq: 5, chatId });
        expect(await store.snapshot(tenant.id, PAGE)).toEqual({ seq: 5, discussions: [] });
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
        expect(snap.discussions.map((x) => [x.id, x.comments.map((m) => m.text)])).toEqual([
          [a.chatId, [a.text, 'later reply']],
          [c.chatId, [c.text]],
        ]);
        expect((await store.snapshot(tenant.id, OTHER_PAGE)).discussions.map((x) => x.id)).toEqual([
          b.chatId,
        ]);

        await applied(deleteChat(c.chatId));
        const after = await store.snapshot(tenant.id, PAGE);
        expect(after.seq).toBe(4);
        expect(after.discussions.map((x) => [x.id, x.comments.map((m) => m.text)])).toEqual([
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
        expect(snap.discussions[0]!.comments).toHaveLength(2);
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
        expect(await store.snapshot(tenant.id, PAGE)).toEqual({ seq: 0, discussions: [] });

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
        expect(await store.snapshot(other.id, PAGE)).toEqual({ seq: 0, discussions: [] });
        expect(await store.eventsSince(other.id, PAGE, 0, 10)).toEqual({ seq: 0, events: [] });

        // The same chat id and broadcastId in another tenant are a different discussion and write.
        expect(await commit(create, other.id)).toMatchObject({ status: 'applied', event: { seq: 1 } });
        expect(await commit(create)).toEqual({ status: 'duplicate', page: PAGE, seq: 1 });
        const seenInOther: unknown[] = [];
        await store.commit(other.id, addComment(create.chatId), (input) => {
          seenInOther.push(input.discussion?.id);
          return { ok: false, code: 'not-found', message: 'x' };
        });
        expect(seenInOther).toEqual([create.chatId]);
        expect((await store.snapshot(tenant.id, PAGE)).seq).toBe(2);
        expect((await store.snapshot(other.id, PAGE)).discussions).toHaveLength(1);
        const none: unknown[] = [];
        await store.commit(other.id, addComment('chat-only-in-one'), rejectAll(none));
        expect(none).toEqual([null]);
      });

      it('passes the planner the discussion head as stored, the named comment and the totals', async () => {
        const { tenant, user, applied } = await setup();
        const create = createChat({ page: OTHER_PAGE, text: 'héllo' });
        await applied(create);
        const seen: PlanInput[] = [];
        const capture = (input: PlanInput) => {
          seen.push(input);
          return { ok: false as const, code: 'not-found' as const, message: 'x' };
        };
        await store.commit(tenant.id, editComment(create.chatId, create.commentId, 'x', OTHER_PAGE), capture);
        await store.commit(tenant.id, addComment(create.chatId), capture);
        const bytes = selectorBytes(create.selectors) + Buffer.byteLength('héllo');
        const discussion = {
          id: create.chatId,
          page: OTHER_PAGE,
          creatorId: user.id,
          commentCount: 1,
          bytes,
          resolvedBy: null,
          lastActivityAt: expect.any(Number),
        };
        expect(seen[0]).toEqual({
          discussion,
          comment: {
            id: create.commentId,
            authorId: user.id,
            at: expect.any(Number),
            bytes: Buffer.byteLength('héllo'),
            mentions: [],
          },
          pageDiscussions: 1,
          tenantBytes: bytes,
        });
        // The comment's own time: for the opening comment of a new discussion, its last activity.
        expect(seen[0]!.comment!.at).toBe(seen[0]!.discussion!.lastActivityAt);
        expect(seen[1]).toEqual({ discussion, comment: null, pageDiscussions: 0, tenantBytes: bytes });
      });

      it('keeps the creator when the opening comment is deleted', async () => {
        const { tenant, user, applied } = await setup();
        const create = createChat();
        await applied(create);
        await applied(addComment(create.chatId));
        await applied(deleteComment(create.chatId, create.commentId));
        const seen: PlanInput[] = [];
        await store.commit(tenant.id, deleteChat(create.chatId), (input) => {
          seen.push(input);
          return { ok: false, code: 'forbidden', message: 'x' };
        });
        expect(seen[0]!.discussion).toMatchObject({ creatorId: user.id, commentCount: 1 });
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
        expect(snap.discussions).toHaveLength(11);
        expect(snap.discussions[0]!.comments).toHaveLength(31);
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
        expect(snap.discussions.map((c) => [c.id, c.comments.map((x) => x.text)])).toEqual([...replayed]);
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
        expect((await store.snapshot(tenant.id, PAGE)).discussions[0]!.comments).toHaveLength(2);
      });
    });

    describe('rows: cost and limits', () => {
      it('answers a write to a long thread as to a short one, reading only its head', async () => {
        const { tenant, applied, commit } = await setup();
        const short = createChat();
        const long = createChat();
        await applied(short);
        await applied(long);
        for (let i = 0; i < 300; i++) await applied(addComment(long.chatId, { text: `reply ${i}` }));
        const seen: PlanInput[] = [];
        const results: CommitResult[] = [];
        for (const chat of [short, long]) {
          const add = addComment(chat.chatId, { commentId: `cmt-same-${chat.chatId}` });
          results.push(
            await store.commit(tenant.id, add, (input) => {
              seen.push(input);
              return plannerFor(add, { user: { id: 'u-x', name: 'X' }, role: 'member' }, 5)(input);
            }),
          );
        }
        expect(seen.map((s) => s.discussion?.commentCount)).toEqual([1, 301]);
        // The planner sees no thread at all, only the head row.
        expect(seen.every((s) => !('comments' in (s.discussion ?? {})))).toBe(true);
        const shapes = results.map((r) =>
          r.status === 'applied' && r.event.type === 'updated-text-chat'
            ? {
                ...r.event,
                seq: 0,
                broadcastId: '',
                chatId: '',
                change: { ...r.event.change, comment: null },
              }
            : r,
        );
        expect(shapes[0]).toEqual(shapes[1]);
        const snap = await store.snapshot(tenant.id, PAGE);
        expect(snap.discussions.map((c) => c.comments.length)).toEqual([2, 302]);
        expect((await commit(deleteChat(long.chatId))).status).toBe('applied');
      });

      it('counts each tenant’s stored bytes exactly, through edits and deletes', async () => {
        const { tenant, applied } = await setup();
        const tenantBytes = async () => {
          let bytes = -1;
          await store.commit(tenant.id, addComment('nothing-here'), (input) => {
            bytes = input.tenantBytes;
            return { ok: false, code: 'not-found', message: 'x' };
          });
          return bytes;
        };
        const create = createChat({ text: 'ü'.repeat(10) });
        await applied(create);
        const anchor = selectorBytes(create.selectors);
        expect(await tenantBytes()).toBe(anchor + 20);
        const reply = addComment(create.chatId, { text: 'abc' });
        await applied(reply);
        expect(await tenantBytes()).toBe(anchor + 23);
        await applied(editComment(create.chatId, reply.commentId, 'abcdefgh'));
        expect(await tenantBytes()).toBe(anchor + 28);
        await applied(deleteComment(create.chatId, create.commentId));
        expect(await tenantBytes()).toBe(anchor + 8);
        await applied(deleteChat(create.chatId));
        expect(await tenantBytes()).toBe(0);
      });

      it('refuses writes beyond the page, thread and tenant limits and stores nothing of them', async () => {
        const { tenant, applied, user } = await setup();
        const actor: Actor = { user: { id: user.id, name: user.name }, role: 'member' };
        const limits = { discussionsPerPage: 2, commentsPerDiscussion: 3, tenantBytes: 2000 };
        const commit = (write: WriteFrameT) =>
          store.commit(tenant.id, write, plannerFor(write, actor, 1, limits));
        const a = createChat();
        await applied(a);
        await applied(createChat());
        expect(await commit(createChat())).toMatchObject({ status: 'rejected', code: 'page-full' });
        expect((await commit(createChat({ page: OTHER_PAGE }))).status).toBe('applied');
        await applied(addComment(a.chatId));
        await applied(addComment(a.chatId));
        expect(await commit(addComment(a.chatId))).toMatchObject({ status: 'rejected', code: 'thread-full' });
        const b = (await store.snapshot(tenant.id, OTHER_PAGE)).discussions[0]!;
        expect(await commit(addComment(b.id, { page: OTHER_PAGE, text: 'y'.repeat(1900) }))).toMatchObject({
          status: 'rejected',
          code: 'quota-exceeded',
        });
        const snap = await store.snapshot(tenant.id, PAGE);
        expect(snap.seq).toBe(4);
        expect(snap.discussions.map((c) => c.comments.length)).toEqual([3, 1]);
        expect(DEFAULT_STORE_LIMITS.commentsPerDiscussion).toBeGreaterThan(0);
      });
    });

    describe('pages of a snapshot', () => {
      it('cuts a snapshot into pages of bounded size that assemble to the whole, splitting a long thread', async () => {
        const { tenant, applied } = await setup();
        const chats = [createChat(), createChat(), createChat()];
        for (const c of chats) await applied(c);
        for (let i = 0; i < 40; i++)
          await applied(addComment(chats[1]!.chatId, { text: `reply ${i} `.repeat(20) }));
        await applied(createChat({ page: OTHER_PAGE }));
        const whole = await store.snapshot(tenant.id, PAGE);
        const maxBytes = 2048;
        const assembled: DiscussionT[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await store.snapshotPage(tenant.id, PAGE, cursor, maxBytes);
          expect(page.seq).toBe(whole.seq);
          expect(Buffer.byteLength(JSON.stringify(page.discussions))).toBeLessThanOrEqual(maxBytes + 512);
          addSnapshotPage(assembled, page.discussions);
          cursor = page.next;
          pages++;
        } while (cursor !== null && pages < 1000);
        expect(pages).toBeGreaterThan(5);
        expect(assembled).toEqual(whole.discussions);
        expect(await store.snapshotPage(tenant.id, 'https://example.com/empty', null, maxBytes)).toEqual({
          seq: 0,
          discussions: [],
          next: null,
        });
      });
    });

    describe('audit trail', () => {
      it('keeps entries per tenant, newest first, paged by id', async () => {
        const a = await store.createTenant('Tenant A');
        const b = await store.createTenant('Tenant B');
        const entry = (tenantId: string, i: number) => ({
          tenantId,
          at: 1000 + i,
          kind: 'token-created' as const,
          actorId: null,
          subjectId: `u${i}`,
          tokenId: `tok-${i}`,
          page: null,
          chatId: null,
          commentId: null,
          seq: null,
          detail: `label ${i}`,
        });
        for (let i = 0; i < 5; i++) await store.addAudit(entry(a.id, i));
        await store.addAudit(entry(b.id, 9));
        const all = await store.listAudit(a.id, 10);
        expect(all.map((e) => e.subjectId)).toEqual(['u4', 'u3', 'u2', 'u1', 'u0']);
        expect(all[0]).toEqual({ id: expect.any(Number), ...entry(a.id, 4) });
        const older = await store.listAudit(a.id, 2, all[1]!.id);
        expect(older.map((e) => e.subjectId)).toEqual(['u2', 'u1']);
        expect((await store.listAudit(b.id, 10)).map((e) => e.subjectId)).toEqual(['u9']);
      });

      it('notes an admin deleting another’s writing and a write made with a token an admin made, by ids', async () => {
        const { tenant, user, applied } = await setup();
        const admin = await store.createUser(tenant.id, 'Root');
        const asAdmin: Actor = { user: { id: admin.id, name: 'Root' }, role: 'admin', tokenId: 'tok-root' };
        const delegated: Actor = {
          user: { id: user.id, name: user.name },
          role: 'member',
          tokenId: 'tok-minted',
          mintedBy: admin.id,
        };
        const create = createChat({ text: 'SECRET-AUDITED-TEXT' });
        await applied(create);
        const reply = addComment(create.chatId);
        const r1 = await store.commit(tenant.id, reply, plannerFor(reply, delegated, 5), 'tok-minted');
        expect(r1.status).toBe('applied');
        const del = deleteComment(create.chatId, create.commentId);
        await store.commit(tenant.id, del, plannerFor(del, asAdmin, 6), 'tok-root');
        const own = deleteComment(create.chatId, reply.commentId);
        // The author deleting their own comment is not an admin deletion (but still a delegated write).
        await store.commit(tenant.id, own, plannerFor(own, delegated, 7), 'tok-minted');
        const entries = await store.listAudit(tenant.id, 10);
        expect(entries.map((e) => [e.kind, e.actorId, e.subjectId, e.tokenId, e.detail, e.seq])).toEqual([
          ['delegated-write', admin.id, user.id, 'tok-minted', 'delete-comment', 4],
          ['admin-delete', admin.id, user.id, 'tok-root', 'delete-comment', 3],
          ['delegated-write', admin.id, user.id, 'tok-minted', 'add-comment', 2],
        ]);
        expect(entries[1]).toMatchObject({ page: PAGE, chatId: create.chatId, commentId: create.commentId });
        expect(JSON.stringify(entries)).not.toContain('SECRET-AUDITED-TEXT');
      });
    });

    describe('team workflow', () => {
      /** A tenant of three members, each committing in their own name, and a second tenant. */
      const team = async () => {
        const tenant = await store.createTenant('Team');
        const other = await store.createTenant('Other team');
        const people = {
          ana: await store.createUser(tenant.id, 'Ana'),
          bruno: await store.createUser(tenant.id, 'Bruno'),
          carla: await store.createUser(tenant.id, 'Carla'),
          olga: await store.createUser(other.id, 'Olga'),
        };
        type Who = keyof typeof people;
        const as = (who: Who, role: 'member' | 'admin' = 'member') => {
          const u = people[who];
          const actor: Actor = { user: { id: u.id, name: u.name }, role };
          return async (write: WriteFrameT) => {
            const r = await store.commit(u.tenantId, write, plannerFor(write, actor, Date.now()));
            if (r.status !== 'applied') throw new Error(`expected applied, got ${JSON.stringify(r)}`);
            return r;
          };
        };
        const inbox = async (who: Who, after: number | null = 0) =>
          (await store.notificationsSince(people[who].tenantId, people[who].id, after, 100)).notifications;
        return { tenant, other, people, as, inbox };
      };

      it('stores a resolve with who and when, in snapshots and replays, and a reopen', async () => {
        const { tenant, people, as } = await team();
        const chat = createChat();
        await as('ana')(chat);
        const before = Date.now();
        const resolved = await as('bruno')(resolveChat(chat.chatId));
        expect(resolved.event).toMatchObject({
          type: 'updated-text-chat',
          chatId: chat.chatId,
          change: { op: 'resolve', resolved: { by: { id: people.bruno.id, name: 'Bruno' } } },
        });
        const snap = await store.snapshot(tenant.id, PAGE);
        expect(snap.discussions[0]!.resolved).toEqual({
          by: { id: people.bruno.id, name: 'Bruno' },
          at: expect.any(Number),
        });
        expect(snap.discussions[0]!.resolved!.at).toBeGreaterThanOrEqual(before);
        // A client replaying from the start gets the same state.
        const replay = await store.eventsSince(tenant.id, PAGE, 0, 100);
        const state: PageState = { seq: 0, discussions: [] };
        applyReplay(state, replay!);
        expect(state.discussions).toEqual(snap.discussions);

        await as('carla')(resolveChat(chat.chatId, false));
        const reopened = await store.snapshot(tenant.id, PAGE);
        expect(reopened.discussions[0]!.resolved).toBeUndefined();
        // The earlier resolve replays as the state now: a client at any position ends open.
        for (let since = 0; since < reopened.seq; since++) {
          const s: PageState = {
            seq: since,
            discussions: since === 0 ? [] : structuredClone(snap.discussions),
          };
          if (since === 0) applyReplay(s, (await store.eventsSince(tenant.id, PAGE, 0, 100))!);
          else applyReplay(s, (await store.eventsSince(tenant.id, PAGE, since, 100))!);
          expect(s.discussions[0]!.resolved).toBeUndefined();
        }
      });

      it('applies a retried resolve once, and refuses one on another page or tenant as not-found', async () => {
        const { tenant, other, people, as } = await team();
        const chat = createChat();
        await as('ana')(chat);
        const write = resolveChat(chat.chatId);
        const first = await as('bruno')(write);
        const actor: Actor = { user: { id: people.bruno.id, name: 'Bruno' }, role: 'member' };
        const again = await store.commit(tenant.id, write, plannerFor(write, actor, Date.now()));
        expect(again).toEqual({ status: 'duplicate', page: PAGE, seq: first.event.seq });
        const elsewhere = resolveChat(chat.chatId, true, OTHER_PAGE);
        expect(
          await store.commit(tenant.id, elsewhere, plannerFor(elsewhere, actor, Date.now())),
        ).toMatchObject({
          status: 'rejected',
          code: 'not-found',
        });
        const olga: Actor = { user: { id: people.olga.id, name: 'Olga' }, role: 'admin' };
        const foreign = resolveChat(chat.chatId);
        expect(await store.commit(other.id, foreign, plannerFor(foreign, olga, Date.now()))).toMatchObject({
          status: 'rejected',
          code: 'not-found',
        });
      });

      it('notifies a mentioned member once, and nobody for an unknown id, another tenant or oneself', async () => {
        const { people, as, inbox } = await team();
        const text = `${mentionToken(people.bruno.id)} look, and ${mentionToken(people.bruno.id)} again; ${mentionToken(people.olga.id)} ${mentionToken('usr_nobody')} ${mentionToken(people.ana.id)}`;
        const chat = createChat({ text });
        const r = await as('ana')(chat);
        expect(r.notifications).toEqual([
          {
            userId: people.bruno.id,
            notification: expect.objectContaining({ seq: 1, kind: 'mention', chatId: chat.chatId }),
          },
        ]);
        expect(await inbox('bruno')).toEqual([
          {
            seq: 1,
            kind: 'mention',
            page: PAGE,
            chatId: chat.chatId,
            commentId: chat.commentId,
            actor: { id: people.ana.id, name: 'Ana' },
            at: expect.any(Number),
            read: false,
            excerpt: expect.stringMatching(/^@\[/),
          },
        ]);
        expect(await inbox('olga')).toEqual([]);
        expect(await inbox('ana')).toEqual([]);
        expect(await inbox('carla')).toEqual([]);
      });

      it('notifies the participants of a discussion of a reply, never its writer, a mention winning', async () => {
        const { people, as, inbox } = await team();
        const chat = createChat();
        await as('ana')(chat);
        await as('bruno')(addComment(chat.chatId, { text: 'first reply' }));
        expect((await inbox('ana')).map((n) => n.kind)).toEqual(['reply']);
        expect(await inbox('bruno')).toEqual([]);
        const r = await as('carla')(addComment(chat.chatId, { text: `${mentionToken(people.ana.id)} see` }));
        expect(r.notifications.map((n) => [n.userId, n.notification.kind]).sort()).toEqual(
          [
            [people.ana.id, 'mention'],
            [people.bruno.id, 'reply'],
          ].sort(),
        );
        expect((await inbox('ana')).map((n) => [n.seq, n.kind])).toEqual([
          [1, 'reply'],
          [2, 'mention'],
        ]);
        // Carla now takes part: Ana's next reply tells Bruno and Carla.
        await as('ana')(addComment(chat.chatId, { text: 'thanks' }));
        expect((await inbox('carla')).map((n) => n.kind)).toEqual(['reply']);
        expect((await inbox('bruno')).map((n) => n.kind)).toEqual(['reply', 'reply']);
      });

      it('notifies the watchers of a page of a new discussion until they stop watching', async () => {
        const { tenant, other, people, as, inbox } = await team();
        await store.setWatch(tenant.id, people.bruno.id, PAGE, true);
        await store.setWatch(tenant.id, people.bruno.id, PAGE, true);
        await store.setWatch(tenant.id, people.ana.id, PAGE, true);
        await store.setWatch(other.id, people.olga.id, PAGE, true);
        expect((await store.pageUserState(tenant.id, people.bruno.id, PAGE)).watching).toBe(true);
        expect((await store.pageUserState(tenant.id, people.carla.id, PAGE)).watching).toBe(false);
        await as('ana')(createChat());
        expect((await inbox('bruno')).map((n) => n.kind)).toEqual(['new-chat']);
        expect(await inbox('ana')).toEqual([]);
        expect(await inbox('olga')).toEqual([]);
        await as('ana')(createChat({ page: OTHER_PAGE }));
        await store.setWatch(tenant.id, people.bruno.id, PAGE, false);
        await as('ana')(createChat());
        expect(await inbox('bruno')).toHaveLength(1);
      });

      it('notifies the creator of a resolve by someone else, not of a reopen or a second resolve', async () => {
        const { people, as, inbox } = await team();
        const chat = createChat();
        await as('ana')(chat);
        await as('ana')(resolveChat(chat.chatId));
        expect(await inbox('ana')).toEqual([]);
        await as('ana')(resolveChat(chat.chatId, false));
        await as('bruno')(resolveChat(chat.chatId));
        await as('carla')(resolveChat(chat.chatId));
        await as('bruno')(resolveChat(chat.chatId, false));
        expect(await inbox('ana')).toEqual([
          expect.objectContaining({ seq: 1, kind: 'resolve', actor: { id: people.bruno.id, name: 'Bruno' } }),
        ]);
        expect((await inbox('ana'))[0]).not.toHaveProperty('excerpt');
      });

      it('notifies only the people an edit adds, and renders excerpts from the text as it is now', async () => {
        const { people, as, inbox } = await team();
        const chat = createChat({ text: `${mentionToken(people.bruno.id)} hi` });
        await as('ana')(chat);
        await as('ana')(
          editComment(
            chat.chatId,
            chat.commentId,
            `${mentionToken(people.bruno.id)} ${mentionToken(people.carla.id)} hello`,
          ),
        );
        expect(await inbox('bruno')).toHaveLength(1);
        expect((await inbox('carla')).map((n) => n.kind)).toEqual(['mention']);
        expect((await inbox('bruno'))[0]!.excerpt).toContain('hello');
        const long = 'x'.repeat(LIMITS.excerptChars + 50);
        await as('ana')(editComment(chat.chatId, chat.commentId, long));
        expect((await inbox('bruno'))[0]!.excerpt).toBe(`${'x'.repeat(LIMITS.excerptChars)}…`);
        await as('ana')(deleteComment(chat.chatId, chat.commentId));
        const [gone] = await inbox('bruno');
        expect(gone).toMatchObject({ kind: 'mention', commentId: chat.commentId });
        expect(gone).not.toHaveProperty('excerpt');
      });

      it('lists notifications after a seq or the newest, and marks them read by seq or up to one', async () => {
        const { tenant, people, as } = await team();
        const chat = createChat();
        await as('bruno')(chat);
        for (let i = 0; i < 5; i++) await as('ana')(addComment(chat.chatId, { text: `reply ${i}` }));
        const bruno = people.bruno.id;
        const all = await store.notificationsSince(tenant.id, bruno, 0, 100);
        expect(all.notifications.map((n) => n.seq)).toEqual([1, 2, 3, 4, 5]);
        expect(all).toMatchObject({ unread: 5, latest: 5, more: false });
        expect(await store.notificationsSince(tenant.id, bruno, 3, 100)).toMatchObject({
          notifications: [{ seq: 4 }, { seq: 5 }],
        });
        const page = await store.notificationsSince(tenant.id, bruno, 0, 2);
        expect(page.notifications.map((n) => n.seq)).toEqual([1, 2]);
        expect(page.more).toBe(true);
        const newest = await store.notificationsSince(tenant.id, bruno, null, 2);
        expect(newest.notifications.map((n) => n.seq)).toEqual([4, 5]);
        expect(newest.more).toBe(false);
        expect(await store.markNotificationsRead(tenant.id, bruno, { seqs: [4] })).toBe(4);
        expect(await store.markNotificationsRead(tenant.id, bruno, { upTo: 2 })).toBe(2);
        expect(await store.markNotificationsRead(tenant.id, bruno, { upTo: 2, seqs: [4] })).toBe(2);
        const after = await store.notificationsSince(tenant.id, bruno, 0, 100);
        expect(after.notifications.map((n) => n.read)).toEqual([true, true, false, true, false]);
        // Nothing of Bruno's inbox is another user's.
        expect((await store.notificationsSince(tenant.id, people.carla.id, 0, 100)).latest).toBe(0);
      });

      it('makes no notification for a retried write', async () => {
        const { tenant, people, as, inbox } = await team();
        const chat = createChat();
        await as('bruno')(chat);
        const reply = addComment(chat.chatId);
        await as('ana')(reply);
        const actor: Actor = { user: { id: people.ana.id, name: 'Ana' }, role: 'member' };
        const again = await store.commit(tenant.id, reply, plannerFor(reply, actor, Date.now()));
        expect(again.status).toBe('duplicate');
        expect(await inbox('bruno')).toHaveLength(1);
      });

      it('keeps read positions per user and discussion, never moving back, gone with the discussion', async () => {
        const { tenant, people, as } = await team();
        const a = createChat();
        const b = createChat();
        await as('ana')(a);
        await as('ana')(b);
        const bruno = people.bruno.id;
        expect(await store.markRead(tenant.id, bruno, PAGE, a.chatId, 2000)).toBe(2000);
        expect(await store.markRead(tenant.id, bruno, PAGE, a.chatId, 1000)).toBe(2000);
        expect(await store.markRead(tenant.id, bruno, PAGE, b.chatId, 1500)).toBe(1500);
        expect(await store.markRead(tenant.id, bruno, OTHER_PAGE, a.chatId, 3000)).toBeNull();
        expect(await store.markRead(tenant.id, bruno, PAGE, 'no-such-chat', 3000)).toBeNull();
        expect(await store.pageUserState(tenant.id, bruno, PAGE)).toEqual({
          watching: false,
          read: { [a.chatId]: 2000, [b.chatId]: 1500 },
        });
        expect((await store.pageUserState(tenant.id, people.carla.id, PAGE)).read).toEqual({});
        await as('ana')(deleteChat(a.chatId));
        expect((await store.pageUserState(tenant.id, bruno, PAGE)).read).toEqual({ [b.chatId]: 1500 });
      });

      it('removes a user: tokens revoked, their notifications, watches and positions gone, no longer notified', async () => {
        const { tenant, other, people, as, inbox } = await team();
        const bruno = people.bruno.id;
        await store.insertToken({
          id: 'tok_bruno_1',
          tenantId: tenant.id,
          userId: bruno,
          role: 'member',
          label: 'laptop',
          hash: 'hash-bruno-1',
          createdAt: Date.now(),
        });
        const chat = createChat({ text: `${mentionToken(bruno)} before` });
        await as('ana')(chat);
        await store.setWatch(tenant.id, bruno, PAGE, true);
        await store.markRead(tenant.id, bruno, PAGE, chat.chatId, 5);
        expect(await store.removeUser(other.id, bruno)).toBeNull();
        const revoked = await store.removeUser(tenant.id, bruno);
        expect(revoked!.map((t) => [t.id, t.revokedAt !== null])).toEqual([['tok_bruno_1', true]]);
        expect((await store.listUsers(tenant.id)).find((u) => u.id === bruno)!.removedAt).toEqual(
          expect.any(Number),
        );
        expect(await inbox('bruno')).toEqual([]);
        expect(await store.pageUserState(tenant.id, bruno, PAGE)).toEqual({ watching: false, read: {} });
        // The old mention stays in the text; a new one and a new discussion tell nobody.
        const after = await as('ana')(createChat({ text: `${mentionToken(bruno)} after` }));
        expect(after.notifications).toEqual([]);
        expect((await store.snapshot(tenant.id, PAGE)).discussions[0]!.comments[0]!.text).toContain(
          mentionToken(bruno),
        );
      });
    });

    describe('roles, removal and invites', () => {
      /** A team with an admin (Ada) and a member (Ben), each with one token. */
      const roles = async () => {
        const tenant = await store.createTenant('Team');
        const other = await store.createTenant('Other team');
        const ada = await store.createUser(tenant.id, 'Ada');
        const ben = await store.createUser(tenant.id, 'Ben');
        const token = (id: string, userId: string, role: 'admin' | 'member') =>
          store.insertToken({
            id,
            tenantId: tenant.id,
            userId,
            role,
            label: id,
            hash: `h-${id}`,
            createdAt: 1,
          });
        await token('tok_ada', ada.id, 'admin');
        await token('tok_ben', ben.id, 'member');
        return { tenant, other, ada, ben };
      };
      const newInvite = (tenantId: string, over: Partial<{ expiresAt: number; maxUses: number }> = {}) =>
        store.insertInvite({
          id: `inv_${Math.random().toString(36).slice(2)}`,
          tenantId,
          role: 'member',
          hash: `ih-${Math.random()}`,
          createdAt: Date.now(),
          createdBy: 'usr_admin',
          expiresAt: Date.now() + 60_000,
          maxUses: 1,
          ...over,
        });
      const joiner = (name: string) => ({
        name,
        userId: `usr_${name}`,
        tokenId: `tok_${name}`,
        tokenHash: `th-${name}`,
        label: 'joined with an invite',
      });

      it('changes a member’s role on their live tokens; a write reads the role its token has now', async () => {
        const { tenant, other, ben } = await roles();
        expect(await store.setMemberRole(other.id, ben.id, 'admin')).toEqual({ status: 'not-found' });
        const done = await store.setMemberRole(tenant.id, ben.id, 'admin');
        expect(done).toMatchObject({ status: 'done', tokens: [{ id: 'tok_ben', role: 'admin' }] });
        expect((await store.findTokenByHash('h-tok_ben'))!.token.role).toBe('admin');
        // The planner sees the token's role and whether it is revoked.
        const seen: PlanInput[] = [];
        const capture = (input: PlanInput) => {
          seen.push(input);
          return { ok: false as const, code: 'not-found' as const, message: 'x' };
        };
        await store.commit(tenant.id, createChat(), capture, 'tok_ben');
        expect(seen[0]).toMatchObject({ tokenRole: 'admin', tokenRevoked: false });
        await store.revokeToken('tok_ben');
        await store.commit(tenant.id, createChat(), capture, 'tok_ben');
        expect(seen[1]).toMatchObject({ tokenRole: 'admin', tokenRevoked: true });
      });

      it('never demotes or removes the last admin; two admins removing each other: exactly one goes', async () => {
        const { tenant, ada, ben } = await roles();
        expect(await store.setMemberRole(tenant.id, ada.id, 'member')).toEqual({ status: 'last-admin' });
        expect(await store.removeMember(tenant.id, ada.id)).toEqual({ status: 'last-admin' });
        expect((await store.setMemberRole(tenant.id, ben.id, 'admin')).status).toBe('done');
        const both = await Promise.all([
          store.removeMember(tenant.id, ada.id),
          store.removeMember(tenant.id, ben.id),
        ]);
        expect(both.map((r) => r.status).sort()).toEqual(['done', 'last-admin']);
        const left = (await store.listUsers(tenant.id)).filter((u) => u.removedAt === null);
        expect(left).toHaveLength(1);
      });

      it('removes a member: tokens revoked, marked removed, a second removal finds nobody', async () => {
        const { tenant, other, ben } = await roles();
        expect(await store.removeMember(other.id, ben.id)).toEqual({ status: 'not-found' });
        const done = await store.removeMember(tenant.id, ben.id);
        if (done.status !== 'done') throw new Error(done.status);
        expect(done.user.removedAt).toEqual(expect.any(Number));
        expect(done.tokens.map((t) => [t.id, t.revokedAt !== null])).toEqual([['tok_ben', true]]);
        expect(await store.removeMember(tenant.id, ben.id)).toEqual({ status: 'not-found' });
        expect(await store.setMemberRole(tenant.id, ben.id, 'admin')).toEqual({ status: 'not-found' });
      });

      it('stores invites by hash, lists and revokes them within their tenant', async () => {
        const { tenant, other } = await roles();
        const invite = await newInvite(tenant.id, { maxUses: 3 });
        expect(invite).toMatchObject({ tenantId: tenant.id, uses: 0, maxUses: 3, revokedAt: null });
        expect(await store.listInvites(tenant.id)).toEqual([invite]);
        expect(await store.listInvites(other.id)).toEqual([]);
        expect(JSON.stringify(await store.listInvites(tenant.id))).not.toContain('ih-');
        expect(await store.findInviteByHash('nope')).toBeNull();
        expect(await store.revokeInvite(other.id, invite.id)).toBeNull();
        const revoked = await store.revokeInvite(tenant.id, invite.id);
        expect(revoked!.revokedAt).toEqual(expect.any(Number));
        expect((await store.revokeInvite(tenant.id, invite.id))!.revokedAt).toBe(revoked!.revokedAt);
      });

      it('redeems an invite atomically, and tells expired, used-up, revoked and unknown apart', async () => {
        const { tenant } = await roles();
        const insert = async (hash: string, over: Partial<{ expiresAt: number; maxUses: number }> = {}) => {
          const id = `inv_${hash}`;
          await store.insertInvite({
            id,
            tenantId: tenant.id,
            role: 'admin',
            hash,
            createdAt: Date.now(),
            createdBy: 'usr_admin',
            expiresAt: Date.now() + 60_000,
            maxUses: 1,
            ...over,
          });
          return id;
        };
        await insert('h-one');
        const joined = await store.redeemInvite('h-one', Date.now(), joiner('Cleo'));
        if (joined.status !== 'joined') throw new Error(joined.status);
        expect(joined).toMatchObject({
          tenant: { id: tenant.id },
          user: { name: 'Cleo', tenantId: tenant.id, removedAt: null },
          token: { id: 'tok_Cleo', role: 'admin', createdBy: 'usr_admin', revokedAt: null },
          invite: { uses: 1 },
        });
        expect((await store.findTokenByHash('th-Cleo'))!.user.name).toBe('Cleo');
        expect((await store.redeemInvite('h-one', Date.now(), joiner('Dora'))).status).toBe('used-up');
        await insert('h-old', { expiresAt: Date.now() - 1 });
        expect((await store.redeemInvite('h-old', Date.now(), joiner('Eli'))).status).toBe('expired');
        const revokedId = await insert('h-gone');
        await store.revokeInvite(tenant.id, revokedId);
        expect((await store.redeemInvite('h-gone', Date.now(), joiner('Fay'))).status).toBe('revoked');
        expect((await store.redeemInvite('h-none', Date.now(), joiner('Gus'))).status).toBe('unknown');
        // Racing for the last use: exactly one joins.
        await insert('h-race');
        const race = await Promise.all(
          ['R1', 'R2', 'R3', 'R4'].map((n) => store.redeemInvite('h-race', Date.now(), joiner(n))),
        );
        expect(race.map((r) => r.status).sort()).toEqual(['joined', 'used-up', 'used-up', 'used-up']);
        const names = (await store.listUsers(tenant.id)).map((u) => u.name);
        expect(names.filter((n) => /^R\d$/.test(n))).toHaveLength(1);
        expect(names).not.toContain('Dora');
        expect((await store.findInviteByHash('h-race'))!.invite.uses).toBe(1);
        expect((await store.findInviteByHash('h-race'))!.tenant.id).toBe(tenant.id);
      });

      it('keeps audit entries of the new kinds', async () => {
        const { tenant } = await roles();
        for (const kind of [
          'role-changed',
          'member-removed',
          'invite-created',
          'invite-revoked',
          'invite-redeemed',
        ] as const) {
          await store.addAudit({
            tenantId: tenant.id,
            at: Date.now(),
            kind,
            actorId: null,
            subjectId: null,
            tokenId: null,
            page: null,
            chatId: null,
            commentId: null,
            seq: null,
            detail: kind,
          });
        }
        expect((await store.listAudit(tenant.id, 10)).map((e) => e.kind)).toHaveLength(5);
      });
    });

    describe('members nothing refers to', () => {
      it('deletes a member with no token, no writes and nothing naming them, and keeps any other', async () => {
        const tenant = await store.createTenant('Team');
        const other = await store.createTenant('Other team');
        const ana = await store.createUser(tenant.id, 'Ana');
        const unused = await store.createUser(tenant.id, 'Placeholder');
        const withToken = await store.createUser(tenant.id, 'Has a token');
        await store.insertToken({
          id: 'tok_has_one',
          tenantId: tenant.id,
          userId: withToken.id,
          role: 'member',
          label: 'laptop',
          hash: 'hash-has-one',
          createdAt: Date.now(),
        });
        const writer = await store.createUser(tenant.id, 'Writer');
        const actor: Actor = { user: { id: writer.id, name: writer.name }, role: 'member' };
        const chat = createChat();
        expect((await store.commit(tenant.id, chat, plannerFor(chat, actor, Date.now()))).status).toBe(
          'applied',
        );
        await store.setWatch(tenant.id, unused.id, PAGE, true);

        expect(await store.dropUnusedMember(other.id, unused.id)).toBe(false);
        expect(await store.dropUnusedMember(tenant.id, withToken.id)).toBe(false);
        expect(await store.dropUnusedMember(tenant.id, writer.id)).toBe(false);
        expect(await store.dropUnusedMember(tenant.id, unused.id)).toBe(true);
        expect(await store.dropUnusedMember(tenant.id, unused.id)).toBe(false);
        expect((await store.listUsers(tenant.id)).map((u) => u.name).sort()).toEqual([
          ana.name,
          withToken.name,
          writer.name,
        ]);
        expect(await store.pageUserState(tenant.id, unused.id, PAGE)).toEqual({ watching: false, read: {} });
      });
    });

    describe('the team’s discussions across pages', () => {
      /** A second member, and a commit in their name. */
      const second = async (tenantId: string) => {
        const bob = await store.createUser(tenantId, 'Bob');
        const actor: Actor = { user: { id: bob.id, name: bob.name }, role: 'member' };
        const applied = async (write: WriteFrameT, at: number) => {
          const r = await store.commit(tenantId, write, plannerFor(write, actor, at));
          if (r.status !== 'applied') throw new Error(`expected applied, got ${JSON.stringify(r)}`);
          return r.event;
        };
        return { bob, applied };
      };

      it('records the page title and lists discussions newest activity first, filtered and paged', async () => {
        const { tenant, user } = await setup();
        const { bob, applied: asBob } = await second(tenant.id);
        const actor: Actor = { user: { id: user.id, name: user.name }, role: 'member' };
        const at = async (write: WriteFrameT, time: number) => {
          const r = await store.commit(tenant.id, write, plannerFor(write, actor, time));
          expect(r.status).toBe('applied');
        };
        const old = createChat({ title: 'Old article', quote: 'first words', text: 'Ada opens' });
        await at(old, 1000);
        const other = createChat({ page: OTHER_PAGE, title: 'Other', text: 'Ada again' });
        await at(other, 2000);
        const bobs = createChat({ page: 'https://docs.example.org/guide', text: 'Bob opens' });
        await asBob(bobs, 3000);
        // A reply makes the oldest discussion the most recently active.
        await asBob(addComment(old.chatId, { text: 'Bob replies' }), 4000);

        const all = await store.listDiscussions(tenant.id, {}, null, 10);
        expect(all.discussions.map((d) => d.id)).toEqual([old.chatId, bobs.chatId, other.chatId]);
        expect(all.next).toBeNull();
        expect(all.discussions[0]).toEqual({
          id: old.chatId,
          page: PAGE,
          title: 'Old article',
          quote: 'first words',
          creator: { id: user.id, name: 'Ada' },
          createdAt: 1000,
          lastActivityAt: 4000,
          commentCount: 2,
          preview: 'Ada opens',
          resolved: null,
        });
        expect(all.discussions[1]!.title).toBeNull();

        const ids = async (filter: Parameters<Store['listDiscussions']>[1]) =>
          (await store.listDiscussions(tenant.id, filter, null, 10)).discussions.map((d) => d.id);
        expect(await ids({ creatorId: user.id })).toEqual([old.chatId, other.chatId]);
        expect(await ids({ authorId: bob.id })).toEqual([old.chatId, bobs.chatId]);
        expect(await ids({ site: 'docs.example.org' })).toEqual([bobs.chatId]);
        expect(await ids({ page: OTHER_PAGE })).toEqual([other.chatId]);
        expect(await ids({ from: 2000, to: 3000 })).toEqual([bobs.chatId, other.chatId]);
        const first = await store.listDiscussions(tenant.id, {}, null, 2);
        expect(first.discussions.map((d) => d.id)).toEqual([old.chatId, bobs.chatId]);
        const rest = await store.listDiscussions(tenant.id, {}, first.next, 2);
        expect(rest.discussions.map((d) => d.id)).toEqual([other.chatId]);
        expect(rest.next).toBeNull();

        // Resolved or open; mentions of a member in any comment of the thread, as they read now.
        await asBob(resolveChat(other.chatId, true, OTHER_PAGE), 5000);
        const listed = (await store.listDiscussions(tenant.id, { state: 'resolved' }, null, 10)).discussions;
        expect(listed.map((d) => [d.id, d.resolved])).toEqual([
          [other.chatId, { by: { id: bob.id, name: 'Bob' }, at: 5000 }],
        ]);
        expect(await ids({ state: 'open' })).toEqual([old.chatId, bobs.chatId]);
        await asBob(
          addComment(bobs.chatId, {
            page: bobs.page,
            commentId: 'mention-1',
            text: `ask ${mentionToken(user.id)}`,
          }),
          6000,
        );
        expect(await ids({ mentionsId: user.id })).toEqual([bobs.chatId]);
        expect(await ids({ mentionsId: user.id, state: 'resolved' })).toEqual([]);
        expect(await ids({ mentionsId: bob.id })).toEqual([]);
        await asBob(deleteComment(bobs.chatId, 'mention-1', bobs.page), 7000);
        expect(await ids({ mentionsId: user.id })).toEqual([]);
        const hits = await store.search(tenant.id, {
          text: 'again',
          limit: 5,
          filter: { state: 'resolved' },
        });
        expect(hits.map((h) => [h.chatId, h.resolved?.by.name])).toEqual([[other.chatId, 'Bob']]);
        expect(await store.search(tenant.id, { text: 'again', limit: 5, filter: { state: 'open' } })).toEqual(
          [],
        );

        const otherTenant = await store.createTenant('Tenant B');
        expect((await store.listDiscussions(otherTenant.id, {}, null, 10)).discussions).toEqual([]);
      });

      it('reads whole discussions by id, with their thread, only within the tenant', async () => {
        const { tenant, applied } = await setup();
        const chat = createChat({ title: 'T', text: 'opening' });
        await applied(chat);
        await applied(addComment(chat.chatId, { text: 'reply' }));
        const [record] = await store.readDiscussions(tenant.id, [chat.chatId, 'no-such-chat']);
        expect(record).toMatchObject({
          id: chat.chatId,
          page: PAGE,
          title: 'T',
          selectors: chat.selectors,
          openingId: chat.commentId,
        });
        expect(record!.comments.map((c) => c.text)).toEqual(['opening', 'reply']);
        const other = await store.createTenant('Tenant B');
        expect(await store.readDiscussions(other.id, [chat.chatId])).toEqual([]);
      });

      it('searches comments, quotes and titles, ranked, marked, as you type, within the tenant', async () => {
        const { tenant, applied } = await setup();
        const inQuote = createChat({ quote: 'photosynthesis in plants', text: 'Good point' });
        await applied(inQuote);
        const inTitle = createChat({ title: 'Photosynthesis explained', text: 'A summary' });
        await applied(inTitle);
        const inComment = createChat({ text: 'Is this about photosynthesis or respiration?' });
        await applied(inComment);
        await applied(addComment(inComment.chatId, { text: 'photosynthesis again, photosynthesis' }));
        await applied(createChat({ text: 'Nothing to see' }));

        const hits = await store.search(tenant.id, { text: 'Photosynthesis', limit: 10 });
        expect(new Set(hits.map((h) => h.chatId))).toEqual(
          new Set([inQuote.chatId, inTitle.chatId, inComment.chatId]),
        );
        const byId = new Map(hits.map((h) => [h.chatId, h]));
        expect(byId.get(inQuote.chatId)!.quoteMarked).toEqual([
          { text: 'photosynthesis', hit: true },
          { text: ' in plants', hit: false },
        ]);
        expect(byId.get(inTitle.chatId)!.titleMarked).toEqual([
          { text: 'Photosynthesis', hit: true },
          { text: ' explained', hit: false },
        ]);
        const commentHit = byId.get(inComment.chatId)!.comment!;
        expect(commentHit.snippet.some((s) => s.hit && /photosynthesis/i.test(s.text))).toBe(true);
        expect(commentHit.author.name).toBe('Ada');
        for (let i = 1; i < hits.length; i++)
          expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);

        // Search as you type: the last word is a prefix; every word must match.
        expect((await store.search(tenant.id, { text: 'photosynth', limit: 10 })).length).toBe(3);
        expect((await store.search(tenant.id, { text: 'photosynth ', limit: 10 })).length).toBe(0);
        expect(
          (await store.search(tenant.id, { text: 'about resp', limit: 10 })).map((h) => h.chatId),
        ).toEqual([inComment.chatId]);
        // Query syntax typed by a person is only words.
        expect(await store.search(tenant.id, { text: '"(*:&|!', limit: 10 })).toEqual([]);
        expect((await store.search(tenant.id, { text: 'photosynthesis OR NOT', limit: 10 })).length).toBe(0);
        // Filters apply to search too.
        expect(
          (await store.search(tenant.id, { text: 'photosynthesis', limit: 10, filter: { page: OTHER_PAGE } }))
            .length,
        ).toBe(0);

        const other = await store.createTenant('Tenant B');
        expect(await store.search(other.id, { text: 'photosynthesis', limit: 10 })).toEqual([]);
      });

      it('never finds deleted or edited-away text', async () => {
        const { tenant, applied } = await setup();
        const doomed = createChat({ quote: 'zebraquote', title: 'zebratitle', text: 'zebraopening' });
        await applied(doomed);
        await applied(addComment(doomed.chatId, { text: 'zebrareply' }));
        const kept = createChat({ text: 'kept words' });
        await applied(kept);
        const edited = addComment(kept.chatId, { text: 'giraffeoriginal' });
        await applied(edited);
        const lone = addComment(kept.chatId, { text: 'okapilone' });
        await applied(lone);
        for (const word of [
          'zebraquote',
          'zebratitle',
          'zebraopening',
          'zebrareply',
          'giraffeoriginal',
          'okapilone',
        ]) {
          expect((await store.search(tenant.id, { text: word, limit: 5 })).length, word).toBe(1);
        }
        await applied(editComment(kept.chatId, edited.commentId, 'giraffenew'));
        await applied(deleteComment(kept.chatId, lone.commentId));
        await applied(deleteChat(doomed.chatId));
        for (const word of [
          'zebra',
          'zebraquote',
          'zebratitle',
          'zebraopening',
          'zebrareply',
          'giraffeoriginal',
          'okapi',
        ]) {
          expect(await store.search(tenant.id, { text: word, limit: 5 }), word).toEqual([]);
        }
        const now = await store.search(tenant.id, { text: 'giraffe', limit: 5 });
        expect(now.map((h) => h.comment?.snippet.map((s) => s.text).join(''))).toEqual(['giraffenew']);
      });
    });

    describe('forgetting', () => {
      const secrets = {
        quote: 'SECRET-QUOTE-7d1a',
        opening: 'SECRET-OPENING-52be',
        reply: 'SECRET-REPLY-9c04',
        original: 'SECRET-ORIGINAL-e3f1',
        lone: 'SECRET-LONE-0b6d',
      };

      it('keeps no trace of deleted or edited-away text anywhere in the store', async () => {
        const { tenant, applied } = await setup();
        const doomed = createChat({ quote: secrets.quote, text: secrets.opening });
        await applied(doomed);
        await applied(addComment(doomed.chatId, { text: secrets.reply }));
        const kept = createChat({ text: 'kept opening words' });
        await applied(kept);
        const edited = addComment(kept.chatId, { text: secrets.original });
        await applied(edited);
        await applied(editComment(kept.chatId, edited.commentId, 'NEW-WORDING-after-edit'));
        const lone = addComment(kept.chatId, { text: secrets.lone });
        await applied(lone);
        await applied(deleteComment(kept.chatId, lone.commentId));
        await applied(deleteChat(doomed.chatId));

        const raw = await opened.raw!();
        for (const secret of Object.values(secrets)) expect(raw).not.toContain(secret);
        expect(raw).toContain('NEW-WORDING-after-edit');
        expect(raw).toContain('kept opening words');
        // Replays hold ids and seqs for what is gone.
        const replay = JSON.stringify(await store.eventsSince(tenant.id, PAGE, 0, 100));
        for (const secret of Object.values(secrets)) expect(replay).not.toContain(secret);
        expect(replay).toContain(doomed.chatId);
      });
    });

    describe('retention and erasure', () => {
      const published: DiscussionEventT[] = [];
      const deps = () => ({
        store,
        publish: async (_t: string, e: DiscussionEventT) => {
          published.push(e);
        },
      });
      beforeEach(() => {
        published.length = 0;
      });

      it('keeps a retention per tenant, off by default, and lists discussions past it oldest first', async () => {
        const { tenant, applied } = await setup();
        const other = await store.createTenant('Tenant B');
        expect(await store.retentionDays(tenant.id)).toBeNull();
        expect(await store.retentionTenants()).toEqual([]);
        await store.setRetentionDays(tenant.id, 30);
        expect(await store.retentionDays(tenant.id)).toBe(30);
        expect(await store.retentionDays(other.id)).toBeNull();
        expect(await store.retentionTenants()).toEqual([{ tenantId: tenant.id, days: 30 }]);
        await store.setRetentionDays(tenant.id, null);
        expect(await store.retentionTenants()).toEqual([]);

        const old = createChat();
        await applied(old);
        const young = createChat({ page: OTHER_PAGE });
        await applied(young);
        const cut = Date.now() + 1;
        expect(await store.staleDiscussions(tenant.id, cut, 10)).toEqual([
          { page: PAGE, discussionId: old.chatId },
          { page: OTHER_PAGE, discussionId: young.chatId },
        ]);
        expect(await store.staleDiscussions(tenant.id, cut, 1)).toHaveLength(1);
        expect(await store.staleDiscussions(other.id, cut, 10)).toEqual([]);
        expect(await store.staleDiscussions(tenant.id, 0, 10)).toEqual([]);
      });

      it('sweeps discussions past the retention through the delete path: tombstones, no text, audited by count', async () => {
        const { tenant, applied } = await setup();
        const old = createChat({ quote: 'SWEPT-QUOTE-41c2', text: 'SWEPT-OPENING-8e0a' });
        await applied(old);
        await applied(addComment(old.chatId, { text: 'SWEPT-REPLY-77b1' }));
        // Nothing is past a retention of a day yet.
        expect(await sweepTenant(deps(), tenant.id, 1, Date.now())).toBe(0);
        expect(await store.listAudit(tenant.id, 10)).toEqual([]);
        await store.setRetentionDays(tenant.id, 1);
        expect(await sweepRetention(deps(), Date.now() + 2 * 24 * 3600 * 1000)).toBe(1);
        expect(published).toEqual([
          expect.objectContaining({ type: 'deleted-text-chat', chatId: old.chatId }),
        ]);
        expect((await store.snapshot(tenant.id, PAGE)).discussions).toEqual([]);
        const [entry] = await store.listAudit(tenant.id, 10);
        expect(entry).toMatchObject({ kind: 'retention-sweep', actorId: null, chatId: null });
        expect(entry!.detail).toMatch(/^1 discussion/);
        expect(await store.search(tenant.id, { text: 'SWEPT', limit: 5 })).toEqual([]);
        const raw = await opened.raw!();
        for (const gone of ['SWEPT-QUOTE-41c2', 'SWEPT-OPENING-8e0a', 'SWEPT-REPLY-77b1'])
          expect(raw).not.toContain(gone);
        const replay = await store.eventsSince(tenant.id, PAGE, 0, 100);
        expect(replay!.events.at(-1)).toMatchObject({ type: 'deleted-text-chat', chatId: old.chatId });
        expect(JSON.stringify(replay)).not.toContain('SWEPT');
      });

      it('keeps a discussion that came back to life between the sweep listing it and deleting it', async () => {
        const { tenant, user, applied } = await setup();
        const old = createChat({ text: 'old but answered' });
        const actor: Actor = { user: { id: user.id, name: user.name }, role: 'member' };
        const tenDaysAgo = Date.now() - 10 * 24 * 3600 * 1000;
        expect((await store.commit(tenant.id, old, plannerFor(old, actor, tenDaysAgo))).status).toBe(
          'applied',
        );
        // The sweep's list was read just before this reply came.
        await applied(addComment(old.chatId, { text: 'a reply today' }));
        const racing = Object.create(store, {
          staleDiscussions: { value: async () => [{ page: PAGE, discussionId: old.chatId }] },
        }) as Store;
        expect(await sweepTenant({ ...deps(), store: racing }, tenant.id, 5, Date.now())).toBe(0);
        expect((await store.snapshot(tenant.id, PAGE)).discussions.map((c) => c.id)).toEqual([old.chatId]);
        expect(published).toEqual([]);
        expect(await store.listAudit(tenant.id, 10)).toEqual([]);
      });

      it('shows a removed member as a former member: their comments and resolutions lose their name', async () => {
        const { tenant, user, applied } = await setup();
        const chat = createChat({ text: 'stays after removal' });
        await applied(chat);
        await applied(resolveChat(chat.chatId));
        await store.removeUser(tenant.id, user.id);
        const [d] = (await store.snapshot(tenant.id, PAGE)).discussions;
        expect(d!.comments[0]!.author).toEqual({ id: user.id, name: '' });
        expect(d!.comments[0]!.text).toBe('stays after removal');
        expect(d!.resolved?.by).toEqual({ id: user.id, name: '' });
        const listed = await store.listDiscussions(tenant.id, {}, null, 10);
        expect(listed.discussions[0]!.creator).toEqual({ id: user.id, name: '' });
        // The directory keeps the name for the admins (the audit names who was removed).
        expect((await store.listUsers(tenant.id))[0]).toMatchObject({
          name: 'Ada',
          removedAt: expect.any(Number),
        });
      });

      it('erases a member: their comments and lone discussions, their name and what they caused, leaving others’ replies', async () => {
        const tenant = await store.createTenant('Tenant E');
        const erased = await store.createUser(tenant.id, 'Adelheid-5c9e');
        const bob = await store.createUser(tenant.id, 'Bob');
        const token = await store.insertToken({
          id: 'tok-erased',
          tenantId: tenant.id,
          userId: erased.id,
          role: 'member',
          label: 'Adelheid-5c9e laptop',
          hash: 'cd'.repeat(32),
          createdAt: 1000,
        });
        await store.addAudit({
          tenantId: tenant.id,
          at: 1000,
          kind: 'token-created',
          actorId: null,
          subjectId: erased.id,
          tokenId: token.id,
          page: null,
          chatId: null,
          commentId: null,
          seq: null,
          detail: 'member token "Adelheid-5c9e laptop"',
        });
        const as = (u: { id: string; name: string }) => async (w: WriteFrameT) => {
          const actor: Actor = { user: { id: u.id, name: u.name }, role: 'member' };
          const r = await store.commit(tenant.id, w, plannerFor(w, actor, Date.now()));
          if (r.status !== 'applied') throw new Error(JSON.stringify(r));
        };
        const ada = as(erased);
        const bobWrites = as(bob);
        // Her discussion with Bob's reply: the discussion and his reply stay.
        const shared = createChat({ quote: 'page words kept', text: 'ERASED-OPENING-1a2b' });
        await ada(shared);
        await bobWrites(addComment(shared.chatId, { text: 'Bob reply kept' }));
        // Her discussion alone: gone.
        const lone = createChat({ page: OTHER_PAGE, quote: 'ERASED-QUOTE-3c4d', text: 'ERASED-LONE-5e6f' });
        await ada(lone);
        // Bob's discussion, her reply mentioning him (a notification she caused), her resolution.
        const bobs = createChat({ text: 'Bob asks' });
        await bobWrites(bobs);
        await ada(addComment(bobs.chatId, { text: `ERASED-REPLY-7a8b ${mentionToken(bob.id)}` }));
        await ada(resolveChat(bobs.chatId));
        await store.setWatch(tenant.id, erased.id, PAGE, true);
        expect((await store.commentsBy(tenant.id, erased.id, 10)).map((c) => c.comment.text)).toEqual([
          'ERASED-OPENING-1a2b',
          'ERASED-LONE-5e6f',
          `ERASED-REPLY-7a8b ${mentionToken(bob.id)}`,
        ]);
        expect(
          (await store.notificationsSince(tenant.id, bob.id, null, 10)).notifications.length,
        ).toBeGreaterThan(0);
        await store.requestErasure(tenant.id, erased.id, 5);
        expect(await store.listErasureRequests(tenant.id)).toEqual([{ userId: erased.id, requestedAt: 5 }]);

        await store.removeUser(tenant.id, erased.id);
        expect(await eraseMember(deps(), tenant.id, erased.id, bob.id)).toEqual({
          comments: 3,
          discussions: 1,
        });

        expect(published.map((e) => e.type)).toEqual([
          'updated-text-chat',
          'updated-text-chat',
          'updated-text-chat',
          'deleted-text-chat',
        ]);
        const page = await store.snapshot(tenant.id, PAGE);
        const kept = page.discussions.find((c) => c.id === shared.chatId)!;
        expect(kept.comments.map((c) => c.text)).toEqual(['Bob reply kept']);
        const bobsNow = page.discussions.find((c) => c.id === bobs.chatId)!;
        expect(bobsNow.comments.map((c) => c.text)).toEqual(['Bob asks']);
        expect(bobsNow.resolved?.by.name).toBe('');
        expect((await store.snapshot(tenant.id, OTHER_PAGE)).discussions).toEqual([]);
        expect((await store.notificationsSince(tenant.id, bob.id, null, 10)).notifications).toEqual([]);
        expect(await store.listErasureRequests(tenant.id)).toEqual([]);
        expect(await store.commentsBy(tenant.id, erased.id, 10)).toEqual([]);
        expect(await store.ownState(tenant.id, erased.id)).toEqual({ watches: [], reads: [] });
        const [, listed] = await store
          .listUsers(tenant.id)
          .then((u) => [u, u.find((x) => x.id === erased.id)!] as const);
        expect(listed).toMatchObject({
          name: '',
          removedAt: expect.any(Number),
          erasedAt: expect.any(Number),
        });
        expect(
          (await store.listDiscussions(tenant.id, {}, null, 10)).discussions.find(
            (d) => d.id === shared.chatId,
          )!.creator.name,
        ).toBe('');
        expect(await store.search(tenant.id, { text: 'ERASED', limit: 5 })).toEqual([]);

        const raw = await opened.raw!();
        for (const gone of [
          'ERASED-OPENING-1a2b',
          'ERASED-QUOTE-3c4d',
          'ERASED-LONE-5e6f',
          'ERASED-REPLY-7a8b',
          'Adelheid-5c9e',
        ])
          expect(raw, gone).not.toContain(gone);
        expect(raw).toContain('Bob reply kept');
        expect(raw).toContain('page words kept');
        const replay = JSON.stringify([
          await store.eventsSince(tenant.id, PAGE, 0, 100),
          await store.eventsSince(tenant.id, OTHER_PAGE, 0, 100),
        ]);
        expect(replay).not.toContain('ERASED');
        expect(replay).not.toContain('Adelheid');
      });

      it('erasing a member who joined by single sign-on forgets their email and identity link', async () => {
        const tenant = await store.createTenant('Tenant S');
        const admin = await store.createUser(tenant.id, 'Admin');
        const email = 'erasee-4d2a@example.org';
        const { request } = await store.sso.request({
          id: 'ssoreq-erase-1',
          tenantId: tenant.id,
          issuer: 'https://idp.example.org',
          subject: 'sub-erase-1',
          email,
          name: 'Ssoname-7c1d',
          requestedAt: 1000,
        });
        const userId = 'usr-sso-erased-1';
        await store.sso.decide(tenant.id, request.id, 'approved', admin.id, 2000, { userId });
        const base = {
          tenantId: tenant.id,
          tokenId: null,
          page: null,
          chatId: null,
          commentId: null,
          seq: null,
        };
        await store.addAudit({
          ...base,
          at: 1000,
          kind: 'sso-requested',
          actorId: null,
          subjectId: null,
          detail: `${request.id}: ${email}`,
        });
        await store.addAudit({
          ...base,
          at: 2000,
          kind: 'sso-approved',
          actorId: admin.id,
          subjectId: userId,
          detail: `${request.id}: ${email}`,
        });
        expect((await store.sso.findMember(tenant.id, 'https://idp.example.org', 'sub-erase-1'))?.id).toBe(
          userId,
        );

        await store.removeUser(tenant.id, userId);
        await eraseMember(deps(), tenant.id, userId, admin.id);
        expect(await store.sso.findMember(tenant.id, 'https://idp.example.org', 'sub-erase-1')).toBeNull();
        expect(await store.sso.findRequest(tenant.id, 'https://idp.example.org', 'sub-erase-1')).toBeNull();
        const raw = await opened.raw!();
        expect(raw).not.toContain(email);
        expect(raw).not.toContain('Ssoname-7c1d');
        expect((await store.listAudit(tenant.id, 10)).map((e) => e.kind).sort()).toEqual([
          'sso-approved',
          'sso-requested',
        ]);
      });

      it('keeps one erasure request per member and only from a current member', async () => {
        const { tenant, user } = await setup();
        expect(await store.requestErasure(tenant.id, user.id, 10)).toBe(true);
        expect(await store.requestErasure(tenant.id, user.id, 20)).toBe(true);
        expect(await store.listErasureRequests(tenant.id)).toEqual([{ userId: user.id, requestedAt: 10 }]);
        expect(await store.requestErasure(tenant.id, 'usr-nobody', 10)).toBe(false);
        const other = await store.createTenant('Tenant B');
        expect(await store.listErasureRequests(other.id)).toEqual([]);
        expect(await store.dropErasureRequest(tenant.id, user.id)).toBe(true);
        expect(await store.dropErasureRequest(tenant.id, user.id)).toBe(false);
        await store.removeUser(tenant.id, user.id);
        expect(await store.requestErasure(tenant.id, user.id, 30)).toBe(false);
      });
    });
  });
}

/** A scripted mix of every kind of write, deterministic for a given seed. */
async function scriptedWrites(
  steps: number,
  seed: number,
  apply: (write: WriteFrameT) => Promise<void>,
): Promise<void> {
  let x = seed;
  const rand = (n: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
  const chats: { id: string; comments: string[] }[] = [];
  for (let i = 0; i < steps; i++) {
    const r = rand(10);
    const chat = chats.length > 0 ? chats[rand(chats.length)]! : null;
    if (!chat || r < 2) {
      const w = createChat({ text: `opening ${i}` });
      chats.push({ id: w.chatId, comments: [w.commentId] });
      await apply(w);
    } else if (r < 5) {
      const w = addComment(chat.id, { text: `reply ${i}` });
      chat.comments.push(w.commentId);
      await apply(w);
    } else if (r < 7 && chat.comments.length > 0) {
      await apply(editComment(chat.id, chat.comments[rand(chat.comments.length)]!, `edit ${i}`));
    } else if (r < 9 && chat.comments.length > 0) {
      const [gone] = chat.comments.splice(rand(chat.comments.length), 1);
      await apply(deleteComment(chat.id, gone!));
    } else {
      chats.splice(chats.indexOf(chat), 1);
      await apply(deleteChat(chat.id));
    }
  }
}

/** Resync from every position, inside and behind a small replay window. */
export function describeReplayWindowContract(
  name: string,
  open: (options?: StoreOptions) => Promise<OpenedStore>,
): void {
  describe(`${name} (replay window contract)`, () => {
    const windowEvents = 8;
    let opened: OpenedStore;
    let store: Store;
    beforeEach(async () => {
      opened = await open({ replayWindow: { events: windowEvents, ageMs: 60_000 } });
      store = opened.store;
    });
    afterEach(async () => {
      await opened.dispose();
    });

    it('brings a client at every position of the window to the stored state, and sends one behind it to a snapshot', async () => {
      const tenant = await store.createTenant('Window');
      const user = await store.createUser(tenant.id, 'Ada');
      const actor: Actor = { user: { id: user.id, name: user.name }, role: 'admin' };
      const states: PageState[] = [{ seq: 0, discussions: [] }];
      await scriptedWrites(40, 7, async (write) => {
        const r = await store.commit(tenant.id, write, plannerFor(write, actor, Date.now()));
        if (r.status !== 'applied') throw new Error(`expected applied, got ${JSON.stringify(r)}`);
        states.push(structuredClone(await store.snapshot(tenant.id, PAGE)));
      });
      const final = await store.snapshot(tenant.id, PAGE);
      expect(final.seq).toBe(40);
      for (const state of states) {
        const replay = await store.eventsSince(tenant.id, PAGE, state.seq, 500);
        if (state.seq < final.seq - windowEvents) {
          expect(replay, `seq ${state.seq} is behind the window`).toBeNull();
          continue;
        }
        expect(replay, `seq ${state.seq} is inside the window`).not.toBeNull();
        const client = structuredClone(state);
        expect(applyReplay(client, replay!)).not.toBe('gap');
        expect(client, `resync from seq ${state.seq}`).toEqual(final);
      }
      // Past the window's age every client takes a snapshot, which is still exact.
      await store.compact(Date.now() + 120_000);
      expect(await store.eventsSince(tenant.id, PAGE, final.seq - 1, 500)).toBeNull();
      expect(await store.eventsSince(tenant.id, PAGE, final.seq, 500)).toEqual({
        seq: final.seq,
        events: [],
      });
      expect(await store.snapshot(tenant.id, PAGE)).toEqual(final);
    });

    it('still answers a retried write as a duplicate once its event left the log by count', async () => {
      const tenant = await store.createTenant('Retry');
      const user = await store.createUser(tenant.id, 'Ada');
      const actor: Actor = { user: { id: user.id, name: user.name }, role: 'member' };
      const commit = (w: WriteFrameT) => store.commit(tenant.id, w, plannerFor(w, actor, Date.now()));
      const create = createChat();
      await commit(create);
      for (let i = 0; i < windowEvents + 3; i++) await commit(addComment(create.chatId));
      expect(await store.eventsSince(tenant.id, PAGE, 0, 500)).toBeNull();
      expect(await commit(create)).toEqual({ status: 'duplicate', page: PAGE, seq: 1 });
    });
  });
}
