import { defineConfig } from 'wxt';

// Extension build configuration. The server lives in server/ and is not part of this build.
/** The toolbar and store icons in public/icon/, drawn from assets/icon/icon.svg by scripts/icons.ts. */
const ICON_SIZES = [16, 32, 48, 96, 128] as const;
const icons = (prefix: string) =>
  Object.fromEntries(ICON_SIZES.map((size) => [size, `icon/${prefix}${size}.png`])) as Record<string, string>;

export default defineConfig({
  modules: ['@wxt-dev/module-solid', '@wxt-dev/webextension-polyfill', '@wxt-dev/i18n/module'],
  srcDir: '.',
  outDir: '.output',
  manifest: ({ browser, manifestVersion }) => ({
    name: 'Collab Chat',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    icons: icons(''),
    // The toolbar button (WXT adds the popup to it). Firefox picks its icon by the toolbar's theme:
    // `light` is the one drawn for dark toolbars (light ink), `dark` the one for light toolbars; Chrome
    // has no such key. MV2 (the Firefox build) names the button `browser_action`.
    ...(manifestVersion === 3
      ? { action: { default_icon: icons('') } }
      : {
          browser_action: {
            default_icon: icons(''),
            theme_icons: ICON_SIZES.map((size) => ({
              light: `icon/dark-${size}.png`,
              dark: `icon/${size}.png`,
              size,
            })),
          },
        }),
    // Nothing on any site at install. A site is turned on from the popup, which asks for that site's
    // host permission (or `<all_urls>` for every site) from the user's click; the background then
    // registers the content script for exactly the granted sites (entrypoints/background/sites.ts).
    // `activeTab` lets the popup read the URL of the tab it was opened on; `scripting` registers the
    // content script and starts it in the tabs already open on a site just turned on.
    // Firefox's `dns` (which asks the user nothing) lets "Test connection" tell a host name that does
    // not exist from a closed port; Chrome has no such API.
    // `identity` (which asks the user nothing) runs "Sign in" (single sign-on) in a window of the
    // browser's own, whose result only the background sees (identity.launchWebAuthFlow).
    permissions: ['storage', 'activeTab', 'scripting', 'identity', ...(browser === 'firefox' ? ['dns'] : [])],
    // MV3 names optional hosts apart; MV2 (the Firefox build) lists them among optional permissions.
    // `notifications` is asked for only when the person turns browser notifications on in the options.
    ...(manifestVersion === 3
      ? { optional_permissions: ['notifications'], optional_host_permissions: ['<all_urls>'] }
      : { optional_permissions: ['<all_urls>', 'notifications'] }),
    // Global keyboard commands (lib/messaging/names.ts, handled in the background). Chrome takes at most
    // four suggested keys; toggling the bar has none by default and people can give it one. Alt+Shift
    // and, on a Mac (where Option+Shift types characters), Control+Shift with a key type nothing in a
    // text field. Chrome silently refuses Alt+Shift+N and Alt+Shift+P (its own), hence . and , for
    // next and previous. People change them in chrome://extensions/shortcuts or Firefox's add-ons manager.
    commands: {
      'discuss-selection': {
        suggested_key: { default: 'Alt+Shift+D', mac: 'MacCtrl+Shift+D' },
        description: '__MSG_commandDiscussSelection__',
      },
      'toggle-list': {
        suggested_key: { default: 'Alt+Shift+L', mac: 'MacCtrl+Shift+L' },
        description: '__MSG_commandToggleList__',
      },
      'next-highlight': {
        suggested_key: { default: 'Alt+Shift+Period', mac: 'MacCtrl+Shift+Period' },
        description: '__MSG_commandNextHighlight__',
      },
      'previous-highlight': {
        suggested_key: { default: 'Alt+Shift+Comma', mac: 'MacCtrl+Shift+Comma' },
        description: '__MSG_commandPreviousHighlight__',
      },
      'toggle-overlay': { description: '__MSG_commandToggleOverlay__' },
    },
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
    // The content script is registered at run time, so WXT gives its stylesheet (fetched into the
    // overlay's shadow root) no pages to be readable from: the sites that can be turned on are any.
    'build:manifestGenerated'(_wxt, manifest) {
      if (manifest.content_scripts?.length === 0) delete manifest.content_scripts;
      for (const entry of manifest.web_accessible_resources ?? []) {
        if (typeof entry === 'object' && entry.resources.some((r) => r.startsWith('content-scripts/'))) {
          entry.matches = ['<all_urls>'];
        }
      }
    },
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
