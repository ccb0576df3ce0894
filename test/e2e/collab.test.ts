// End to end in Debian's Chromium with the built extension against the real server: two people in
// two browser profiles on one page.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server';
import {
  BrowserProfile,
  buildChromeExtension,
  chromiumAvailable,
  highlightCount,
  overlay,
  ROOT,
  selectText,
  servePages,
} from './harness';

const ARTIFACTS = join(ROOT, 'test-results/e2e');
const WAIT = { timeout: 15_000 };

describe.skipIf(!chromiumAvailable())('Chromium: two people discuss one page', () => {
  let server: TestServer;
  let pages: Awaited<ReturnType<typeof servePages>>;
  let alice: BrowserProfile;
  let bob: BrowserProfile;

  beforeAll(async () => {
    const extensionDir = await buildChromeExtension();
    [server, pages] = await Promise.all([startTestServer(), servePages()]);
    alice = await BrowserProfile.launch(extensionDir);
    bob = await BrowserProfile.launch(extensionDir);
    await mkdir(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    await pages?.close();
    await server?.close();
  });

  it('alice starts a discussion; bob sees the highlight and the thread; both see 2 viewers; bob replies', async () => {
    // A new user: the options page opened by itself on install; the settings go in there.
    expect(await alice.firstRunOptionsPage()).not.toBeNull();
    expect(await alice.configure(server.url, server.tokens.alice)).toBe('Connected as Alice of Tenant A.');
    expect(await bob.configure(server.url, server.tokens.bob)).toBe('Connected as Bob of Tenant A.');

    const url = pages.url('article.html');
    const pageA = await alice.open(url);
    const pageB = await bob.open(url);
    // Off by default: no overlay, nothing sent.
    expect(await pageA.locator('collab-chat-overlay').count()).toBe(0);

    await alice.enableSiteOf(pageA);
    await bob.enableSiteOf(pageB);
    for (const page of [pageA, pageB]) {
      await expect
        .poll(() => overlay(page, 'connection-state').getAttribute('data-state'), WAIT)
        .toBe('live');
      await expect.poll(() => overlay(page, 'viewers').textContent(), WAIT).toBe('2 viewers');
    }

    await selectText(pageA, '#intro', 'quick brown fox');
    await overlay(pageA, 'start-discussion').click();
    await overlay(pageA, 'composer-input').fill('Is the fox really that quick?');
    await overlay(pageA, 'composer-submit').click();
    // Alice sees her discussion at once, and the server confirms it.
    await expect
      .poll(() => overlay(pageA, 'comment-text').allTextContents(), WAIT)
      .toEqual(['Is the fox really that quick?']);
    await expect.poll(() => overlay(pageA, 'comment-pending').count(), WAIT).toBe(0);

    // Bob sees the highlight and the count, then opens the thread by clicking the highlighted text.
    await expect.poll(() => highlightCount(pageB), WAIT).toBe(1);
    await expect.poll(() => overlay(pageB, 'discussion-count').textContent(), WAIT).toBe('1 discussion');
    const box = await pageB.evaluate(() => {
      const node = document.querySelector('#intro')!.firstChild as Text;
      const start = node.data.indexOf('quick brown fox');
      const range = document.createRange();
      range.setStart(node, start);
      range.setEnd(node, start + 'quick brown fox'.length);
      const r = range.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    });
    await pageB.mouse.click(box.x, box.y);
    await overlay(pageB, 'thread').waitFor(WAIT);
    expect(await overlay(pageB, 'comment-text').allTextContents()).toEqual(['Is the fox really that quick?']);
    expect(await overlay(pageB, 'comment-author').allTextContents()).toEqual(['Alice']);
    // Both top bars still count two viewers, and Alice's own change shows once.
    expect(await overlay(pageA, 'viewers').textContent()).toBe('2 viewers');
    expect(await overlay(pageB, 'viewers').textContent()).toBe('2 viewers');
    expect(await overlay(pageA, 'discussion-count').textContent()).toBe('1 discussion');

    // Bob replies: Alice's open thread shows it; Bob's own reply shows once, not again on its echo.
    await overlay(pageB, 'reply-input').fill('Quicker than the dog, at least.');
    await overlay(pageB, 'reply-submit').click();
    const both = ['Is the fox really that quick?', 'Quicker than the dog, at least.'];
    await expect.poll(() => overlay(pageA, 'comment-text').allTextContents(), WAIT).toEqual(both);
    await expect.poll(() => overlay(pageB, 'comment-pending').count(), WAIT).toBe(0);
    expect(await overlay(pageB, 'comment-text').allTextContents()).toEqual(both);
    // Bob is offered edit on his own comment only; the discussion's delete is Alice's.
    expect(await overlay(pageB, 'edit-comment').count()).toBe(1);
    expect(await overlay(pageB, 'delete-discussion').count()).toBe(0);
    expect(await overlay(pageA, 'delete-discussion').count()).toBe(1);

    await pageA.screenshot({ path: join(ARTIFACTS, 'two-people-alice.png') });
    await pageB.screenshot({ path: join(ARTIFACTS, 'two-people-bob.png') });
  });
});
