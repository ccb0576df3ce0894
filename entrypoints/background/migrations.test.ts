import { beforeEach, describe, expect, it } from 'vitest';
import { storage } from '#imports';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { settingsVersionStorage, sitesAwaitingPermissionStorage } from '@/lib/storage';
import { fakePermissions, fakeScripting, fakeTabs } from '@/test/unit/fake-site-apis';
import { migrateSettings, SETTINGS_VERSION, type MigrationDeps } from './migrations';
import { CONTENT_SCRIPT_ID, SiteAccess } from './sites';

/** What version 1 left in storage.local, written as it wrote it (WXT items with their `$` meta). */
async function seedVersion1(sites: string[], everywhere: boolean) {
  await fakeBrowser.storage.local.set({
    serverUrl: 'ws://127.0.0.1:8787',
    enabledSites: sites,
    enabledSites$: { v: 1 },
    enabledEverywhere: everywhere,
    enabledEverywhere$: { v: 1 },
  });
}

/** The token vault, in memory (lib/token-vault.ts is tested on its own). */
function memoryVault(saved = ''): MigrationDeps['tokenVault'] & { saved: string } {
  const vault = { saved, get: async () => vault.saved, set: async (t: string) => void (vault.saved = t) };
  return vault;
}

const deps = (permissions = fakePermissions(), tokenVault = memoryVault()) => ({ permissions, tokenVault });

beforeEach(() => fakeBrowser.reset());

describe('settings migrations', () => {
  it('a fresh install walks every version and finds nothing to move', async () => {
    const permissions = fakePermissions();
    expect(await migrateSettings(deps(permissions))).toBe(1);
    expect(await settingsVersionStorage.getValue()).toBe(SETTINGS_VERSION);
    expect(await sitesAwaitingPermissionStorage.getValue()).toEqual([]);
  });

  it('1 → 2: sites still granted stay on by themselves; the others wait for a new grant', async () => {
    await seedVersion1(
      ['https://kept.example:8443', 'https://lost.example', 'not a url', 'file:///x'],
      false,
    );
    const permissions = fakePermissions(['https://kept.example/*']);
    await migrateSettings(deps(permissions));

    expect(await settingsVersionStorage.getValue()).toBe(SETTINGS_VERSION);
    expect(await sitesAwaitingPermissionStorage.getValue()).toEqual(['https://lost.example/*']);
    const left = await fakeBrowser.storage.local.get(null);
    expect(Object.keys(left).filter((key) => key.startsWith('enabled'))).toEqual([]);
    expect(left.serverUrl).toBe('ws://127.0.0.1:8787');

    // The background's start then registers the site that kept its permission.
    const scripting = fakeScripting();
    const sites = new SiteAccess({
      permissions,
      scripting,
      tabs: fakeTabs([]),
      awaitingPermission: sitesAwaitingPermissionStorage,
      scriptFile: 'content-scripts/overlay.js',
    });
    await sites.start();
    expect(scripting.registered.get(CONTENT_SCRIPT_ID)!.matches).toEqual(['https://kept.example/*']);

    // One click in the popup grants what waits; the list empties and the site is registered.
    await permissions.request({ origins: await sitesAwaitingPermissionStorage.getValue() });
    await sites.permissionsAdded({ origins: ['https://lost.example/*'] });
    expect(await sitesAwaitingPermissionStorage.getValue()).toEqual([]);
    expect(scripting.registered.get(CONTENT_SCRIPT_ID)!.matches).toEqual([
      'https://kept.example/*',
      'https://lost.example/*',
    ]);
  });

  it('1 → 2: "on for every site" without its grant waits as <all_urls>', async () => {
    await seedVersion1([], true);
    await migrateSettings(deps());
    expect(await sitesAwaitingPermissionStorage.getValue()).toEqual(['<all_urls>']);
  });

  it('1 → 2: "every site" with <all_urls> still granted stays on, nothing waits', async () => {
    await seedVersion1(['https://a.example'], true);
    const permissions = fakePermissions(['<all_urls>']);
    await migrateSettings(deps(permissions));
    expect([...permissions.granted]).toEqual(['<all_urls>']);
    expect(await sitesAwaitingPermissionStorage.getValue()).toEqual([]);
  });

  it('1 → 2: an install-time <all_urls> the user never chose is given back; their sites wait', async () => {
    await seedVersion1(['https://a.example', 'https://b.example'], false);
    const permissions = fakePermissions(['<all_urls>']);
    const removed: string[][] = [];
    permissions.onRemoved.addListener((p) => removed.push(p.origins ?? []));
    await migrateSettings(deps(permissions));
    expect(removed).toEqual([['<all_urls>']]);
    expect(permissions.granted.size).toBe(0);
    expect(await sitesAwaitingPermissionStorage.getValue()).toEqual([
      'https://a.example/*',
      'https://b.example/*',
    ]);
  });

  it('1 → 2: with no site on, the install-time <all_urls> is given back too', async () => {
    const permissions = fakePermissions(['<all_urls>']);
    await migrateSettings(deps(permissions));
    expect(permissions.granted.size).toBe(0);
    expect(await sitesAwaitingPermissionStorage.getValue()).toEqual([]);
  });

  it('runs each step once: a second start changes nothing', async () => {
    await seedVersion1(['https://lost.example'], false);
    const permissions = fakePermissions();
    await migrateSettings(deps(permissions));
    await sitesAwaitingPermissionStorage.setValue([]); // the user granted it meanwhile
    expect(await migrateSettings(deps(permissions))).toBe(SETTINGS_VERSION);
    expect(await sitesAwaitingPermissionStorage.getValue()).toEqual([]);
  });

  it('refuses a version it does not know instead of guessing', async () => {
    await storage.setItem('local:settingsVersion', 0);
    await expect(migrateSettings(deps())).rejects.toThrow('no migration from settings version 0');
  });

  it('2 → 3: the token leaves storage.local for the vault', async () => {
    await fakeBrowser.storage.local.set({ token: 'cc_secret', token$: { v: 1 }, settingsVersion: 2 });
    const vault = memoryVault();
    await migrateSettings(deps(fakePermissions(), vault));
    expect(vault.saved).toBe('cc_secret');
    const left = await fakeBrowser.storage.local.get(null);
    expect(Object.keys(left).filter((key) => key.startsWith('token'))).toEqual([]);
    expect(JSON.stringify(left)).not.toContain('cc_secret');
  });

  it('2 → 3: a token already in the vault is newer and stays', async () => {
    await fakeBrowser.storage.local.set({ token: 'cc_old', settingsVersion: 2 });
    const vault = memoryVault('cc_new');
    await migrateSettings(deps(fakePermissions(), vault));
    expect(vault.saved).toBe('cc_new');
    expect(await fakeBrowser.storage.local.get('token')).toEqual({});
  });

  it('2 → 3: when the vault cannot be written the token stays where it was, for the next start', async () => {
    await fakeBrowser.storage.local.set({ token: 'cc_secret', settingsVersion: 2 });
    const broken = memoryVault();
    broken.set = async () => {
      throw new Error('The token store of Collab Chat (the extension’s IndexedDB) could not be written');
    };
    await expect(migrateSettings(deps(fakePermissions(), broken))).rejects.toThrow('could not be written');
    expect(await fakeBrowser.storage.local.get('token')).toEqual({ token: 'cc_secret' });
    expect(await settingsVersionStorage.getValue()).toBe(2);
    // The next start, with a working store, finishes the move.
    const vault = memoryVault();
    await migrateSettings(deps(fakePermissions(), vault));
    expect(vault.saved).toBe('cc_secret');
  });

  it('walks 1 → 3 in one start: sites to permissions, token to the vault', async () => {
    await seedVersion1(['https://lost.example'], false);
    await fakeBrowser.storage.local.set({ token: 'cc_secret', token$: { v: 1 } });
    const vault = memoryVault();
    expect(await migrateSettings(deps(fakePermissions(), vault))).toBe(1);
    expect(await settingsVersionStorage.getValue()).toBe(3);
    expect(vault.saved).toBe('cc_secret');
    expect(await sitesAwaitingPermissionStorage.getValue()).toEqual(['https://lost.example/*']);
    expect(Object.keys(await fakeBrowser.storage.local.get(null)).sort()).toEqual([
      'serverUrl',
      'settingsVersion',
      'sitesAwaitingPermission',
    ]);
  });
});
