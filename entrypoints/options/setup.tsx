// Binds the options component to the browser: "Test connection" is done by the background, the only
// network owner.
import { browser } from 'wxt/browser';
import { Options } from '@/components/Options';
import { askBackground } from '@/lib/messaging';

export function setupOptions() {
  document.documentElement.lang = browser.i18n.getUILanguage();
  const send = (message: unknown) => browser.runtime.sendMessage(message);
  return (
    <Options
      deps={{
        testConnection: (serverUrl, token) =>
          askBackground(send, { kind: 'test-connection', serverUrl, token }),
      }}
    />
  );
}
