// Notifications and links (badge, inbox, opening a notification, Copy link, a link without the
// extension) in Firefox ESR (puppeteer-core, WebDriver BiDi), the Firefox MV2 build.
import type { Page } from 'puppeteer-core';
import { FirefoxTab, FirefoxUser } from './harness';
import { notifyScenarios, readInbox } from './notify-scenarios';

declare const browser: {
  browserAction: { getBadgeText(details: object): Promise<string> };
  permissions: { contains(p: { permissions: string[] }): Promise<boolean> };
};

/** Puppeteer's idea of a BiDi page's URL lags behind navigations it did not start: ask the page. */
const locationOf = (page: Page) => page.evaluate(() => location.href).catch(() => '');

async function pageAt(user: FirefoxUser, prefix: string, timeoutMs = 15_000): Promise<Page> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    for (const page of await user.browser.pages())
      if ((await locationOf(page)).startsWith(prefix)) return page;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no tab shows ${prefix}`);
}

notifyScenarios('firefox', (dir) => FirefoxUser.launch(dir), {
  badge: (user) => user.inExtensionPage(() => browser.browserAction.getBadgeText({})),
  async inbox(user) {
    // The driver cannot open moz-extension:// pages: the extension page the harness keeps goes to
    // the popup, as the harness's own popup does.
    await user
      .inExtensionPage(() => {
        location.href = '/popup.html';
      })
      .catch(() => undefined);
    const origin = await user.inExtensionPage(() => location.origin).catch(() => '');
    const page = await pageAt(user, `${origin}/popup.html`);
    await page.waitForSelector('[data-testid="inbox"]');
    return {
      entries: () => page.evaluate(readInbox),
      unreadCount: () =>
        page.$eval('[data-testid="inbox-unread"]', (e) => e.textContent ?? '').catch(() => ''),
      connectionState: () =>
        page
          .$eval('[data-testid="popup-connection"]', (e) => e.getAttribute('data-state') ?? '')
          .catch(() => ''),
      async reload() {
        // Puppeteer does not see this page's navigations over BiDi: the new document is told apart
        // from the old by a mark the old one carries.
        await page.evaluate(() => {
          (window as { stale?: boolean }).stale = true;
          location.reload();
        });
        const until = Date.now() + 15_000;
        while (Date.now() < until) {
          const fresh = await page
            .evaluate(
              () =>
                !(window as { stale?: boolean }).stale && !!document.querySelector('[data-testid="inbox"]'),
            )
            .catch(() => false);
          if (fresh) return;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        throw new Error('the popup did not load again');
      },
      async open(index, prefix) {
        const items = await page.$$('[data-testid="inbox-item"]');
        if (!items[index]) throw new Error(`no inbox entry ${index}`);
        await items[index].click();
        const tab = await pageAt(user, prefix);
        return new FirefoxTab(tab, await locationOf(tab));
      },
      async markAllRead() {
        await (await page.waitForSelector('[data-testid="inbox-mark-all-read"]'))!.click();
      },
      screenshot: async (path) => void (await page.screenshot({ path: path as `${string}.png` })),
      close: async () => undefined,
    };
  },
  async clickOption(user, testId) {
    // The extension page the harness keeps shows the options, then the popup again.
    const origin = await user.inExtensionPage(() => location.origin);
    await user
      .inExtensionPage(() => {
        location.href = '/options.html';
      })
      .catch(() => undefined);
    const page = await pageAt(user, `${origin}/options.html`);
    const box = (await page.waitForSelector(`[data-testid="${testId}"]`))!;
    await box.click();
    await page
      .waitForFunction(
        (id: string) => document.querySelector<HTMLInputElement>(`[data-testid="${id}"]`)?.checked,
        { timeout: 10_000 },
        testId,
      )
      .catch(() => undefined);
    const checked = await box.evaluate((e) => (e as HTMLInputElement).checked);
    await page.evaluate(() => {
      location.href = '/popup.html';
    });
    await pageAt(user, `${origin}/popup.html`);
    return checked;
  },
  // Headless Firefox closes a notification as it shows it: `getAll()` is always empty there.
  notificationsShown: async () => null,
  mayNotify: (user) =>
    user.inExtensionPage(() => browser.permissions.contains({ permissions: ['notifications'] })),
});
