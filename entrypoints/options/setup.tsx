// Binds the options component to the browser: "Test connection" is done by the background, the only
// network owner. Sites that wait for a new permission grant (after an update) are offered here too.
import { browser } from 'wxt/browser';
import { Options } from '@/components/Options';
import { Shortcuts, type ShortcutsDeps } from '@/components/Shortcuts';
import type { SignInOutcome } from '@/components/SignIn';
import { SitesAwaitingPermission } from '@/components/SitesAwaitingPermission';
import { askBackground } from '@/lib/messaging';
import { sessionEndedStorage } from '@/lib/storage';
import { TokenVault } from '@/lib/token-vault';

/**
 * Where people change the keys: Chrome only on chrome://extensions/shortcuts (which an extension may
 * open in a tab); Firefox from here through `commands.update`, and in its add-ons manager.
 */
function shortcutsDeps(): ShortcutsDeps {
  const commands = browser.commands as typeof browser.commands & {
    update?(details: { name: string; shortcut?: string }): Promise<void>;
    reset?(name: string): Promise<void>;
    openShortcutSettings?(): Promise<void>;
  };
  const list = () => commands.getAll();
  if (import.meta.env.FIREFOX) {
    return {
      list,
      update: commands.update && ((name, shortcut) => commands.update!({ name, shortcut })),
      reset: commands.reset && ((name) => commands.reset!(name)),
      openBrowserSettings: commands.openShortcutSettings && (() => commands.openShortcutSettings!()),
      settingsPage: 'about:addons',
    };
  }
  return {
    list,
    openBrowserSettings: async () =>
      void (await browser.tabs.create({ url: 'chrome://extensions/shortcuts' })),
  };
}

const SIGNED_IN_KEY = 'collab-chat/signed-in';

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
          checkSaved: () => askBackground(send, { kind: 'check-saved' }),
          signIn: {
            signIn: (serverUrl) => askBackground(send, { kind: 'sso-sign-in', serverUrl }),
            signOut: () => askBackground(send, { kind: 'sso-sign-out' }),
            signedIn: async () => (await token.getSession()) !== null,
            sessionEnded: () => sessionEndedStorage.getValue(),
            done(outcome) {
              sessionStorage.setItem(SIGNED_IN_KEY, JSON.stringify(outcome));
              location.reload();
            },
            takeOutcome() {
              const kept = sessionStorage.getItem(SIGNED_IN_KEY);
              sessionStorage.removeItem(SIGNED_IN_KEY);
              try {
                return kept ? (JSON.parse(kept) as SignInOutcome) : null;
              } catch {
                return null;
              }
            },
          },
          notificationPermission: {
            contains: () => browser.permissions.contains({ permissions: ['notifications'] }),
            request: () => browser.permissions.request({ permissions: ['notifications'] }),
            remove: () => browser.permissions.remove({ permissions: ['notifications'] }),
          },
        }}
      >
        <Shortcuts deps={shortcutsDeps()} firefox={import.meta.env.FIREFOX} />
      </Options>
    </>
  );
}
