// Wires the background together from browser APIs: storage-backed settings and outbox, the tab ports,
// runtime messages of the popup and options page, the online event and first-install setup.
// Listeners are registered synchronously so that a stopped MV3 worker is woken by them.
import { browser } from 'wxt/browser';
import { RuntimeRequest, type RuntimeRequestT } from '@/lib/messaging';
import {
  enabledEverywhereStorage,
  enabledSitesStorage,
  frameTicketsStorage,
  isSiteEnabled,
  outboxStorage,
  serverUrlStorage,
  tokenStorage,
} from '@/lib/storage';
import { Outbox } from './outbox';
import { TabPorts } from './ports';
import { Session } from './session';
import { testConnection } from './test-connection';
import type { SocketLike } from './connection';

const createSocket = (url: string): SocketLike => new WebSocket(url) as unknown as SocketLike;

export function setupBackground(): Session {
  const ports = new TabPorts({
    isSiteOn: isSiteEnabled,
    tickets: { load: () => frameTicketsStorage.getValue(), save: (t) => frameTicketsStorage.setValue(t) },
    isOwnPage: (sender) =>
      sender.id === browser.runtime.id && /^(chrome|moz)-extension:\/\//.test(sender.url ?? ''),
  });
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
  // A site turned off loses its overlay at once, in every open tab.
  enabledSitesStorage.watch(() => ports.recheckSites());
  enabledEverywhereStorage.watch(() => ports.recheckSites());
  serverUrlStorage.watch(() => session.connection.restart());
  tokenStorage.watch(() => session.connection.restart());
  globalThis.addEventListener?.('online', () => session.connection.online());
  globalThis.addEventListener?.('offline', () => session.connection.offline());
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
