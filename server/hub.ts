// Rooms: one per (tenant, page) with subscribers on this node. A room owns its subscribers, the
// distinct users among them (presence) and its bus subscription, and fans each event out as the
// one string the bus delivered. Subscribing registers first and reads the snapshot after, queuing
// live events meanwhile, so nothing falls between the snapshot and the live stream. Each room's
// bus frames pass through a RoomSequencer first: with several nodes they may arrive out of seq
// order or, after a bus outage, not at all, and it restores the order from the store.
import type { ChatEventT, ReplayFrame, SnapshotFrame } from '../lib/protocol';
import { roomId } from './bus/memory';
import { RoomSequencer } from './bus/sequencer';
import type { Bus, RoomKey } from './bus/types';
import type { PresenceBoard } from './presence/types';
import type { Store } from './store/types';

/** What the hub needs of a connection. */
export interface Subscriber {
  readonly tenantId: string;
  readonly userId: string;
  /**
   * Sends one serialised frame of `page`, or drops it when the connection is gone. `live` frames
   * (events and presence) may be batched with others; the rest go out in order after them.
   */
  deliver(frame: string, page: string, live: boolean): void;
  /** Reports a failed subscription to the client. */
  subscribeFailed(page: string, message: string): void;
}

interface Membership {
  /** Live frames held back while this member's snapshot or replay is being read; null once sent. */
  pending: string[] | null;
  /** Bumped by every (re)subscribe, so only the latest read answers. */
  generation: number;
}

interface Room {
  key: RoomKey;
  members: Map<Subscriber, Membership>;
  /** Sockets per user id: presence counts users, not sockets. */
  users: Map<string, number>;
  /** The last count announced to this room's subscribers. */
  count: number;
  stopBus: () => void;
  sequencer: RoomSequencer;
}

export class Hub {
  private readonly rooms = new Map<string, Room>();
  private readonly stopPresence: () => void;
  private readonly stopMissed: () => void;

  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly presence: PresenceBoard,
    private readonly replayLimit: number,
    /** How long an event that arrived ahead of its seq waits before the gap is read from the store. */
    private readonly gapWaitMs = 100,
    private readonly log: (message: string) => void = () => {},
  ) {
    this.stopPresence = presence.onCount((key, count) => this.announceCount(key, count));
    this.stopMissed =
      bus.onMissed?.(() => {
        for (const room of this.rooms.values()) room.sequencer.catchUp();
      }) ?? (() => {});
  }

  /** Subscribes (or resyncs an existing subscription) and sends the snapshot or replay. */
  async subscribe(sub: Subscriber, page: string, since?: number): Promise<void> {
    const key: RoomKey = { tenantId: sub.tenantId, page };
    const room = this.roomFor(key);
    let member = room.members.get(sub);
    if (!member) {
      member = { pending: [], generation: 0 };
      room.members.set(sub, member);
      this.addUser(room, sub.userId);
    } else {
      member.pending ??= [];
    }
    const generation = ++member.generation;

    let answer: SnapshotFrame | ReplayFrame;
    try {
      const replay =
        since === undefined
          ? null
          : await this.store.eventsSince(key.tenantId, page, since, this.replayLimit);
      if (replay) {
        answer = { type: 'replay', page, seq: replay.seq, events: replay.events };
      } else {
        const snap = await this.store.snapshot(key.tenantId, page);
        answer = { type: 'snapshot', page, seq: snap.seq, chats: snap.chats };
      }
    } catch (err) {
      if (this.isCurrent(key, sub, member, generation)) {
        this.unsubscribe(sub, page);
        sub.subscribeFailed(page, `could not read the page: ${(err as Error).message}; subscribe again`);
      }
      return;
    }
    // Unsubscribed, or subscribed again, while reading: the later request answers.
    if (!this.isCurrent(key, sub, member, generation)) return;

    sub.deliver(JSON.stringify(answer), page, false);
    const held = member.pending ?? [];
    member.pending = null;
    for (const frame of held) {
      if ((JSON.parse(frame) as ChatEventT).seq > answer.seq) sub.deliver(frame, page, true);
    }
    // The first answer tells the room's sequencer where the stream stands; frames it held
    // meanwhile follow the answer.
    room.sequencer.start(answer.seq);
    sub.deliver(JSON.stringify({ type: 'presence', page, count: room.count }), page, true);
  }

  /** False when the connection was not subscribed to the page. */
  unsubscribe(sub: Subscriber, page: string): boolean {
    const id = roomId({ tenantId: sub.tenantId, page });
    const room = this.rooms.get(id);
    if (!room || !room.members.delete(sub)) return false;
    this.removeUser(room, sub.userId);
    if (room.members.size === 0) {
      room.stopBus();
      room.sequencer.close();
      this.rooms.delete(id);
    }
    return true;
  }

  /** How many distinct users view the page on this node (for tests and metrics). */
  localUsers(key: RoomKey): number {
    return this.rooms.get(roomId(key))?.users.size ?? 0;
  }

  /** What the hub holds, for leak checks: rooms, subscriptions, and those still awaiting their answer. */
  stats(): { rooms: number; subscriptions: number; pendingSubscriptions: number } {
    let subscriptions = 0;
    let pendingSubscriptions = 0;
    for (const room of this.rooms.values()) {
      subscriptions += room.members.size;
      for (const member of room.members.values()) if (member.pending) pendingSubscriptions += 1;
    }
    return { rooms: this.rooms.size, subscriptions, pendingSubscriptions };
  }

  close(): void {
    this.stopPresence();
    this.stopMissed();
    for (const room of this.rooms.values()) {
      room.stopBus();
      room.sequencer.close();
    }
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
        members: new Map(),
        users: new Map(),
        count: 0,
        stopBus: () => {},
        sequencer: new RoomSequencer({
          gapWaitMs: this.gapWaitMs,
          replayLimit: this.replayLimit,
          eventsSince: (since, limit) => this.store.eventsSince(key.tenantId, key.page, since, limit),
          deliver: (frame) => this.fanOut(created, frame),
          // Too far behind to fill: every member takes a fresh snapshot, which restarts the order.
          resync: () => {
            for (const sub of created.members.keys()) void this.subscribe(sub, key.page);
          },
          log: this.log,
        }),
      };
      this.rooms.set(id, created);
      created.stopBus = this.bus.subscribe(key, (_key, frame) => created.sequencer.push(frame));
      room = created;
    }
    return room;
  }

  private fanOut(room: Room, frame: string): void {
    for (const [sub, member] of room.members) {
      if (member.pending) member.pending.push(frame);
      else sub.deliver(frame, room.key.page, true);
    }
  }

  private addUser(room: Room, userId: string): void {
    const n = room.users.get(userId) ?? 0;
    room.users.set(userId, n + 1);
    if (n === 0) this.presence.setLocal(room.key, new Set(room.users.keys()));
  }

  private removeUser(room: Room, userId: string): void {
    const n = room.users.get(userId) ?? 0;
    if (n > 1) {
      room.users.set(userId, n - 1);
      return;
    }
    room.users.delete(userId);
    this.presence.setLocal(room.key, new Set(room.users.keys()));
  }

  private announceCount(key: RoomKey, count: number): void {
    const room = this.rooms.get(roomId(key));
    if (!room || room.count === count) return;
    room.count = count;
    const frame = JSON.stringify({ type: 'presence', page: key.page, count });
    for (const [sub, member] of room.members) if (!member.pending) sub.deliver(frame, key.page, true);
  }
}
