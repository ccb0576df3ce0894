import { cleanup, fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { StatusT } from '@/lib/messaging';
import { EMPTY_INBOX, type InboxState } from '@/lib/inbox';
import type { NotificationT } from '@/lib/protocol';
import { sitesAwaitingPermissionStorage } from '@/lib/storage';
import { fakePermissions } from '@/test/unit/fake-site-apis';
import { useEnglishMessages } from '@/test/unit/i18n';
import { Popup, type PopupDeps } from './Popup';

const live: StatusT = {
  state: 'live',
  queued: 0,
  me: { id: 'u-alice', name: 'Alice' },
  tenant: { id: 't-a', name: 'Acme' },
  role: 'member',
};

function deps(url: string, permissions = fakePermissions()): PopupDeps {
  return {
    permissions,
    currentTab: async () => ({ id: 7, url }),
    getStatus: async () => live,
    getViewers: async (tabId) => ({ page: tabId === 7 ? url : null, count: 3 }),
    openOptions: () => {},
  };
}

beforeEach(() => {
  fakeBrowser.reset();
  useEnglishMessages();
});
afterEach(cleanup);

describe('Popup', () => {
  it('is off by default; a click asks the browser for the site and shows what it granted', async () => {
    const permissions = fakePermissions();
    render(() => <Popup deps={deps('https://example.com:8443/a?b=1', permissions)} />);
    const toggle = (await screen.findByTestId('site-toggle')) as HTMLInputElement;
    expect(toggle.checked).toBe(false);
    fireEvent.click(toggle);
    await waitFor(() => expect([...permissions.granted]).toEqual(['https://example.com/*']));
    await waitFor(() => expect(toggle.checked).toBe(true));

    // Off again: the permission goes back to the browser.
    fireEvent.click(toggle);
    await waitFor(() => expect([...permissions.granted]).toEqual([]));
    await waitFor(() => expect(toggle.checked).toBe(false));
  });

  it('stays off and says so when the user declines the browser’s prompt', async () => {
    const permissions = fakePermissions();
    permissions.request = (request) => fakePermissions().request(request, false);
    render(() => <Popup deps={deps('https://example.com/a', permissions)} />);
    const toggle = (await screen.findByTestId('site-toggle')) as HTMLInputElement;
    fireEvent.click(toggle);
    expect((await screen.findByTestId('popup-permission-problem')).textContent).toBe(
      "Not turned on: the browser's permission was not given.",
    );
    await waitFor(() => expect(toggle.checked).toBe(false));
    expect(permissions.granted.size).toBe(0);
  });

  it('says what went wrong when the browser refuses the request', async () => {
    const permissions = fakePermissions();
    permissions.request = async () => {
      throw new Error('permissions.request may only be called from a user input handler');
    };
    render(() => <Popup deps={deps('https://example.com/a', permissions)} />);
    fireEvent.click(await screen.findByTestId('site-toggle'));
    expect((await screen.findByTestId('popup-permission-problem')).textContent).toContain(
      'may only be called from a user input handler',
    );
  });

  it('"On for every site" asks for <all_urls>; the site toggle then shows on and cannot be changed', async () => {
    const permissions = fakePermissions();
    render(() => <Popup deps={deps('https://example.com/a', permissions)} />);
    const site = (await screen.findByTestId('site-toggle')) as HTMLInputElement;
    const every = screen.getByTestId('everywhere-toggle') as HTMLInputElement;
    fireEvent.click(every);
    await waitFor(() => expect([...permissions.granted]).toEqual(['<all_urls>']));
    await waitFor(() => expect(site.checked && site.disabled && every.checked).toBe(true));
  });

  it('follows a grant or removal made elsewhere (the browser’s own site access menu)', async () => {
    const permissions = fakePermissions();
    render(() => <Popup deps={deps('https://example.com/a', permissions)} />);
    const toggle = (await screen.findByTestId('site-toggle')) as HTMLInputElement;
    await permissions.request({ origins: ['https://example.com/*'] });
    await waitFor(() => expect(toggle.checked).toBe(true));
    await permissions.remove({ origins: ['https://example.com/*'] });
    await waitFor(() => expect(toggle.checked).toBe(false));
  });

  it('offers the sites that need the permission again, and grants them in one click', async () => {
    await sitesAwaitingPermissionStorage.setValue(['<all_urls>', 'https://docs.example/*']);
    const permissions = fakePermissions();
    const asked: string[][] = [];
    const request = permissions.request;
    permissions.request = (p) => {
      asked.push(p.origins);
      return request(p);
    };
    render(() => <Popup deps={deps('https://example.com/a', permissions)} />);
    const notice = await screen.findByTestId('sites-awaiting');
    expect(notice.textContent).toContain(
      'Collab Chat needs your permission again for: every site, docs.example',
    );
    fireEvent.click(screen.getByTestId('grant-again'));
    await waitFor(() => expect(asked).toEqual([['<all_urls>', 'https://docs.example/*']]));
    // The background clears the list once granted; the notice goes with it.
    await sitesAwaitingPermissionStorage.setValue([]);
    await waitFor(() => expect(screen.queryByTestId('sites-awaiting')).toBeNull());
  });

  it('shows who you are, the connection and the viewers of the tab', async () => {
    render(() => <Popup deps={deps('https://example.com/a')} />);
    await waitFor(() =>
      expect(screen.getByTestId('popup-viewers').textContent).toBe('Viewing this page now: 3'),
    );
    expect(screen.getByTestId('popup-me').textContent).toBe(
      'Signed in as \u2068Alice\u2069 (\u2068Acme\u2069)',
    );
    expect(screen.getByTestId('popup-connection').textContent).toBe('Connection: Live');
  });

  it('says when a page cannot be annotated', async () => {
    render(() => <Popup deps={deps('chrome://extensions')} />);
    expect((await screen.findByTestId('popup-no-site')).textContent).toBe('This page cannot be annotated.');
  });

  it('lists the inbox newest first, unread marked; a click opens one, "Mark all read" marks all', async () => {
    const note = (seq: number, read: boolean, kind: NotificationT['kind']): NotificationT => ({
      seq,
      kind,
      page: 'https://example.com/a',
      chatId: 'chat-aaaaaaaa',
      actor: { id: 'u-bruno', name: 'Bruno' },
      at: Date.now() - 5 * 60_000,
      read,
      ...(kind !== 'resolve' && { excerpt: `@[u-alice] look ${seq}` }),
    });
    let state: InboxState = {
      ...EMPTY_INBOX,
      items: [note(2, false, 'mention'), note(1, true, 'resolve')],
      unread: 1,
    };
    const listeners: Array<(s: InboxState) => void> = [];
    const opened: number[] = [];
    let markedAll = 0;
    const base = deps('https://example.com/a');
    render(() => (
      <Popup
        deps={{
          ...base,
          inbox: {
            load: async () => state,
            watch: (on) => {
              listeners.push(on);
              return () => undefined;
            },
            open: (seq) => opened.push(seq),
            markAllRead: () => (markedAll += 1),
          },
        }}
      />
    ));
    await waitFor(() => expect(screen.getAllByTestId('inbox-item')).toHaveLength(2));
    const items = screen.getAllByTestId('inbox-item');
    expect(items.map((i) => i.dataset.unread)).toEqual(['true', 'false']);
    expect(items[0]!.textContent).toContain('Bruno');
    expect(items[0]!.textContent).toContain('mentioned you');
    await waitFor(() => expect(screen.getByTestId('inbox-excerpt').textContent).toBe('@Alice look 2'));
    expect(items[0]!.textContent).toContain('on example.com');
    expect(items[0]!.textContent).toContain('5 minutes ago');
    expect(items[1]!.textContent).toContain('resolved your discussion');
    expect(screen.getByTestId('inbox-unread').textContent).toBe('1');
    fireEvent.click(items[0]!);
    expect(opened).toEqual([2]);
    fireEvent.click(screen.getByTestId('inbox-mark-all-read'));
    expect(markedAll).toBe(1);
    // The background's change shows at once.
    state = { ...state, items: state.items.map((n) => ({ ...n, read: true })), unread: 0 };
    for (const on of listeners) on(state);
    await waitFor(() =>
      expect(screen.getAllByTestId('inbox-item').map((i) => i.dataset.unread)).toEqual(['false', 'false']),
    );
    expect(screen.queryByTestId('inbox-unread')).toBeNull();
    expect((screen.getByTestId('inbox-mark-all-read') as HTMLButtonElement).disabled).toBe(true);
  });

  it('says when there are no notifications yet', async () => {
    render(() => (
      <Popup
        deps={{
          ...deps('https://example.com/a'),
          inbox: {
            load: async () => EMPTY_INBOX,
            watch: () => () => undefined,
            open: () => {},
            markAllRead: () => {},
          },
        }}
      />
    ));
    expect((await screen.findByTestId('inbox-empty')).textContent).toBe('No notifications yet.');
  });
});
