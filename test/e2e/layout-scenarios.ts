// Where the overlay sits on a page of its own, in a real browser, written once for both: the top bar
// keeps clear of a site's sticky header (the page's search box and "Sign in" stay the page's, to the
// hit test and to a real click); a thread opens beside its passage without covering it; a long thread
// keeps its quote and reply box in view while its comments scroll; "Discuss this" follows its
// selection as the page scrolls; the bar docks left or right and collapses to a labelled button, both
// remembered. Everything is checked from the page's side by hit-testing, which is what a person's
// click meets, and clicks are the browser's own.
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
const LONG = 'cranes unload timber';
const SHORT = 'pilots go home at dusk';
const SELECTED = 'morning ferry';
const LONG_COMMENTS = 23;

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export function layoutScenarios(
  name: BrowserName,
  launch: (extensionDir: string) => Promise<UserBrowser>,
): void {
  scenarioSuite(
    { browser: name, title: "the overlay keeps out of the page's way", launch, users: { alice: 'alice' } },
    (world) => {
      let pages: PageServer;
      let bob: TestClient;
      let tab: Tab;
      let url: string;
      const shot = (step: string) => tab.screenshot(join(ARTIFACTS, `${name}-layout-${step}.png`));

      /**
       * Where the overlay is, as the page's hit test meets it: the box of the points over our host
       * element (the page sees nothing else of it), scanned every 4 px; null when it is nowhere.
       */
      const overlayBox = () =>
        tab.evaluate(() => {
          let box: { left: number; top: number; right: number; bottom: number } | null = null;
          for (let y = 0; y < innerHeight; y += 4)
            for (let x = 0; x < innerWidth; x += 4) {
              if (document.elementFromPoint(x, y)?.tagName.toLowerCase() !== 'collab-chat-overlay') continue;
              box = box
                ? {
                    left: Math.min(box.left, x),
                    top: Math.min(box.top, y),
                    right: Math.max(box.right, x),
                    bottom: Math.max(box.bottom, y),
                  }
                : { left: x, top: y, right: x, bottom: y };
            }
          return box;
        }, null);
      /** The on-screen box of `quote` inside `selector`. */
      const quoteBox = (selector: string, quote: string) =>
        tab.evaluate(
          ([sel, text]) => {
            const node = document.querySelector(sel as string)!.firstChild as Text;
            const range = document.createRange();
            const start = node.data.indexOf(text as string);
            range.setStart(node, start);
            range.setEnd(node, start + (text as string).length);
            const r = range.getBoundingClientRect();
            return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
          },
          [selector, quote] as const,
        );
      /** What the page's hit test finds at a point: the overlay, or the page element's id (or tag). */
      const hitAt = (x: number, y: number) =>
        tab.evaluate(
          ([px, py]) => {
            const el = document.elementFromPoint(px as number, py as number);
            if (!el) return 'nothing';
            const tag = el.tagName.toLowerCase();
            return tag === 'collab-chat-overlay' ? 'overlay' : el.id || tag;
          },
          [x, y] as const,
        );
      /** Whether any of a grid of points over `box` (inset by 1 px) is covered by the overlay. */
      const covered = async (box: Box) => {
        for (let y = box.top + 1; y <= box.bottom - 1; y += Math.max(1, (box.bottom - box.top - 2) / 3))
          for (let x = box.left + 1; x <= box.right - 1; x += Math.max(1, (box.right - box.left - 2) / 6))
            if ((await hitAt(x, y)) === 'overlay') return true;
        return false;
      };
      const intersects = (a: Box, b: Box) =>
        a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
      const centreOf = (id: string) =>
        tab.evaluate((i) => {
          const r = document.getElementById(i)!.getBoundingClientRect();
          return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
        }, id);
      /** In the frame: whether the element `testId` is wholly inside the frame's viewport and on top there. */
      const shownInFrame = (testId: string) =>
        tab.frameEvaluate((id) => {
          const el = document.querySelector(`[data-testid="${id}"]`);
          if (!el) return false;
          const r = el.getBoundingClientRect();
          if (r.top < 0 || r.bottom > innerHeight + 0.5 || r.height === 0) return false;
          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(r.height / 2, 8));
          return hit !== null && (hit === el || el.contains(hit));
        }, testId);
      const create = async (quote: string, texts: string[]) => {
        const chatId = `chat-${crypto.randomUUID().slice(0, 8)}`;
        bob.send({
          type: 'create-chat',
          broadcastId: crypto.randomUUID(),
          page: url,
          chatId,
          commentId: `cmt-${crypto.randomUUID().slice(0, 8)}`,
          selectors: [{ type: 'TextQuoteSelector', exact: quote }],
          text: texts[0]!,
        });
        await bob.next('ack');
        for (const text of texts.slice(1)) {
          bob.send({
            type: 'add-comment',
            broadcastId: crypto.randomUUID(),
            page: url,
            chatId,
            commentId: `cmt-${crypto.randomUUID().slice(0, 8)}`,
            text,
          });
          await bob.next('ack');
        }
        return chatId;
      };

      beforeAll(() => {
        ({ pages } = world);
      });

      beforeAll(async () => {
        url = pages.url('sticky.html');
        bob = await world.member('bob', url);
        await create(
          LONG,
          Array.from({ length: LONG_COMMENTS }, (_, i) => `Comment ${i + 1} on the timber: is it certified?`),
        );
        await create(SHORT, ['Do the pilots work on Sundays?']);
        tab = await world.openLive('alice', url);
        await vi.waitFor(async () => expect(await tab.text('discussion-count')).toBe('2 discussions'), WAIT);
      });

      it("keeps the top bar clear of the sticky header: the page's search box and Sign in stay the page's", async () => {
        await expect.poll(overlayBox, WAIT).not.toBeNull();
        await shot('sticky');
        const header = await tab.evaluate(() => {
          const r = document.getElementById('site-header')!.getBoundingClientRect();
          return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
        }, null);
        await expect.poll(async () => (await overlayBox())!.top, WAIT).toBeGreaterThanOrEqual(header.bottom);
        const signIn = await centreOf('sign-in');
        const search = await centreOf('search');
        expect(await hitAt(signIn.x, signIn.y)).toBe('sign-in');
        expect(await hitAt(search.x, search.y)).toBe('search');
        await tab.mouseClick(signIn.x, signIn.y);
        await expect
          .poll(() => tab.evaluate(() => document.body.dataset.signIns ?? '0', null), WAIT)
          .toBe('1');
        await tab.mouseClick(search.x, search.y);
        await expect
          .poll(() => tab.evaluate(() => document.body.dataset.searchClicked ?? 'no', null), WAIT)
          .toBe('yes');
        // The bar is still there, right under the header, and still works.
        const bar = (await overlayBox())!;
        expect(bar.right).toBeGreaterThan((await tab.evaluate(() => innerWidth, null)) - 60);
        expect(await covered(header)).toBe(false);
      });

      it('opens a thread beside its passage, not over it, and keeps it there as the page scrolls', async () => {
        await tab.clickText('#tide', SHORT);
        await expect.poll(() => tab.text('thread-quote'), WAIT).toBe(SHORT);
        const passage = await quoteBox('#tide', SHORT);
        await expect
          .poll(async () => {
            const box = await overlayBox();
            return box !== null && !intersects(box, passage) && box.top < passage.bottom;
          }, WAIT)
          .toBe(true);
        expect(await covered(passage)).toBe(false);
        await shot('beside');
        const before = (await overlayBox())!;
        await tab.evaluate(() => window.scrollBy(0, 40), null);
        const moved = await quoteBox('#tide', SHORT);
        expect(moved.top).toBeLessThan(passage.top - 30);
        // It follows its passage: up with the page, still clear of it.
        await expect
          .poll(async () => {
            const box = await overlayBox();
            return box !== null && box.top < before.top - 20 && !intersects(box, moved);
          }, WAIT)
          .toBe(true);
        await tab.evaluate(() => window.scrollTo(0, 0), null);
        await tab.click('thread-close');
        await expect.poll(() => tab.count('thread'), WAIT).toBe(0);
      });

      it('keeps the quote, the close button and the reply box in view while a long thread scrolls', async () => {
        await tab.clickText('#lead', LONG);
        await expect.poll(() => tab.count('comment'), WAIT).toBe(LONG_COMMENTS);
        // As tall as the window allows, and still beside its passage.
        const passage = await quoteBox('#lead', LONG);
        await expect.poll(() => covered(passage), WAIT).toBe(false);
        await shot('long-thread');
        const scrolled = await tab.frameEvaluate(() => {
          const list = document.querySelector<HTMLElement>('[data-testid="thread-comments"]');
          if (!list) return null;
          list.scrollTop = list.scrollHeight;
          return list.scrollTop;
        }, null);
        expect(scrolled).toBeGreaterThan(0);
        await expect.poll(() => shownInFrame('thread-quote'), WAIT).toBe(true);
        await shot('long-thread-scrolled');
        expect(await shownInFrame('thread-close')).toBe(true);
        expect(await shownInFrame('reply-input')).toBe(true);
        expect(await shownInFrame('reply-submit')).toBe(true);
        // The last comment is reachable in the list, and a reply goes out from the box that stayed put.
        expect(
          await tab.frameEvaluate(() => {
            const comments = document.querySelectorAll('[data-testid="comment"]');
            const list = document.querySelector('[data-testid="thread-comments"]')!.getBoundingClientRect();
            const last = comments[comments.length - 1]!.getBoundingClientRect();
            return last.bottom <= list.bottom + 1 && last.top >= list.top - 1;
          }, null),
        ).toBe(true);
        await tab.fill('reply-input', 'Certified last spring.');
        await tab.click('reply-submit');
        await expect.poll(() => tab.count('comment'), WAIT).toBe(LONG_COMMENTS + 1);
        expect(await shownInFrame('thread-quote')).toBe(true);
        await tab.click('thread-close');
        await expect.poll(() => tab.count('thread'), WAIT).toBe(0);
      });

      it('moves "Discuss this" with its selection as the page scrolls, and hides it when the selection goes', async () => {
        await tab.selectText('#ferry', SELECTED);
        /** Where the prompt's label sits for the selection as it is now on screen. */
        const promptPoint = async () => {
          const r = await quoteBox('#ferry', SELECTED);
          return { x: r.left + 30, y: r.bottom + 16 };
        };
        const first = await promptPoint();
        await expect.poll(() => hitAt(first.x, first.y), WAIT).toBe('overlay');
        await tab.evaluate(() => window.scrollBy(0, 60), null);
        const second = await promptPoint();
        expect(second.y).toBeLessThan(first.y - 50);
        await expect.poll(() => hitAt(second.x, second.y), WAIT).toBe('overlay');
        await shot('prompt-scrolled');
        // A real click where it now is opens the composer on that selection.
        await tab.startDiscussion();
        await expect.poll(() => tab.text('composer-quote'), WAIT).toBe(SELECTED);
        await tab.click('composer-cancel');
        await expect.poll(() => tab.count('composer'), WAIT).toBe(0);
        // Selected again, then scrolled out of view: no prompt left behind on other text.
        await tab.selectText('#ferry', SELECTED);
        const third = await promptPoint();
        await expect.poll(() => hitAt(third.x, third.y), WAIT).toBe('overlay');
        await tab.evaluate(() => window.scrollBy(0, 600), null);
        await expect.poll(() => quoteBox('#ferry', SELECTED).then((r) => r.bottom < 0), WAIT).toBe(true);
        await expect.poll(() => hitAt(third.x, third.y), WAIT).not.toBe('overlay');
        // Back in view, it is back beside its selection.
        await tab.evaluate(() => window.scrollTo(0, 0), null);
        const back = await promptPoint();
        await expect.poll(() => hitAt(back.x, back.y), WAIT).toBe('overlay');
        // The selection cleared (a click in the page's text): the prompt goes.
        await tab.evaluate(() => document.getElementById('end')!.scrollIntoView({ block: 'center' }), null);
        const end = await centreOf('end');
        await tab.mouseClick(end.x, end.y);
        await expect.poll(() => tab.selection(), WAIT).toBe('');
        await tab.evaluate(() => window.scrollTo(0, 0), null);
        await expect.poll(() => hitAt(back.x, back.y), WAIT).not.toBe('overlay');
      });

      it('docks left or right and collapses to a labelled button, remembered after a reload', async () => {
        const width = await tab.evaluate(() => innerWidth, null);
        expect(await tab.text('dock-toggle')).toBe('Dock left');
        await tab.click('dock-toggle');
        await expect.poll(async () => (await overlayBox())?.left ?? width, WAIT).toBeLessThan(40);
        await expect.poll(() => tab.text('dock-toggle'), WAIT).toBe('Dock right');
        await shot('docked-left');
        await tab.reload();
        await vi.waitFor(async () => expect(await tab.text('connection-state')).toBe('Live'), WAIT);
        await expect.poll(async () => (await overlayBox())?.left ?? width, WAIT).toBeLessThan(40);
        // Still clear of the header on the left too: the site's name stays the page's.
        const header = await tab.evaluate(() => {
          const r = document.getElementById('site-header')!.getBoundingClientRect();
          return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
        }, null);
        expect(await covered(header)).toBe(false);

        expect(await tab.text('topbar-toggle')).toBe('Hide');
        await tab.click('topbar-toggle');
        await expect.poll(() => tab.attr('topbar-toggle', 'aria-label'), WAIT).toBe('Show Collab Chat');
        expect(await tab.attr('topbar-toggle', 'aria-expanded')).toBe('false');
        expect(await tab.count('connection-state')).toBe(0);
        await expect
          .poll(async () => {
            const box = await overlayBox();
            return box ? box.right - box.left : null;
          }, WAIT)
          .toBeLessThan(200);
        await shot('collapsed');
        await tab.reload();
        await expect.poll(() => tab.attr('topbar-toggle', 'aria-label'), WAIT).toBe('Show Collab Chat');
        await tab.click('topbar-toggle');
        await expect.poll(() => tab.text('topbar-toggle'), WAIT).toBe('Hide');
        await vi.waitFor(async () => expect(await tab.text('connection-state')).toBe('Live'), WAIT);
        await tab.click('dock-toggle');
        await expect.poll(async () => (await overlayBox())?.right ?? 0, WAIT).toBeGreaterThan(width - 40);
        await shot('docked-right');
      });
    },
  );
}
