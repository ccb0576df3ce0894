import { defineConfig } from 'wxt';

// Extension build configuration. The server lives in server/ and is not part of this build.
export default defineConfig({
  modules: ['@wxt-dev/module-solid', '@wxt-dev/webextension-polyfill', '@wxt-dev/i18n/module'],
  srcDir: '.',
  outDir: '.output',
  manifest: {
    name: 'Collab Chat',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    permissions: ['storage', 'tabs', 'activeTab'],
    host_permissions: ['<all_urls>'],
    browser_specific_settings: {
      gecko: { id: 'collab-chat@example.org' },
    },
  },
});
