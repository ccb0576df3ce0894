// Binds the team page to the browser: its reads of the team's HTTP API go through the background,
// which owns the network and the token.
import { browser } from 'wxt/browser';
import { TeamView } from '@/components/TeamView';
import { askBackground } from '@/lib/messaging';

export function setupTeamPage() {
  document.documentElement.lang = browser.i18n.getUILanguage();
  const send = (message: unknown) => browser.runtime.sendMessage(message);
  return (
    <TeamView
      deps={{
        ask: (path, params) => askBackground(send, { kind: 'team', path, params }),
        openOptions: () => void browser.runtime.openOptionsPage(),
      }}
    />
  );
}
