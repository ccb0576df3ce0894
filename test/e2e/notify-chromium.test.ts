// Notifications and links (badge, inbox, opening a notification, Copy link, a link without the
// extension) in Debian's Chromium (playwright-core), the Chrome MV3 build.
import { ChromiumTab, ChromiumUser } from './harness';
import { notifyScenarios, readInbox } from './notify-scenarios';

declare const chrome: { action: { getBadgeText(details: object): Promise<string> } };

notifyScenarios('chromium', (dir) => ChromiumUser.launch(dir), {
  badge: async (user) => (await user.worker()).evaluate(() => chrome.action.getBadgeText({})),
  async inbox(user) {
    // Playwright cannot drive the toolbar's own popup window: the same page, opened beside it.
    const page = await user.context.newPage();
    await page.goto(user.extensionUrl('popup.html'));
    await page.getByTestId('inbox').waitFor();
    return {
      entries: () => page.evaluate(readInbox),
      unreadCount: async () => (await page.getByTestId('inbox-unread').textContent()) ?? '',
      async open(index, prefix) {
        const next = user.context.waitForEvent('page');
        await page.getByTestId('inbox-item').nth(index).click();
        const tab = await next;
        await tab.waitForURL((url) => url.href.startsWith(prefix));
        return new ChromiumTab(tab);
      },
      markAllRead: () => page.getByTestId('inbox-mark-all-read').click(),
      screenshot: async (path) => void (await page.screenshot({ path })),
      close: () => page.close(),
    };
  },
});
