// The background's coordinator: joins tabs (ports), the page cache, the outbox and the connection.
// It decides what to subscribe, what to send, and which tab hears what. Pure of browser APIs: the
// ports, storage and socket come in as dependencies.
import {
  addSnapshotPage,
  LIMITS,
  type DiscussionEventT,
  type ClientFrameT,
  type DiscussionT,
  type PersonT,
  type ServerFrameT,
  type SnapshotT,
  type WelcomeT,
  type WriteFrameT,
} from '@/lib/protocol';
import type { BackgroundToFrameT, OutboxEntryT, StatusT } from '@/lib/messaging';
import type { QueuedWrite } from '@/lib/storage';
import { Connection, type ConnectionDeps } from './connection';
import { Outbox } from './outbox';
import { PageCache } from './page-cache';
import { TabPages } from './subscriptions';
import { UserState } from './user-state';

/** Errors after which resending the same write could succeed: keep it queued. */
const RETRYABLE = new Set(['rate-limited', 'internal', 'not-subscribed']);

/** How a queued write looks to the tabs of its page. */
function entryOf(q: QueuedWrite): OutboxEntryT {
  return {
    write: q.write,
    queuedAt: q.queuedAt,
    ...(q.by && { by: q.by }),
    state: q.failed ? 'failed' : q.held ? 'held' : 'waiting',
    ...(q.failed && { code: q.failed.code, message: q.failed.message }),
  };
}

export interface SessionDeps extends Omit<
  ConnectionDeps,
  'onLive' | 'onFrame' | 'onState' | 'onUnknownAuthor'
> {
  outbox: Outbox;
  /** Delivers a message to the discussion frame of a tab. */
  deliver(tabId: number, message: BackgroundToFrameT): void;
  /** Called whenever the status changes (popup, badge). */
  onStatus?(status: StatusT): void;
  /** The user's notifications (frames that name no page), told of each welcome and disconnection. */
  notifications?: {
    welcome(welcome: WelcomeT): void;
    frame(frame: ServerFrameT): boolean;
    disconnected(): void;
  };
}

export class Session {
  readonly tabs = new TabPages();
  readonly cache = new PageCache();
  readonly presence = new Map<string, number>();
  readonly connection: Connection;
  /** Pages subscribed on the current socket. */
  private readonly subscribed = new Set<string>();
  /**
   * Pages subscribed whose snapshot or replay has not arrived yet, with the live events that came
   * before it: they are applied after it (duplicates dropped), never mistaken for a gap.
   */
  private readonly awaiting = new Map<string, DiscussionEventT[]>();
  /** Snapshots arriving in parts: what came so far, and the part expected next. */
  private readonly parts = new Map<string, { seq: number; discussions: DiscussionT[]; next: number }>();
  /** Writes sent on the current socket and not yet answered. */
  private readonly inFlight = new Set<string>();
  private readonly outbox: Outbox;
  /** Watches, read positions and the member list, relayed for the frames. */
  readonly userState: UserState;
  /**
   * Who the saved settings sign in as, as the last check of them found (after "Save"): shown while
   * no socket is open (no page on) so that the popup does not say "not signed in" to someone who is.
   */
  private confirmed: Pick<WelcomeT, 'user' | 'tenant' | 'role'> | null = null;
  /** Who the server last said we are: the author of writes made while it cannot say (offline, refused). */
  private lastUser: PersonT | null = null;

  constructor(private readonly deps: SessionDeps) {
    this.outbox = deps.outbox;
    this.connection = new Connection({
      ...deps,
      onLive: () => this.onLive(),
      onFrame: (frame) => this.onFrame(frame),
      onUnknownAuthor: (page) => {
        if (this.subscribed.has(page)) this.resync(page, true);
      },
      onState: () => this.onConnectionState(),
    });
    this.userState = new UserState({
      send: (frame) => this.connection.send(frame),
      deliver: (tabId, message) => deps.deliver(tabId, message),
      tabsOf: (page) => this.tabs.tabsOf(page),
    });
    void this.outbox.ready.then(() => {
      // A restarted worker still knows whose the queued writes are.
      this.lastUser ??= this.outbox.list().findLast((q) => q.by)?.by ?? null;
      this.updateWanted();
    });
  }

  /** Keep the connection open with no page wanted (for notifications). */
  private keepConnected = false;

  setKeepConnected(keep: boolean): void {
    this.keepConnected = keep;
    this.updateWanted();
  }

  /** Whether the server refused the token (revoked or unknown): writes are held, not queued. */
  get tokenRefused(): boolean {
    return this.connection.state === 'refused' && this.connection.detail === 'token-refused';
  }

  /** Whether a server URL and token are saved (null until read): with none, idle reads "not set up". */
  private configured: boolean | null = null;

  settingsSaved(configured: boolean): void {
    this.configured = configured;
    this.broadcastStatus();
  }

  /** What a check of the saved settings found: the identity they sign in as, or null (refused, failed). */
  confirmAccount(account: Pick<WelcomeT, 'user' | 'tenant' | 'role'> | null): void {
    this.confirmed = account;
    this.broadcastStatus();
  }

  status(): StatusT {
    const c = this.connection;
    // Idle (no page on, no socket) says nothing about the settings; without any, the person must
    // be sent to the options, not told that all is quiet.
    const state = c.state === 'idle' && this.configured === false ? 'unconfigured' : c.state;
    const refused = state === 'refused' || state === 'unconfigured';
    const who = c.welcome ?? (refused ? null : this.confirmed);
    return {
      state,
      queued: this.outbox.size,
      ...(this.outbox.unsent > 0 && { unsent: this.outbox.unsent }),
      me: who?.user ?? null,
      tenant: who?.tenant ?? null,
      role: who?.role ?? null,
      detail: c.detail,
      ...(c.trying && { trying: true }),
      ...(c.state === 'connecting' && c.resuming && { resuming: true }),
    };
  }

  viewersOf(tabId: number): { page: string | null; count: number | null } {
    const page = this.tabs.pageOf(tabId);
    // Only a live connection knows who is here: otherwise the count is unknown, never a stale number.
    if (page === null || !this.connection.live) return { page, count: null };
    return { page, count: this.presence.get(page) ?? null };
  }

  // ------------------------------------------------------------ from tabs

  tabOpened(tabId: number, page: string): void {
    const move = this.tabs.open(tabId, page);
    if (move.left) this.pageLeft(move.left);
    this.showTab(tabId);
    if (this.connection.live && !this.subscribed.has(page)) this.subscribe(page);
    this.updateWanted();
  }

  tabClosed(tabId: number): void {
    const left = this.tabs.close(tabId);
    if (left) this.pageLeft(left);
    this.deps.deliver(tabId, { kind: 'page', page: null });
    this.updateWanted();
  }

  /** A tab's discussion frame (re)connected: it gets everything known at once, from the cache. */
  frameAttached(tabId: number): void {
    this.showTab(tabId);
  }

  private showTab(tabId: number): void {
    const page = this.tabs.pageOf(tabId);
    this.deps.deliver(tabId, { kind: 'status', status: this.status() });
    // A frame that reconnects before its content script (a restarted worker) keeps what it shows.
    if (!page) return;
    this.deps.deliver(tabId, { kind: 'page', page });
    const cached = this.cache.get(page);
    if (cached) {
      this.deps.deliver(tabId, {
        kind: 'state',
        page,
        discussions: cached.discussions,
        synced: cached.synced,
      });
    }
    this.deps.deliver(tabId, this.outboxMessage(page));
    this.userState.show(tabId, page);
    const count = this.presence.get(page);
    if (count !== undefined && this.connection.live)
      this.deps.deliver(tabId, { kind: 'presence', page, count });
  }

  async write(write: WriteFrameT): Promise<void> {
    const by = this.connection.welcome?.user ?? this.lastUser ?? undefined;
    // The server closes the socket on a frame over the limit; queued, it would do so on every retry.
    if (new TextEncoder().encode(JSON.stringify(write)).length > LIMITS.frameBytes) {
      const message = `larger than ${LIMITS.frameBytes} bytes`;
      await this.outbox.add(write, { by, failed: { code: 'bad-frame', message } });
      this.afterOutboxChange([write.page]);
      this.toTabsOf(write.page, {
        kind: 'refused',
        broadcastId: write.broadcastId,
        code: 'bad-frame',
        message,
      });
      return;
    }
    // The token no longer works: sending is pointless until the person enters a new one, and
    // retrying it would look like a connection problem. Held, the write waits for them.
    if (this.tokenRefused) {
      await this.outbox.add(write, { by, held: true });
      this.afterOutboxChange([write.page]);
      return;
    }
    await this.outbox.add(write, { by });
    this.sendOutbox(write.page);
    this.broadcastStatus();
    if (!this.connection.live) {
      this.updateWanted();
      // The user is waiting on this write: try the server now rather than at the scheduled retry.
      this.connection.nudge('write');
      return;
    }
    if (!this.subscribed.has(write.page)) this.subscribe(write.page);
    this.sendWrite(write);
  }

  /** The person gives up a held or failed write (a waiting one still goes out). */
  discard(broadcastId: string): void {
    const queued = this.outbox.find(broadcastId);
    if (!queued || (!queued.held && !queued.failed)) return;
    this.outbox.remove(broadcastId);
    this.afterOutboxChange([queued.write.page]);
  }

  /** The person sends a held write again: it waits like any other until the connection is live. */
  resend(broadcastId: string): void {
    const released = this.outbox.release(broadcastId);
    if (!released) return;
    this.afterOutboxChange([released.write.page]);
    if (this.connection.live) {
      if (!this.subscribed.has(released.write.page)) this.subscribe(released.write.page);
      this.sendWrite(released.write);
    } else this.connection.nudge('write');
  }

  // ------------------------------------------------------------ from the server

  private onLive(): void {
    const { welcome } = this.connection;
    if (welcome) this.confirmed = { user: welcome.user, tenant: welcome.tenant, role: welcome.role };
    this.lastUser = welcome?.user ?? this.lastUser;
    this.subscribed.clear();
    this.parts.clear();
    this.inFlight.clear();
    this.cache.markAllUnsynced();
    for (const page of this.wantedPages()) this.subscribe(page);
    for (const queued of this.outbox.waiting()) this.sendWrite(queued.write);
    this.userState.live();
    if (welcome) this.deps.notifications?.welcome(welcome);
    this.broadcastStatus();
  }

  private onFrame(frame: ServerFrameT): void {
    switch (frame.type) {
      case 'snapshot': {
        const whole = this.assemble(frame);
        if (!whole) return;
        const entry = this.cache.snapshot(whole);
        this.sendState(frame.page, entry.discussions);
        return this.drainAwaiting(frame.page);
      }
      case 'replay': {
        const result = this.cache.replay(frame);
        if (result === 'gap') return this.resync(frame.page, true);
        const entry = this.cache.get(frame.page);
        if (entry) this.sendState(frame.page, entry.discussions);
        return this.drainAwaiting(frame.page);
      }
      case 'new-text-chat':
      case 'updated-text-chat':
      case 'deleted-text-chat':
        return this.onEvent(frame);
      case 'presence': {
        this.presence.set(frame.page, frame.count);
        this.toTabsOf(frame.page, { kind: 'presence', page: frame.page, count: frame.count });
        return;
      }
      case 'batch': {
        for (const event of frame.events) this.onFrame(event);
        return;
      }
      case 'ack': {
        this.inFlight.delete(frame.broadcastId);
        const queued = this.outbox.remove(frame.broadcastId);
        const page = queued?.write.page ?? frame.page;
        // The ack first: a tab confirms the write before the outbox no longer lists it.
        this.toTabsOf(page, { kind: 'ack', broadcastId: frame.broadcastId });
        this.afterOutboxChange([page]);
        return;
      }
      case 'error': {
        if (!frame.broadcastId) {
          console.warn(`Collab Chat: the server reported ${frame.code}: ${frame.message}`);
          if (frame.code === 'not-subscribed' && frame.page && this.isWanted(frame.page))
            this.resync(frame.page);
          return;
        }
        this.inFlight.delete(frame.broadcastId);
        if (RETRYABLE.has(frame.code)) return;
        const known = this.outbox.find(frame.broadcastId);
        // A refused delete or resolve holds nothing the person typed: it goes, and the tabs say so.
        // Text stays, marked failed, until the person copied what they need and discards it.
        const kept =
          known && 'text' in known.write
            ? this.outbox.fail(frame.broadcastId, frame.code, frame.message)
            : this.outbox.remove(frame.broadcastId);
        const page = kept?.write.page ?? frame.page;
        if (!page) return this.afterOutboxChange();
        const refused: BackgroundToFrameT = {
          kind: 'refused',
          broadcastId: frame.broadcastId,
          code: frame.code,
          message: frame.message,
        };
        // A tab learns that a write is kept (failed) before it hears of the refusal, so it keeps it
        // in place; of a write dropped, it hears the refusal first, so it rolls it back with a notice.
        if (kept?.failed) {
          this.afterOutboxChange([page]);
          this.toTabsOf(page, refused);
        } else {
          this.toTabsOf(page, refused);
          this.afterOutboxChange([page]);
        }
        return;
      }
      case 'members':
      case 'watching':
      case 'read-positions':
        return this.userState.onFrame(frame);
      case 'role': {
        // An admin changed this member's role: the tabs offer what it allows from now on.
        const { welcome } = this.connection;
        if (welcome) this.connection.welcome = { ...welcome, role: frame.role };
        if (this.confirmed) this.confirmed = { ...this.confirmed, role: frame.role };
        this.broadcastStatus();
        return;
      }
      case 'welcome':
      case 'pong':
        return;
      case 'notification':
      case 'notifications':
      case 'notifications-read':
        this.deps.notifications?.frame(frame);
        return;
    }
  }

  private onEvent(event: DiscussionEventT): void {
    if (!this.subscribed.has(event.page)) return;
    const early = this.awaiting.get(event.page);
    if (early) {
      early.push(event);
      return;
    }
    const result = this.cache.event(event);
    if (result === 'gap') return this.resync(event.page);
    // Every tab gets the event, the one that made it too: that tab knows its own broadcastId and drops it.
    if (result === 'applied') this.toTabsOf(event.page, { kind: 'event', event });
  }

  private onConnectionState(): void {
    if (this.connection.state === 'refused') this.confirmed = null;
    if (!this.connection.live) {
      this.subscribed.clear();
      this.awaiting.clear();
      this.inFlight.clear();
      // Who is viewing is known again only from the server; until then it is unknown.
      this.presence.clear();
      this.deps.notifications?.disconnected();
    }
    if (this.tokenRefused) {
      const pages = this.outbox.pages();
      // Nothing more can go with this token: what waits is held for the person, not dropped.
      if (this.outbox.holdAll() > 0) return this.afterOutboxChange(pages);
    }
    this.broadcastStatus();
  }

  // ------------------------------------------------------------ helpers

  /** The pages the background follows: those a tab shows, and those whose writes wait to be sent. */
  private wantedPages(): string[] {
    return [...new Set([...this.tabs.pages(), ...this.outbox.pages()])];
  }

  private isWanted(page: string): boolean {
    return this.tabs.tabsOf(page).length > 0 || this.outbox.pages().includes(page);
  }

  /**
   * Lets go of every page no longer wanted (its subscription, and the snapshot parts and early
   * events that came for it), bounds the cache, and keeps the socket only while something needs it.
   */
  private releaseUnwanted(): void {
    for (const page of new Set([...this.subscribed, ...this.awaiting.keys(), ...this.parts.keys()])) {
      if (this.isWanted(page)) continue;
      this.awaiting.delete(page);
      this.parts.delete(page);
      if (this.subscribed.delete(page)) this.connection.send({ type: 'unsubscribe', page });
    }
    this.cache.evict(new Set(this.tabs.pages()));
    this.updateWanted();
  }

  private updateWanted(): void {
    this.connection.setWanted(this.keepConnected || this.wantedPages().length > 0);
  }

  private subscribe(page: string): void {
    const cached = this.cache.get(page);
    const frame: ClientFrameT = cached
      ? { type: 'subscribe', page, since: cached.seq }
      : { type: 'subscribe', page };
    if (this.connection.send(frame)) {
      this.subscribed.add(page);
      this.awaiting.set(page, []);
    }
  }

  private drainAwaiting(page: string): void {
    const early = this.awaiting.get(page) ?? [];
    this.awaiting.delete(page);
    for (const event of early) this.onEvent(event);
  }

  /**
   * Gathers the parts of a snapshot; the whole once its last part arrived, else null. A part that
   * does not follow the one before (its beginning was lost) asks for the snapshot again.
   */
  private assemble(frame: SnapshotT): Pick<SnapshotT, 'page' | 'seq' | 'chats'> | null {
    const part = frame.part ?? 0;
    if (part === 0 && !frame.more) {
      this.parts.delete(frame.page);
      return frame;
    }
    let gathered = this.parts.get(frame.page);
    if (part === 0) gathered = { seq: frame.seq, discussions: [], next: 0 };
    if (!gathered || gathered.next !== part || gathered.seq !== frame.seq) {
      this.parts.delete(frame.page);
      this.resync(frame.page, true);
      return null;
    }
    addSnapshotPage(gathered.discussions, frame.chats);
    gathered.next = part + 1;
    if (frame.more) {
      this.parts.set(frame.page, gathered);
      return null;
    }
    this.parts.delete(frame.page);
    return { page: frame.page, seq: gathered.seq, chats: gathered.discussions };
  }

  /**
   * A gap: subscribe again with `since` = the last seq held, which the server answers with a replay of
   * what was missed. `fresh` forgets the copy first and asks for a snapshot (a replay that itself skips).
   */
  private resync(page: string, fresh = false): void {
    if (fresh) this.cache.drop(page);
    this.subscribe(page);
  }

  /** No tab shows the page any more: what only tabs use goes; it stays followed while writes wait. */
  private pageLeft(page: string): void {
    this.presence.delete(page);
    this.userState.forget(page);
    this.releaseUnwanted();
  }

  private sendWrite(write: WriteFrameT): void {
    if (this.inFlight.has(write.broadcastId)) return;
    if (this.connection.send(write)) this.inFlight.add(write.broadcastId);
  }

  /** `pages`: the pages whose writes changed, whose tabs get the outbox again. */
  private afterOutboxChange(pages: string[] = []): void {
    for (const page of new Set(pages)) this.sendOutbox(page);
    this.broadcastStatus();
    // A page kept subscribed only for its queued writes can go now.
    this.releaseUnwanted();
  }

  private outboxMessage(page: string): BackgroundToFrameT {
    return { kind: 'outbox', page, writes: this.outbox.of(page).map(entryOf) };
  }

  private sendOutbox(page: string): void {
    this.toTabsOf(page, this.outboxMessage(page));
  }

  private sendState(page: string, discussions: DiscussionT[]): void {
    this.toTabsOf(page, { kind: 'state', page, discussions, synced: true });
  }

  private toTabsOf(page: string, message: BackgroundToFrameT): void {
    for (const tabId of this.tabs.tabsOf(page)) this.deps.deliver(tabId, message);
  }

  private broadcastStatus(): void {
    const status = this.status();
    for (const tabId of this.tabs.allTabs()) this.deps.deliver(tabId, { kind: 'status', status });
    this.deps.onStatus?.(status);
  }
}
