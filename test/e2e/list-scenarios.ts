// The list of a page's discussions in a real browser, written once for both: an item opened from the
// list scrolls the page to its passage; each item says how many comments it holds and marks those
// with comments of others the person has not seen, live, until they open it (kept on this browser
// across reloads); the filters "mine" and "not on this page". Clicks are the browser's own.
import { join } from 'node:path';
import { beforeAll, expect, it, vi } from 'vitest';
import { TestClient } from '../helpers/client';
import {
  ARTIFACTS,
  type BrowserName,
  type PageServer,
  scenarioSuite,
  type Tab,
  type UserBrowser,
} from './harness';

const WAIT = { timeout: 15_000, interval: 100 };
const FAR = 'cranes unload timber';
const TOP = 'Ships arrive at dawn';

export function listScenarios(
  name: BrowserName,
  launch: (extensionDir: string) => Promise<UserBrowser>,
): void {
  scenarioSuite(
    { browser: name, title: 'the list of discussions', launch, users: { alice: 'alice' } },
    (world) => {
      let pages: PageServer;
      let bob: TestClient;
      let tab: Tab;
      let url: string;
      const ids = { far: '', top: '', orphan: '' };
      const shot = (step: string) => tab.screenshot(join(ARTIFACTS, `${name}-list-${step}.png`));

      /** The ids of the list's items, in order, and of those marked as holding unseen comments. */
      const items = () =>
        tab
          .frameEvaluate(() => {
            const buttons = [
              ...document.querySelectorAll<HTMLElement>(
                '[data-testid="discussion-list"] [data-discussion-id]',
              ),
            ];
            return {
              all: buttons.map((b) => b.dataset.discussionId!),
              unread: buttons
                .filter((b) => b.querySelector('[data-testid="unread-marker"]'))
                .map((b) => b.dataset.discussionId!),
            };
          }, null)
          .then((r) => r ?? { all: [], unread: [] });
      /** Where the passage `quote` of `#id` is, against the viewport. */
      const inView = (id: string, quote: string) =>
        tab.evaluate(
          ([sel, text]) => {
            const node = document.querySelector(sel as string)!.firstChild as Text;
            const range = document.createRange();
            const start = node.data.indexOf(text as string);
            range.setStart(node, start);
            range.setEnd(node, start + (text as string).length);
            const r = range.getBoundingClientRect();
            return r.top >= 0 && r.bottom <= innerHeight;
          },
          [`#${id}`, quote] as const,
        );
      const create = async (quote: string, text: string) => {
        const chatId = `chat-${crypto.randomUUID().slice(0, 8)}`;
        bob.send({
          type: 'create-chat',
          broadcastId: crypto.randomUUID(),
          page: url,
          chatId,
          commentId: `cmt-${crypto.randomUUID().slice(0, 8)}`,
          selectors: [{ type: 'TextQuoteSelector', exact: quote }],
          text,
        });
        await bob.next('ack');
        return chatId;
      };
      const openList = async () => {
        await tab.click('discussion-count');
        await expect.poll(() => tab.count('discussion-list'), WAIT).toBe(1);
      };

      beforeAll(() => {
        ({ pages } = world);
      });

      beforeAll(async () => {
        url = pages.url('long.html');
        bob = await world.member('bob', url);
        ids.far = await create(FAR, 'Is the timber certified?');
        ids.top = await create(TOP, 'Which ships?');
        ids.orphan = await create('a sentence this page never had', 'Where did this go?');
        tab = await world.openLive('alice', url);
        await vi.waitFor(async () => expect(await tab.text('discussion-count')).toBe('3 discussions'), WAIT);
      });

      it('marks every discussion with comments not seen yet, with its comment count', async () => {
        await openList();
        await expect
          .poll(async () => (await items()).unread.sort(), WAIT)
          .toEqual([ids.far, ids.top, ids.orphan].sort());
        expect(await tab.texts('item-comment-count')).toEqual(['1 comment', '1 comment', '1 comment']);
        await shot('unread');
      });

      it('filters: mine, not on this page, all', async () => {
        await tab.click('list-filter-mine');
        await expect.poll(() => tab.text('list-empty'), WAIT).toBe('No discussion matches this filter.');
        expect(await tab.attr('list-filter-mine', 'aria-pressed')).toBe('true');
        await tab.click('list-filter-orphans');
        await expect.poll(async () => (await items()).all, WAIT).toEqual([ids.orphan]);
        await tab.click('list-filter-all');
        await expect.poll(async () => (await items()).all.length, WAIT).toBe(3);
      });

      it('opening an item scrolls the page to its passage, and it is no longer marked', async () => {
        expect(await inView('far', FAR)).toBe(false);
        expect((await items()).all[0]).toBe(ids.far);
        await tab.click('discussion-item');
        await expect.poll(() => tab.text('thread-quote'), WAIT).toBe(FAR);
        await expect.poll(() => inView('far', FAR), WAIT).toBe(true);
        await shot('revealed');
        await tab.click('thread-close');
        await expect
          .poll(async () => (await items()).unread.sort(), WAIT)
          .toEqual([ids.top, ids.orphan].sort());
      });

      it('marks a discussion again, live, when someone else replies, and not for my own reply', async () => {
        // Alice opens the top one (now seen), replies, and goes back to the list.
        const topItem = (await items()).all.indexOf(ids.top);
        expect(topItem).toBeGreaterThanOrEqual(0);
        await tab.clickInFrame(`[data-discussion-id="${ids.top}"]`);
        await expect.poll(() => tab.text('thread-quote'), WAIT).toBe(TOP);
        await tab.fill('reply-input', 'The morning ferries.');
        await tab.click('reply-submit');
        await expect.poll(() => tab.count('comment'), WAIT).toBe(2);
        await tab.click('thread-close');
        await expect.poll(async () => (await items()).unread, WAIT).toEqual([ids.orphan]);
        // Bob replies to it: the marker is back, without a reload.
        bob.send({
          type: 'add-comment',
          broadcastId: crypto.randomUUID(),
          page: url,
          chatId: ids.top,
          commentId: `cmt-${crypto.randomUUID().slice(0, 8)}`,
          text: 'And the tugs.',
        });
        await bob.next('ack');
        await expect
          .poll(async () => (await items()).unread.sort(), WAIT)
          .toEqual([ids.top, ids.orphan].sort());
        await tab.click('list-filter-mine');
        await expect.poll(async () => (await items()).all, WAIT).toEqual([ids.top]);
        await shot('replied');
      });

      it('remembers what was seen across a reload', async () => {
        await tab.reload();
        await expect.poll(() => tab.text('discussion-count'), WAIT).toBe('3 discussions');
        await openList();
        await expect
          .poll(async () => (await items()).unread.sort(), WAIT)
          .toEqual([ids.top, ids.orphan].sort());
      });
    },
  );
}
