// Binds the popup component to the browser: the tab it is about, the browser's host permissions and
// the background's answers. `?tab=<id>` names the tab explicitly (used when the popup is opened as a
// page, e.g. by tests). Without the `tabs` permission a tab's URL is readable only where the
// extension holds `activeTab` for it (granted by the toolbar click that opens the popup) or the
// site's host permission.
import { browser } from 'wxt/browser';
import { Popup } from '@/components/Popup';
import { askBackground } from '@/lib/messaging';
import { inboxStorage } from '@/lib/storage';

async function currentTab(): Promise<{ id: number; url: string } | null> {
  const requested = Number(new URLSearchParams(location.search).get('tab'));
  const tab =
    Number.isInteger(requested) && requested > 0
      ? await browser.tabs.get(requested)
      : (await browser.tabs.query({ active: true, currentWindow: true }))[0];
  return tab?.id !== undefined && tab.url ? { id: tab.id, url: tab.url } : null;
}

export function setupPopup() {
  document.documentElement.lang = browser.i18n.getUILanguage();
  const send = (message: unknown) => browser.runtime.sendMessage(message);
  return (
    <Popup
      deps={{
        currentTab,
        getStatus: () => askBackground(send, { kind: 'get-status' }),
        getViewers: (tabId) => askBackground(send, { kind: 'get-viewers', tabId }),
        openOptions: () => void browser.runtime.openOptionsPage(),
        permissions: browser.permissions,
        inbox: {
          load: () => inboxStorage.getValue(),
          watch: (onChange) => inboxStorage.watch(onChange),
          open: (seq) => void askBackground(send, { kind: 'open-notification', seq }),
          markAllRead: () => void askBackground(send, { kind: 'mark-all-notifications-read' }),
        },
      }}
    />
  );
}
