// Notifications and links in a real browser, written once for both: Alice mentions Bob from her own
// composer; Bob, on another page, sees the toolbar badge and the inbox entry arrive live, and a click
// on it opens the page with the thread open and marks it read; "Mark all read"; a thread's "Copy
// link" gives a link that opens the thread in the extension and, in a Chromium without it, scrolls to
// the quoted text. Clicks and keys are the browser's own.
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/browsers';
import type { TestServer } from '../helpers/server';
import {
  ARTIFACTS,
  type BrowserName,
  type PageServer,
  scenarioSuite,
  type Tab,
  type UserBrowser,
} from './harness';

const WAIT = { timeout: 15_000, interval: 100 };
const FAR = 'the cranes unload timber';

/** One entry of the popup's inbox, as the person sees it. */
export interface InboxEntry {
  unread: boolean;
  headline: string;
  excerpt: string;
  text: string;
}

/** The popup's inbox, open in a page of the extension. */
export interface InboxPage {
  entries(): Promise<InboxEntry[]>;
  unreadCount(): Promise<string>;
  /** The connection's state as the popup shows it (`data-state`). */
  connectionState(): Promise<string>;
  /** Loads the popup again (a person opening it anew). */
  reload(): Promise<void>;
  /** Clicks entry `index`; returns the tab that then shows a URL starting with `prefix`. */
  open(index: number, prefix: string): Promise<Tab>;
  markAllRead(): Promise<void>;
  screenshot(path: string): Promise<void>;
  close(): Promise<void>;
}

/** What only one browser can do, behind one shape. */
export interface NotifyProbe<U extends UserBrowser> {
  /** The text on the extension's toolbar badge. */
  badge(user: U): Promise<string>;
  /** Opens the toolbar popup (as a page) on its inbox. */
  inbox(user: U): Promise<InboxPage>;
  /** Clicks the checkbox `testId` of the options page; returns whether it is then checked. */
  clickOption(user: U, testId: string): Promise<boolean>;
  /**
   * The ids of the browser notifications the extension shows now (`notifications.getAll()`); null
   * where the browser cannot tell (headless Firefox closes each one as it is shown).
   */
  notificationsShown(user: U): Promise<string[] | null>;
  /** Whether the extension holds the `notifications` permission. */
  mayNotify(user: U): Promise<boolean>;
}

/** Runs in the popup page: its inbox entries. */
export function readInbox(): InboxEntry[] {
  return [...document.querySelectorAll<HTMLElement>('[data-testid="inbox-item"]')].map((item) => ({
    unread: item.dataset.unread === 'true',
    headline: item.querySelector('[data-testid="inbox-headline"]')?.textContent ?? '',
    excerpt: item.querySelector('[data-testid="inbox-excerpt"]')?.textContent ?? '',
    text: item.textContent ?? '',
  }));
}

export function notifyScenarios<U extends UserBrowser>(
  name: BrowserName,
  launch: (extensionDir: string) => Promise<U>,
  probe: NotifyProbe<U>,
): void {
  scenarioSuite(
    { browser: name, title: 'notifications and links', launch, users: { alice: 'alice', bob: 'bob' } },
    (world) => {
      let server: TestServer;
      let pages: PageServer;
      let alice: U;
      let bob: U;
      let aliceTab: Tab;
      let bobTab: Tab;
      let inbox: InboxPage;
      /** Bob's tabs of the site, closed when he reads no page. */
      const bobTabs: Tab[] = [];
      const shot = (step: string) => join(ARTIFACTS, `${name}-notify-${step}.png`);
      /** Bob's mention, as the token a comment carries (the @ suggestions make the same). */
      const mentionBob = () => `@[${server.users.bob.id}]`;

      beforeAll(() => {
        ({ server, pages } = world);
        ({ alice, bob } = world.users);
      });

      beforeAll(async () => {
        aliceTab = await alice.open(pages.url('article.html'));
        await alice.enableSiteOf(aliceTab);
        // Bob reads another page of the site.
        bobTab = await bob.open(pages.url('long.html'));
        bobTabs.push(bobTab);
        await bob.enableSiteOf(bobTab);
        for (const tab of [aliceTab, bobTab])
          await vi.waitFor(async () => expect(await tab.text('connection-state')).toBe('Live'), WAIT);
      });

      afterAll(async () => {
        await inbox?.close().catch(() => undefined);
      });

      it('a mention from Alice’s composer reaches Bob, on another page, live: badge and inbox', async () => {
        expect(await probe.badge(bob)).toBe('');
        await aliceTab.selectText('#intro', 'lazy dog');
        await aliceTab.startDiscussion();
        await aliceTab.fill('composer-input', `${mentionBob()} is this dog real?`);
        await aliceTab.click('composer-submit');
        await expect.poll(() => aliceTab.count('comment'), WAIT).toBe(1);

        await expect.poll(() => probe.badge(bob), WAIT).toBe('1');
        inbox = await probe.inbox(bob);
        await expect.poll(() => inbox.entries(), WAIT).toHaveLength(1);
        const [entry] = await inbox.entries();
        expect(entry!.unread).toBe(true);
        expect(entry!.headline).toBe('\u2068Alice\u2069 mentioned you');
        expect(entry!.excerpt).toBe('@Bob is this dog real?');
        expect(entry!.text).toContain(`on ${new URL(pages.url('article.html')).host}`);
        expect(entry!.text).toMatch(/now|second|minute/);
        expect(await inbox.unreadCount()).toBe('1');
        await inbox.screenshot(shot('1-inbox'));
        // Never for one's own action.
        expect(await probe.badge(alice)).toBe('');
      });

      it('a click on it opens the page with the thread open, and it is read', async () => {
        const opened = await inbox.open(0, pages.url('article.html'));
        bobTabs.push(opened);
        await expect.poll(() => opened.text('thread-quote'), WAIT).toBe('lazy dog');
        await expect.poll(() => opened.count('comment'), WAIT).toBe(1);
        await opened.screenshot(shot('2-opened'));
        await expect.poll(() => probe.badge(bob), WAIT).toBe('');
        await expect.poll(async () => (await inbox.entries())[0]?.unread, WAIT).toBe(false);
      });

      it('"Mark all read" marks every one read', async () => {
        await aliceTab.fill('reply-input', `${mentionBob()} and the fox?`);
        await aliceTab.click('reply-submit');
        await expect.poll(() => probe.badge(bob), WAIT).toBe('1');
        await expect
          .poll(async () => (await inbox.entries()).map((e) => e.unread), WAIT)
          .toEqual([true, false]);
        await inbox.markAllRead();
        await expect.poll(() => probe.badge(bob), WAIT).toBe('');
        await expect
          .poll(async () => (await inbox.entries()).map((e) => e.unread), WAIT)
          .toEqual([false, false]);
      });

      it('with "stay connected" on and no page open, the badge follows; browser notifications on request', async () => {
        expect(await probe.clickOption(bob, 'stay-connected')).toBe(true);
        expect(await probe.clickOption(bob, 'desktop-notifications')).toBe(true);
        for (const tab of bobTabs.splice(0)) await tab.close();
        await inbox.reload();
        await expect.poll(() => inbox.connectionState(), WAIT).toBe('live');
        await aliceTab.fill('reply-input', `${mentionBob()} one more`);
        await aliceTab.click('reply-submit');
        await expect.poll(() => probe.badge(bob), WAIT).toBe('1');
        await expect
          .poll(async () => (await inbox.entries()).map((e) => e.unread), WAIT)
          .toEqual([true, false, false]);
        expect(await probe.mayNotify(bob)).toBe(true);
        if ((await probe.notificationsShown(bob)) !== null)
          await expect.poll(() => probe.notificationsShown(bob), WAIT).toHaveLength(1);
      });

      it('a restarted background catches up on what came while it was stopped', async (ctx) => {
        const stop = bob.stopBackground;
        if (!stop)
          return ctx.skip(`${name}'s background is a persistent page (MV2): there is no worker to stop`);
        await stop();
        await aliceTab.fill('reply-input', `${mentionBob()} while you were away`);
        await aliceTab.click('reply-submit');
        await expect.poll(() => aliceTab.count('comment'), WAIT).toBe(4);
        // Opening the popup wakes the worker, which reconnects and asks for what came after the last seq seen.
        await inbox.reload();
        await expect.poll(() => probe.badge(bob), WAIT).toBe('2');
        await expect
          .poll(async () => (await inbox.entries())[0]?.excerpt, WAIT)
          .toBe('@Bob while you were away');
        await expect.poll(async () => (await inbox.entries()).length, WAIT).toBe(4);
      });

      it('"Copy link" gives a link that opens the thread, and scrolls to the quote without the extension', async () => {
        const tab = await alice.open(pages.url('long.html'));
        await vi.waitFor(async () => expect(await tab.text('connection-state')).toBe('Live'), WAIT);
        await tab.evaluate(() => document.querySelector('#far')!.scrollIntoView({ block: 'center' }), null);
        await tab.selectText('#far', FAR);
        await tab.startDiscussion();
        await tab.fill('composer-input', 'Certified, this timber?');
        await tab.click('composer-submit');
        await expect.poll(() => tab.text('thread-quote'), WAIT).toBe(FAR);
        await tab.click('thread-copy-link');
        await expect.poll(() => tab.text('thread-copy-link-result'), WAIT).toBe('Link copied.');

        // Pasted, as a person does, into a field of a page.
        const blank = await alice.open(pages.url('article.html'));
        await blank.evaluate(() => {
          const field = document.createElement('textarea');
          field.id = 'paste';
          Object.assign(field.style, {
            position: 'fixed',
            left: '10px',
            top: '10px',
            width: '600px',
            height: '80px',
          });
          document.body.append(field);
        }, null);
        await blank.mouseClick(40, 40);
        await blank.press('Control+V');
        const link = await blank.evaluate(
          () => document.querySelector<HTMLTextAreaElement>('#paste')!.value,
          null,
        );
        expect(link).toMatch(
          new RegExp(`^${pages.url('long.html').replace(/[.?]/g, '\\$&')}#cc-chat=[\\w-]+:~:text=`),
        );
        // The quote with whole words of its context on each side, the syntax's own characters encoded.
        expect(link).toContain(
          ':~:text=below%20the%20fold%2C-,the%20cranes%20unload%20timber,-for%20the%20winter',
        );

        // With the extension: the thread opens at its passage.
        const linked = await bob.open(link);
        await expect.poll(() => linked.text('thread-quote'), WAIT).toBe(FAR);
        await expect
          .poll(
            () =>
              linked.evaluate((quote) => {
                const node = document.querySelector('#far')!.firstChild as Text;
                const range = document.createRange();
                const start = node.data.indexOf(quote);
                range.setStart(node, start);
                range.setEnd(node, start + quote.length);
                const r = range.getBoundingClientRect();
                return r.top >= 0 && r.bottom <= innerHeight;
              }, FAR),
            WAIT,
          )
          .toBe(true);
        await linked.screenshot(shot('3-linked'));

        // Without it (a plain Chromium): the browser scrolls to the quoted text.
        const plain = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
        try {
          const page = await plain.newPage();
          await page.goto(link);
          const where = () =>
            page.evaluate((quote) => {
              const node = document.querySelector('#far')!.firstChild as Text;
              const range = document.createRange();
              const start = node.data.indexOf(quote);
              range.setStart(node, start);
              range.setEnd(node, start + quote.length);
              const r = range.getBoundingClientRect();
              return {
                scrolled: scrollY > 0,
                inView: r.top >= 0 && r.bottom <= innerHeight,
                hash: location.hash,
              };
            }, FAR);
          await expect.poll(where, WAIT).toMatchObject({ scrolled: true, inView: true });
          // The browser keeps the text directive from the page: it sees only the discussion's id.
          expect((await where()).hash).toMatch(/^#cc-chat=[\w-]+$/);
          await page.screenshot({ path: shot('4-without-extension') });
        } finally {
          await plain.close();
        }
      });
    },
  );
}
