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
    // The discussion frame is the one page a web page may load, and only as the frame our content
    // script creates (the background accepts it only with that tab's ticket). Chrome serves it under a
    // per-session id so that a page cannot probe for the extension.
    web_accessible_resources:
      browser === 'firefox'
        ? ['frame.html']
        : [{ resources: ['frame.html'], matches: ['<all_urls>'], use_dynamic_url: true }],
    // Chrome warns about keys it does not know: the Gecko id goes only into the Firefox build.
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'collab-chat@example.org',
              // Firefox's built-in consent: on a site the user turned on, the page's address and the
              // text a discussion quotes go to the team's own server.
              data_collection_permissions: { required: ['websiteActivity', 'websiteContent'] },
            },
          },
        }
      : {}),
  }),
  hooks: {
    // The content script keeps WXT's plain `browser` (chrome.* promises in Chrome, native `browser` in
    // Firefox) instead of the 10 KB polyfill: it uses only ports, storage and getURL, which need no
    // polyfill, and it must stay under 80 KB. Background, popup and options keep the polyfill (the
    // background answers runtime messages with promises).
    'vite:build:extendConfig'(entrypoints, viteConfig) {
      if (!entrypoints.every((e) => e.type === 'content-script')) return;
      viteConfig.plugins = [
        ...(viteConfig.plugins ?? []),
        {
          name: 'collab-chat:content-script-without-polyfill',
          enforce: 'pre',
          resolveId(id) {
            if (id === '@wxt-dev/webextension-polyfill/browser') return this.resolve('@wxt-dev/browser');
            return null;
          },
        },
      ];
    },
  },
});
