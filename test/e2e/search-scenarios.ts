// The team page in a real browser, written once for both: a discussion started on a page records
// that page's title; the team page, opened from the popup, lists every discussion of the team
// across pages and searches them as the person types, the matched words marked; clicking a result
// opens its page, where the extension shows the discussion. Clicks and keys are the browser's own.
import { join } from 'node:path';
import { beforeAll, expect, it, vi } from 'vitest';
import { discussionLink } from '../../lib/links';
import { TestClient } from '../helpers/client';
import type { TestServer } from '../helpers/server';
import {
  ARTIFACTS,
  type BrowserName,
  type ExtensionPage,
  type PageServer,
  scenarioSuite,
  type Tab,
  type UserBrowser,
} from './harness';

const WAIT = { timeout: 20_000, interval: 100 };

export function searchScenarios(
  name: BrowserName,
  launch: (extensionDir: string) => Promise<UserBrowser>,
): void {
  scenarioSuite(
    { browser: name, title: 'the team page', launch, users: { alice: 'alice' }, steps: 'independent' },
    (world) => {
      let server: TestServer;
      let pages: PageServer;
      let alice: UserBrowser;
      let tab: Tab;
      let team: ExtensionPage;
      const chatId = `chat-${crypto.randomUUID().slice(0, 8)}`;

      beforeAll(() => {
        ({ server, pages } = world);
        ({ alice } = world.users);
      });

      beforeAll(async () => {
        // Bob, elsewhere in the team, discussed another page.
        const bob = await TestClient.connect(server.url, server.tokens.bob);
        bob.send({
          type: 'create-chat',
          broadcastId: crypto.randomUUID(),
          page: pages.url('long.html'),
          chatId,
          commentId: `cmt-${crypto.randomUUID().slice(0, 8)}`,
          selectors: [{ type: 'TextQuoteSelector', exact: 'the cranes unload timber' }],
          text: 'Is the timber certified?',
          title: 'A long test article',
        });
        expect((await bob.next((f) => f.type === 'ack' || f.type === 'error')).type).toBe('ack');
        await bob.close();
        tab = await world.openLive('alice', pages.url('article.html'));
      });

      it('records the page title of a discussion started on it', async () => {
        await tab.selectText('#intro', 'lazy dog');
        await tab.startDiscussion();
        await tab.fill('composer-input', 'Which dog is this?');
        await tab.click('composer-submit');
        await expect.poll(() => tab.count('comment'), WAIT).toBe(1);
        await vi.waitFor(async () => {
          const listed = await server.server.store.listDiscussions(server.tenants.a.id, {}, null, 10);
          expect(listed.discussions.map((d) => d.title).sort()).toEqual([
            'A long test article',
            'A test article',
          ]);
        }, WAIT);
      });

      it('lists the team’s discussions across pages, opened from the popup', async () => {
        team = await alice.openTeamFromPopup(tab);
        await expect
          .poll(() => team.texts('.cc-team-link'), WAIT)
          .toEqual(['A test article', 'A long test article']);
        await team.screenshot(join(ARTIFACTS, `${name}-search-1-list.png`));
      });

      it('searches as the person types, marking the matched words', async () => {
        await team.type('input[type="search"]', 'timb');
        await expect.poll(() => team.texts('.cc-team-link'), WAIT).toEqual(['A long test article']);
        await expect.poll(() => team.texts('.cc-team-item mark'), WAIT).toContain('timber');
        await team.type('input[type="search"]', 'timberwolf');
        await expect.poll(() => team.texts('.cc-team-item'), WAIT).toEqual([]);
        await expect
          .poll(async () => (await team.texts('.cc-team-status, main > p')).join(' '), WAIT)
          .toMatch(/Nothing your team wrote matches/);
        await team.screenshot(join(ARTIFACTS, `${name}-search-2-none.png`));
      });

      it('opens a result’s page with its discussion open', async () => {
        await team.type('input[type="search"]', 'certif');
        await expect.poll(() => team.texts('.cc-team-link'), WAIT).toEqual(['A long test article']);
        await team.screenshot(join(ARTIFACTS, `${name}-search-3-found.png`));
        const opened = await team.followLink(
          '.cc-team-link',
          0,
          discussionLink(pages.url('long.html'), chatId),
        );
        await vi.waitFor(
          async () => expect(await opened.text('discussion-count')).toBe('1 discussion'),
          WAIT,
        );
        await expect.poll(() => opened.text('thread-quote'), WAIT).toBe('the cranes unload timber');
        await expect.poll(() => opened.highlightedTexts(), WAIT).toEqual(['the cranes unload timber']);
        await opened.screenshot(join(ARTIFACTS, `${name}-search-4-opened.png`));
      });
    },
  );
}
