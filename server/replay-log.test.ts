// The replay log: replays answered from memory say exactly what a read of the store would say,
// and an edit or a delete (seen live or only in the store) leaves no old text behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WireReader, type DiscussionEventT, type ServerFrameT, type WireServerFrameT } from '../lib/protocol';
import { addComment, createChat, deleteComment, editComment, PAGE } from '../test/helpers/frames';
import { MemoryBus } from './bus/memory';
import { Hub, type Subscriber } from './hub';
import { commitWrite, type Actor } from './ops';
import { MemoryPresence } from './presence/memory';
import { ReplayLog } from './replay-log';
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
  deliver(frame: string) {
    this.reader.read(JSON.parse(frame) as WireServerFrameT);
  }
  subscribeFailed(page: string, message: string) {
    this.frames.push({ type: 'error', code: 'internal', message, page });
  }
  replays() {
    return this.frames.filter((f) => f.type === 'replay');
  }
}

const created = (seq: number, text = `comment ${seq}`): DiscussionEventT => ({
  type: 'new-text-chat',
  page: PAGE,
  seq,
  broadcastId: `b${seq}`,
  chat: {
    id: `chat-${seq}`,
    selectors: [{ type: 'TextQuoteSelector', exact: 'quote' }],
    comments: [{ id: `c${seq}`, author: { id: 'u1', name: 'Ana' }, text, at: 1 }],
  },
});
const logged = (...events: DiscussionEventT[]) =>
  events.map((e) => ({ seq: e.seq, json: JSON.stringify(e) }));

describe('ReplayLog', () => {
  const limits = { maxEvents: 100, maxBytes: 1_000_000 };

  it('answers every since it covers, and extends with creations that continue it', () => {
    const log = ReplayLog.of(2, 4, logged(created(3), created(4)), limits);
    expect(log.covers(1)).toBe(false);
    expect(log.covers(2)).toBe(true);
    expect(log.covers(4)).toBe(true);
    expect(log.covers(5)).toBe(false);
    expect(log.extend(6, [created(4), created(5), created(6)])).toBe(true);
    expect(log.after(3).map((e) => e.seq)).toEqual([4, 5, 6]);
    expect(log.after(6)).toEqual([]);
  });

  it('refuses an edit, a delete or a gap', () => {
    const edit: DiscussionEventT = {
      type: 'updated-text-chat',
      page: PAGE,
      seq: 5,
      broadcastId: 'b5',
      chatId: 'chat-3',
      change: { op: 'edit-comment', commentId: 'c3', text: 'new', editedAt: 2 },
    };
    const drop: DiscussionEventT = {
      type: 'deleted-text-chat',
      page: PAGE,
      seq: 5,
      broadcastId: 'b5',
      chatId: 'chat-3',
    };
    expect(ReplayLog.of(2, 4, logged(created(3), created(4)), limits).extend(5, [edit])).toBe(false);
    expect(ReplayLog.of(2, 4, logged(created(3), created(4)), limits).extend(5, [drop])).toBe(false);
    expect(ReplayLog.of(2, 4, logged(created(3), created(4)), limits).extend(6, [created(6)])).toBe(false);
    // The store has more than the read returned (its limit cut it): the log does not claim to be whole.
    expect(ReplayLog.of(2, 4, logged(created(3), created(4)), limits).extend(6, [created(5)])).toBe(false);
  });

  it('forgets its oldest events beyond its bounds', () => {
    const log = ReplayLog.of(0, 4, logged(created(1), created(2), created(3), created(4)), {
      maxEvents: 2,
      maxBytes: 1_000_000,
    });
    expect(log.covers(1)).toBe(false);
    expect(log.covers(2)).toBe(true);
    expect(log.after(2).map((e) => e.seq)).toEqual([3, 4]);
    const one = JSON.stringify(created(1)).length;
    const small = ReplayLog.of(0, 3, logged(created(1), created(2), created(3)), {
      maxEvents: 100,
      maxBytes: one + 1,
    });
    expect(small.covers(2)).toBe(true);
    expect(small.covers(1)).toBe(false);
  });
});

describe('Hub replays from the replay log', () => {
  let dir: string;
  let store: SqliteStore;
  let bus: MemoryBus;
  let hub: Hub;
  /** The `since` of every replay read the store answered. */
  let reads: number[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'collab-chat-replay-log-'));
    store = openSqliteStore(join(dir, 'hub.db'));
    const eventsSince = store.eventsSince.bind(store);
    reads = [];
    store.eventsSince = (t, p, since, limit) => {
      reads.push(since);
      return eventsSince(t, p, since, limit);
    };
    bus = new MemoryBus();
    hub = new Hub({ store, bus, presence: new MemoryPresence(), replayLimit: 500 });
  });
  afterEach(async () => {
    hub.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function commit(frame: Parameters<typeof commitWrite>[2], publish = true) {
    const result = await commitWrite(store, tenantId, frame, actor);
    if (result.status !== 'applied') throw new Error(result.status);
    if (publish) await bus.publish({ tenantId, page: PAGE }, JSON.stringify(result.event));
    return result.event;
  }

  /** What a fresh read of the store replays after `since`. */
  async function truth(since: number) {
    return (await store.eventsSince(tenantId, PAGE, since, 500))!.events;
  }

  async function replayTo(since: number) {
    const sub = new Recorder(tenantId, `u-${Math.random()}`);
    await hub.subscribe(sub, PAGE, since);
    hub.unsubscribe(sub, PAGE);
    return sub.replays().flatMap((f) => (f.type === 'replay' ? f.events : []));
  }

  it('reads the range once for clients coming back together, then only what is new', async () => {
    // One member stays, so the room (and its log) lives on between the others' resubscribes.
    const stays = new Recorder(tenantId, 'u-stays');
    await hub.subscribe(stays, PAGE);
    const first = await commit(createChat());
    for (let i = 0; i < 5; i++) await commit(addComment(first.type === 'new-text-chat' ? first.chat.id : ''));
    reads.length = 0;
    const a = await replayTo(0);
    const b = await replayTo(0);
    const c = await replayTo(2);
    const readsBefore = [...reads];
    expect(a).toEqual(await truth(0));
    expect(b).toEqual(a);
    expect(c).toEqual(await truth(2));
    await commit(createChat());
    reads.length = 0;
    const d = await replayTo(0);
    expect(d).toEqual(await truth(0));
    // A full read for the first; the others asked the store only for what came after seq 6.
    expect(readsBefore).toEqual([0, 6, 6]);
    expect(reads[0]).toBe(6);
  });

  it('holds no edited or deleted text once the edit or delete reaches the room', async () => {
    const stays = new Recorder(tenantId, 'u-stays');
    await hub.subscribe(stays, PAGE);
    const chat = createChat({ text: 'the original wording' });
    await commit(chat);
    const reply = addComment(chat.chatId, { text: 'a reply to be removed' });
    await commit(reply);
    expect(JSON.stringify(await replayTo(0))).toContain('the original wording');
    await commit(editComment(chat.chatId, chat.commentId, 'the new wording'));
    const afterEdit = await replayTo(0);
    expect(afterEdit).toEqual(await truth(0));
    expect(JSON.stringify(afterEdit)).not.toContain('the original wording');
    await commit(deleteComment(chat.chatId, reply.commentId));
    const afterDelete = await replayTo(0);
    expect(afterDelete).toEqual(await truth(0));
    expect(JSON.stringify(afterDelete)).not.toContain('a reply to be removed');
  });

  it('sees an edit that never came over the bus (another node) in the store', async () => {
    const stays = new Recorder(tenantId, 'u-stays');
    await hub.subscribe(stays, PAGE);
    const chat = createChat({ text: 'before the edit' });
    await commit(chat);
    await replayTo(0);
    await commit(editComment(chat.chatId, chat.commentId, 'after the edit'), false);
    const replay = await replayTo(0);
    expect(replay).toEqual(await truth(0));
    expect(JSON.stringify(replay)).not.toContain('before the edit');
  });
});
