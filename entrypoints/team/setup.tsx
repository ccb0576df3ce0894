// Binds the team page to the browser: its reads of the team's HTTP API, and the person's own data
// (export, erasure request), go through the background, which owns the network and the token.
import { browser } from 'wxt/browser';
import { OwnData } from '@/components/OwnData';
import { TeamView } from '@/components/TeamView';
import { askBackground } from '@/lib/messaging';

/** Hands the person a file from this extension page (a download of a blob of ours). */
function saveFile(fileName: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function setupTeamPage() {
  document.documentElement.lang = browser.i18n.getUILanguage();
  const send = (message: unknown) => browser.runtime.sendMessage(message);
  return (
    <>
      <TeamView
        deps={{
          ask: (path, params) => askBackground(send, { kind: 'team', path, params }),
          openOptions: () => void browser.runtime.openOptionsPage(),
        }}
      />
      <OwnData
        deps={{
          ask: (action) => askBackground(send, { kind: 'own-data', action }),
          save: saveFile,
        }}
      />
    </>
  );
}
