// Wires the background together from browser APIs: storage-backed settings and outbox, the tab ports,
// site access (host permissions ⇄ content script registration), settings migrations, runtime messages
// of the popup, options and team pages, keyboard commands, the online event, tab and window focus (retry now while
// reconnecting) and first-install setup.
// Listeners are registered synchronously so that a stopped MV3 worker is woken by them.
import { browser, type Browser } from 'wxt/browser';
import { COMMANDS, RuntimeRequest, type CommandName, type RuntimeRequestT } from '@/lib/messaging';
import {
  frameTicketsStorage,
  outboxStorage,
  accountStorage,
  serverUrlStorage,
  sessionEndedStorage,
  sitesAwaitingPermissionStorage,
  topBarCollapsedStorage,
} from '@/lib/storage';
import { TokenVault } from '@/lib/token-vault';
import { migrateSettings } from './migrations';
import { setupNotifications } from './notify';
import { Outbox } from './outbox';
import { TabPorts } from './ports';
import { Session } from './session';
import { SiteAccess, type ScriptingLike } from './sites';
import { redeemInvite } from './join';
import { endSession, SessionKeeper, signIn, type HttpLike } from './sso';
import { ownDataRequest, teamRequest } from './team-api';
import { testConnection, type ConnectionTestDeps } from './test-connection';
import type { SocketLike } from './connection';

const createSocket = (url: string): SocketLike => new WebSocket(url) as unknown as SocketLike;

/** Firefox answers whether a host name resolves (the `dns` permission); Chrome has no such API. */
function hostResolver(): ConnectionTestDeps['resolves'] {
  const dns = (browser as unknown as { dns?: { resolve(host: string): Promise<unknown> } }).dns;
  if (!import.meta.env.FIREFOX || !dns) return undefined;
  return (host) =>
    dns.resolve(host).then(
      () => true,
      // Only "unknown host" means no such name; any other failure (offline, ...) is not an answer.
      (error: unknown) => !/UNKNOWN_HOST/i.test(String(error)),
    );
}

const testDeps: ConnectionTestDeps = {
  createSocket,
  fetch: (url, init) => fetch(url, init),
  resolves: hostResolver(),
};

/** The content script as the build names it; it is registered at run time, never in the manifest. */
export const OVERLAY_SCRIPT_FILE = 'content-scripts/overlay.js';

export interface Background {
  /** Does what the browser's shortcut for `name` does, in tab `tabId` (the active tab when absent). */
  command(name: CommandName, tabId?: number): void;
}

/**
 * Chrome: no content script may read `storage.local` at all (the default lets them). Content scripts
 * ask the background for what they need. Firefox can narrow only `storage.session`; there the token
 * is kept out of `storage.local` (lib/token-vault.ts), which protects it in both browsers.
 */
function keepStorageFromContentScripts(): void {
  if (import.meta.env.FIREFOX) return;
  const local = browser.storage.local as unknown as {
    setAccessLevel?(options: { accessLevel: 'TRUSTED_CONTEXTS' }): Promise<void>;
  };
  void local
    .setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' })
    .catch((error: unknown) =>
      console.error('Collab Chat: could not keep storage from content scripts', error),
    );
}

/** Whether a message or port comes from one of the extension's own pages (never a content script). */
function fromOwnPage(sender: { id?: string; url?: string }): boolean {
  return sender.id === browser.runtime.id && /^(chrome|moz)-extension:\/\//.test(sender.url ?? '');
}

export function setupBackground(): Background {
  keepStorageFromContentScripts();
  // `sites` is made below; the ports ask it only once a content script connects.
  let sites: SiteAccess | null = null;
  const ports = new TabPorts({
    isSiteOn: async (origin) => (sites ? sites.isOn(`${origin}/`) : false),
    tickets: { load: () => frameTicketsStorage.getValue(), save: (t) => frameTicketsStorage.setValue(t) },
    openOptions: () =>
      void browser.runtime
        .openOptionsPage()
        .catch((error: unknown) => console.error('Collab Chat: could not open the options', error)),
    isOwnPage: fromOwnPage,
  });
  const tokenVault = new TokenVault();
  // Settings are read only once they are in their current shape (the token in the vault).
  const migrated = migrateSettings({ permissions: browser.permissions, tokenVault }).catch((error: unknown) =>
    console.error('Collab Chat: could not bring the settings up to date', error),
  );
  const http: HttpLike = (url, init) => fetch(url, init);
  // A signed-in session's token is renewed before it expires; other tokens are as saved.
  const keeper = new SessionKeeper({
    vault: tokenVault,
    http,
    now: Date.now,
    ended: (reason) => void sessionEndedStorage.setValue(reason),
  });
  // The token is read from the vault once and kept until another context saves a new one, or a
  // signed-in session's is about to expire.
  let token: Promise<string> | null = null;
  let tokenExpiresAt = Infinity;
  const currentToken = (force = false) => {
    if (force || Date.now() > tokenExpiresAt) token = null;
    return (token ??= (async () => {
      const fresh = await keeper.token(force);
      const session = await tokenVault.getSession();
      tokenExpiresAt = session ? session.expiresAt - 60_000 : Infinity;
      return fresh;
    })().catch((error: unknown) => {
      token = null;
      throw error;
    }));
  };
  const loadSettings = async () => {
    await migrated;
    const saved = await currentToken().catch((error: unknown) => {
      // Shown as "not set up": saving the token again in the options writes a fresh store.
      console.error('Collab Chat:', error);
      return '';
    });
    return { serverUrl: await serverUrlStorage.getValue(), token: saved };
  };
  const notifications = setupNotifications();
  const session = new Session({
    createSocket,
    loadSettings,
    // The server found the signed-in session's token expired: renew it, then connect again.
    renewToken: async () => !!(await currentToken(true).catch(() => '')),
    outbox: new Outbox(outboxStorage),
    deliver: (tabId, message) => ports.deliver(tabId, message),
    notifications: {
      welcome: (welcome) => void notifications.center.welcome(welcome.user.id),
      frame: (frame) => notifications.center.frame(frame),
      disconnected: () => notifications.center.disconnected(),
    },
  });
  ports.attach(session);
  notifications.attach(session, (tabId, message) => ports.deliver(tabId, message));
  sites = new SiteAccess({
    permissions: browser.permissions,
    scripting: browser.scripting as unknown as ScriptingLike,
    tabs: browser.tabs,
    awaitingPermission: sitesAwaitingPermissionStorage,
    scriptFile: OVERLAY_SCRIPT_FILE,
    warn: (message, error) => console.warn(`Collab Chat: ${message}`, error),
  });
  const access = sites;
  // A tab still running the content script of a site turned on again gets its frame back.
  // A change that fails is reported; the queue in SiteAccess runs the next one all the same.
  const failed = (what: string) => (error: unknown) => console.error(`Collab Chat: could not ${what}`, error);
  browser.permissions.onAdded.addListener(
    (added) =>
      void access
        .permissionsAdded(added)
        .then(() => ports.recheckSites())
        .catch(failed('turn sites on')),
  );
  browser.permissions.onRemoved.addListener(
    (removed) => void access.permissionsRemoved(removed).catch(failed('turn sites off')),
  );
  // A tab on a site that was just turned off loses its overlay and gets nothing more from the server.
  access.onSitesTurnedOff(() => void ports.recheckSites());
  void migrated
    .then(() => access.start())
    .catch((error: unknown) => console.error('Collab Chat: could not register the content script', error));

  browser.runtime.onConnect.addListener((port) => ports.accept(port));
  const noteSettings = () =>
    void loadSettings().then(({ serverUrl, token: saved }) => session.settingsSaved(!!serverUrl && !!saved));
  noteSettings();
  // The identity the saved settings were last found to sign in as (kept across a stopped worker).
  void accountStorage.getValue().then(async (account) => {
    if (account && account.serverUrl === (await serverUrlStorage.getValue())) session.confirmAccount(account);
  });
  /** Checks the settings just saved, so that the popup shows at once who they sign in as. */
  const checkSaved = async () => {
    token = null;
    const { serverUrl, token: saved } = await loadSettings();
    const result = await testConnection(serverUrl, saved, testDeps);
    const account =
      result.result === 'connected'
        ? { serverUrl, user: result.user, tenant: result.tenant, role: result.role }
        : null;
    session.confirmAccount(account);
    await accountStorage.setValue(account);
    return result;
  };
  /** Ends the signed-in session on the server and forgets the token here, whatever the server said. */
  const signOut = async () => {
    const [signedIn, saved] = await Promise.all([tokenVault.getSession(), tokenVault.get()]);
    const reply =
      signedIn && saved
        ? await endSession(signedIn, saved, http)
        : ({ ok: true, server: 'not-signed-in' } as const);
    await tokenVault.setWithSession('', null);
    await sessionEndedStorage.setValue(null);
    token = null;
    session.confirmAccount(null);
    await accountStorage.setValue(null);
    return reply;
  };
  browser.runtime.onMessage.addListener((raw: unknown, sender: Browser.runtime.MessageSender) => {
    const parsed = RuntimeRequest.safeParse(raw);
    if (!parsed.success) return undefined;
    if (parsed.data.kind === 'check-saved') return checkSaved();
    if (parsed.data.kind === 'redeem-invite') {
      // Joining saves a server and token: only the extension's own pages may ask, never a page.
      if (!fromOwnPage(sender)) return undefined;
      return redeemInvite(parsed.data.link, parsed.data.name, {
        post: (url, init) => fetch(url, init),
        save: async (serverUrl, saved) => {
          await serverUrlStorage.setValue(serverUrl);
          await tokenVault.set(saved);
          return checkSaved();
        },
      });
    }
    if (parsed.data.kind === 'sso-sign-in' || parsed.data.kind === 'sso-sign-out') {
      // Signing in or out saves or drops a token: the extension's own pages only, never a page.
      if (sender.id !== browser.runtime.id || !/^(chrome|moz)-extension:\/\//.test(sender.url ?? ''))
        return undefined;
      if (parsed.data.kind === 'sso-sign-out') return signOut();
      const identity = (browser as unknown as { identity?: typeof browser.identity }).identity;
      if (!identity)
        return Promise.resolve({ ok: false, problem: 'failed', detail: 'this browser has no identity API' });
      return signIn(parsed.data.serverUrl, {
        http,
        launch: async (url) => {
          const ended = await identity.launchWebAuthFlow({ url, interactive: true });
          if (!ended) throw new Error('the sign-in window ended without an address');
          return ended;
        },
        redirectUrl: identity.getRedirectURL(),
        randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
        sha256: async (text) =>
          new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))),
        now: Date.now,
        save: async (serverUrl, saved, signedIn) => {
          await sessionEndedStorage.setValue(null);
          await serverUrlStorage.setValue(serverUrl);
          await tokenVault.setWithSession(saved, signedIn);
          return checkSaved();
        },
      });
    }
    if (parsed.data.kind === 'team') {
      // The team's discussions go to the extension's own pages only, never to a content script.
      if (!fromOwnPage(sender)) return undefined;
      const { path, params } = parsed.data;
      return Promise.all([serverUrlStorage.getValue(), currentToken().catch(() => '')]).then(
        ([serverUrl, saved]) =>
          teamRequest({ serverUrl, token: saved }, path, params, (url, init) => fetch(url, init)),
      );
    }
    if (parsed.data.kind === 'own-data') {
      // The person's own data and erasure request: the extension's own pages only, the token stays here.
      if (sender.id !== browser.runtime.id || !/^(chrome|moz)-extension:\/\//.test(sender.url ?? ''))
        return undefined;
      const { action } = parsed.data;
      return Promise.all([serverUrlStorage.getValue(), currentToken().catch(() => '')]).then(
        ([serverUrl, saved]) =>
          ownDataRequest({ serverUrl, token: saved }, action, (url, init) => fetch(url, init)),
      );
    }
    if (parsed.data.kind === 'open-notification' || parsed.data.kind === 'mark-all-notifications-read') {
      // The person's inbox is theirs to change from the extension's own pages (the popup) only.
      if (!fromOwnPage(sender)) return undefined;
      if (parsed.data.kind === 'open-notification')
        return notifications.open(parsed.data.seq).then(() => true);
      notifications.markAllRead();
      return Promise.resolve(true);
    }
    return answer(session, parsed.data);
  });
  // Unwatch is never needed: these live exactly as long as the worker.
  serverUrlStorage.watch((url) => {
    void accountStorage.getValue().then((account) => {
      if (account && account.serverUrl !== url) {
        session.confirmAccount(null);
        void accountStorage.setValue(null);
      }
    });
    session.connection.restart();
    noteSettings();
  });
  tokenVault.watch(() => {
    token = null;
    // A renewal of the signed-in session changes the token, not who is signed in: the live socket
    // (authenticated once, at hello) stays.
    void tokenVault.get().then((saved) => {
      if (saved !== '' && saved === keeper.lastRenewed) return;
      session.connection.restart();
      noteSettings();
    });
  });
  globalThis.addEventListener?.('online', () => session.connection.online());
  globalThis.addEventListener?.('offline', () => session.connection.offline());
  // A tab or window coming to the front often means the user is back (a laptop opened): while
  // reconnecting, try now.
  browser.tabs.onActivated.addListener(() => session.connection.nudge('visible'));
  browser.windows?.onFocusChanged.addListener((windowId) => {
    if (windowId !== browser.windows.WINDOW_ID_NONE) session.connection.nudge('visible');
  });
  // The manifest's keyboard commands. Showing or hiding the bar is a setting every tab follows; the
  // others act on the tab's selection or highlights, which only its content script knows.
  const command = (name: CommandName, tabId: number | undefined) => {
    if (name === 'toggle-overlay') {
      void topBarCollapsedStorage.getValue().then((collapsed) => topBarCollapsedStorage.setValue(!collapsed));
      return;
    }
    if (tabId !== undefined) ports.command(tabId, name);
    else
      void browser.tabs
        .query({ active: true, currentWindow: true })
        .then(([active]) => active?.id !== undefined && ports.command(active.id, name));
  };
  browser.commands?.onCommand.addListener((name: string, tab?: Browser.tabs.Tab) => {
    if ((COMMANDS as readonly string[]).includes(name)) command(name as CommandName, tab?.id);
  });
  browser.runtime.onInstalled.addListener(({ reason }) => {
    if (reason === 'install') void browser.runtime.openOptionsPage();
  });
  return { command };
}

async function answer(session: Session, request: RuntimeRequestT): Promise<unknown> {
  switch (request.kind) {
    case 'get-status':
      return session.status();
    case 'get-viewers':
      return session.viewersOf(request.tabId);
    case 'test-connection':
      return testConnection(request.serverUrl, request.token, testDeps);
    case 'check-saved':
      return null;
    case 'team':
    case 'own-data':
    case 'redeem-invite':
    case 'sso-sign-in':
    case 'sso-sign-out':
    case 'open-notification':
    case 'mark-all-notifications-read':
      return undefined; // answered in the listener, which knows the sender
  }
}
