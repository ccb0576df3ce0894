// The runtime ports of each tab, and the trust boundary between them. A tab has two:
// - the page port, from the content script that lives next to the page (which may be hostile): it
//   says which page the tab shows, that the person clicked "Discuss this" or a highlight, and which
//   discussions could not be anchored. It receives ids, selectors, the frame's size and the keyboard
//   commands the browser reports for the tab, never discussion text, and nothing it sends can become
//   a write.
// - the frame port, from the extension page framed into the tab (`frame.html`): it alone receives
//   discussions and sends writes. It is accepted only with the ticket this tab's content script was
//   given, so a page that embeds the frame itself gets nothing.
// Every message that arrives on either port is checked with zod (`safeParse`; a malformed one is
// dropped with a warning); what is relayed or built from data is rebuilt by a zod `parse` of the
// receiver's schema before it is sent (a failure there is a bug and throws). The content script and the frame do not check what
// the background sends them: a runtime port connects only this extension's own contexts.
import type { Browser } from 'wxt/browser';
import {
  BackgroundToFrame,
  BackgroundToPage,
  FRAME_PORT_PREFIX,
  FrameToBackground,
  PAGE_PORT_NAME,
  PageToBackground,
  type BackgroundToFrameT,
  type BackgroundToPageT,
  type CommandName,
  type FrameToBackgroundT,
  type PageToBackgroundT,
} from '@/lib/messaging';
import { originOf } from '@/lib/page-key';
import type { WriteFrameT } from '@/lib/protocol';
import type { Session } from './session';

type Port = Browser.runtime.Port;

/** Where each tab's frame ticket is kept, so that a restarted background still knows its frames. */
export interface TicketStore {
  load(): Promise<Record<string, string>>;
  save(tickets: Record<string, string>): Promise<void>;
}

export interface TabPortsDeps {
  tickets: TicketStore;
  /** Whether the person turned the extension on for this origin. */
  isSiteOn(origin: string): Promise<boolean>;
  /** Whether a port comes from one of this extension's own pages (not a content script). */
  isOwnPage(sender: Browser.runtime.MessageSender): boolean;
  newTicket?: () => string;
  /** Opens the extension's options page (the frame asks, e.g. for a new token). */
  openOptions?(): void;
}

interface PagePort {
  port: Port;
  /** The origin of the document the content script runs in, as the browser reports it. */
  origin: string;
  /** Whether the site is on: only then may the content script name its page. */
  active: boolean;
}

export class TabPorts {
  private readonly pages = new Map<number, PagePort>();
  private readonly frames = new Map<number, Port>();
  private readonly tickets = new Map<number, string>();
  private readonly ready: Promise<void>;
  private session: Session | null = null;
  private readonly newTicket: () => string;

  constructor(private readonly deps: TabPortsDeps) {
    this.newTicket = deps.newTicket ?? (() => crypto.randomUUID());
    this.ready = deps.tickets
      .load()
      .then((saved) => {
        for (const [tab, ticket] of Object.entries(saved)) {
          if (!this.tickets.has(Number(tab))) this.tickets.set(Number(tab), ticket);
        }
      })
      .catch(() => undefined);
  }

  attach(session: Session): void {
    this.session = session;
  }

  /** Delivers a message to the discussion frame of a tab (dropped when the tab has none yet). */
  deliver(tabId: number, message: BackgroundToFrameT): void {
    const port = this.frames.get(tabId);
    if (port) post(port, BackgroundToFrame.parse(message));
  }

  /**
   * Relays a keyboard command the browser reported for a tab to its content script, which knows the
   * selection and the highlights; false when the tab has no active overlay (its site is off).
   */
  command(tabId: number, command: CommandName): boolean {
    const entry = this.pages.get(tabId);
    if (!entry?.active) return false;
    post(entry.port, BackgroundToPage.parse({ kind: 'command', command }));
    return true;
  }

  /** Asks again whether each tab's site is on: tabs of a site turned off lose the overlay, turned on get it. */
  async recheckSites(): Promise<void> {
    await this.ready;
    await Promise.all([...this.pages].map(([tabId, entry]) => this.recheck(tabId, entry)));
  }

  /** Handles `runtime.onConnect`. */
  accept(port: Port): void {
    if (port.name === PAGE_PORT_NAME) this.acceptPage(port);
    else if (port.name.startsWith(FRAME_PORT_PREFIX)) this.acceptFrame(port);
  }

  private acceptPage(port: Port): void {
    const tabId = port.sender?.tab?.id;
    const origin = originOf(port.sender?.url ?? '');
    // Only the top document of a tab: a page's own iframes do not get an overlay.
    if (tabId === undefined || port.sender?.frameId || !origin) {
      port.disconnect();
      return;
    }
    // A reloaded tab reconnects before the old port's disconnect arrives: the new port wins.
    const old = this.pages.get(tabId);
    if (old && old.port !== port) old.port.disconnect();
    const entry: PagePort = { port, origin, active: false };
    this.pages.set(tabId, entry);
    port.onMessage.addListener((raw: unknown) => {
      // A content script speaks only after it was given its frame, on a site that is on.
      if (!entry.active) return;
      const parsed = PageToBackground.safeParse(raw);
      if (!parsed.success) {
        console.warn('Collab Chat: ignored a malformed message from a page', parsed.error.issues[0]);
        return;
      }
      this.fromPage(tabId, origin, parsed.data);
    });
    port.onDisconnect.addListener(() => {
      if (this.pages.get(tabId) !== entry) return;
      this.pages.delete(tabId);
      this.session?.tabClosed(tabId);
    });
    void this.ready.then(() => this.recheck(tabId, entry));
  }

  /**
   * The background decides, not the content script: a tab of a site that is on gets its frame ticket
   * (and then names its page); a tab of a site that is off is told to remove everything and stays
   * silent until the site is turned on again.
   */
  private async recheck(tabId: number, entry: PagePort): Promise<void> {
    const on = await this.deps.isSiteOn(entry.origin).catch(() => false);
    if (this.pages.get(tabId) !== entry || on === entry.active) return;
    entry.active = on;
    if (!on) {
      post(entry.port, { kind: 'stop' });
      this.session?.tabClosed(tabId);
      return;
    }
    let ticket = this.tickets.get(tabId);
    if (!ticket) {
      ticket = this.newTicket();
      this.tickets.set(tabId, ticket);
      void this.saveTickets();
    }
    post(entry.port, BackgroundToPage.parse({ kind: 'frame', ticket }));
  }

  private fromPage(tabId: number, origin: string, message: PageToBackgroundT): void {
    const session = this.session;
    if (!session) return;
    switch (message.kind) {
      case 'open':
        // The content script reads the key from the tab's own location (a canonical link only when
        // same-origin); this check makes sure no page can ever name another site's page.
        if (originOf(message.page) !== origin) {
          console.warn('Collab Chat: ignored a page key of another origin');
          session.tabClosed(tabId);
          return;
        }
        session.tabOpened(tabId, message.page);
        return;
      case 'close':
        session.tabClosed(tabId);
        return;
      case 'compose':
        this.deliver(tabId, { kind: 'compose', selection: message.selection });
        return;
      case 'open-discussion':
        this.deliver(tabId, { kind: 'open-discussion', id: message.id, ...(message.link && { link: true }) });
        return;
      case 'orphans':
        this.deliver(tabId, { kind: 'orphans', ids: message.ids, fuzzy: message.fuzzy ?? [] });
        return;
      case 'toggle-list':
        this.deliver(tabId, { kind: 'toggle-list' });
        return;
      case 'hint':
        this.deliver(tabId, { kind: 'hint', hint: message.hint });
        return;
    }
  }

  private acceptFrame(port: Port): void {
    const tabId = port.sender?.tab?.id;
    const ticket = port.name.slice(FRAME_PORT_PREFIX.length);
    if (tabId === undefined || !port.sender || !this.deps.isOwnPage(port.sender) || !ticket) {
      port.disconnect();
      return;
    }
    // Messages that arrive while the ticket is checked wait for the verdict.
    const early: unknown[] = [];
    let accepted = false;
    port.onMessage.addListener((raw: unknown) => {
      if (accepted) this.fromFrame(tabId, raw, undoable);
      else early.push(raw);
    });
    /** This frame's undoable deletions (in their undo window), by broadcastId. */
    const undoable = new Map<string, WriteFrameT>();
    port.onDisconnect.addListener(() => {
      if (this.frames.get(tabId) === port) this.frames.delete(tabId);
      // The frame went away (tab closed, reload) within an undo window: the person's delete stands.
      for (const write of undoable.values()) void this.session?.write(write);
      undoable.clear();
    });
    void this.ready.then(() => {
      if (this.tickets.get(tabId) !== ticket) {
        console.warn('Collab Chat: refused a discussion frame without its tab ticket');
        port.disconnect();
        return;
      }
      const old = this.frames.get(tabId);
      if (old && old !== port) old.disconnect();
      this.frames.set(tabId, port);
      accepted = true;
      this.session?.frameAttached(tabId);
      for (const raw of early.splice(0)) this.fromFrame(tabId, raw, undoable);
    });
  }

  private fromFrame(tabId: number, raw: unknown, undoable: Map<string, WriteFrameT>): void {
    const parsed = FrameToBackground.safeParse(raw);
    if (!parsed.success) {
      console.warn('Collab Chat: ignored a malformed message from a frame', parsed.error.issues[0]);
      return;
    }
    const message = parsed.data;
    const page = this.pages.get(tabId)?.port;
    switch (message.kind) {
      case 'write':
        undoable.delete(message.write.broadcastId);
        void this.session?.write(message.write);
        return;
      case 'undoable-delete':
        undoable.set(message.write.broadcastId, message.write);
        return;
      case 'cancel-delete':
        undoable.delete(message.broadcastId);
        return;
      case 'discard':
        this.session?.discard(message.broadcastId);
        return;
      case 'resend':
        this.session?.resend(message.broadcastId);
        return;
      case 'open-options':
        this.deps.openOptions?.();
        return;
      case 'list-members':
      case 'watch':
      case 'mark-read':
        this.fromFrameAboutUser(tabId, message);
        return;
      case 'anchors':
        if (page) post(page, BackgroundToPage.parse(message));
        return;
      case 'layout':
        if (page) post(page, BackgroundToPage.parse(message));
        return;
      case 'release-focus':
      case 'reveal':
        if (page) post(page, BackgroundToPage.parse(message));
        return;
    }
  }

  /** The person's own state: always about the page the tab shows, as its content script named it. */
  private fromFrameAboutUser(
    tabId: number,
    message: Extract<FrameToBackgroundT, { kind: 'list-members' | 'watch' | 'mark-read' }>,
  ): void {
    const session = this.session;
    if (!session) return;
    if (message.kind === 'list-members') return session.userState.listMembers(tabId);
    const page = session.tabs.pageOf(tabId);
    if (!page) return;
    if (message.kind === 'watch') session.userState.watch(page, message.watch);
    else session.userState.markRead(page, message.discussionId, message.at);
  }

  private async saveTickets(): Promise<void> {
    const open = new Set([...this.pages.keys(), ...this.frames.keys()]);
    // Tickets of tabs that are gone are dropped; the rest survive a restarted background.
    for (const tab of this.tickets.keys()) if (!open.has(tab)) this.tickets.delete(tab);
    await this.deps.tickets
      .save(Object.fromEntries([...this.tickets].map(([tab, ticket]) => [String(tab), ticket])))
      .catch(() => undefined);
  }
}

function post(port: Port, message: BackgroundToFrameT | BackgroundToPageT): void {
  // Only the post is guarded: a zod parse that built `message` ran before this call, and its error
  // is a bug that must surface, not be taken for a closed tab.
  try {
    port.postMessage(message);
  } catch {
    // A disconnected port throws: the tab went away between the lookup and the post, and its
    // onDisconnect cleans up.
  }
}
