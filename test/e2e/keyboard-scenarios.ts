// Keyboard, focus and screen readers in a real browser, written once for both: a person who uses no
// mouse selects text, starts a discussion, sends it with Ctrl+Enter, opens a thread from the list with
// the arrow keys, replies, hears a colleague's reply announced, closes with Escape, and walks the
// highlights; the focus is checked after every step. Then axe-core checks every surface in light and
// dark. Key presses are the browser's own (CDP / WebDriver BiDi input), never calls to handlers; the
// one exception is the global shortcut itself in Chromium (see `UserBrowser.pressShortcut`).
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { TestClient } from '../helpers/client';
import {
  ARTIFACTS,
  type AxeFinding,
  type BrowserName,
  FirefoxUser,
  type PageServer,
  scenarioSuite,
  type Tab,
  type UserBrowser,
} from './harness';

const WAIT = { timeout: 15_000, interval: 100 };
const FOX = 'quick brown fox';
const DOG = 'lazy dog';

export function keyboardScenarios(
  name: BrowserName,
  launch: (extensionDir: string) => Promise<UserBrowser>,
): void {
  scenarioSuite(
    { browser: name, title: 'keyboard, focus and accessibility', launch, users: { alice: 'alice' } },
    (world) => {
      let pages: PageServer;
      let alice: UserBrowser;
      let bob: TestClient;
      let tab: Tab;
      let dogChat = '';
      const shot = (step: string) => tab.screenshot(join(ARTIFACTS, `${name}-keyboard-${step}.png`));
      const focus = () => tab.focus();
      const inFrame = (testId: string) =>
        expect.poll(focus, WAIT).toEqual({ page: 'overlay', frame: testId });
      /**
       * Once the frame has grown to an opened thread, its comments fit: no scrolling list to stop at.
       * While it grows the list overflows for a moment and is a tab stop, as it should be then.
       */
      const threadFits = () =>
        expect
          .poll(
            async () =>
              (await tab.attr('thread-comments', 'tabindex')) === null &&
              (await tab.frameEvaluate(() => {
                const list = document.querySelector('[data-testid="thread-comments"]')!;
                return list.scrollHeight <= list.clientHeight + 1;
              }, null)),
            WAIT,
          )
          .toBe(true);

      beforeAll(() => {
        ({ pages } = world);
        ({ alice } = world.users);
      });

      beforeAll(async () => {
        tab = await world.openLive('alice', pages.url('article.html'));
        bob = await world.member('bob', pages.url('article.html'));
      });

      it('offers its shortcuts through the browser, with their default keys', async () => {
        const byName = Object.fromEntries((await alice.shortcuts()).map((c) => [c.name, c.shortcut ?? '']));
        expect(byName).toMatchObject({
          'discuss-selection': 'Alt+Shift+D',
          'toggle-list': 'Alt+Shift+L',
          'next-highlight': 'Alt+Shift+Period',
          'previous-highlight': 'Alt+Shift+Comma',
          'toggle-overlay': '',
        });
      });

      it('keyboard only: select, discuss with the shortcut, send with Ctrl+Enter, close with Escape', async () => {
        await tab.placeCaret('#intro', FOX);
        for (let i = 0; i < FOX.length; i++) await tab.press('Shift+ArrowRight');
        expect(await tab.selection()).toBe(FOX);
        expect((await focus()).page).not.toBe('overlay');

        await alice.pressShortcut(tab, 'discuss-selection');
        await inFrame('composer-input');
        expect(await tab.text('composer-quote')).toBe(FOX);
        expect(await tab.text('composer-hint')).toBe('Ctrl+Enter to post');
        // Enter alone is a new line in the comment; Ctrl+Enter posts it.
        await tab.type('Is it?');
        await tab.press('Enter');
        await tab.type('Really?');
        expect(await tab.count('thread')).toBe(0);
        await tab.press('Control+Enter');
        await expect.poll(() => tab.texts('comment-text'), WAIT).toEqual(['Is it?\nReally?']);
        // The new thread has the focus, on the heading that names it.
        await inFrame('thread-title');
        expect(await tab.text('thread-title')).toContain(FOX);
        await shot('1-posted');

        await tab.press('Escape');
        await expect.poll(() => tab.count('thread'), WAIT).toBe(0);
        // Opened from the page, closed back to the page.
        await expect.poll(async () => (await focus()).page, WAIT).not.toBe('overlay');
      });

      it('keyboard only: the list with the arrow keys, a reply, an announced reply, Escape back out', async () => {
        dogChat = `chat-dog-${Date.now()}`;
        bob.send({
          type: 'create-chat',
          broadcastId: crypto.randomUUID(),
          page: pages.url('article.html'),
          chatId: dogChat,
          commentId: `${dogChat}-c`,
          selectors: [{ type: 'TextQuoteSelector', exact: DOG, prefix: 'over the ', suffix: ' while' }],
          text: 'Which dog?',
        });
        await expect.poll(() => tab.text('discussion-count'), WAIT).toBe('2 discussions');
        await expect
          .poll(() => tab.text('announcer'), WAIT)
          .toBe(`\u2068Bob\u2069 started a discussion on “\u2068${DOG}\u2069”`);

        await alice.pressShortcut(tab, 'toggle-list');
        await expect.poll(async () => (await focus()).frame, WAIT).toMatch(/^discussion-item:/);
        await tab.press('ArrowDown');
        await inFrame(`discussion-item:${dogChat}`);
        await tab.press('Enter');
        await inFrame('thread-title');
        expect(await tab.text('thread-title')).toContain(DOG);
        await threadFits();
        await tab.press('Tab');
        await inFrame('thread-copy-link');
        await tab.press('Tab');
        await inFrame('thread-close');
        await tab.press('Tab');
        await inFrame('reply-input');
        await tab.type('The lazy one.');
        await tab.press('Control+Enter');
        await expect.poll(() => tab.texts('comment-text'), WAIT).toEqual(['Which dog?', 'The lazy one.']);
        await expect.poll(() => tab.count('comment-unacked'), WAIT).toBe(0);
        // Still in the (now empty) reply field, ready for the next one.
        await inFrame('reply-input');
        expect(await tab.attr('reply-input', 'aria-label')).toContain(DOG);

        bob.send({
          type: 'add-comment',
          broadcastId: crypto.randomUUID(),
          page: pages.url('article.html'),
          chatId: dogChat,
          commentId: `${dogChat}-r`,
          text: 'Thanks',
        });
        await expect.poll(() => tab.text('announcer'), WAIT).toBe('\u2068Bob\u2069 replied: Thanks');
        await inFrame('reply-input');
        await shot('2-reply');

        // Escape: the thread closes back to the list, on its item; again: the list closes, back to the page.
        await tab.press('Escape');
        await inFrame(`discussion-item:${dogChat}`);
        await tab.press('Escape');
        await expect.poll(() => tab.count('discussion-list'), WAIT).toBe(0);
        await expect.poll(async () => (await focus()).page, WAIT).not.toBe('overlay');
      });

      it('keyboard only: next and previous highlight move the focus to a heading that names the discussion', async () => {
        await alice.pressShortcut(tab, 'next-highlight');
        await inFrame('thread-title');
        expect(await tab.text('thread-title')).toContain(FOX);
        await alice.pressShortcut(tab, 'next-highlight');
        await expect.poll(() => tab.text('thread-title'), WAIT).toContain(DOG);
        await inFrame('thread-title');
        await alice.pressShortcut(tab, 'previous-highlight');
        await expect.poll(() => tab.text('thread-title'), WAIT).toContain(FOX);
        // What the page can read of it: our host element, no name, no text.
        expect(
          await tab.evaluate(() => {
            const host = document.querySelector('collab-chat-overlay')!;
            return [host.getAttribute('aria-label'), host.textContent, host.shadowRoot];
          }, null),
        ).toEqual([null, '', null]);
        await tab.press('Escape');
        await expect.poll(async () => (await focus()).page, WAIT).not.toBe('overlay');
      });

      it('key events the browser dispatches reach the frame’s handlers (Escape, Ctrl+Enter, Enter, arrows)', async () => {
        // With nothing selected, the shortcut says so and keeps the focus where it is.
        await tab.evaluate(() => document.getSelection()?.removeAllRanges(), null);
        await alice.pressShortcut(tab, 'discuss-selection');
        await expect.poll(() => tab.text('notice'), WAIT).toContain('Select some text on the page first');
        expect((await focus()).page).not.toBe('overlay');
        // An edit: Escape ends the edit only; the thread stays. The walk goes on from the last
        // highlight visited (the fox): the dog, then round to the fox again.
        await alice.pressShortcut(tab, 'next-highlight');
        await expect.poll(() => tab.text('thread-title'), WAIT).toContain(DOG);
        await alice.pressShortcut(tab, 'next-highlight');
        await expect.poll(() => tab.text('thread-title'), WAIT).toContain(FOX);
        await inFrame('thread-title');
        await threadFits();
        // Copy link, close, then the comment's first control.
        for (const key of ['Tab', 'Tab', 'Tab']) await tab.press(key);
        await inFrame('edit-comment');
        await tab.press('Enter');
        await inFrame('edit-input');
        await tab.press('Escape');
        await inFrame('edit-comment');
        expect(await tab.count('thread')).toBe(1);
        await tab.press('Enter');
        await inFrame('edit-input');
        await tab.press('End');
        await tab.type(' (edited)');
        await tab.press('Control+Enter');
        await expect.poll(() => tab.texts('comment-text'), WAIT).toEqual(['Is it?\nReally? (edited)']);
        await inFrame('edit-comment');
        await tab.press('Escape');
        await expect.poll(() => tab.count('thread'), WAIT).toBe(0);
      });

      it('toggles the bar with a shortcut the person set (Firefox: from the options page)', async () => {
        if (alice instanceof FirefoxUser) {
          // No default keys (Chrome allows four suggestions): set some, with Enter in the one-line field.
          expect(await alice.setShortcutInOptions('toggle-overlay', 'Alt+Shift+O')).toBe('Alt+Shift+O');
        }
        const collapsed = async () => (await tab.attr('topbar', 'class'))?.includes('cc-collapsed') ?? null;
        expect(await collapsed()).toBe(false);
        await alice.pressShortcut(tab, 'toggle-overlay');
        await expect.poll(collapsed, WAIT).toBe(true);
        await alice.pressShortcut(tab, 'toggle-overlay');
        await expect.poll(collapsed, WAIT).toBe(false);
      });

      const findings: Record<string, AxeFinding[]> = {};
      const check = async (surface: string, run: () => Promise<AxeFinding[]>) => {
        findings[surface] = await run();
      };

      for (const scheme of ['light', 'dark'] as const) {
        it(`axe: the top bar, the composer, a thread and the list, in ${scheme}`, async () => {
          await alice.setLocalStorage({ theme: scheme });
          await expect
            .poll(
              () =>
                tab.frameEvaluate(() => document.querySelector('.cc-root')?.getAttribute('data-theme'), null),
              WAIT,
            )
            .toBe(scheme);
          await check(`top bar (${scheme})`, () => tab.axeFrame());

          await tab.placeCaret('#second', 'every remark');
          for (let i = 0; i < 'every remark'.length; i++) await tab.press('Shift+ArrowRight');
          await alice.pressShortcut(tab, 'discuss-selection');
          await inFrame('composer-input');
          await check(`composer (${scheme})`, () => tab.axeFrame());
          await tab.press('Escape');

          await alice.pressShortcut(tab, 'next-highlight');
          await inFrame('thread-title');
          await check(`thread (${scheme})`, () => tab.axeFrame());
          await tab.press('Escape');

          await alice.pressShortcut(tab, 'toggle-list');
          await expect.poll(async () => (await focus()).frame, WAIT).toMatch(/^discussion-item:/);
          await check(`list (${scheme})`, () => tab.axeFrame());
          await tab.screenshot(join(ARTIFACTS, `${name}-axe-frame-${scheme}.png`));
          await tab.press('Escape');

          await check(`popup (${scheme})`, () => alice.axeExtensionPage('popup', tab, scheme));
          await check(`options (${scheme})`, () => alice.axeExtensionPage('options', tab, scheme));
          const here = Object.fromEntries(
            Object.entries(findings).filter(([k]) => k.endsWith(`(${scheme})`)),
          );
          console.log(`${name} axe, ${scheme}:`, JSON.stringify(here, null, 1));
          expect(here).toEqual(Object.fromEntries(Object.keys(here).map((k) => [k, []])));
        });
      }
    },
  );
}
