// Notifications and links (badge, inbox, opening a notification, Copy link, a link without the
// extension) in Debian's Chromium (playwright-core), the Chrome MV3 build.
import { ChromiumTab, ChromiumUser } from './harness';
import { notifyScenarios, readInbox } from './notify-scenarios';

declare const chrome: {
  action: { getBadgeText(details: object): Promise<string> };
  notifications: { getAll(): Promise<Record<string, boolean>> };
  permissions: { contains(p: { permissions: string[] }): Promise<boolean> };
};

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
      connectionState: async () =>
        (await page.getByTestId('popup-connection').getAttribute('data-state')) ?? '',
      async reload() {
        await page.reload();
        await page.getByTestId('inbox').waitFor();
      },
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
  async clickOption(user, testId) {
    const page = await user.context.newPage();
    try {
      await page.goto(user.extensionUrl('options.html'));
      const box = page.getByTestId(testId);
      await box.click();
      // A permission asked for is granted (or not) a moment after the click.
      await page
        .waitForFunction(
          (id) => document.querySelector<HTMLInputElement>(`[data-testid="${id}"]`)?.checked,
          testId,
          { timeout: 10_000 },
        )
        .catch(() => undefined);
      return await box.isChecked();
    } finally {
      await page.close();
    }
  },
  notificationsShown: async (user) =>
    (await user.worker()).evaluate(async () => Object.keys(await chrome.notifications.getAll())),
  mayNotify: async (user) =>
    (await user.worker()).evaluate(() => chrome.permissions.contains({ permissions: ['notifications'] })),
});
