// Rooms: one per (tenant, page) with subscribers on this node. A room owns its subscribers, the
// distinct users among them (presence) and its bus subscription, and fans each event out as the
// one string the bus delivered. Subscribing registers first and reads the snapshot after, queuing
// live events meanwhile, so nothing falls between the snapshot and the live stream. Each room's
// bus frames pass through a RoomSequencer first: with several nodes they may arrive out of seq
// order or, after a bus outage, not at all, and it restores the order from the store.
// Nothing depends on one PUBLISH arriving: `reconcile()` compares every room's last delivered seq
// with the store's latest, for all rooms in one query (about once a second with several nodes, and
// at once after any bus trouble), and a room that is behind fills the gap from the store, in order.
// A room's fan-out goes through its delivery queue: frames leave in order, each to every member
// before the next starts, at most `fanOutSlice` sockets per event-loop turn, so a broadcast to
// thousands of sockets does not block the loop for the whole room.
import {
  LIMITS,
  liveEvent,
  wireDiscussion,
  wireEvent,
  type AuthorsT,
  type DiscussionEventT,
  type SnapshotT,
  type WireReplayT,
  type WireSnapshotT,
} from '../lib/protocol';
import { RoomSequencer } from './bus/sequencer';
import { roomId, type Bus, type RoomKey } from './bus/types';
import type { PresenceBoard } from './presence/types';
import { isCreation, ReplayLog, type LoggedEvent, type RenderEvent } from './replay-log';
import { partKey, SnapshotParts } from './snapshot-parts';
import type { Store } from './store/types';

/** What the hub needs of a connection. */
export interface Subscriber {
  readonly tenantId: string;
  readonly userId: string;
  /**
   * Sends one serialised frame of `page`, or drops it when the connection is gone. `live` frames
   * (events and presence) may be batched with others; the rest go out in order after them.
   */
  deliver(frame: string | Buffer, page: string, live: boolean): void;
  /** Reports a failed subscription to the client. */
  subscribeFailed(page: string, message: string): void;
}

interface Membership {
  /** Live frames held back while this member's snapshot or replay is being read; null once sent. */
  held: string[] | null;
  /** Bumped by every (re)subscribe, so only the latest read answers. */
  generation: number;
  /**
   * The seq this member holds up to (its answer's, then each live event's): a queued event it
   * already has, because its answer came between the event's queuing and its turn, is skipped.
   */
  seq: number;
}

/** A frame waiting in a room's delivery queue; `seq` is null for frames without one (presence). */
interface QueuedFrame {
  frame: string;
  seq: number | null;
}

interface Room {
  key: RoomKey;
  /** The page's alias in this room's frames: unique on this node, never reused. */
  alias: number;
  /**
   * Authors (id → name) named to every member so far: a live event names its author by id alone
   * once the room has named them; each answer to a subscribe names them all (with its own authors).
   */
  named: Map<string, string>;
  members: Map<Subscriber, Membership>;
  /** Sockets per user id: presence counts users, not sockets. */
  users: Map<string, number>;
  /**
   * The keys of `users`, kept alongside, for the presence board: copying the keys at every join
   * made a burst of n joins cost O(n²).
   */
  userIds: Set<string>;
  /** The last count announced to this room's subscribers. */
  count: number;
  stopBus: () => void;
  sequencer: RoomSequencer;
  /**
   * The delivery queue: frames to fan out, oldest first; the head one is partly delivered while
   * `cursor` is set.
   */
  deliveryQueue: QueuedFrame[];
  /** Where the head frame's delivery stands; members added meanwhile are visited too. */
  cursor: Iterator<[Subscriber, Membership]> | null;
  /** A later turn will continue the queue (a drain is due or running). */
  draining: boolean;
  closed: boolean;
  /** The events last replayed, kept to answer the next replays (see ReplayLog); null when none. */
  replayLog: ReplayLog | null;
  /** Bumped by each edit or delete seen live: a read begun before one may not start a log. */
  rewrites: number;
}

/** The most a room's replay log holds, in characters of JSON (events beyond it are read again). */
const REPLAY_LOG_BYTES = 256 * 1024;

/** Rooms checked against the store per query. */
const RECONCILE_BATCH = 500;

export interface HubOptions {
  store: Store;
  bus: Bus;
  presence: PresenceBoard;
  /** The most events a replay answers with; a client further behind gets a snapshot. */
  replayLimit: number;
  /** How long an event that arrived ahead of its seq waits before the gap is read from the store (100 ms). */
  gapWaitMs?: number;
  log?: (message: string) => void;
  /** Sockets served per event-loop turn by one room's fan-out (256). */
  fanOutSlice?: number;
  /** Largest snapshot or replay frame, in bytes of JSON (roughly: UTF-8 counted per character). */
  frameBytes?: number;
  /** The fixed part of what each read of an answer costs (see SubscribeBudget). */
  readCostBytes?: number;
  /** The most the snapshot parts kept for reuse hold, all rooms together (32 MiB). */
  snapshotCacheBytes?: number;
}

export class Hub {
  private readonly rooms = new Map<string, Room>();
  private readonly stopPresence: () => void;
  private readonly stopMissed: () => void;
  /** A reconciliation is running; another asked meanwhile runs right after it. */
  private reconciling: Promise<void> | null = null;
  private reconcileAgain = false;
  private lastAlias = 0;
  /** Snapshot parts as sent, reused while their page does not change. */
  private readonly parts: SnapshotParts;

  private readonly store: Store;
  private readonly bus: Bus;
  private readonly presence: PresenceBoard;
  private readonly replayLimit: number;
  private readonly gapWaitMs: number;
  private readonly log: (message: string) => void;
  private readonly fanOutSlice: number;
  private readonly frameBytes: number;
  private readonly readCostBytes: number;

  constructor(options: HubOptions) {
    const { store, bus, presence } = options;
    this.store = store;
    this.bus = bus;
    this.presence = presence;
    this.replayLimit = options.replayLimit;
    this.gapWaitMs = options.gapWaitMs ?? 100;
    this.log = options.log ?? (() => {});
    this.fanOutSlice = options.fanOutSlice ?? 256;
    this.frameBytes = options.frameBytes ?? LIMITS.snapshotFrameBytes;
    this.readCostBytes = options.readCostBytes ?? LIMITS.subscribeReadCostBytes;
    this.parts = new SnapshotParts(options.snapshotCacheBytes ?? 32 * 1024 * 1024);
    this.stopPresence = presence.onCount((key, count) => this.announceCount(key, count));
    this.stopMissed = bus.onMissed?.(() => void this.reconcile()) ?? (() => {});
  }

  /**
   * Checks every room that has started against the store's latest seq (one query per 500 rooms); a
   * room behind reads what it missed from the store. Resolves when done; never rejects.
   */
  reconcile(): Promise<void> {
    if (this.reconciling) {
      this.reconcileAgain = true;
      return this.reconciling;
    }
    this.reconciling = (async () => {
      do {
        this.reconcileAgain = false;
        const rooms = [...this.rooms.values()].filter((r) => r.sequencer.lastSeq !== null);
        for (let i = 0; i < rooms.length; i += RECONCILE_BATCH) {
          const batch = rooms.slice(i, i + RECONCILE_BATCH);
          let latest: number[];
          try {
            latest = await this.store.latestSeqs(batch.map((r) => r.key));
          } catch (err) {
            this.log(`checking rooms against the store failed (${(err as Error).message}); retrying`);
            return;
          }
          batch.forEach((room, j) => {
            const delivered = room.sequencer.lastSeq;
            if (!room.closed && delivered !== null && latest[j]! > delivered) room.sequencer.catchUp();
          });
        }
      } while (this.reconcileAgain);
    })().finally(() => {
      this.reconciling = null;
    });
    return this.reconciling;
  }

  /**
   * False when a subscribe can be answered without reading the store: the connection is already
   * subscribed, its answer was sent, and `since` is the seq it was last sent for the page.
   */
  needsRead(sub: Subscriber, page: string, since?: number): boolean {
    const member = this.rooms.get(roomId({ tenantId: sub.tenantId, page }))?.members.get(sub);
    return !(member && member.held === null && since === member.seq);
  }

  /**
   * Subscribes (or resyncs an existing subscription) and sends the snapshot or replay, then the
   * presence. Resolves with what the answer cost, in bytes (0 when it needed no read).
   */
  async subscribe(sub: Subscriber, page: string, since?: number): Promise<number> {
    const key: RoomKey = { tenantId: sub.tenantId, page };
    const room = this.roomFor(key);
    let member = room.members.get(sub);
    if (member && !this.needsRead(sub, page, since)) {
      // Up to date already: nothing to read, nothing new to send.
      const empty: WireReplayT = { type: 'replay', page, alias: room.alias, seq: member.seq, events: [] };
      sub.deliver(JSON.stringify(empty), page, false);
      sub.deliver(JSON.stringify({ type: 'presence', page, count: room.count }), page, true);
      return 0;
    }
    if (!member) {
      member = { held: [], generation: 0, seq: 0 };
      room.members.set(sub, member);
      this.addUser(room, sub.userId);
    } else {
      member.held ??= [];
    }
    const generation = ++member.generation;

    // The answer: a replay cut into frames of bounded size, or the snapshot's first part (its
    // further parts are read one by one below, while live frames keep waiting in `held`).
    let frames: (string | Buffer)[];
    let seq: number;
    let next: string | null = null;
    // What the frame's envelope (type, page, seq, part) leaves for its discussions or events.
    const budget = this.frameBytes - Buffer.byteLength(page) - 96;
    // The first frame of the answer also names every author the room's live events may name by id:
    // those named when the answer is made (after the read), so events held back meanwhile are
    // covered too. Room for them is kept before the read, with 1 KiB for authors named during it.
    const firstBudget = budget - JSON.stringify(Object.fromEntries(room.named)).length - 1024;
    const named = () => Object.fromEntries(room.named);
    // What this answer costs the subscribe budget: each read, and each frame's size.
    let cost = this.readCostBytes;
    try {
      await this.turn();
      if (!this.isCurrent(key, sub, member, generation)) return cost;
      const replay = since === undefined ? null : await this.readReplay(room, since);
      if (replay) {
        seq = replay.seq;
        frames = replayFrames(page, room.alias, replay.seq, replay.events, budget, named());
      } else {
        const id = roomId(key);
        const partAt = partKey(null, firstBudget);
        // The page's seq now (one row): parts kept at that seq are the page as it is.
        const [known] = await this.store.latestSeqs([key]);
        const kept = known === undefined ? undefined : this.parts.get(id, known, partAt);
        if (kept) {
          seq = known!;
          next = kept.next;
          frames = [kept.data];
        } else {
          const first = await this.store.snapshotPage(key.tenantId, page, null, firstBudget);
          seq = first.seq;
          next = first.next;
          const data = Buffer.from(
            snapshotFrame(page, room.alias, seq, first.discussions, 0, next !== null, named()),
          );
          frames = [data];
          this.keepPart(room, seq, partAt, data, next);
        }
      }
    } catch (err) {
      this.readFailed(key, sub, member, generation, err);
      return cost;
    }
    // Unsubscribed, or subscribed again (a resync of the room), while reading: the later one answers.
    if (!this.isCurrent(key, sub, member, generation)) return cost;
    for (const frame of frames) {
      sub.deliver(frame, page, false);
      cost += frame.length;
    }
    for (let part = 1; next !== null; part++) {
      await this.turn();
      if (!this.isCurrent(key, sub, member, generation)) return cost;
      const partAt = partKey(next, budget);
      const kept = this.parts.get(roomId(key), seq, partAt);
      if (kept) {
        next = kept.next;
        sub.deliver(kept.data, page, false);
        cost += kept.data.length;
        continue;
      }
      let discussions;
      cost += this.readCostBytes;
      try {
        ({ discussions, next } = await this.store.snapshotPage(key.tenantId, page, next, budget));
      } catch (err) {
        this.readFailed(key, sub, member, generation, err);
        return cost;
      }
      if (!this.isCurrent(key, sub, member, generation)) return cost;
      const data = Buffer.from(snapshotFrame(page, room.alias, seq, discussions, part, next !== null, {}));
      this.keepPart(room, seq, partAt, data, next);
      sub.deliver(data, page, false);
      cost += data.length;
    }

    const heldFrames = member.held ?? [];
    member.held = null;
    member.seq = seq;
    for (const frame of heldFrames) {
      const seq = (JSON.parse(frame) as DiscussionEventT).seq;
      if (seq > member.seq) {
        member.seq = seq;
        sub.deliver(frame, page, true);
      }
    }
    // The first answer tells the room's sequencer where the stream stands; frames it held
    // meanwhile follow the answer.
    room.sequencer.start(seq);
    sub.deliver(JSON.stringify({ type: 'presence', page, count: room.count }), page, true);
    return cost;
  }

  /**
   * Keeps a snapshot part for the next subscribes of its answer's seq. A part may hold writes after
   * that seq (parts are read one by one); it is given out again only while the store is at that seq,
   * so never with anything it lacks or anything that came after.
   */
  private keepPart(room: Room, seq: number, at: string, data: Buffer, next: string | null): void {
    if (!room.closed) this.parts.set(roomId(room.key), seq, at, { data, next });
  }

  /** An event as this room's replays send it: its wire form (every selector), with the authors it names. */
  private renderFor(room: Room): RenderEvent {
    return (event) => {
      const authors: AuthorsT = {};
      const json = JSON.stringify(wireEvent(event, room.alias, authors, false));
      return { seq: event.seq, json, authors };
    };
  }

  /**
   * The events after `since` and the page's seq, or null when the store no longer holds them all
   * (the client then takes a snapshot). Answered from the room's replay log when it covers `since`:
   * the store is then asked only for what came after the log's end.
   */
  private async readReplay(
    room: Room,
    since: number,
  ): Promise<{ seq: number; events: LoggedEvent[] } | null> {
    const { tenantId, page } = room.key;
    const log = room.replayLog;
    if (log?.covers(since)) {
      const tail = await this.store.eventsSince(tenantId, page, log.to, this.replayLimit);
      // Another replay may have replaced or dropped the log meanwhile; this one still answers from it.
      if (tail && log.extend(tail.seq, tail.events)) return { seq: tail.seq, events: log.after(since) };
      if (room.replayLog === log) room.replayLog = null;
    }
    const rewrites = room.rewrites;
    const read = await this.store.eventsSince(tenantId, page, since, this.replayLimit);
    if (!read) return null;
    const render = this.renderFor(room);
    const events = read.events.map(render);
    if (!room.closed && room.rewrites === rewrites) {
      room.replayLog = ReplayLog.of(since, read.seq, events, {
        render,
        maxEvents: this.replayLimit,
        maxBytes: REPLAY_LOG_BYTES,
      });
    }
    return { seq: read.seq, events };
  }

  /**
   * Waits for this read's turn: snapshot parts and replays of every subscriber are read one per
   * event-loop iteration, so a storm of subscribes never stacks several reads into one long task;
   * sockets, writes and /healthz are served in between.
   */
  private turn(): Promise<void> {
    return new Promise((resolve) => {
      this.reads.push(resolve);
      if (!this.pumping) {
        this.pumping = true;
        setImmediate(this.pump);
      }
    });
  }

  private readonly reads: (() => void)[] = [];
  private pumping = false;
  private readonly pump = (): void => {
    // The read resumes in this callback's microtasks; the next one waits for the next iteration.
    this.reads.shift()?.();
    if (this.reads.length > 0) setImmediate(this.pump);
    else this.pumping = false;
  };

  private readFailed(
    key: RoomKey,
    sub: Subscriber,
    member: Membership,
    generation: number,
    err: unknown,
  ): void {
    if (!this.isCurrent(key, sub, member, generation)) return;
    this.unsubscribe(sub, key.page);
    sub.subscribeFailed(key.page, `could not read the page: ${(err as Error).message}; subscribe again`);
  }

  /** False when the connection was not subscribed to the page. */
  unsubscribe(sub: Subscriber, page: string): boolean {
    const id = roomId({ tenantId: sub.tenantId, page });
    const room = this.rooms.get(id);
    if (!room || !room.members.delete(sub)) return false;
    this.removeUser(room, sub.userId);
    if (room.members.size === 0) {
      this.closeRoom(room);
      this.rooms.delete(id);
    }
    return true;
  }

  /** The room's own copy of `page` when the room exists, so its subscribers can share one string. */
  sharedPage(tenantId: string, page: string): string {
    return this.rooms.get(roomId({ tenantId, page }))?.key.page ?? page;
  }

  /** How many distinct users view the page on this node (for tests and metrics). */
  localUsers(key: RoomKey): number {
    return this.rooms.get(roomId(key))?.users.size ?? 0;
  }

  /**
   * A member of the tenant was removed or erased: their name left the stored rows without a change
   * to any page, so what this node keeps of the tenant's open rooms in wire form (snapshot parts,
   * the replay log, the authors named so far) goes; the next subscribe reads the rows afresh.
   */
  forgetNames(tenantId: string): void {
    for (const [id, room] of this.rooms) {
      if (room.key.tenantId !== tenantId) continue;
      this.parts.drop(id);
      room.replayLog = null;
      room.named.clear();
    }
  }

  /** What the hub holds, for leak checks: rooms, subscriptions, and those still awaiting their answer. */
  stats(): { rooms: number; subscriptions: number; unansweredSubscriptions: number } {
    let subscriptions = 0;
    let unansweredSubscriptions = 0;
    for (const room of this.rooms.values()) {
      subscriptions += room.members.size;
      for (const member of room.members.values()) if (member.held) unansweredSubscriptions += 1;
    }
    return { rooms: this.rooms.size, subscriptions, unansweredSubscriptions };
  }

  close(): void {
    this.stopPresence();
    this.stopMissed();
    for (const room of this.rooms.values()) this.closeRoom(room);
    this.rooms.clear();
  }

  private isCurrent(key: RoomKey, sub: Subscriber, member: Membership, generation: number): boolean {
    return this.rooms.get(roomId(key))?.members.get(sub) === member && member.generation === generation;
  }

  private roomFor(key: RoomKey): Room {
    const id = roomId(key);
    let room = this.rooms.get(id);
    if (!room) {
      const created: Room = {
        key,
        alias: ++this.lastAlias,
        named: new Map(),
        members: new Map(),
        users: new Map(),
        userIds: new Set(),
        count: 0,
        stopBus: () => {},
        sequencer: new RoomSequencer({
          gapWaitMs: this.gapWaitMs,
          replayLimit: this.replayLimit,
          eventsSince: (since, limit) => this.store.eventsSince(key.tenantId, key.page, since, limit),
          // Bus frames are the store's events; subscribers get them in the wire form, made once per room.
          deliver: (frame, seq) => {
            if (seq === null) return this.enqueue(created, frame, seq);
            this.parts.drop(id);
            const event = JSON.parse(frame) as DiscussionEventT;
            // An edit or a delete changes how earlier events render: the log no longer holds what
            // a read would give.
            if (!isCreation(event)) {
              created.replayLog = null;
              created.rewrites++;
            }
            this.enqueue(created, JSON.stringify(liveEvent(event, created.alias, created.named)), seq);
          },
          // Too far behind to fill: every member takes a fresh snapshot, which restarts the order.
          resync: () => {
            for (const sub of created.members.keys()) void this.subscribe(sub, key.page);
          },
          log: this.log,
        }),
        deliveryQueue: [],
        cursor: null,
        draining: false,
        closed: false,
        replayLog: null,
        rewrites: 0,
      };
      this.rooms.set(id, created);
      created.stopBus = this.bus.subscribe(key, (_key, frame) => created.sequencer.push(frame));
      room = created;
    }
    return room;
  }

  private closeRoom(room: Room): void {
    room.closed = true;
    room.replayLog = null;
    this.parts.drop(roomId(room.key));
    room.deliveryQueue = [];
    room.cursor = null;
    room.stopBus();
    room.sequencer.close();
  }

  /**
   * Queues a frame for every member. With nothing queued before it, it starts in this turn (a room
   * smaller than a slice is served at once, as before); otherwise it waits for the frames ahead.
   */
  private enqueue(room: Room, frame: string, seq: number | null): void {
    if (room.closed) return;
    // A presence count not yet started is outdated by a newer one: when many join at once (a
    // reconnect storm), each member gets the latest count rather than one frame per join.
    const queue = room.deliveryQueue;
    const last = queue.length > 1 ? queue[queue.length - 1]! : null;
    if (seq === null && last?.seq === null) last.frame = frame;
    else queue.push({ frame, seq });
    if (!room.draining) this.drain(room);
  }

  /** Serves up to one slice of sockets, then yields the loop to continue in a later turn. */
  private drain(room: Room): void {
    room.draining = true;
    let budget = this.fanOutSlice;
    while (!room.closed && room.deliveryQueue.length > 0) {
      const { frame, seq } = room.deliveryQueue[0]!;
      room.cursor ??= room.members.entries();
      for (;;) {
        if (budget === 0) {
          setImmediate(() => this.drain(room));
          return;
        }
        // Re-read: a delivery may close the socket and, with it, the room.
        if (room.closed) break;
        const next = room.cursor.next();
        if (next.done) break;
        const [sub, member] = next.value;
        budget--;
        if (member.held) {
          if (seq !== null) member.held.push(frame);
        } else if (seq === null) {
          sub.deliver(frame, room.key.page, true);
        } else if (seq > member.seq) {
          member.seq = seq;
          sub.deliver(frame, room.key.page, true);
        }
      }
      room.cursor = null;
      room.deliveryQueue.shift();
    }
    room.draining = false;
  }

  private addUser(room: Room, userId: string): void {
    const n = room.users.get(userId) ?? 0;
    room.users.set(userId, n + 1);
    if (n === 0) {
      room.userIds.add(userId);
      this.presence.setLocal(room.key, room.userIds);
    }
  }

  private removeUser(room: Room, userId: string): void {
    const n = room.users.get(userId) ?? 0;
    if (n > 1) {
      room.users.set(userId, n - 1);
      return;
    }
    room.users.delete(userId);
    room.userIds.delete(userId);
    this.presence.setLocal(room.key, room.userIds);
  }

  private announceCount(key: RoomKey, count: number): void {
    const room = this.rooms.get(roomId(key));
    if (!room || room.count === count) return;
    room.count = count;
    this.enqueue(room, JSON.stringify({ type: 'presence', page: key.page, count }), null);
  }
}

/** One snapshot frame: `authors` names the authors of its comments and any more it is given. */
function snapshotFrame(
  page: string,
  alias: number,
  seq: number,
  discussions: SnapshotT['chats'],
  part: number,
  more: boolean,
  named: AuthorsT,
): string {
  const authors: AuthorsT = { ...named };
  const frame: WireSnapshotT = {
    type: 'snapshot',
    page,
    alias,
    seq,
    chats: discussions.map((d) => wireDiscussion(d, authors)),
    authors,
  };
  if (part > 0) frame.part = part;
  if (more) frame.more = true;
  return JSON.stringify(frame);
}

/**
 * A replay as frames of at most about `maxBytes` each: every frame but the last ends at its own
 * last event's seq, so a client applies them one after another like one replay. Each frame names
 * the authors of its events; the first also those in `named`.
 */
export function replayFrames(
  page: string,
  alias: number,
  seq: number,
  events: readonly LoggedEvent[],
  maxBytes: number,
  named: AuthorsT = {},
): string[] {
  const frames: string[] = [];
  let chunk: string[] = [];
  let authors: AuthorsT = { ...named };
  let bytes = JSON.stringify(authors).length;
  let last = events[0] ? events[0].seq - 1 : seq;
  const flush = (upTo: number) => {
    const head: Omit<WireReplayT, 'events'> = { type: 'replay', page, alias, seq: upTo, authors };
    frames.push(`${JSON.stringify(head).slice(0, -1)},"events":[${chunk.join(',')}]}`);
    chunk = [];
    authors = {};
    bytes = 2;
  };
  for (const { seq: eventSeq, json, authors: mentioned = {} } of events) {
    let size = Buffer.byteLength(json) + 1;
    for (const [id, name] of Object.entries(mentioned))
      if (!(id in authors)) size += Buffer.byteLength(JSON.stringify({ [id]: name }));
    if (chunk.length > 0 && bytes + size > maxBytes) flush(last);
    chunk.push(json);
    Object.assign(authors, mentioned);
    bytes += size;
    last = eventSeq;
  }
  flush(seq);
  return frames;
}
