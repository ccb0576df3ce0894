// Team workflow in real browsers, written once for both: Ana (the seeded "Alice") and Bruno (the
// seeded "Bob", in two browsers of his own) on one page. Ana types `@Bo` in the composer, picks Bob
// from the suggestions with the keyboard and posts; Bruno sees his name in her comment, live. Bruno
// resolves the discussion; Ana sees it resolved in the thread and the list, its highlight dimmed, live,
// and the list's state filter hides it. What Bruno reads in one browser reads as read in his other
// browser (the server's read positions), and his watch of the page shows in both. Clicks and keys are
// the browser's own.
import { join } from 'node:path';
import { beforeAll, expect, it, vi } from 'vitest';
import type { TestServer } from '../helpers/server';
import {
  ARTIFACTS,
  type BrowserName,
  type PageServer,
  scenarioSuite,
  type Tab,
  type UserBrowser,
} from './harness';
import { commonColour, readPng } from './png';

const WAIT = { timeout: 20_000, interval: 100 };
const FOX = 'quick brown fox';

export function workflowScenarios(
  name: BrowserName,
  launch: (extensionDir: string) => Promise<UserBrowser>,
): void {
  scenarioSuite(
    {
      browser: name,
      title: 'resolve, @mentions, unread and watching',
      launch,
      users: { ana: 'alice', bruno: 'bob', bruno2: 'bob' },
    },
    (world) => {
      let server: TestServer;
      let pages: PageServer;
      let ana: UserBrowser;
      let bruno: UserBrowser;
      /** Bruno's second browser (another profile, same account). */
      let bruno2: UserBrowser;
      let anaTab: Tab;
      let brunoTab: Tab;
      let bruno2Tab: Tab;
      let url: string;
      let chatId = '';
      const shot = (tab: Tab, step: string) =>
        tab.screenshot(join(ARTIFACTS, `${name}-workflow-${step}.png`));
      const value = (tab: Tab, testId: string) =>
        tab.frameEvaluate(
          (id) => document.querySelector<HTMLTextAreaElement>(`[data-testid="${id}"]`)?.value ?? null,
          testId,
        );
      const live = (tab: Tab) =>
        vi.waitFor(async () => expect((await tab.connection()).state).toBe('live'), WAIT);
      /** The passages each highlight name of the page's CSS highlight registry paints. */
      const painted = (tab: Tab) =>
        tab.evaluate(() => {
          const registry = (CSS as unknown as { highlights?: Map<string, Set<Range>> }).highlights;
          const out: Record<string, string[]> = {};
          registry?.forEach((ranges, key) => {
            if (key.startsWith('collab-chat')) out[key] = [...ranges].map((r) => r.toString());
          });
          return out;
        }, null);
      /** The ids of the list's items, and of those marked unread and resolved. */
      const items = (tab: Tab) =>
        tab
          .frameEvaluate(() => {
            const buttons = [
              ...document.querySelectorAll<HTMLElement>(
                '[data-testid="discussion-list"] [data-discussion-id]',
              ),
            ];
            const ids = (marker: string) =>
              buttons
                .filter((b) => b.querySelector(`[data-testid="${marker}"]`))
                .map((b) => b.dataset.discussionId!);
            return {
              all: buttons.map((b) => b.dataset.discussionId!),
              unread: ids('unread-marker'),
              resolved: ids('resolved-marker'),
            };
          }, null)
          .then((r) => r ?? { all: [], unread: [], resolved: [] });
      /**
       * The colour the page shows behind the passage now, from a screenshot (what the browser painted:
       * the page's scripts cannot read a CSS highlight's colour): 'dimmed' for a neutral grey, 'open'
       * for the yellow of an open discussion, else the colour.
       */
      const paintOf = async (tab: Tab, step: string) => {
        const rect = await tab.evaluate((quote) => {
          const node = document.querySelector('#intro')!.firstChild as Text;
          const range = document.createRange();
          const start = node.data.indexOf(quote);
          range.setStart(node, start);
          range.setEnd(node, start + quote.length);
          const r = range.getBoundingClientRect();
          return { left: r.left, top: r.top, width: r.width, height: r.height, scale: devicePixelRatio };
        }, FOX);
        const path = join(ARTIFACTS, `${name}-workflow-paint-${step}.png`);
        await tab.screenshot(path);
        const s = rect.scale;
        const [r, g, b] = commonColour(await readPng(path), {
          left: rect.left * s,
          top: rect.top * s,
          width: rect.width * s,
          height: rect.height * s,
        });
        if (Math.max(r, g, b) - Math.min(r, g, b) < 10 && r < 245 && r > 180) return 'dimmed';
        if (r > 230 && g > 200 && b < 200) return 'open';
        return `rgb(${r}, ${g}, ${b})`;
      };
      const openList = async (tab: Tab) => {
        if ((await tab.count('discussion-list')) === 0) await tab.click('discussion-count');
        await expect.poll(() => tab.count('discussion-list'), WAIT).toBe(1);
      };

      beforeAll(() => {
        ({ server, pages } = world);
        ({ ana, bruno, bruno2 } = world.users);
      });

      beforeAll(async () => {
        url = pages.url('article.html');
        anaTab = await ana.open(url);
        brunoTab = await bruno.open(url);
        bruno2Tab = await bruno2.open(url);
        await ana.enableSiteOf(anaTab);
        await bruno.enableSiteOf(brunoTab);
        await bruno2.enableSiteOf(bruno2Tab);
        await live(anaTab);
        await live(brunoTab);
        await live(bruno2Tab);
      });

      it('Ana mentions Bruno with the keyboard; Bruno sees his name in her comment, live', async () => {
        await anaTab.selectText('#intro', FOX);
        await anaTab.startDiscussion();
        await expect.poll(async () => (await anaTab.focus()).frame, WAIT).toBe('composer-input');
        await anaTab.type('Look here @Bo');
        // Only Bob's name starts with "Bo" (Ana herself is never suggested).
        await expect.poll(() => anaTab.texts('mention-option'), WAIT).toEqual(['Bob']);
        expect(await anaTab.attr('composer-input', 'aria-expanded')).toBe('true');
        expect(await anaTab.attr('mention-option', 'aria-selected')).toBe('true');
        await shot(anaTab, '1-suggestions');
        expect(await anaTab.axeFrame()).toEqual([]);
        await anaTab.press('Enter');
        await expect.poll(() => value(anaTab, 'composer-input'), WAIT).toBe('Look here @Bob ');
        expect(await anaTab.count('mention-option')).toBe(0);
        await anaTab.type('is it quick?');
        await anaTab.press('Control+Enter');
        await expect.poll(() => anaTab.count('thread'), WAIT).toBe(1);
        chatId = (await anaTab.attr('thread', 'data-discussion-id')) ?? '';
        expect(chatId).not.toBe('');
        await expect.poll(() => anaTab.text('comment-text'), WAIT).toBe('Look here @Bob is it quick?');
        expect(await anaTab.attr('mention', 'data-user-id')).toBe(server.users.bob.id);

        // Bruno's second browser has it as new, before he reads it anywhere.
        await expect.poll(() => bruno2Tab.text('unread-count'), WAIT).toBe('1 new');
        // Bruno's page shows the highlight live; he opens it with a click on the passage.
        await expect.poll(() => brunoTab.highlightedTexts(), WAIT).toEqual([FOX]);
        await brunoTab.clickText('#intro', FOX);
        await expect.poll(() => brunoTab.text('comment-text'), WAIT).toBe('Look here @Bob is it quick?');
        expect(await brunoTab.attr('mention', 'data-user-id')).toBe(server.users.bob.id);
        await shot(brunoTab, '2-mentioned');
      });

      it('what Bruno read in one browser reads as read in his other one, live and after a reload', async () => {
        await expect.poll(() => bruno2Tab.count('unread-count'), WAIT).toBe(0);
        await openList(bruno2Tab);
        await expect.poll(async () => (await items(bruno2Tab)).all, WAIT).toEqual([chatId]);
        expect((await items(bruno2Tab)).unread).toEqual([]);
        await bruno2Tab.reload();
        await live(bruno2Tab);
        await expect.poll(() => bruno2Tab.text('discussion-count'), WAIT).toBe('1 discussion');
        await openList(bruno2Tab);
        await expect.poll(async () => (await items(bruno2Tab)).all, WAIT).toEqual([chatId]);
        expect((await items(bruno2Tab)).unread).toEqual([]);
        expect(await bruno2Tab.count('unread-count')).toBe(0);
      });

      it('Bruno resolves it; Ana sees it resolved in the thread, live', async () => {
        await brunoTab.click('resolve-discussion');
        await expect
          .poll(() => brunoTab.text('thread-resolved'), WAIT)
          .toMatch(/^Resolved by \u2068Bob\u2069, /);
        await expect.poll(() => brunoTab.count('reopen-discussion'), WAIT).toBe(1);
        // Ana still has the thread open.
        await expect
          .poll(() => anaTab.text('thread-resolved'), WAIT)
          .toMatch(/^Resolved by \u2068Bob\u2069, /);
        expect(await anaTab.count('reopen-discussion')).toBe(1);
        await shot(anaTab, '3-resolved-thread');
        expect(await anaTab.axeFrame()).toEqual([]);
      });

      it('Ana sees its highlight dimmed and the list marks it; the state filter hides it', async () => {
        await anaTab.click('thread-close');
        await expect.poll(() => anaTab.count('thread'), WAIT).toBe(0);
        // Closed, it is painted dimmed (not as an open discussion).
        await expect.poll(() => painted(anaTab), WAIT).toEqual({ 'collab-chat-dimmed': [FOX] });
        await openList(anaTab);
        await expect.poll(async () => (await items(anaTab)).resolved, WAIT).toEqual([chatId]);
        await anaTab.click('list-state-open');
        await expect.poll(() => anaTab.text('list-empty'), WAIT).toBe('No discussion matches this filter.');
        expect(await anaTab.attr('list-state-open', 'aria-pressed')).toBe('true');
        await shot(anaTab, '4-filter-open');
        expect(await anaTab.axeFrame()).toEqual([]);
        await anaTab.click('list-state-resolved');
        await expect.poll(async () => (await items(anaTab)).all, WAIT).toEqual([chatId]);
        // The filter is kept while the frame lives: closed and opened again, the list still shows it.
        await anaTab.click('list-close');
        await expect.poll(() => anaTab.count('discussion-list'), WAIT).toBe(0);
        await anaTab.click('discussion-count');
        await expect.poll(() => anaTab.attr('list-state-resolved', 'aria-pressed'), WAIT).toBe('true');
        await anaTab.click('list-state-all');
        await anaTab.click('list-close');
      });

      it('Ana reopens it, and Bruno’s page paints it open again, live', async () => {
        // A click on plain text first clears her selection (a click on a highlight opens it only without one).
        const h1 = await anaTab.evaluate(() => {
          const b = document.querySelector('h1')!.getBoundingClientRect();
          return { x: b.left + 4, y: b.top + b.height / 2 };
        }, null);
        await anaTab.mouseClick(h1.x, h1.y);
        await expect.poll(() => anaTab.selection(), WAIT).toBe('');
        // What the browser painted: the passage in grey, not the yellow of an open discussion.
        await expect.poll(() => paintOf(anaTab, 'resolved'), WAIT).toBe('dimmed');
        // The dimmed highlight still opens its discussion.
        await anaTab.clickText('#intro', FOX);
        await expect.poll(() => anaTab.count('reopen-discussion'), WAIT).toBe(1);
        await anaTab.click('reopen-discussion');
        await expect.poll(() => anaTab.count('thread-resolved'), WAIT).toBe(0);
        await expect.poll(() => bruno2Tab.count('resolved-marker'), WAIT).toBe(0);
        await expect
          .poll(async () => Object.keys(await painted(bruno2Tab)).filter((k) => k.endsWith('-dimmed')), WAIT)
          .toEqual([]);
        await expect.poll(() => brunoTab.count('thread-resolved'), WAIT).toBe(0);
        await expect.poll(() => paintOf(bruno2Tab, 'reopened'), WAIT).toBe('open');
      });

      it('Bruno watches the page in one browser; the other shows it, live', async () => {
        await expect.poll(() => brunoTab.attr('watch-toggle', 'disabled'), WAIT).toBeNull();
        expect(await brunoTab.attr('watch-toggle', 'aria-pressed')).toBe('false');
        await brunoTab.click('watch-toggle');
        await expect.poll(() => brunoTab.attr('watch-toggle', 'aria-pressed'), WAIT).toBe('true');
        await expect.poll(() => bruno2Tab.attr('watch-toggle', 'aria-pressed'), WAIT).toBe('true');
        // Ana does not watch it.
        expect(await anaTab.attr('watch-toggle', 'aria-pressed')).toBe('false');
        await shot(bruno2Tab, '5-watching');
      });
    },
  );
}
