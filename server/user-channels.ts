// Frames for one user rather than one page (a new notification, notifications marked read, a page
// watched, a discussion read): sent to every connection of that user on every node, over the bus on
// a channel of the user's own, which a node listens to while it holds a connection of that user.
// The channel's name cannot meet a page's: page keys are http(s) URLs.
import type { ServerFrameT } from '../lib/protocol';
import type { Bus, RoomKey } from './bus/types';
import type { Store } from './store/types';
import { LIMITS } from '../lib/protocol';

/** A connection as the user channels see it. */
export interface UserMember {
  readonly tenantId: string;
  readonly userId: string;
  deliver(frame: string): void;
}

interface Line {
  tenantId: string;
  userId: string;
  members: Set<UserMember>;
  /** The highest notification seq this node has delivered to the user, to find what the bus lost. */
  seq: number;
  /** The recent seqs delivered: frames from several nodes may come out of order, but never twice. */
  delivered: Set<number>;
  stop(): void;
}

/** Seqs remembered per user to drop duplicates (far more than arrive out of order). */
const DELIVERED_KEPT = 1000;

const userRoom = (tenantId: string, userId: string): RoomKey => ({ tenantId, page: `user:${userId}` });
const lineId = (tenantId: string, userId: string) => `${tenantId}\n${userId}`;

export class UserChannels {
  private readonly lines = new Map<string, Line>();
  private readonly stopMissed: () => void;

  constructor(
    private readonly bus: Bus,
    private readonly store: Store,
    private readonly log: (message: string) => void = () => {},
  ) {
    this.stopMissed = bus.onMissed?.(() => void this.catchUp()) ?? (() => {});
  }

  /** The connection starts receiving its user's frames. */
  join(member: UserMember): void {
    const id = lineId(member.tenantId, member.userId);
    let line = this.lines.get(id);
    if (!line) {
      const created: Line = {
        tenantId: member.tenantId,
        userId: member.userId,
        members: new Set(),
        seq: 0,
        delivered: new Set(),
        stop: () => {},
      };
      created.stop = this.bus.subscribe(userRoom(member.tenantId, member.userId), (_room, frame) =>
        this.deliver(created, frame),
      );
      this.lines.set(id, (line = created));
    }
    line.members.add(member);
  }

  leave(member: UserMember): void {
    const id = lineId(member.tenantId, member.userId);
    const line = this.lines.get(id);
    if (!line?.members.delete(member)) return;
    if (line.members.size === 0) {
      line.stop();
      this.lines.delete(id);
    }
  }

  /** Sends a frame to every connection of the user, on every node. */
  async publish(tenantId: string, userId: string, frame: ServerFrameT): Promise<void> {
    await this.bus.publish(userRoom(tenantId, userId), JSON.stringify(frame));
  }

  /** Users with a connection on this node (tests and stats). */
  get size(): number {
    return this.lines.size;
  }

  close(): void {
    this.stopMissed();
    for (const line of this.lines.values()) line.stop();
    this.lines.clear();
  }

  private deliver(line: Line, frame: string): void {
    const seq = notificationSeq(frame);
    if (seq !== null) {
      // A frame the catch-up already delivered (the bus and the store raced): not twice.
      if (line.delivered.has(seq)) return;
      line.delivered.add(seq);
      line.seq = Math.max(line.seq, seq);
      if (line.delivered.size > DELIVERED_KEPT) {
        for (const old of line.delivered)
          if (old <= line.seq - DELIVERED_KEPT / 2) line.delivered.delete(old);
      }
    }
    for (const member of line.members) member.deliver(frame);
  }

  /**
   * The bus may have lost frames (Redis dropped and came back): each user with a connection here
   * is sent the notifications after the last one this node delivered to them. Clients also ask for
   * them after every reconnect, and drop a seq they hold.
   */
  private async catchUp(): Promise<void> {
    for (const line of [...this.lines.values()]) {
      if (line.seq === 0) continue;
      try {
        const list = await this.store.notificationsSince(
          line.tenantId,
          line.userId,
          line.seq,
          LIMITS.notificationsPerFrame,
        );
        for (const notification of list.notifications) {
          this.deliver(line, JSON.stringify({ type: 'notification', notification }));
        }
      } catch (err) {
        this.log(`catching up notifications failed: ${(err as Error).message}`);
      }
    }
  }
}

/** The seq of a `notification` frame, null for the other frames of a user channel. */
function notificationSeq(frame: string): number | null {
  if (!frame.startsWith('{"type":"notification"')) return null;
  const parsed = JSON.parse(frame) as { notification?: { seq?: unknown } };
  return typeof parsed.notification?.seq === 'number' ? parsed.notification.seq : null;
}
