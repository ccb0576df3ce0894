// Erasure in a real browser, written once for both: an admin erases a member on the server's
// dashboard with real clicks (Erase…, then the confirmation), and the page a viewer has open loses
// that member's comments and lone discussion live, while the viewer's own reply stays; a member
// downloads their data and asks for erasure from the extension's team page (through the background,
// which holds the token), and the request shows on the admins' dashboard, where it is declined.
import { join } from 'node:path';
import { beforeAll, expect, it, vi } from 'vitest';
import type { TestClient } from '../helpers/client';
import type { TestServer } from '../helpers/server';
import {
  ARTIFACTS,
  type BrowserName,
  type ExtensionPage,
  scenarioSuite,
  type Tab,
  type UserBrowser,
} from './harness';

const WAIT = { timeout: 15_000, interval: 100 };
const FAR = 'cranes unload timber';
const TOP = 'Ships arrive at dawn';

const textOf = (tab: Tab, css: string) =>
  tab.evaluate((c) => document.querySelector(c)?.textContent ?? null, css);

export function erasureScenarios(
  name: BrowserName,
  launch: (extensionDir: string) => Promise<UserBrowser>,
): void {
  scenarioSuite({ browser: name, title: 'erasing a member', launch, users: { alice: 'alice' } }, (world) => {
    let server: TestServer;
    let alice: UserBrowser;
    let bob: TestClient;
    let tab: Tab;
    let url: string;
    const ids = { shared: '', lone: '' };
    const shot = (step: string) => join(ARTIFACTS, `${name}-erasure-${step}.png`);

    const write = async (client: TestClient, frame: Record<string, unknown>) => {
      const broadcastId = crypto.randomUUID();
      client.send({ ...frame, broadcastId, page: url });
      const answer = await client.next(
        (f) => (f.type === 'ack' || f.type === 'error') && f.broadcastId === broadcastId,
      );
      expect(answer.type).toBe('ack');
    };
    const create = async (client: TestClient, quote: string, text: string) => {
      const chatId = `chat-${crypto.randomUUID().slice(0, 8)}`;
      await write(client, {
        type: 'create-chat',
        chatId,
        commentId: `cmt-${crypto.randomUUID().slice(0, 8)}`,
        selectors: [{ type: 'TextQuoteSelector', exact: quote }],
        text,
      });
      return chatId;
    };

    beforeAll(async () => {
      server = world.server;
      ({ alice } = world.users);
      url = world.pages.url('long.html');
      bob = await world.member('bob', url);
      const aliceWs = await world.member('alice', url);
      // Bob's discussion with Alice's reply, and Bob's discussion nobody answered.
      ids.shared = await create(bob, TOP, 'Bob asks which ships');
      await write(aliceWs, {
        type: 'add-comment',
        chatId: ids.shared,
        commentId: `cmt-${crypto.randomUUID().slice(0, 8)}`,
        text: 'Alice says the ferries',
      });
      ids.lone = await create(bob, FAR, 'Bob asks about the timber');
      tab = await world.openLive('alice', url);
      await vi.waitFor(async () => expect(await tab.text('discussion-count')).toBe('2 discussions'), WAIT);
    });

    it('an admin erases a member on the dashboard, and the viewer’s page loses their comments live', async () => {
      // Alice has Bob's discussion open, with both comments.
      await tab.click('discussion-count');
      await expect.poll(() => tab.count('discussion-list'), WAIT).toBe(1);
      await tab.clickInFrame(`[data-discussion-id="${ids.shared}"]`);
      await expect
        .poll(() => tab.threadLines(), WAIT)
        .toEqual(['Bob: Bob asks which ships', 'Alice: Alice says the ferries']);
      await tab.screenshot(shot('1-before'));

      const dashboard = await alice.open(`${server.server.httpUrl}/dashboard`);
      await dashboard.clickElement('#token');
      await dashboard.type(server.tokens.admin);
      await dashboard.clickElement('#sign-in-form button[type="submit"]');
      await expect.poll(() => textOf(dashboard, '#team-name'), WAIT).toContain('Tenant A');
      const row = `#members tr[data-user-id="${server.users.bob.id}"]`;
      await dashboard.clickElement(`${row} button[data-action="erase"]`);
      await expect
        .poll(() => textOf(dashboard, `${row} [data-confirm="erase"]`), WAIT)
        .toMatch(/^Erase Bob\?.*cannot be undone/);
      await dashboard.clickElement(`${row} [data-confirm="erase"] button.danger`);
      await expect
        .poll(() => textOf(dashboard, '#members-result'), WAIT)
        .toBe('Bob was erased: 2 comment(s) and 1 discussion(s) removed for everyone.');
      await expect
        .poll(() => textOf(dashboard, `#members tr[data-user-id="${server.users.bob.id}"]`), WAIT)
        .toMatch(/^former member.*erased/);
      await dashboard.screenshot(shot('2-dashboard'));
      await expect.poll(() => textOf(dashboard, '#audit tbody'), WAIT).toMatch(/member erased: 2 comment/);
      await dashboard.close();

      // Without a reload: Bob's comment left the open thread, his lone discussion left the page.
      await expect.poll(() => tab.threadLines(), WAIT).toEqual(['Alice: Alice says the ferries']);
      await expect.poll(() => tab.text('discussion-count'), WAIT).toBe('1 discussion');
      expect(await tab.highlightCount()).toBe(1);
      await tab.screenshot(shot('3-after'));
      expect((await bob.closed).code).toBe(4403);
    });

    it('a member downloads their data and asks for erasure from the team page; the admins see it and decline', async () => {
      let team: ExtensionPage | null = null;
      team = await alice.openTeamFromPopup(tab);
      await team.click('[data-testid="own-data-download"]');
      await expect
        .poll(async () => (await team!.texts('[data-testid="own-data-status"]'))[0], WAIT)
        .toMatch(
          /^Saved as collab-chat-my-data-\d{4}-\d{2}-\d{2}\.json: 1 comments, 0 discussions you started\.$/,
        );
      await team.click('[data-testid="own-data-ask"]');
      await team.click('[data-testid="own-data-confirm"]');
      await expect
        .poll(async () => (await team!.texts('[data-testid="own-data-erasure-requested"]'))[0] ?? '', WAIT)
        .toMatch(/^You asked for erasure on /);
      await team.screenshot(shot('4-team-page'));

      const dashboard = await alice.open(`${server.server.httpUrl}/dashboard`);
      await dashboard.clickElement('#token');
      await dashboard.type(server.tokens.admin);
      await dashboard.clickElement('#sign-in-form button[type="submit"]');
      const request = `#erasure-requests tr[data-user-id="${server.users.alice.id}"]`;
      await expect.poll(() => textOf(dashboard, request), WAIT).toMatch(/^Alice/);
      await expect.poll(() => textOf(dashboard, '#audit tbody'), WAIT).toMatch(/erasure requested/);
      await dashboard.clickElement(`${request} button:not([data-action])`);
      await expect
        .poll(() => textOf(dashboard, '#erasure-requests-result'), WAIT)
        .toBe('The erasure request of Alice was declined.');
      await expect.poll(() => textOf(dashboard, '#audit tbody'), WAIT).toMatch(/erasure request declined/);
      await dashboard.screenshot(shot('5-declined'));
      await dashboard.close();
      // Alice is still a member and her page is still live.
      expect(await tab.text('connection-state')).toBe('Live');
    });
  });
}
