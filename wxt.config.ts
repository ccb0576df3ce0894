import { defineConfig } from 'wxt';

// Extension build configuration. The server lives in server/ and is not part of this build.
export default defineConfig({
  modules: ['@wxt-dev/module-solid', '@wxt-dev/webextension-polyfill', '@wxt-dev/i18n/module'],
  srcDir: '.',
  outDir: '.output',
  manifest: ({ browser }) => ({
    name: 'Collab Chat',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    permissions: ['storage', 'tabs'],
    host_permissions: ['<all_urls>'],
    // Chrome warns about keys it does not know: the Gecko id goes only into the Firefox build.
    ...(browser === 'firefox'
      ? { browser_specific_settings: { gecko: { id: 'collab-chat@example.org' } } }
      : {}),
  }),
});
