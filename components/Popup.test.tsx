import { cleanup, fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { StatusT } from '@/lib/messaging';
import { enabledSitesStorage } from '@/lib/storage';
import { useEnglishMessages } from '@/test/unit/i18n';
import { Popup, type PopupDeps } from './Popup';

const live: StatusT = {
  state: 'live',
  queued: 0,
  me: { id: 'u-alice', name: 'Alice' },
  tenant: { id: 't-a', name: 'Acme' },
  role: 'member',
};

function deps(url: string): PopupDeps {
  return {
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
  it('is off by default and turns the current site on', async () => {
    render(() => <Popup deps={deps('https://example.com/a?b=1')} />);
    const toggle = (await screen.findByTestId('site-toggle')) as HTMLInputElement;
    expect(toggle.checked).toBe(false);
    fireEvent.click(toggle);
    await waitFor(async () => expect(await enabledSitesStorage.getValue()).toEqual(['https://example.com']));
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
});
