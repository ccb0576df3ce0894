// The person's notifications in the background: takes them from the shared socket (live
// `notification`, the `notifications` answer that catches up after each welcome, `notifications-read`
// from any of the user's connections), keeps the inbox (lib/inbox) in storage so a restarted worker
// catches up from the last seq it saw, and sends the person's read marks (queued while offline).
// Pure of browser APIs: storage, the socket and what to do with a change come in as dependencies.
import { addNotifications, EMPTY_INBOX, markRead, queueReads, type InboxState } from '@/lib/inbox';
import { LIMITS, type ClientFrameT, type NotificationT, type ServerFrameT } from '@/lib/protocol';

export interface NotificationCenterDeps {
  storage: { getValue(): Promise<InboxState>; setValue(value: InboxState): Promise<void> };
  /** Sends a frame on the shared socket; false when it is not open. */
  send(frame: ClientFrameT): boolean;
  /** After every change of the inbox (the badge follows it). */
  onChange(state: InboxState): void;
  /** Unread notifications never seen before, to show as browser notifications. */
  onFresh(fresh: NotificationT[]): void;
}

type Request = 'catch-up' | 'refresh';

export class NotificationCenter {
  readonly ready: Promise<void>;
  private state: InboxState = EMPTY_INBOX;
  private live = false;
  /** `notifications-since` sent on this socket, in order: answers come back in the same order. */
  private requests: Request[] = [];
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly deps: NotificationCenterDeps) {
    this.ready = deps.storage.getValue().then(
      (stored) => {
        this.state = stored ?? EMPTY_INBOX;
        deps.onChange(this.state);
      },
      (error: unknown) => console.error('Collab Chat: could not read the notifications', error),
    );
  }

  get inbox(): InboxState {
    return this.state;
  }

  /** The socket is live as `userId`: send what was read offline, then catch up from the last seq seen. */
  async welcome(userId: string): Promise<void> {
    await this.ready;
    if (this.state.user !== userId) this.update({ ...EMPTY_INBOX, user: userId });
    this.live = true;
    this.requests = [];
    const unsent = this.state.unsentReads;
    if (unsent) {
      const { unsentReads: _sent, ...rest } = this.state;
      if (this.sendReads(unsent)) this.update(rest);
    }
    this.ask(this.state.latest > 0 ? 'catch-up' : 'refresh');
  }

  /** The socket closed: what was asked on it will not be answered. */
  disconnected(): void {
    this.live = false;
    this.requests = [];
  }

  /** Takes the frames about notifications; true when `frame` was one. */
  frame(frame: ServerFrameT): boolean {
    switch (frame.type) {
      case 'notification': {
        const { state, fresh } = addNotifications(this.state, [frame.notification]);
        this.update({ ...state, unread: state.unread + fresh.length });
        if (fresh.length > 0) this.deps.onFresh(fresh);
        return true;
      }
      case 'notifications': {
        this.answered(frame);
        return true;
      }
      case 'notifications-read':
        this.update(markRead(this.state, frame, frame.unread));
        return true;
      default:
        return false;
    }
  }

  /** The person opened notification `seq`: it is read (here at once, on the server when live). */
  open(seq: number): NotificationT | null {
    const item = this.state.items.find((n) => n.seq === seq) ?? null;
    if (item && !item.read) this.read({ seqs: [seq] });
    return item;
  }

  /** "Mark all read": every notification up to the last one seen. */
  markAllRead(): void {
    if (this.state.latest > 0) this.read({ upTo: this.state.latest }, 0);
  }

  private read(read: { seqs?: number[]; upTo?: number }, unread?: number): void {
    const next = markRead(this.state, read, unread);
    this.update(this.live && this.sendReads(read) ? next : queueReads(next, read));
  }

  private sendReads(read: { seqs?: number[]; upTo?: number }): boolean {
    const seqs = read.seqs ?? [];
    return this.deps.send({
      type: 'mark-notifications-read',
      ...(seqs.length > 0 && { seqs: seqs.slice(-LIMITS.notificationsPerFrame) }),
      ...(read.upTo !== undefined && { upTo: read.upTo }),
    });
  }

  /**
   * Asks for notifications: `catch-up` after the last seq seen; `refresh` the newest ones, which
   * replace what is held (their read marks are current).
   */
  private ask(request: Request, after = this.state.latest): void {
    const frame: ClientFrameT =
      request === 'catch-up' ? { type: 'notifications-since', after } : { type: 'notifications-since' };
    if (this.deps.send(frame)) this.requests.push(request);
  }

  private answered(frame: Extract<ServerFrameT, { type: 'notifications' }>): void {
    const request = this.requests.shift() ?? 'catch-up';
    const before = this.state;
    const base = request === 'refresh' ? { ...before, items: [] } : before;
    const { state, fresh } = addNotifications(base, frame.notifications);
    // A refresh replaced the list: only what is newer than the last seq seen is new to the person.
    // `latest` counts notifications the list may not hold (gone from the server's last 500); while
    // more remain, the pages still to come are new.
    const latest = frame.more ? state.latest : Math.max(state.latest, frame.latest);
    const next: InboxState = { ...state, unread: frame.unread, latest };
    this.update(next);
    // The first fill of an empty inbox (a new install, another user) is not news.
    if (before.latest > 0 && fresh.length > 0) this.deps.onFresh(fresh);
    const last = frame.notifications.at(-1)?.seq;
    if (frame.more && last !== undefined) return this.ask('catch-up', last);
    // Caught up: take the newest afresh (one page, as many as the inbox keeps), so that what the
    // server no longer holds leaves this browser too: a notification an erased member caused, the
    // excerpt of a comment deleted since, read marks made on another device.
    if (request === 'catch-up') this.ask('refresh');
  }

  /** Resolves once every change so far is in storage. */
  settled(): Promise<void> {
    return this.saving;
  }

  private update(state: InboxState): void {
    this.state = state;
    this.deps.onChange(state);
    this.saving = this.saving
      .then(() => this.deps.storage.setValue(state))
      .catch((error: unknown) => console.error('Collab Chat: could not keep the notifications', error));
  }
}
