import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { sitesAwaitingPermissionStorage } from '@/lib/storage';
import { fakePermissions, fakeScripting, fakeTabs } from '@/test/unit/fake-site-apis';
import { CONTENT_SCRIPT_ID, SiteAccess, type SitesTurnedOff } from './sites';

const FILE = 'content-scripts/overlay.js';
const TABS = [
  { id: 1, url: 'https://example.com/a' },
  { id: 2, url: 'https://example.com:8443/b' },
  { id: 3, url: 'https://other.org/' },
  { id: 4, url: 'http://example.com/plain' },
];

function setup(granted: string[] = []) {
  const permissions = fakePermissions(granted);
  const scripting = fakeScripting();
  const tabs = fakeTabs(TABS);
  const warn = vi.fn();
  const sites = new SiteAccess({
    permissions,
    scripting,
    tabs,
    awaitingPermission: sitesAwaitingPermissionStorage,
    scriptFile: FILE,
    warn,
  });
  // As setup.ts wires them.
  permissions.onAdded.addListener((p) => void sites.permissionsAdded(p));
  permissions.onRemoved.addListener((p) => void sites.permissionsRemoved(p));
  const registeredMatches = async () =>
    (await scripting.getRegisteredContentScripts({ ids: [CONTENT_SCRIPT_ID] }))[0]?.matches ?? null;
  return { permissions, scripting, sites, warn, registeredMatches };
}

/** Lets the listeners' queued work finish. */
const settle = (sites: SiteAccess) => sites.start();

beforeEach(() => fakeBrowser.reset());

describe('SiteAccess', () => {
  it('registers nothing and runs nowhere while no site is on', async () => {
    const { scripting, sites, registeredMatches } = setup();
    await sites.start();
    expect(await registeredMatches()).toBeNull();
    expect(scripting.injected).toEqual([]);
    expect(await sites.isOn('https://example.com/a')).toBe(false);
  });

  it('turning a site on registers the script for it and starts it in that site’s open tabs only', async () => {
    const { permissions, scripting, sites, registeredMatches } = setup();
    await sites.start();
    await permissions.request({ origins: ['https://example.com/*'] });
    await settle(sites);
    expect(await registeredMatches()).toEqual(['https://example.com/*']);
    expect(scripting.registered.get(CONTENT_SCRIPT_ID)).toMatchObject({
      js: [FILE],
      runAt: 'document_idle',
      persistAcrossSessions: true,
    });
    // Every port of the host, https only: not other.org, not http://example.com.
    expect(scripting.injected.map((i) => i.tabId).sort()).toEqual([1, 2]);
    expect(scripting.injected[0]!.files).toEqual([FILE]);
    expect(await sites.isOn('https://example.com/x')).toBe(true);
    expect(await sites.isOn('http://example.com/x')).toBe(false);
  });

  it('"every site" registers for every http(s) page and starts in every open tab', async () => {
    const { permissions, scripting, sites, registeredMatches } = setup();
    await permissions.request({ origins: ['<all_urls>'] });
    await settle(sites);
    expect(await registeredMatches()).toEqual(['http://*/*', 'https://*/*']);
    expect(scripting.injected.map((i) => i.tabId).sort()).toEqual([1, 2, 3, 4]);
  });

  it('turning a site off unregisters it and tells listeners which pages are off now', async () => {
    const { permissions, sites, registeredMatches } = setup(['https://example.com/*', 'https://other.org/*']);
    await sites.start();
    const events: SitesTurnedOff[] = [];
    sites.onSitesTurnedOff((e) => events.push(e));
    await permissions.remove({ origins: ['https://example.com/*'] });
    await settle(sites);
    expect(await registeredMatches()).toEqual(['https://other.org/*']);
    expect(events).toHaveLength(1);
    expect(events[0]!.removed).toEqual(['https://example.com/*']);
    expect(events[0]!.isOn('https://example.com/a')).toBe(false);
    expect(events[0]!.isOn('https://other.org/b')).toBe(true);

    await permissions.remove({ origins: ['https://other.org/*'] });
    await settle(sites);
    expect(await registeredMatches()).toBeNull();
    expect(events[1]!.isOn('https://other.org/b')).toBe(false);
  });

  it('a permission removed while the background was not running is unregistered at the next start', async () => {
    const { permissions, scripting, sites, registeredMatches } = setup(['https://example.com/*']);
    await sites.start();
    expect(await registeredMatches()).toEqual(['https://example.com/*']);
    // Removed from the browser's own UI with no listener running (the worker was stopped).
    permissions.granted.delete('https://example.com/*');
    const restarted = new SiteAccess({
      permissions,
      scripting,
      tabs: fakeTabs(TABS),
      awaitingPermission: sitesAwaitingPermissionStorage,
      scriptFile: FILE,
    });
    await restarted.start();
    expect(await registeredMatches()).toBeNull();
  });

  it('a registration of an older build (other file) is replaced', async () => {
    const { scripting, sites } = setup(['https://example.com/*']);
    await scripting.registerContentScripts([
      { id: CONTENT_SCRIPT_ID, js: ['content-scripts/old.js'], matches: ['https://example.com/*'] },
    ]);
    await sites.start();
    expect(scripting.registered.get(CONTENT_SCRIPT_ID)!.js).toEqual([FILE]);
  });

  it('a tab that refuses the injection does not stop the others', async () => {
    const { permissions, scripting, sites, warn } = setup();
    const inject = scripting.executeScript;
    scripting.executeScript = async (injection) => {
      if (injection.target.tabId === 1) throw new Error('Frame with ID 0 was removed.');
      return inject(injection);
    };
    await permissions.request({ origins: ['https://example.com/*'] });
    await settle(sites);
    expect(scripting.injected.map((i) => i.tabId)).toEqual([2]);
    expect(warn).toHaveBeenCalledWith('could not start in tab 1', expect.any(Error));
  });

  it('a start that failed does not stop later turning on and off', async () => {
    const { permissions, scripting, sites, registeredMatches } = setup(['https://example.com/*']);
    const register = scripting.registerContentScripts;
    scripting.registerContentScripts = async () => {
      throw new Error('the browser refused the registration');
    };
    await expect(sites.start()).rejects.toThrow('the browser refused the registration');
    scripting.registerContentScripts = register;
    // The changes after it run, in order, as the person makes them.
    await permissions.request({ origins: ['https://other.org/*'] });
    await settle(sites);
    expect(await registeredMatches()).toEqual(['https://example.com/*', 'https://other.org/*']);
    await permissions.remove({ origins: ['https://example.com/*'] });
    await settle(sites);
    expect(await registeredMatches()).toEqual(['https://other.org/*']);
  });

  it('forgets a site waiting for its permission once the browser grants it', async () => {
    await sitesAwaitingPermissionStorage.setValue(['https://example.com/*', 'https://other.org/*']);
    const { permissions, sites } = setup();
    await sites.start();
    expect(await sitesAwaitingPermissionStorage.getValue()).toEqual([
      'https://example.com/*',
      'https://other.org/*',
    ]);
    await permissions.request({ origins: ['https://other.org/*'] });
    await settle(sites);
    expect(await sitesAwaitingPermissionStorage.getValue()).toEqual(['https://example.com/*']);
    await permissions.request({ origins: ['<all_urls>'] });
    await settle(sites);
    expect(await sitesAwaitingPermissionStorage.getValue()).toEqual([]);
  });
});
