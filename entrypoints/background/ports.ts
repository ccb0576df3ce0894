// The runtime ports of the tabs: one per tab, in a Map<tabId, Port>, removed on disconnect. Parses
// every message a content script sends before the session sees it.
import type { Browser } from 'wxt/browser';
import { BackgroundToTab, TAB_PORT_NAME, TabToBackground, type BackgroundToTabT } from '@/lib/messaging';
import type { Session } from './session';

type Port = Browser.runtime.Port;

export class TabPorts {
  private readonly ports = new Map<number, Port>();
  private session: Session | null = null;

  attach(session: Session): void {
    this.session = session;
  }

  deliver(tabId: number, message: BackgroundToTabT): void {
    const port = this.ports.get(tabId);
    if (!port) return;
    try {
      port.postMessage(BackgroundToTab.parse(message));
    } catch {
      // The tab went away between the lookup and the post; onDisconnect cleans up.
    }
  }

  /** Handles `runtime.onConnect`. */
  accept(port: Port): void {
    if (port.name !== TAB_PORT_NAME) return;
    const tabId = port.sender?.tab?.id;
    if (tabId === undefined || port.sender?.frameId) {
      port.disconnect();
      return;
    }
    // A reloaded tab reconnects before the old port's disconnect arrives: the new port wins.
    const old = this.ports.get(tabId);
    if (old && old !== port) old.disconnect();
    this.ports.set(tabId, port);
    port.onMessage.addListener((raw: unknown) => {
      const parsed = TabToBackground.safeParse(raw);
      if (!parsed.success) {
        console.warn('Collab Chat: ignored a malformed message from a tab', parsed.error.issues[0]);
        return;
      }
      const session = this.session;
      if (!session) return;
      const message = parsed.data;
      if (message.kind === 'open') session.tabOpened(tabId, message.page);
      else if (message.kind === 'close') session.tabClosed(tabId);
      else void session.write(message.write);
    });
    port.onDisconnect.addListener(() => {
      if (this.ports.get(tabId) !== port) return;
      this.ports.delete(tabId);
      this.session?.tabClosed(tabId);
    });
  }
}
