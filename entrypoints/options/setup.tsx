// Binds the options component to the browser: "Test connection" is done by the background, the only
// network owner. Sites that wait for a new permission grant (after an update) are offered here too.
import { browser } from 'wxt/browser';
import { Options } from '@/components/Options';
import { SitesAwaitingPermission } from '@/components/SitesAwaitingPermission';
import { askBackground } from '@/lib/messaging';
import { TokenVault } from '@/lib/token-vault';

export function setupOptions() {
  document.documentElement.lang = browser.i18n.getUILanguage();
  const send = (message: unknown) => browser.runtime.sendMessage(message);
  const token = new TokenVault();
  return (
    <>
      <SitesAwaitingPermission permissions={browser.permissions} />
      <Options
        deps={{
          token,
          testConnection: (serverUrl, token) =>
            askBackground(send, { kind: 'test-connection', serverUrl, token }),
        }}
      />
    </>
  );
}
