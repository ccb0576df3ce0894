// The hub with a store whose reads are held back, to show the subscribe-before-snapshot rule:
// live events that arrive while a snapshot is being read are queued, and those the snapshot
// already holds are dropped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WireReader, type ServerFrameT, type WireServerFrameT } from '../lib/protocol';
import { addComment, createChat, deleteChat, PAGE } from '../test/helpers/frames';
import { addSnapshotPage, applyReplay, type DiscussionT, type PageState } from '../lib/protocol';
import { MemoryBus } from './bus/memory';
import { Hub, replayFrames, type Subscriber } from './hub';
import { commitWrite, type Actor } from './ops';
import { MemoryPresence } from './presence/memory';
import { openSqliteStore, type SqliteStore } from './store/sqlite';

const actor: Actor = { user: { id: 'u1', name: 'Ana' }, role: 'member' };
const tenantId = 'ten-a';

/** Records what a subscriber is sent, read back as a client reads it (page keys, named authors). */
class Recorder implements Subscriber {
  readonly frames: ServerFrameT[] = [];
  private readonly reader = new WireReader({
    frame: (frame) => this.frames.push(frame),
    unknownAuthor: (page) => {
      throw new Error(`a frame of ${page} named an author without a name`);
    },
  });
  constructor(
    readonly tenantId: string,
    readonly userId: string,
  ) {}
  deliver(frame: string | Buffer) {
    this.reader.read(JSON.parse(frame.toString()) as WireServerFrameT);
  }
  subscribeFailed(page: string, message: string) {
    this.frames.push({ type: 'error', code: 'internal', message, page });
  }
}

describe('Hub', () => {
  let dir: string;
  let store: SqliteStore;
  let bus: MemoryBus;
  let hub: Hub;
  let release: () => void;
  let held: Promise<void>;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'collab-chat-hub-'));
    store = openSqliteStore(join(dir, 'hub.db'));
    const snapshotPage = store.snapshotPage.bind(store);
    held = new Promise((resolve) => (release = resolve));
    store.snapshotPage = async (...args) => {
      await held;
      return snapshotPage(...args);
    };
    bus = new MemoryBus();
    hub = new Hub({ store, bus, presence: new MemoryPresence(), replayLimit: 500 });
  });
  afterEach(async () => {
    hub.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function write() {
    const result = await commitWrite(store, tenantId, createChat(), actor);
    if (result.status !== 'applied') throw new Error(result.status);
    await bus.publish({ tenantId, page: PAGE }, JSON.stringify(result.event));
    return result.event.seq;
  }

  it('queues events during the snapshot read and drops those the snapshot holds', async () => {
    await write();
    const sub = new Recorder(tenantId, 'u1');
    const subscribed = hub.subscribe(sub, PAGE);
    // Committed and published after registration but before the (held) read: in the snapshot.
    await write();
    expect(sub.frames).toEqual([]);
    release();
    // Published while the read is still finishing would be queued; this one comes after it.
    await subscribed;
    await write();
    expect(sub.frames.map((f) => [f.type, 'seq' in f ? f.seq : null])).toEqual([
      ['snapshot', 2],
      ['presence', null],
      ['new-text-chat', 3],
    ]);
  });

  it('names an author once per room, and names the room’s authors to a member who joins later', async () => {
    release();
    const first = new Recorder(tenantId, 'u1');
    await hub.subscribe(first, PAGE);
    const chat = createChat({ text: 'to be deleted' });
    const created = await commitWrite(store, tenantId, chat, actor);
    if (created.status !== 'applied') throw new Error(created.status);
    await bus.publish({ tenantId, page: PAGE }, JSON.stringify(created.event));
    const raw: string[] = [];
    const later = new Recorder(tenantId, 'u2');
    const deliver = later.deliver.bind(later);
    later.deliver = (frame: string | Buffer) => {
      raw.push(frame.toString());
      deliver(frame);
    };
    // Ana's only discussion goes before the second member joins: the snapshot holds nothing of hers.
    const dropped = await commitWrite(store, tenantId, deleteChat(chat.chatId), actor);
    if (dropped.status !== 'applied') throw new Error(dropped.status);
    await bus.publish({ tenantId, page: PAGE }, JSON.stringify(dropped.event));
    await hub.subscribe(later, PAGE);
    expect(JSON.parse(raw[0]!)).toMatchObject({ type: 'snapshot', chats: [], authors: { u1: 'Ana' } });
    // Her next discussion names her by id alone, and both members read it with her name.
    await write();
    const live = raw.map((f) => JSON.parse(f) as { type: string; authors?: unknown }).at(-1)!;
    expect(live.type).toBe('new-text-chat');
    expect(live).not.toHaveProperty('authors');
    for (const sub of [first, later]) {
      const event = sub.frames.findLast((f) => f.type === 'new-text-chat');
      expect(event?.type === 'new-text-chat' && event.chat.comments[0]!.author).toEqual({
        id: 'u1',
        name: 'Ana',
      });
    }
  });

  it('delivers queued events newer than the snapshot after it, in order', async () => {
    const sub = new Recorder(tenantId, 'u1');
    const subscribed = hub.subscribe(sub, PAGE);
    // Two writes land while the snapshot is held: the snapshot holds both, so their queued
    // copies are dropped. A frame with a later seq queued meanwhile (as from another node whose
    // commit the read did not see) follows the snapshot.
    await write();
    await write();
    const second = (await store.eventsSince(tenantId, PAGE, 1, 10))!.events[0]!;
    await bus.publish({ tenantId, page: PAGE }, JSON.stringify({ ...second, seq: 3 }));
    release();
    await subscribed;
    expect(sub.frames.map((f) => [f.type, 'seq' in f ? f.seq : null])).toEqual([
      ['snapshot', 2],
      ['new-text-chat', 3],
      ['presence', null],
    ]);
  });

  it('answers only the latest of two subscribes of the same page', async () => {
    const sub = new Recorder(tenantId, 'u1');
    const first = hub.subscribe(sub, PAGE);
    const second = hub.subscribe(sub, PAGE);
    release();
    await Promise.all([first, second]);
    expect(sub.frames.filter((f) => f.type === 'snapshot')).toHaveLength(1);
  });

  it('sends nothing to a subscriber that left while its snapshot was read', async () => {
    const sub = new Recorder(tenantId, 'u1');
    const subscribed = hub.subscribe(sub, PAGE);
    expect(hub.unsubscribe(sub, PAGE)).toBe(true);
    release();
    await subscribed;
    await write();
    expect(sub.frames).toEqual([]);
    expect(hub.localUsers({ tenantId, page: PAGE })).toBe(0);
  });
});

describe('Hub fan-out across event-loop turns', () => {
  const slice = 3;
  let dir: string;
  let store: SqliteStore;
  let bus: MemoryBus;
  let hub: Hub;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'collab-chat-hub-slices-'));
    store = openSqliteStore(join(dir, 'hub.db'));
    bus = new MemoryBus();
    hub = new Hub({ store, bus, presence: new MemoryPresence(), replayLimit: 500, fanOutSlice: slice });
  });
  afterEach(async () => {
    hub.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function commit() {
    const result = await commitWrite(store, tenantId, createChat(), actor);
    if (result.status !== 'applied') throw new Error(result.status);
    return result.event;
  }

  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const seqs = (sub: Recorder) => sub.frames.flatMap((f) => (f.type === 'new-text-chat' ? [f.seq] : []));

  async function members(n: number): Promise<Recorder[]> {
    const subs = Array.from({ length: n }, (_, i) => new Recorder(tenantId, `u${i}`));
    for (const sub of subs) await hub.subscribe(sub, PAGE);
    // Presence announcements of the joins go through the same queue: at most n frames to n
    // members, one slice per turn.
    for (let i = 0; i < Math.ceil((n * n) / slice) + 2; i++) await nextTurn();
    for (const sub of subs) expect(sub.frames.at(-1)).toEqual({ type: 'presence', page: PAGE, count: n });
    for (const sub of subs) sub.frames.length = 0;
    return subs;
  }

  it('serves at most one slice of sockets per turn, then continues in later turns', async () => {
    const subs = await members(10);
    const event = await commit();
    // MemoryBus hands the frame over synchronously: the first slice is served in this turn.
    await bus.publish({ tenantId, page: PAGE }, JSON.stringify(event));
    expect(subs.filter((s) => s.frames.length > 0)).toHaveLength(slice);
    await nextTurn();
    expect(subs.filter((s) => s.frames.length > 0)).toHaveLength(2 * slice);
    while (subs.some((s) => s.frames.length === 0)) await nextTurn();
    for (const sub of subs) expect(seqs(sub)).toEqual([event.seq]);
  });

  it('keeps each socket in seq order, without duplicates, when a member joins mid-broadcast', async () => {
    const subs = await members(7);
    const events = [await commit(), await commit(), await commit()];
    for (const event of events) await bus.publish({ tenantId, page: PAGE }, JSON.stringify(event));
    // The first event is only partly delivered; a member joins now and reads a snapshot that
    // already holds all three events, so none of them may reach it live again.
    expect(subs.filter((s) => s.frames.length > 0)).toHaveLength(slice);
    const late = new Recorder(tenantId, 'late');
    await hub.subscribe(late, PAGE);
    const fourth = await commit();
    await bus.publish({ tenantId, page: PAGE }, JSON.stringify(fourth));
    const all = [...events, fourth].map((e) => e.seq);
    while (subs.some((s) => seqs(s).length < all.length) || seqs(late).length < 1) await nextTurn();
    for (let i = 0; i < 10; i++) await nextTurn();
    for (const sub of subs) expect(seqs(sub)).toEqual(all);
    const snapshot = late.frames.find((f) => f.type === 'snapshot');
    expect(snapshot && 'seq' in snapshot ? snapshot.seq : null).toBe(events[2]!.seq);
    expect(seqs(late)).toEqual([fourth.seq]);
  });

  it('sends only the latest presence count once several are waiting', async () => {
    const subs = await members(6);
    const event = await commit();
    await bus.publish({ tenantId, page: PAGE }, JSON.stringify(event));
    // Two joins while the event is still being delivered: their counts (7, then 8) wait behind
    // it, and only the newer one goes out.
    await hub.subscribe(new Recorder(tenantId, 'x1'), PAGE);
    await hub.subscribe(new Recorder(tenantId, 'x2'), PAGE);
    while (subs.some((s) => s.frames.length < 2)) await nextTurn();
    for (let i = 0; i < 10; i++) await nextTurn();
    for (const sub of subs) {
      expect(sub.frames.map((f) => (f.type === 'presence' ? f.count : f.type))).toEqual(['new-text-chat', 8]);
    }
  });

  it('stops a queued broadcast when the room empties', async () => {
    const subs = await members(6);
    await bus.publish({ tenantId, page: PAGE }, JSON.stringify(await commit()));
    for (const sub of subs) hub.unsubscribe(sub, PAGE);
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(subs.filter((s) => s.frames.length > 0)).toHaveLength(slice);
    expect(hub.stats()).toEqual({ rooms: 0, subscriptions: 0, unansweredSubscriptions: 0 });
  });
});

describe('Hub.reconcile', () => {
  it('finds events that never came over the bus and delivers them in order, once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'collab-chat-hub-'));
    const store = openSqliteStore(join(dir, 'hub.db'));
    const hub = new Hub({ store, bus: new MemoryBus(), presence: new MemoryPresence(), replayLimit: 500 });
    try {
      const sub = new Recorder(tenantId, 'u1');
      const other = new Recorder(tenantId, 'u2');
      await hub.subscribe(sub, PAGE);
      await hub.subscribe(other, `${PAGE}?other`);
      // Committed and acked, never published (the writer's node died in between).
      for (let i = 0; i < 3; i++) await commitWrite(store, tenantId, createChat(), actor);
      expect(sub.frames.filter((f) => f.type === 'new-text-chat')).toEqual([]);
      await hub.reconcile();
      await new Promise((r) => setImmediate(r));
      const seqs = () => sub.frames.flatMap((f) => (f.type === 'new-text-chat' ? [f.seq] : []));
      await expect.poll(seqs).toEqual([1, 2, 3]);
      // Nothing new: a second pass delivers nothing again; the other page never saw any of it.
      await hub.reconcile();
      expect(seqs()).toEqual([1, 2, 3]);
      expect(other.frames.some((f) => f.type === 'new-text-chat')).toBe(false);
    } finally {
      hub.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps going when the store cannot answer, and catches up on the next pass', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'collab-chat-hub-'));
    const store = openSqliteStore(join(dir, 'hub.db'));
    const logs: string[] = [];
    const hub = new Hub({
      store,
      bus: new MemoryBus(),
      presence: new MemoryPresence(),
      replayLimit: 500,
      gapWaitMs: 100,
      log: (m) => logs.push(m),
    });
    try {
      const sub = new Recorder(tenantId, 'u1');
      await hub.subscribe(sub, PAGE);
      await commitWrite(store, tenantId, createChat(), actor);
      const latestSeqs = store.latestSeqs.bind(store);
      store.latestSeqs = () => Promise.reject(new Error('connection lost'));
      await hub.reconcile();
      expect(logs.join('\n')).toMatch(/connection lost/);
      store.latestSeqs = latestSeqs;
      await hub.reconcile();
      await expect
        .poll(() => sub.frames.flatMap((f) => (f.type === 'new-text-chat' ? [f.seq] : [])))
        .toEqual([1]);
    } finally {
      hub.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Hub frames of bounded size', () => {
  let dir: string;
  let store: SqliteStore;
  let bus: MemoryBus;
  let hub: Hub;
  const frameBytes = 4096;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'collab-chat-hub-pages-'));
    store = openSqliteStore(join(dir, 'hub.db'));
    bus = new MemoryBus();
    hub = new Hub({ store, bus, presence: new MemoryPresence(), replayLimit: 500, frameBytes });
  });
  afterEach(async () => {
    hub.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  class Raw extends Recorder {
    readonly sizes: number[] = [];
    override deliver(frame: string | Buffer) {
      this.sizes.push(Buffer.byteLength(frame));
      super.deliver(frame);
    }
  }

  async function fill() {
    const chats = [createChat(), createChat({ text: 'w'.repeat(900) }), createChat()];
    for (const c of chats) await commitWrite(store, tenantId, c, actor);
    for (let i = 0; i < 30; i++)
      await commitWrite(
        store,
        tenantId,
        addComment(chats[1]!.chatId, { text: `reply ${i} ü`.repeat(30) }),
        actor,
      );
  }

  it('sends a large snapshot in parts no larger than the bound, holding live events until the last', async () => {
    await fill();
    const sub = new Raw(tenantId, 'u1');
    // A write lands while the parts are being read: it follows the last part.
    const subscribing = hub.subscribe(sub, PAGE);
    const late = await commitWrite(
      store,
      tenantId,
      addComment((await store.snapshot(tenantId, PAGE)).discussions[0]!.id),
      actor,
    );
    if (late.status !== 'applied') throw new Error(late.status);
    await bus.publish({ tenantId, page: PAGE }, JSON.stringify(late.event));
    await subscribing;
    const parts = sub.frames.filter((f) => f.type === 'snapshot');
    expect(parts.length).toBeGreaterThan(3);
    expect(Math.max(...sub.sizes)).toBeLessThanOrEqual(frameBytes);
    expect(parts.map((p) => [p.part ?? 0, p.more ?? false])).toEqual(
      parts.map((_, i) => [i, i < parts.length - 1]),
    );
    expect(new Set(parts.map((p) => p.seq)).size).toBe(1);
    const lastPart = sub.frames.findIndex((f) => f.type === 'snapshot' && !f.more);
    const event = sub.frames.findIndex((f) => f.type === 'updated-text-chat');
    expect(event === -1 || event > lastPart).toBe(true);
    // Assembled and brought forward by the events after it, it is the stored page.
    const state: PageState = { seq: parts[0]!.seq, discussions: [] as DiscussionT[] };
    for (const p of parts) addSnapshotPage(state.discussions, p.chats);
    applyReplay(state, { events: sub.frames.filter((f) => f.type === 'updated-text-chat') });
    expect(state).toEqual(await store.snapshot(tenantId, PAGE));
  });

  it('cuts a long replay into several replays within the bound', async () => {
    await commitWrite(store, tenantId, createChat(), actor);
    await fill();
    const sub = new Raw(tenantId, 'u1');
    await hub.subscribe(sub, PAGE, 1);
    const replays = sub.frames.filter((f) => f.type === 'replay');
    expect(replays.length).toBeGreaterThan(3);
    expect(Math.max(...sub.sizes)).toBeLessThanOrEqual(frameBytes);
    const events = replays.flatMap((r) => r.events);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 2));
    expect(replays.at(-1)!.seq).toBe((await store.snapshot(tenantId, PAGE)).seq);
    for (const r of replays.slice(0, -1)) expect(r.seq).toBe(r.events.at(-1)!.seq);
  });

  it('answers a repeated subscribe to an unchanged page from the parts it sent, and reads again after a change', async () => {
    await fill();
    let reads = 0;
    const snapshotPage = store.snapshotPage.bind(store);
    store.snapshotPage = (...args) => {
      reads++;
      return snapshotPage(...args);
    };
    const sub = new Raw(tenantId, 'u1');
    const answer = async () => {
      const from = sub.frames.length;
      await hub.subscribe(sub, PAGE);
      const state: PageState = { seq: 0, discussions: [] as DiscussionT[] };
      for (const f of sub.frames.slice(from))
        if (f.type === 'snapshot') {
          state.seq = f.seq;
          addSnapshotPage(state.discussions, f.chats);
        }
      return state;
    };
    const first = await answer();
    const readsOfOne = reads;
    expect(readsOfOne).toBeGreaterThan(3);
    for (let i = 0; i < 3; i++) expect(await answer()).toEqual(first);
    expect(reads).toBe(readsOfOne);

    // A change the room hears of: the parts kept are of an older seq and are not sent again.
    const discussionId = first.discussions[2]!.id;
    const added = await commitWrite(store, tenantId, addComment(discussionId, { text: 'after' }), actor);
    if (added.status !== 'applied') throw new Error(added.status);
    await bus.publish({ tenantId, page: PAGE }, JSON.stringify(added.event));
    const changed = await answer();
    expect(reads).toBe(2 * readsOfOne);
    expect(changed).toEqual(await store.snapshot(tenantId, PAGE));
    expect(changed.seq).toBe(first.seq + 1);
  });

  it('never answers from parts of an older seq, even when the room did not hear of the change', async () => {
    await fill();
    const sub = new Raw(tenantId, 'u1');
    await hub.subscribe(sub, PAGE);
    await hub.subscribe(sub, PAGE);
    // Committed on another node whose PUBLISH never came: the store is ahead of the room.
    const discussionId = (await store.snapshot(tenantId, PAGE)).discussions[0]!.id;
    const added = await commitWrite(store, tenantId, addComment(discussionId, { text: 'unheard' }), actor);
    if (added.status !== 'applied') throw new Error(added.status);
    const from = sub.frames.length;
    await hub.subscribe(sub, PAGE);
    const parts = sub.frames.slice(from).filter((f) => f.type === 'snapshot');
    expect(parts[0]!.seq).toBe(added.event.seq);
    const state: PageState = { seq: parts[0]!.seq, discussions: [] as DiscussionT[] };
    for (const p of parts) addSnapshotPage(state.discussions, p.chats);
    expect(state).toEqual(await store.snapshot(tenantId, PAGE));
  });

  it('replayFrames keeps an empty replay as one frame', () => {
    expect(replayFrames(PAGE, 3, 7, [], 100).map((f) => JSON.parse(f) as unknown)).toEqual([
      { type: 'replay', page: PAGE, alias: 3, seq: 7, authors: {}, events: [] },
    ]);
  });
});
