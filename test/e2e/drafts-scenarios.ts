// Nothing a person typed is lost, and nothing is deleted by one click, in a real browser, written once
// for both: Ana (an admin) and Bruno in two browsers on one page, and a third member connected over a
// plain socket who sees what reaches the team. The composer and the reply box keep their text across
// closing, cancelling and reloads; a delete waits out its undo window (nothing leaves before it ends,
// Undo keeps the item), an admin deletes someone else's comment; a comment deleted while Bruno edits
// it keeps his text, to post as a reply; a discussion deleted under Bruno's unsent reply keeps the
// text with copy, discard and "post as a new discussion"; a delete in its window
// is sent when the tab goes away; the dashboard asks before it revokes a token. Clicks and keys are the
// browser's own.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { DiscussionEventT } from '../../lib/protocol';
import { TestClient } from '../helpers/client';
import type { TestServer } from '../helpers/server';
import {
  ARTIFACTS,
  type BrowserName,
  type PageServer,
  scenarioSuite,
  type Tab,
  type UserBrowser,
} from './harness';

const WAIT = { timeout: 20_000, interval: 100 };
const FOX = 'quick brown fox';
const REMARK = 'every remark';

export function draftsScenarios(
  name: BrowserName,
  launch: (extensionDir: string) => Promise<UserBrowser>,
): void {
  scenarioSuite(
    {
      browser: name,
      title: 'drafts, undo and deleting under a draft',
      launch,
      users: { ana: 'admin', bruno: 'bob' },
    },
    (world) => {
      let server: TestServer;
      let pages: PageServer;
      let ana: UserBrowser;
      let bruno: UserBrowser;
      let anaTab: Tab;
      let brunoTab: Tab;
      let url: string;
      /** A third member, over a plain socket: what reaches the team, in order. */
      let carla: TestClient;
      const seen: DiscussionEventT[] = [];
      let chatId = '';
      const shot = (tab: Tab, step: string) => tab.screenshot(join(ARTIFACTS, `${name}-drafts-${step}.png`));
      /** The text of a field of the discussion frame (null when it is not there). */
      const value = (tab: Tab, testId: string) =>
        tab.frameEvaluate(
          (id) => document.querySelector<HTMLTextAreaElement>(`[data-testid="${id}"]`)?.value ?? null,
          testId,
        );
      const live = (tab: Tab) =>
        vi.waitFor(async () => expect((await tab.connection()).state).toBe('live'), WAIT);
      /**
       * Closes what is open in the frame with the button `testId` and waits, as a person would see, for
       * it to be gone and the keyboard focus back on the page; then clicks plain text of the page, which
       * leaves no selection behind (a click on a highlight opens its thread only without one).
       */
      const closeAndDeselect = async (tab: Tab, testId: string) => {
        await tab.click(testId);
        await expect.poll(() => tab.count(testId), WAIT).toBe(0);
        await expect.poll(async () => (await tab.focus()).page, WAIT).not.toBe('overlay');
        const r = await tab.evaluate(() => {
          const b = document.querySelector('h1')!.getBoundingClientRect();
          return { x: b.left + 4, y: b.top + b.height / 2 };
        }, null);
        await tab.mouseClick(r.x, r.y);
        await expect.poll(() => tab.selection(), WAIT).toBe('');
      };
      const kinds = () =>
        seen.map((e) =>
          e.type === 'updated-text-chat' ? `${e.change.op}` : e.type === 'new-text-chat' ? 'new' : 'deleted',
        );

      beforeAll(() => {
        ({ server, pages } = world);
        ({ ana, bruno } = world.users);
      });

      beforeAll(async () => {
        url = pages.url('article.html');
        carla = await TestClient.connect(server.url, server.tokens.alice);
        carla.listen((f) => {
          if (f.type === 'new-text-chat' || f.type === 'updated-text-chat' || f.type === 'deleted-text-chat')
            seen.push(f as DiscussionEventT);
        });
        carla.send({ type: 'subscribe', page: url });
        await carla.next('snapshot');
        [anaTab, brunoTab] = await Promise.all([ana.open(url), bruno.open(url)]);
        await ana.enableSiteOf(anaTab);
        await bruno.enableSiteOf(brunoTab);
        await live(anaTab);
        await live(brunoTab);
      });

      afterAll(async () => {
        await carla?.close();
      });

      it('keeps the text of a new discussion when the composer is cancelled and across a reload', async () => {
        await brunoTab.selectText('#intro', FOX);
        await brunoTab.startDiscussion();
        await brunoTab.fill('composer-input', 'Half a thought about the fox');
        await expect.poll(() => brunoTab.count('draft-kept'), WAIT).toBe(1);
        await closeAndDeselect(brunoTab, 'composer-cancel');
        // The same text selected again: the draft is back.
        await brunoTab.selectText('#intro', FOX);
        await brunoTab.startDiscussion();
        await expect.poll(() => value(brunoTab, 'composer-input'), WAIT).toBe('Half a thought about the fox');
        await brunoTab.reload();
        await live(brunoTab);
        await brunoTab.selectText('#intro', FOX);
        await brunoTab.startDiscussion();
        await expect.poll(() => value(brunoTab, 'composer-input'), WAIT).toBe('Half a thought about the fox');
        await shot(brunoTab, '1-composer-draft-after-reload');
        // Other text starts empty.
        await closeAndDeselect(brunoTab, 'composer-cancel');
        await brunoTab.selectText('#second', REMARK);
        await brunoTab.startDiscussion();
        await expect.poll(() => value(brunoTab, 'composer-input'), WAIT).toBe('');
        await closeAndDeselect(brunoTab, 'composer-cancel');
        // Posted: the draft is gone.
        await brunoTab.selectText('#intro', FOX);
        await brunoTab.startDiscussion();
        await expect.poll(() => value(brunoTab, 'composer-input'), WAIT).toBe('Half a thought about the fox');
        await brunoTab.fill('composer-input', 'The fox is quick, is it not?');
        await brunoTab.click('composer-submit');
        await expect
          .poll(() => brunoTab.texts('comment-text'), WAIT)
          .toEqual(['The fox is quick, is it not?']);
        await expect.poll(() => kinds(), WAIT).toEqual(['new']);
        chatId = seen[0]!.type === 'new-text-chat' ? seen[0]!.chat.id : '';
        await closeAndDeselect(brunoTab, 'thread-close');
        await brunoTab.selectText('#intro', FOX);
        await brunoTab.startDiscussion();
        await expect.poll(() => value(brunoTab, 'composer-input'), WAIT).toBe('');
        await closeAndDeselect(brunoTab, 'composer-cancel');
      });

      it('keeps an unsent reply across closing the thread and a reload, and forgets it once sent', async () => {
        await brunoTab.clickText('#intro', FOX);
        await expect.poll(() => brunoTab.text('thread-quote'), WAIT).toBe(FOX);
        await brunoTab.fill('reply-input', 'Quick, and brown.');
        await closeAndDeselect(brunoTab, 'thread-close');
        await brunoTab.clickText('#intro', FOX);
        await expect.poll(() => value(brunoTab, 'reply-input'), WAIT).toBe('Quick, and brown.');
        await brunoTab.reload();
        await live(brunoTab);
        await brunoTab.clickText('#intro', FOX);
        await expect.poll(() => value(brunoTab, 'reply-input'), WAIT).toBe('Quick, and brown.');
        await shot(brunoTab, '2-reply-draft-after-reload');
        await brunoTab.click('reply-submit');
        await expect.poll(() => kinds(), WAIT).toEqual(['new', 'add-comment']);
        await expect.poll(() => value(brunoTab, 'reply-input'), WAIT).toBe('');
        await closeAndDeselect(brunoTab, 'thread-close');
        await brunoTab.clickText('#intro', FOX);
        await expect.poll(() => brunoTab.count('comment'), WAIT).toBe(2);
        expect(await value(brunoTab, 'reply-input')).toBe('');
      });

      it('an admin sees Delete on others’ comments; Undo keeps a deleted discussion and nothing reaches the team', async () => {
        await anaTab.clickText('#intro', FOX);
        await expect.poll(() => anaTab.count('comment'), WAIT).toBe(2);
        expect(await anaTab.attr('thread', 'data-discussion-id')).toBe(chatId);
        // Ana is an admin: the server lets her delete Bruno's comments and discussion, not edit them.
        expect(await anaTab.count('delete-comment')).toBe(2);
        expect(await anaTab.count('edit-comment')).toBe(0);
        expect(await anaTab.count('delete-discussion')).toBe(1);
        // Bruno, a member, gets nothing on what is not his... and everything on his own.
        expect(await brunoTab.count('delete-comment')).toBe(2);

        // Undo at once: the window is 5 s, and a loaded machine must not make it pass first.
        await anaTab.click('delete-discussion');
        await expect.poll(() => anaTab.count('undo-delete'), WAIT).toBe(1);
        await anaTab.click('undo-delete');
        await expect.poll(() => anaTab.count('undo-bar'), WAIT).toBe(0);
        expect(await anaTab.attr('thread', 'data-deleting')).toBeNull();

        // Ana deletes Bruno's reply instead. Its window started after the discussion's (undone) one,
        // so the first thing the team gets is this comment's deletion, and only after its window.
        const before = seen.length;
        const started = Date.now();
        await anaTab.clickInFrame('[data-testid="comment"]:last-child [data-testid="delete-comment"]');
        await expect.poll(() => anaTab.count('comment-deleting'), WAIT).toBe(1);
        // Undo is one key away: the focus is on it.
        expect((await anaTab.focus()).frame).toBe('undo-delete');
        await shot(anaTab, '3-comment-undoable-deletion');
        expect(await brunoTab.count('comment')).toBe(2);
        await expect.poll(() => seen.length, WAIT).toBeGreaterThan(before);
        expect(Date.now() - started).toBeGreaterThanOrEqual(4_500);
        expect(kinds().slice(before)).toEqual(['delete-comment']);
        expect(seen.at(-1)).toMatchObject({ type: 'updated-text-chat', chatId });
        await expect.poll(() => brunoTab.count('comment'), WAIT).toBe(1);
        await expect.poll(() => anaTab.count('comment'), WAIT).toBe(1);
        expect(await anaTab.count('undo-bar')).toBe(0);
        await closeAndDeselect(anaTab, 'thread-close');
      });

      it('a comment deleted while Bruno edits it keeps his text, and it can be posted as a reply', async () => {
        await expect.poll(() => brunoTab.count('edit-comment'), WAIT).toBe(1);
        await brunoTab.click('edit-comment');
        await brunoTab.fill('edit-input', 'The fox is quick; the dog is not.');
        await anaTab.clickText('#intro', FOX);
        await expect.poll(() => anaTab.count('delete-comment'), WAIT).toBe(1);
        await anaTab.click('delete-comment');
        await expect.poll(() => brunoTab.count('lost-edit'), WAIT).toBe(1);
        expect(await brunoTab.count('comment')).toBe(0);
        expect(await brunoTab.text('lost-edit')).toContain('The comment you were editing was deleted.');
        expect(await value(brunoTab, 'lost-edit-text')).toBe('The fox is quick; the dog is not.');
        await shot(brunoTab, '5-edit-under-delete');
        await brunoTab.click('lost-edit-post');
        await expect
          .poll(() => anaTab.texts('comment-text'), WAIT)
          .toEqual(['The fox is quick; the dog is not.']);
        await expect.poll(() => brunoTab.count('lost-edit'), WAIT).toBe(0);
        await closeAndDeselect(anaTab, 'thread-close');
      });

      it('a discussion deleted under Bruno’s unsent reply keeps it, with a notice, and posts it as a new one', async () => {
        await brunoTab.fill('reply-input', 'Wait, I was about to say something important.');
        await anaTab.clickText('#intro', FOX);
        await expect.poll(() => anaTab.count('delete-discussion'), WAIT).toBe(1);
        await anaTab.click('delete-discussion');
        // Until the window ends Ana's thread says what is about to happen (the delete is then sent).
        await expect.poll(() => anaTab.attr('thread', 'data-deleting'), WAIT).toBe('true');
        expect(await anaTab.count('undo-delete')).toBe(1);
        await shot(anaTab, '4-discussion-pending-deletion');
        await expect.poll(() => brunoTab.count('lost-draft'), WAIT).toBe(1);
        expect(await brunoTab.count('thread')).toBe(0);
        expect(await brunoTab.text('lost-notice')).toMatch(/^Someone deleted it while you were writing/);
        expect(await brunoTab.text('lost-quote')).toBe(FOX);
        expect(await value(brunoTab, 'lost-text')).toBe('Wait, I was about to say something important.');
        await shot(brunoTab, '6-deleted-under-draft');
        expect(await brunoTab.axeFrame()).toEqual([]);
        await brunoTab.click('lost-copy');
        await expect.poll(() => brunoTab.count('lost-copy-result'), WAIT).toBe(1);
        expect(await brunoTab.highlightCount()).toBe(0);

        await brunoTab.click('lost-post');
        await expect
          .poll(() => brunoTab.texts('comment-text'), WAIT)
          .toEqual(['Wait, I was about to say something important.']);
        await expect.poll(() => brunoTab.count('comment-unacked'), WAIT).toBe(0);
        expect(await brunoTab.text('thread-quote')).toBe(FOX);
        await expect.poll(() => anaTab.highlightedTexts(), WAIT).toEqual([FOX]);
        await expect.poll(() => anaTab.text('discussion-count'), WAIT).toBe('1 discussion');
        await shot(brunoTab, '7-posted-as-new');
        // Kept nowhere once posted.
        await closeAndDeselect(brunoTab, 'thread-close');
        await brunoTab.selectText('#intro', FOX);
        await brunoTab.startDiscussion();
        await expect.poll(() => value(brunoTab, 'composer-input'), WAIT).toBe('');
        await closeAndDeselect(brunoTab, 'composer-cancel');
      });

      it('a delete in its undo window is sent when the tab goes away', async () => {
        await anaTab.clickText('#intro', FOX);
        await expect.poll(() => anaTab.count('delete-discussion'), WAIT).toBe(1);
        const before = seen.length;
        await anaTab.click('delete-discussion');
        await expect.poll(() => anaTab.count('undo-delete'), WAIT).toBe(1);
        await anaTab.close();
        await expect.poll(() => kinds().slice(before), WAIT).toEqual(['deleted']);
        await expect.poll(() => brunoTab.text('discussion-count'), WAIT).toBe('0 discussions');
        anaTab = await ana.open(url);
        await live(anaTab);
        expect(await anaTab.text('discussion-count')).toBe('0 discussions');
      });

      it('the dashboard asks before it revokes a token', async () => {
        const tab = await ana.open(`${server.server.httpUrl}/dashboard`);
        const click = (css: string) => tab.clickElement(css);
        const exists = (css: string) => tab.evaluate((sel) => document.querySelector(sel) !== null, css);
        await click('#token');
        await tab.type(server.tokens.admin);
        await tab.press('Enter');
        const revoke = `button[aria-label="Revoke token test bob of Bob"]`;
        await expect.poll(() => exists(revoke), WAIT).toBe(true);
        await click(revoke);
        await expect.poll(() => exists('[data-confirm="revoke"]'), WAIT).toBe(true);
        expect(
          await tab.evaluate(() => document.querySelector('[data-confirm="revoke"]')!.textContent, null),
        ).toMatch(/^Revoke Bob's token "test bob"\? Their live connections close at once/);
        await tab.screenshot(join(ARTIFACTS, `${name}-drafts-8-revoke-confirm.png`));
        await click('button[aria-label="Cancel: keep token test bob of Bob"]');
        await expect.poll(() => exists(revoke), WAIT).toBe(true);
        // Cancelled: Bruno is still connected.
        expect((await brunoTab.connection()).state).toBe('live');
        await click(revoke);
        await click('button[aria-label="Confirm: revoke token test bob of Bob"]');
        await expect
          .poll(() => tab.evaluate(() => document.querySelector('#status')?.textContent ?? '', null), WAIT)
          .toMatch(/Token revoked; 1 live connection\(s\) closed/);
        await expect.poll(async () => (await brunoTab.connection()).state, WAIT).not.toBe('live');
        await tab.close();
      });
    },
  );
}
