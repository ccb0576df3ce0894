// Least privilege, checked through the browsers themselves: at install the extension holds no host
// permission and runs nothing on any page; the popup's real click turns one site on (permission,
// registration, the already-open tab), turns it off again (all three gone), and "every site" asks for
// `<all_urls>`; a permission removed from elsewhere turns its site off. In Chromium the content
// script's presence is read from CDP's execution contexts of the page; in Firefox from the engine's
// own list of what the extension would inject into a URL (WebExtensionPolicy, with the browser's
// privileges) and from the overlay's presence.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import {
  ChromiumTab,
  ChromiumUser,
  FirefoxUser,
  scenarioSuite,
  type BrowserName,
  type PageServer,
  type Tab,
  type UserBrowser,
} from './harness';

// The extension API inside extension contexts, as far as these checks use it.
declare const browser: {
  storage: { local: { get(keys: null): Promise<Record<string, unknown>> } };
  permissions: { request(p: { origins: string[] }): Promise<boolean> };
};
declare const chrome: {
  permissions: {
    getAll(): Promise<{ origins?: string[] }>;
    request(p: { origins: string[] }): Promise<boolean>;
  };
  scripting: { getRegisteredContentScripts(): Promise<Array<{ matches?: string[] }>> };
  storage: {
    local: {
      get(keys: null): Promise<Record<string, unknown>>;
      set(items: object): Promise<void>;
      remove(keys: string[]): Promise<void>;
    };
  };
};

const WAIT = { timeout: 15_000, interval: 100 };

/** What only one browser can tell about a page, behind one shape. */
interface Probe<U extends UserBrowser> {
  /** Calls `permissions.request` for `origin` from an extension context, with no user action. */
  requestWithoutAClick(user: U, origin: string): Promise<string>;
  /** How many contexts of the extension run (Chromium) or would run (Firefox) in this tab. */
  ourScriptsIn(user: U, tab: Tab): Promise<number>;
  /** Everything `storage.local` gives our content script in this tab, as JSON (or the refusal). */
  storageSeenByContentScript(user: U, tab: Tab): Promise<string>;
  /** The token in the extension origin's IndexedDB, read from an extension context. */
  tokenInVault(user: U): Promise<string>;
}

/** Reads the token vault (lib/token-vault.ts) from inside an extension context. */
function readVault(): Promise<string> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('collab-chat-secrets', 1);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const get = open.result.transaction('secrets').objectStore('secrets').get('token');
      get.onsuccess = () => resolve(String(get.result ?? ''));
      get.onerror = () => reject(get.error);
    };
  });
}

/** Chromium: the page's execution contexts as CDP reports them, those of our extension only. */
async function extensionContexts(user: ChromiumUser, tab: Tab) {
  const cdp = await user.context.newCDPSession((tab as ChromiumTab).page);
  const contexts: Array<{ id: number; origin: string; name: string; auxData?: { type?: string } }> = [];
  cdp.on('Runtime.executionContextCreated', ({ context }) => contexts.push(context));
  // Runtime.enable reports every existing context before it returns.
  await cdp.send('Runtime.enable');
  await cdp.detach();
  return contexts.filter((c) => c.origin === `chrome-extension://${user.extensionId}`);
}

/** Chromium: evaluates `expression` inside our content script's isolated world in `tab`. */
async function inContentScript(user: ChromiumUser, tab: Tab, expression: string): Promise<string> {
  const [world] = await extensionContexts(user, tab);
  if (!world) throw new Error(`no content script of ours runs in ${tab.url}`);
  const cdp = await user.context.newCDPSession((tab as ChromiumTab).page);
  try {
    const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', {
      expression,
      contextId: world.id,
      awaitPromise: true,
      returnByValue: true,
    });
    if (exceptionDetails)
      return `refused: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`;
    return String(result.value);
  } finally {
    await cdp.detach();
  }
}

const chromiumProbe: Probe<ChromiumUser> = {
  requestWithoutAClick: async (user, origin) =>
    (await user.worker()).evaluate(
      (o) => chrome.permissions.request({ origins: [o] }).then(String, (e: Error) => `refused: ${e.message}`),
      origin,
    ),
  ourScriptsIn: async (user, tab) => (await extensionContexts(user, tab)).length,
  storageSeenByContentScript: (user, tab) =>
    inContentScript(user, tab, 'chrome.storage.local.get(null).then((all) => JSON.stringify(all))'),
  tokenInVault: async (user) => (await user.worker()).evaluate(readVault),
};

/**
 * Firefox gives a WebDriver client no handle on a content script's sandbox. A content script's
 * `storage.local` is the extension's one area, so an extension page reads exactly what it would get.
 */
const firefoxProbe: Probe<FirefoxUser> = {
  requestWithoutAClick: (user, origin) =>
    user.inExtensionPage(
      (o) =>
        browser.permissions.request({ origins: [o] }).then(String, (e: Error) => `refused: ${e.message}`),
      origin,
    ),
  storageSeenByContentScript: (user) =>
    user.inExtensionPage(() => browser.storage.local.get(null).then((all) => JSON.stringify(all))),
  tokenInVault: (user) => user.inExtensionPage(readVault),
  ourScriptsIn: (user, tab) =>
    user.inBrowserWindow<number>(`
      const policy = WebExtensionPolicy.getByID(ADDON_ID);
      const uri = Services.io.newURI(${JSON.stringify(tab.url)});
      if (!policy.canAccessURI(uri)) return 0;
      return policy.contentScripts.filter((script) => script.matchesURI(uri)).length;
    `),
};

function privilegeSuite<U extends UserBrowser>(
  name: BrowserName,
  launch: (extensionDir: string) => Promise<U>,
  probe: Probe<U>,
): void {
  // The user is configured below, where the sign-in's words are checked in full.
  const suite = {
    browser: name,
    title: 'least privilege',
    launch,
    users: { user: null },
    steps: 'independent' as const,
  };
  scenarioSuite(suite, (world) => {
    let server: TestServer;
    let pages: PageServer;
    let user: U;
    let onSite: Tab;
    let otherSite: Tab;
    // The same page server under two host names: two sites.
    const onUrl = () => pages.url('article.html');
    const otherUrl = () => pages.url('article.html').replace('127.0.0.1', 'localhost');
    const registeredMatches = async () =>
      (await user.registeredContentScripts()).flatMap((script) => script.matches ?? []).sort();

    beforeAll(async () => {
      ({ server, pages } = world);
      ({ user } = world.users);
      expect(await user.configure(server.url, server.tokens.alice)).toMatch(/^Connected as \W?Alice\W? of /);
    });

    it('holds no host permission and runs nothing on any page at install', async () => {
      [onSite, otherSite] = await Promise.all([user.open(onUrl()), user.open(otherUrl())]);
      expect(await user.hostPermissions()).toEqual([]);
      expect(await user.registeredContentScripts()).toEqual([]);
      for (const tab of [onSite, otherSite]) {
        expect(await probe.ourScriptsIn(user, tab)).toBe(0);
        expect(await tab.hasOverlay()).toBe(false);
      }
    });

    it('the browser grants a site only from a user action: without a click the request is refused', async () => {
      const answer = await probe.requestWithoutAClick(user, 'http://127.0.0.1/*');
      expect(answer).toMatch(/^refused: .*(user gesture|user input handler)/);
      expect(await user.hostPermissions()).toEqual([]);
    });

    it('a real click on "On for this site" grants that site only, registers it and starts in the open tab', async () => {
      const view = await user.enableSiteOf(onSite);
      expect(view.siteOn).toBe(true);
      expect(view.everywhereOn).toBe(false);
      expect(await user.hostPermissions()).toEqual(['http://127.0.0.1/*']);
      await expect.poll(registeredMatches, WAIT).toEqual(['http://127.0.0.1/*']);
      // The tab was open before: the background started the script in it.
      await expect.poll(() => onSite.hasOverlay(), WAIT).toBe(true);
      expect(await probe.ourScriptsIn(user, onSite)).toBeGreaterThan(0);
      // The other site stays off, open or freshly loaded.
      const fresh = await user.open(otherUrl());
      for (const tab of [otherSite, fresh]) {
        expect(await probe.ourScriptsIn(user, tab)).toBe(0);
        expect(await tab.hasOverlay()).toBe(false);
      }
      await fresh.close();
    });

    it('turning the site off in the popup gives the permission back, unregisters the script and stops the tab', async () => {
      // The open tab is subscribed to its page ...
      await expect.poll(() => server.server.stats().subscriptions, WAIT).toBe(1);
      const view = await user.clickInPopup(onSite, 'site-toggle', (v) => !v.siteOn);
      // ... and is no longer once its site is off.
      await expect.poll(() => server.server.stats().subscriptions, WAIT).toBe(0);
      expect(view.problem).toBeNull();
      await expect.poll(() => user.hostPermissions(), WAIT).toEqual([]);
      await expect.poll(registeredMatches, WAIT).toEqual([]);
      const reloaded = await user.open(onUrl());
      expect(await probe.ourScriptsIn(user, reloaded)).toBe(0);
      expect(await reloaded.hasOverlay()).toBe(false);
      await reloaded.close();
    });

    it('the token is nowhere a content script can read it', async () => {
      const fresh = await user.open(onUrl());
      await user.enableSiteOf(fresh);
      await expect.poll(() => fresh.hasOverlay(), WAIT).toBe(true);
      // It is saved, in the extension origin's IndexedDB ...
      expect(await probe.tokenInVault(user)).toBe(server.tokens.alice);
      // ... not in what storage.local gives a content script (in Chromium, nothing at all) ...
      const seen = await probe.storageSeenByContentScript(user, fresh);
      expect(seen).not.toContain(server.tokens.alice);
      expect(seen).not.toContain('"token"');
      if (name === 'chromium')
        expect(seen).toMatch(/^refused: .*Access to storage is not allowed from this context/);
      // ... and a content script's own IndexedDB is the page's, where there is no such database.
      const databases = await fresh.evaluate(
        async () => (await indexedDB.databases()).map((d) => d.name),
        null,
      );
      expect(databases).not.toContain('collab-chat-secrets');
      await user.clickInPopup(fresh, 'site-toggle', (v) => !v.siteOn);
      await expect.poll(() => user.hostPermissions(), WAIT).toEqual([]);
      await fresh.close();
    });

    it('"On for every site" asks for <all_urls> and turning it off gives it back', async () => {
      const on = await user.clickInPopup(otherSite, 'everywhere-toggle', (v) => v.everywhereOn);
      expect(on.siteOn).toBe(true);
      expect(await user.hostPermissions()).toContain('<all_urls>');
      await expect.poll(registeredMatches, WAIT).toEqual(['http://*/*', 'https://*/*']);
      await expect.poll(() => otherSite.hasOverlay(), WAIT).toBe(true);

      await user.clickInPopup(otherSite, 'everywhere-toggle', (v) => !v.everywhereOn);
      await expect.poll(() => user.hostPermissions(), WAIT).toEqual([]);
      await expect.poll(registeredMatches, WAIT).toEqual([]);
      const fresh = await user.open(otherUrl());
      expect(await probe.ourScriptsIn(user, fresh)).toBe(0);
      await fresh.close();
    });
  });
}

privilegeSuite('chromium', (dir) => ChromiumUser.launch(dir), chromiumProbe);
privilegeSuite('firefox', (dir) => FirefoxUser.launch(dir), firefoxProbe);

/**
 * A real update in Chromium from a version-1 install: that version held `<all_urls>` (and `tabs`) from
 * install and kept its sites and the token in storage.local. The old install is this build's files
 * with version 1's manifest and a background that does nothing (the test writes what version 1 left
 * in storage); the update copies this build over it and reloads it through Chrome's update path
 * (CDP `Extensions.loadUnpacked` of the same folder).
 */
/** A copy of the build dressed as version 1 (see above), in a folder of its own. */
async function versionOneInstall(buildDir: string): Promise<string> {
  const installDir = await mkdtemp(join(tmpdir(), 'collab-chat-v1-'));
  await cp(buildDir, installDir, { recursive: true });
  const manifest = JSON.parse(await readFile(join(installDir, 'manifest.json'), 'utf8'));
  manifest.version = '0.0.1';
  manifest.permissions = ['storage', 'tabs'];
  manifest.host_permissions = ['<all_urls>'];
  delete manifest.optional_host_permissions;
  manifest.background = { service_worker: 'version-1-background.js' };
  await writeFile(join(installDir, 'manifest.json'), JSON.stringify(manifest));
  await writeFile(join(installDir, 'version-1-background.js'), '// version 1 stand-in: holds storage only\n');
  return installDir;
}

let installDir = '';
scenarioSuite(
  {
    browser: 'chromium',
    title: 'an update from version 1',
    // Installed from the version-1 copy, not from the build itself.
    launch: async (buildDir) => ChromiumUser.launch((installDir = await versionOneInstall(buildDir))),
    users: { user: null },
    steps: 'independent',
  },
  (world) => {
    let server: TestServer;
    let pages: PageServer;
    let user: ChromiumUser;
    let buildDir: string;

    beforeAll(() => {
      ({ server, pages, extensionDir: buildDir } = world);
      ({ user } = world.users);
    });

    afterAll(async () => {
      if (installDir) await rm(installDir, { recursive: true, force: true });
    });

    it('gives back the install-time <all_urls>, keeps the token, and restores the sites in one click', async () => {
      const kept = await user.open(pages.url('article.html'));
      const other = await user.open(pages.url('article.html').replace('127.0.0.1', 'localhost'));
      const before = await user.worker();
      expect(await before.evaluate(async () => (await chrome.permissions.getAll()).origins)).toEqual([
        '<all_urls>',
      ]);
      // What version 1 left: settings, the token, and two sites on (not every site).
      await before.evaluate(
        ([serverUrl, token, sites]) =>
          chrome.storage.local.set({ serverUrl, token, enabledSites: sites, enabledEverywhere: false }),
        [server.url, server.tokens.alice, [new URL(kept.url).origin, new URL(other.url).origin]] as const,
      );

      await cp(buildDir, installDir, { recursive: true, force: true });
      await user.updateExtension(installDir);

      // Chrome carried `<all_urls>` over; the first start of this version gives it back, so nothing runs.
      await expect.poll(() => user.hostPermissions(), WAIT).toEqual([]);
      expect(await user.registeredContentScripts()).toEqual([]);
      const worker = await user.worker();
      // The migration moves the token after it gives the permission back: wait for it to finish.
      await expect.poll(() => worker.evaluate(readVault), WAIT).toBe(server.tokens.alice);
      await expect
        .poll(async () => {
          const all = await worker.evaluate(() => chrome.storage.local.get(null));
          return Object.keys(all).filter((key) => /^(token|enabled)/.test(key));
        }, WAIT)
        .toEqual([]);
      const stored = await worker.evaluate(() => chrome.storage.local.get(null));
      expect(JSON.stringify(stored)).not.toContain(server.tokens.alice);

      // The popup names both sites; one real click grants them and both open tabs start.
      const popup = await user.clickInPopup(kept, 'grant-again', (v) => v.awaiting === null && v.siteOn);
      expect(popup.problem).toBeNull();
      expect((await user.hostPermissions()).sort()).toEqual(['http://127.0.0.1/*', 'http://localhost/*']);
      await expect
        .poll(
          async () => (await user.registeredContentScripts()).flatMap((s) => s.matches ?? []).sort(),
          WAIT,
        )
        .toEqual(['http://127.0.0.1/*', 'http://localhost/*']);
      for (const tab of [kept, other]) {
        await expect.poll(() => tab.hasOverlay(), WAIT).toBe(true);
        // Connected with the token the update moved.
        await expect.poll(() => tab.connection().then((c) => c.state), WAIT).toBe('live');
      }
    });
  },
);
