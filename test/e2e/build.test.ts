// The built extension itself: the content script stays within its size budget (it loads on every
// page of a site that is on), and each browser's manifest has what that browser needs and asks for
// nothing on any site at install: no host permission, no `tabs`, no content script.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildExtension, type BrowserName } from './harness';

/** The content script's budget, in bytes of minified JavaScript (issue: kept under 80 KB). */
const CONTENT_SCRIPT_BUDGET = 80_000;

describe.each<[BrowserName, number]>([
  ['chromium', 3],
  ['firefox', 2],
])('the %s build', (browser, manifestVersion) => {
  it('keeps the content script under its budget and ships both locales', async () => {
    const dir = await buildExtension(browser);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.manifest_version).toBe(manifestVersion);
    // Registered at run time (entrypoints/background/setup.ts names this file), never in the manifest.
    const script = 'content-scripts/overlay.js';
    const { size } = await stat(join(dir, script));
    expect(size, `${script} is ${size} bytes`).toBeLessThanOrEqual(CONTENT_SCRIPT_BUDGET);
    expect(manifest.content_scripts).toBeUndefined();
    expect(manifest.host_permissions).toBeUndefined();
    // Firefox's `dns` (no prompt) lets "Test connection" tell a host name that does not exist apart;
    // `identity` (no prompt) runs single sign-on in the browser's own sign-in window.
    expect(manifest.permissions.sort()).toEqual(
      browser === 'firefox'
        ? ['activeTab', 'dns', 'identity', 'scripting', 'storage']
        : ['activeTab', 'identity', 'scripting', 'storage'],
    );
    // Asked for from the person's click: a site's host (or every site), and browser notifications.
    if (manifest.manifest_version === 3) {
      expect(manifest.optional_host_permissions).toEqual(['<all_urls>']);
      expect(manifest.optional_permissions).toEqual(['notifications']);
    } else expect(manifest.optional_permissions).toEqual(['<all_urls>', 'notifications']);
    for (const locale of ['en', 'pt_BR']) {
      const messages = JSON.parse(await readFile(join(dir, '_locales', locale, 'messages.json'), 'utf8'));
      expect(Object.keys(messages).length).toBeGreaterThan(10);
    }
    if (browser === 'chromium') {
      expect(manifest.background.service_worker).toBeTruthy();
      // The discussion frame is the only page a web page may load, under a per-session URL.
      expect(manifest.web_accessible_resources).toEqual([
        { resources: ['frame.html'], matches: ['<all_urls>'], use_dynamic_url: true },
      ]);
    } else {
      expect(manifest.web_accessible_resources).toEqual(['frame.html']);
      expect(manifest.browser_specific_settings.gecko.id).toBe('collab-chat@example.org');
      expect(manifest.browser_specific_settings.gecko.data_collection_permissions.required).toEqual([
        'websiteActivity',
        'websiteContent',
      ]);
    }
  });
});
