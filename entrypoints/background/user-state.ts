// The person's own state about the pages their tabs show, relayed between the frames and the server:
// whether they watch each page (`watching`), how far they have read its discussions (`read-positions`,
// on any of their browsers), and the team's members for @mentions (`list-members` → `members`). Kept
// per page while a tab shows it, so a new tab or a reopened frame gets it at once; requests made while
// the connection is down wait for it. Notifications are not handled here.
import type { ClientFrameT, ServerFrameT } from '@/lib/protocol';
import type { BackgroundToFrameT } from '@/lib/messaging';

/** The server frames about the person's own state that this module handles. */
export type UserStateFrame = Extract<ServerFrameT, { type: 'members' | 'watching' | 'read-positions' }>;

export interface UserStateDeps {
  /** Sends a frame on the socket; false when there is no live connection. */
  send(frame: ClientFrameT): boolean;
  /** Delivers a message to one tab's frame. */
  deliver(tabId: number, message: BackgroundToFrameT): void;
  /** The tabs that show a page. */
  tabsOf(page: string): Iterable<number>;
}

export class UserState {
  private readonly watching = new Map<string, boolean>();
  private readonly reads = new Map<string, Record<string, number>>();
  /** Tabs waiting for the member list. */
  private readonly wantMembers = new Set<number>();
  /** Read positions not sent yet (no live connection), the latest per discussion. */
  private readonly unsentReads = new Map<string, { page: string; at: number }>();
  /** A watch not sent yet, per page. */
  private readonly unsentWatches = new Map<string, boolean>();

  constructor(private readonly deps: UserStateDeps) {}

  // ------------------------------------------------------------ from frames

  listMembers(tabId: number): void {
    this.wantMembers.add(tabId);
    this.deps.send({ type: 'list-members' });
  }

  watch(page: string, watch: boolean): void {
    this.unsentWatches.set(page, watch);
    if (this.deps.send({ type: 'watch', page, watch })) this.unsentWatches.delete(page);
  }

  markRead(page: string, discussionId: string, at: number): void {
    // Known at once to every tab of the page; the server's answer confirms it for the other browsers.
    this.mergeReads(page, { [discussionId]: at });
    if (!this.deps.send({ type: 'mark-read', page, chatId: discussionId, at }))
      this.unsentReads.set(discussionId, { page, at });
  }

  /** What a tab's frame needs of its page at once (a new tab, a reopened frame). */
  show(tabId: number, page: string): void {
    const watch = this.watching.get(page);
    if (watch !== undefined) this.deps.deliver(tabId, { kind: 'watching', page, watch });
    const known = this.reads.get(page);
    if (known) this.deps.deliver(tabId, { kind: 'read-positions', page, positions: { ...known } });
  }

  /** No tab shows the page any more. */
  forget(page: string): void {
    this.watching.delete(page);
    this.reads.delete(page);
  }

  // ------------------------------------------------------------ from the server

  /** A live connection again: what waited goes out. */
  live(): void {
    if (this.wantMembers.size > 0) this.deps.send({ type: 'list-members' });
    for (const [page, watch] of this.unsentWatches)
      if (this.deps.send({ type: 'watch', page, watch })) this.unsentWatches.delete(page);
    for (const [discussionId, { page, at }] of this.unsentReads)
      if (this.deps.send({ type: 'mark-read', page, chatId: discussionId, at }))
        this.unsentReads.delete(discussionId);
  }

  onFrame(frame: UserStateFrame): void {
    switch (frame.type) {
      case 'members':
        for (const tabId of this.wantMembers)
          this.deps.deliver(tabId, { kind: 'members', members: frame.members });
        this.wantMembers.clear();
        return;
      case 'watching': {
        const tabs = [...this.deps.tabsOf(frame.page)];
        if (tabs.length === 0) return;
        this.watching.set(frame.page, frame.watch);
        for (const tabId of tabs)
          this.deps.deliver(tabId, { kind: 'watching', page: frame.page, watch: frame.watch });
        return;
      }
      case 'read-positions':
        if ([...this.deps.tabsOf(frame.page)].length === 0) return;
        this.mergeReads(frame.page, frame.chats);
        return;
    }
  }

  private mergeReads(page: string, positions: Record<string, number>): void {
    const known = this.reads.get(page) ?? {};
    // A position never moves back (the server's rule too).
    for (const [discussionId, at] of Object.entries(positions))
      known[discussionId] = Math.max(known[discussionId] ?? 0, at);
    if ([...this.deps.tabsOf(page)].length > 0) this.reads.set(page, known);
    for (const tabId of this.deps.tabsOf(page))
      this.deps.deliver(tabId, { kind: 'read-positions', page, positions: { ...known } });
  }
}
