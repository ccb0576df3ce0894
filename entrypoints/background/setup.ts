// Wires the background together from browser APIs: storage-backed settings and outbox, the tab ports,
// runtime messages of the popup and options page, the online event, tab and window focus (retry
// now while reconnecting) and first-install setup.
// Listeners are registered synchronously so that a stopped MV3 worker is woken by them.
import { browser } from 'wxt/browser';
import { RuntimeRequest, type RuntimeRequestT } from '@/lib/messaging';
import { outboxStorage, serverUrlStorage, tokenStorage } from '@/lib/storage';
import { Outbox } from './outbox';
import { TabPorts } from './ports';
import { Session } from './session';
import { testConnection } from './test-connection';
import type { SocketLike } from './connection';

const createSocket = (url: string): SocketLike => new WebSocket(url) as unknown as SocketLike;

export function setupBackground(): Session {
  const ports = new TabPorts();
  const session = new Session({
    createSocket,
    loadSettings: async () => ({
      serverUrl: await serverUrlStorage.getValue(),
      token: await tokenStorage.getValue(),
    }),
    outbox: new Outbox(outboxStorage),
    deliver: (tabId, message) => ports.deliver(tabId, message),
  });
  ports.attach(session);

  browser.runtime.onConnect.addListener((port) => ports.accept(port));
  browser.runtime.onMessage.addListener((raw: unknown) => {
    const parsed = RuntimeRequest.safeParse(raw);
    if (!parsed.success) return undefined;
    return answer(session, parsed.data);
  });
  // Unwatch is never needed: these live exactly as long as the worker.
  serverUrlStorage.watch(() => session.connection.restart());
  tokenStorage.watch(() => session.connection.restart());
  globalThis.addEventListener?.('online', () => session.connection.online());
  globalThis.addEventListener?.('offline', () => session.connection.offline());
  // A tab or window coming to the front often means the user is back (a laptop opened): while
  // reconnecting, try now.
  browser.tabs.onActivated.addListener(() => session.connection.nudge('visible'));
  browser.windows?.onFocusChanged.addListener((windowId) => {
    if (windowId !== browser.windows.WINDOW_ID_NONE) session.connection.nudge('visible');
  });
  browser.runtime.onInstalled.addListener(({ reason }) => {
    if (reason === 'install') void browser.runtime.openOptionsPage();
  });
  return session;
}

async function answer(session: Session, request: RuntimeRequestT): Promise<unknown> {
  switch (request.kind) {
    case 'get-status':
      return session.status();
    case 'get-viewers':
      return session.viewersOf(request.tabId);
    case 'test-connection':
      return testConnection(request.serverUrl, request.token, createSocket);
  }
}
