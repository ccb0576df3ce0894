// The background's composition root, wired to WXT's fake browser (with in-memory permissions,
// scripting and tabs): who may ask what over runtime messages, the keyboard commands, first install,
// and turning a site on from the browser's permission events.
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { topBarCollapsedStorage } from '@/lib/storage';
import { fakePermissions, fakeScripting, fakeTabs } from '@/test/unit/fake-site-apis';
import { CONTENT_SCRIPT_ID } from './sites';
import { setupBackground } from './setup';

type Listener = (...args: never[]) => unknown;
function event() {
  const listeners = new Set<Listener>();
  return {
    addListener: (l: Listener) => void listeners.add(l),
    removeListener: (l: Listener) => void listeners.delete(l),
    hasListener: (l: Listener) => listeners.has(l),
    fire: (...args: unknown[]) => [...listeners].map((l) => (l as (...a: unknown[]) => unknown)(...args)),
  };
}

const OWN_PAGE = {
  id: fakeBrowser.runtime.id,
  url: `chrome-extension://${fakeBrowser.runtime.id}/popup.html`,
};
/** A content script: the extension's id, but the web page's URL. */
const CONTENT_SCRIPT = { id: fakeBrowser.runtime.id, url: 'https://example.com/a', tab: { id: 1 } };

let permissions: ReturnType<typeof fakePermissions>;
let scripting: ReturnType<typeof fakeScripting>;
let onCommand: ReturnType<typeof event>;

beforeEach(() => {
  fakeBrowser.reset();
  permissions = fakePermissions();
  scripting = fakeScripting();
  onCommand = event();
  const browser = fakeBrowser as unknown as Record<string, unknown>;
  browser.permissions = permissions;
  browser.scripting = scripting;
  Object.assign(fakeBrowser.tabs, fakeTabs([{ id: 1, url: 'https://example.com/a' }]));
  browser.commands = { onCommand };
  (fakeBrowser.runtime as unknown as Record<string, unknown>).onConnect = event();
  browser.action = { setBadgeText: async () => {}, setBadgeBackgroundColor: async () => {} };
  (fakeBrowser.storage.local as unknown as { setAccessLevel: () => Promise<void> }).setAccessLevel =
    async () => {};
});

/** What the background answers a runtime message from `sender` (undefined: no answer). */
async function ask(message: unknown, sender: object): Promise<unknown> {
  const answers = await fakeBrowser.runtime.onMessage.trigger(message, sender as never);
  return answers.find((a) => a !== undefined);
}

describe('setupBackground', () => {
  it('answers the status to anyone, and a malformed message not at all', async () => {
    setupBackground();
    expect(await ask({ kind: 'get-status' }, CONTENT_SCRIPT)).toMatchObject({ state: expect.any(String) });
    expect(await ask({ kind: 'get-status', extra: 'x' }, OWN_PAGE)).toMatchObject({
      state: expect.any(String),
    });
    expect(await ask({ kind: 'steal-token' }, OWN_PAGE)).toBeUndefined();
    expect(await ask('get-status', OWN_PAGE)).toBeUndefined();
  });

  it.each([
    ['team', { kind: 'team', path: 'discussions', params: {} }],
    ['redeem-invite', { kind: 'redeem-invite', link: 'https://x/invite#cci_a', name: 'Eve' }],
    ['open-notification', { kind: 'open-notification', seq: 1 }],
    ['mark-all-notifications-read', { kind: 'mark-all-notifications-read' }],
  ])('answers %s to the extension’s own pages only, never to a content script', async (_, message) => {
    setupBackground();
    expect(await ask(message, CONTENT_SCRIPT)).toBeUndefined();
    expect(await ask(message, { ...OWN_PAGE, id: 'another-extension' })).toBeUndefined();
  });

  it('the team request from its own page gets an answer (no server set: says so)', async () => {
    setupBackground();
    expect(await ask({ kind: 'team', path: 'discussions', params: {} }, OWN_PAGE)).toMatchObject({
      ok: false,
    });
  });

  it('the show/hide shortcut flips the bar for every tab; a shortcut that is not ours does nothing', async () => {
    setupBackground();
    expect(await topBarCollapsedStorage.getValue()).toBe(false);
    onCommand.fire('toggle-overlay', { id: 1 });
    await vi.waitFor(async () => expect(await topBarCollapsedStorage.getValue()).toBe(true));
    onCommand.fire('not-a-command', { id: 1 });
    onCommand.fire('toggle-overlay', { id: 1 });
    await vi.waitFor(async () => expect(await topBarCollapsedStorage.getValue()).toBe(false));
  });

  it('opens the options page on first install only', async () => {
    const open = vi.spyOn(fakeBrowser.runtime, 'openOptionsPage').mockResolvedValue(undefined);
    setupBackground();
    await fakeBrowser.runtime.onInstalled.trigger({ reason: 'update' } as never);
    expect(open).not.toHaveBeenCalled();
    await fakeBrowser.runtime.onInstalled.trigger({ reason: 'install' } as never);
    expect(open).toHaveBeenCalledTimes(1);
  });

  it('a site granted from the popup gets the content script registered and started in its open tab', async () => {
    setupBackground();
    await permissions.request({ origins: ['https://example.com/*'] });
    await vi.waitFor(() =>
      expect(scripting.registered.get(CONTENT_SCRIPT_ID)?.matches).toEqual(['https://example.com/*']),
    );
    await vi.waitFor(() => expect(scripting.injected.map((i) => i.tabId)).toEqual([1]));
  });
});
