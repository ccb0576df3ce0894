// The collaboration loop as people use it (scenarios 1–11), written once for any browser:
// alice reaches the server through a TCP proxy the test can cut, bob connects directly; one server
// (same port across a restart), one page server and one build are shared by every scenario. Each
// scenario asserts what the users see and saves a screenshot to test-results/e2e/<browser>-<n>-*.png.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server';
import { TestClient } from '../helpers/client';
import {
  ARTIFACTS,
  freePort,
  scenarioSuite,
  type BrowserName,
  type PageServer,
  type Tab,
  type UserBrowser,
} from './harness';
import { TcpProxy } from './tcp-proxy';

const WAIT = { timeout: 15_000, interval: 100 };
/** Reconnecting after a cut waits out the extension's backoff (full jitter, base 0.5 s, cap 30 s). */
const RECONNECT_WAIT = { timeout: 45_000, interval: 200 };

const FOX = 'quick brown fox';
const FIRST = 'Is the fox really that quick?';

export function collaborationScenarios(
  name: BrowserName,
  launch: (extensionDir: string) => Promise<UserBrowser>,
): void {
  const suite = {
    browser: name,
    title: 'the collaboration loop',
    launch,
    // Configured in scenario 1, as a new user does it: alice through the proxy.
    users: { alice: null, bob: null },
    // A fixed port, so the restarted server is where bob's settings (and the proxy) point.
    server: async () => startTestServer({ port: await freePort() }),
  };
  scenarioSuite(suite, (world) => {
    let server: TestServer;
    let proxy: TcpProxy;
    let pages: PageServer;
    let alice: UserBrowser;
    let bob: UserBrowser;
    let pageA: Tab;
    let pageB: Tab;
    const shot = (tab: Tab, scenario: string) => tab.screenshot(join(ARTIFACTS, `${name}-${scenario}.png`));
    const live = async (tab: Tab) =>
      expect.poll(async () => (await tab.connection()).state, RECONNECT_WAIT).toBe('live');

    beforeAll(() => {
      ({ server, pages } = world);
      ({ alice, bob } = world.users);
    });

    beforeAll(async () => {
      proxy = await TcpProxy.start(Number(new URL(server.url).port));
    });

    afterAll(async () => {
      await proxy?.close();
    });

    it('1: a new user sets server and token in the options page and turns the site on in the popup', async () => {
      expect(await alice.hasFirstRunOptionsPage()).toBe(true);
      expect(await alice.configure(`ws://127.0.0.1:${proxy.port}`, server.tokens.alice)).toBe(
        'Connected as \u2068Alice\u2069 of \u2068Tenant A\u2069. These settings are saved.',
      );
      expect(await bob.configure(server.url, server.tokens.bob)).toBe(
        'Connected as \u2068Bob\u2069 of \u2068Tenant A\u2069. These settings are saved.',
      );

      const url = pages.url('article.html');
      [pageA, pageB] = await Promise.all([alice.open(url), bob.open(url)]);
      // Off by default: no overlay, nothing sent.
      expect(await pageA.hasOverlay()).toBe(false);

      const popupA = await alice.enableSiteOf(pageA);
      expect(popupA.connectionState).toBe('live');
      expect(popupA.me).toContain('Alice');
      expect(popupA.me).toContain('Tenant A');
      await bob.enableSiteOf(pageB);
      for (const page of [pageA, pageB]) {
        await live(page);
        await expect.poll(() => page.text('viewers'), WAIT).toBe('2 viewers');
      }
      await shot(pageA, '1-setup');
    });

    it('2: alice starts a discussion; bob sees the highlight and the thread; both count 2 viewers', async () => {
      await pageA.selectText('#intro', FOX);
      await pageA.startDiscussion();
      await pageA.fill('composer-input', FIRST);
      await pageA.click('composer-submit');
      await expect.poll(() => pageA.texts('comment-text'), WAIT).toEqual([FIRST]);
      await expect.poll(() => pageA.count('comment-unacked'), WAIT).toBe(0);

      await expect.poll(() => pageB.highlightCount(), WAIT).toBe(1);
      await expect.poll(() => pageB.text('discussion-count'), WAIT).toBe('1 discussion');
      await pageB.clickText('#intro', FOX);
      await expect.poll(() => pageB.texts('comment-text'), WAIT).toEqual([FIRST]);
      expect(await pageB.texts('comment-author')).toEqual(['Alice']);
      expect(await pageA.highlightCount()).toBe(1);
      expect(await pageA.text('viewers')).toBe('2 viewers');
      expect(await pageB.text('viewers')).toBe('2 viewers');
      expect(await pageA.text('discussion-count')).toBe('1 discussion');
      await shot(pageB, '2-discussion');
    });

    it('3: bob replies, alice edits her comment; bob gets no edit on it and a forged edit is refused', async () => {
      const reply = 'Quicker than the dog, at least.';
      await pageB.fill('reply-input', reply);
      await pageB.click('reply-submit');
      await expect.poll(() => pageA.texts('comment-text'), WAIT).toEqual([FIRST, reply]);
      await expect.poll(() => pageB.count('comment-unacked'), WAIT).toBe(0);
      expect(await pageB.texts('comment-text')).toEqual([FIRST, reply]);

      // Alice edits her own comment (her only edit button).
      expect(await pageA.count('edit-comment')).toBe(1);
      await pageA.click('edit-comment');
      const edited = 'Is the fox really that quick? (edited)';
      await pageA.fill('edit-input', edited);
      await pageA.click('edit-save');
      await expect.poll(() => pageB.texts('comment-text'), WAIT).toEqual([edited, reply]);
      expect(await pageA.texts('comment-text')).toEqual([edited, reply]);
      // Bob is offered edit on his own reply only, and no delete of alice's discussion.
      expect(await pageB.count('edit-comment')).toBe(1);
      expect(await pageB.count('delete-discussion')).toBe(0);

      // A forged edit of alice's comment with bob's token goes to the server and is refused.
      const forger = await TestClient.connect(server.url, server.tokens.bob);
      try {
        forger.send({ type: 'subscribe', page: pages.url('article.html') });
        const snapshot = await forger.next('snapshot');
        const chat = snapshot.chats[0]!;
        const aliceComment = chat.comments[0]!;
        expect(aliceComment.text).toBe(edited);
        forger.send({
          type: 'edit-comment',
          broadcastId: crypto.randomUUID(),
          page: snapshot.page,
          chatId: chat.id,
          commentId: aliceComment.id,
          text: 'bob put words in her mouth',
        });
        expect((await forger.next('error')).code).toBe('forbidden');
      } finally {
        await forger.close();
      }
      expect(await pageA.texts('comment-text')).toEqual([edited, reply]);
      expect(await pageB.texts('comment-text')).toEqual([edited, reply]);
      await shot(pageB, '3-reply-edit');
    });

    it('4: alice deletes the discussion; bob’s highlight and thread disappear', async () => {
      await pageA.click('delete-discussion');
      await expect.poll(() => pageB.highlightCount(), WAIT).toBe(0);
      await expect.poll(() => pageB.count('thread'), WAIT).toBe(0);
      expect(await pageB.text('discussion-count')).toBe('0 discussions');
      expect(await pageA.highlightCount()).toBe(0);
      expect(await pageA.text('discussion-count')).toBe('0 discussions');
      await shot(pageB, '4-deleted');
    });

    it('5: cross-tab: alice’s second tab shows what the first does, once; alice counts once', async () => {
      const pageA2 = await alice.open(pages.url('article.html'));
      try {
        await expect.poll(() => pageA2.text('viewers'), WAIT).toBe('2 viewers');
        await pageA.selectText('#second', 'every remark');
        await pageA.startDiscussion();
        await pageA.fill('composer-input', 'Two tabs, one alice');
        await pageA.click('composer-submit');
        await expect.poll(() => pageA2.highlightCount(), WAIT).toBe(1);
        await expect.poll(() => pageA2.text('discussion-count'), WAIT).toBe('1 discussion');
        await expect.poll(() => pageB.text('discussion-count'), WAIT).toBe('1 discussion');
        // Confirmed in the tab that made it, shown once there (its own echo dropped).
        await expect.poll(() => pageA.count('comment-unacked'), WAIT).toBe(0);
        expect(await pageA.texts('comment-text')).toEqual(['Two tabs, one alice']);
        expect(await pageA.text('discussion-count')).toBe('1 discussion');
        await expect.poll(() => pageA.highlightCount(), WAIT).toBe(1);
        for (const page of [pageA, pageA2, pageB]) expect(await page.text('viewers')).toBe('2 viewers');
        await shot(pageA2, '5-cross-tab');
      } finally {
        await pageA2.close();
      }
    });

    it('6: alice loses the network, writes offline, gets it all back; then the server restarts', async () => {
      await pageA.clickText('#second', 'every remark');
      await pageB.clickText('#second', 'every remark');
      await expect.poll(() => pageB.texts('comment-text'), WAIT).toEqual(['Two tabs, one alice']);
      // Alice's thread must be open before the cut, or the check below races its rendering.
      await expect.poll(() => pageA.texts('comment-text'), WAIT).toEqual(['Two tabs, one alice']);

      proxy.cutAll();
      await expect
        .poll(async () => (await pageA.connection()).state, RECONNECT_WAIT)
        .toMatch(/^(reconnecting|offline)$/);
      // Alice still reads the thread and writes a reply; it waits in the outbox.
      expect(await pageA.texts('comment-text')).toEqual(['Two tabs, one alice']);
      await pageA.fill('reply-input', 'Written on the train');
      await pageA.click('reply-submit');
      await expect.poll(async () => (await pageA.connection()).queued, WAIT).toBe('1');
      // Sending while reconnecting tries at once ("Trying now…"); an attempt after a connection never reads
      // as a first one ("Connecting…"): whatever the moment, it says not live, 1 queued.
      await expect
        .poll(async () => (await pageA.connection()).text, WAIT)
        .toMatch(/^(Reconnecting…|Offline|Trying now…) · 1 queued$/);
      expect(await pageA.texts('comment-text')).toEqual(['Two tabs, one alice', 'Written on the train']);
      await shot(pageA, '6-offline');

      // Meanwhile bob changes things.
      await pageB.fill('reply-input', 'Bob, while alice was away');
      await pageB.click('reply-submit');
      await expect.poll(() => pageB.count('comment-unacked'), WAIT).toBe(0);
      await pageB.selectText('#intro', 'lazy dog');
      await pageB.startDiscussion();
      await pageB.fill('composer-input', 'A second thread from bob');
      await pageB.click('composer-submit');
      await expect.poll(() => pageB.text('discussion-count'), WAIT).toBe('2 discussions');

      proxy.restore();
      await live(pageA);
      await expect.poll(async () => (await pageA.connection()).queued, WAIT).toBe('0');
      await expect.poll(() => pageA.text('discussion-count'), WAIT).toBe('2 discussions');
      await expect.poll(() => pageA.highlightCount(), WAIT).toBe(2);
      // Alice's reply landed once; both see the same thread in the same order.
      await pageA.clickText('#second', 'every remark');
      await pageB.clickText('#second', 'every remark');
      await expect.poll(() => pageB.texts('comment-text'), WAIT).toHaveLength(3);
      const thread = await pageB.texts('comment-text');
      expect(thread.filter((t) => t === 'Written on the train')).toHaveLength(1);
      expect(thread).toContain('Bob, while alice was away');
      await expect.poll(() => pageA.texts('comment-text'), WAIT).toEqual(thread);
      expect(await pageA.threadLines()).toEqual(await pageB.threadLines());
      await shot(pageA, '6-back-online');

      // The server restarts on the same port (same SQLite file): both reconnect by themselves.
      await server.restart();
      proxy.retarget(Number(new URL(server.url).port));
      await live(pageA);
      await live(pageB);
      await pageB.fill('reply-input', 'After the restart');
      await pageB.click('reply-submit');
      await expect
        .poll(() => pageA.texts('comment-text'), RECONNECT_WAIT)
        .toEqual([...thread, 'After the restart']);
      await expect.poll(() => pageA.text('viewers'), WAIT).toBe('2 viewers');
      await expect.poll(() => pageB.text('viewers'), WAIT).toBe('2 viewers');
      expect(await pageA.threadLines()).toEqual(await pageB.threadLines());
      await shot(pageA, '6-after-restart');
    });

    it('7: the background is stopped; the next action works, subscriptions and queued writes recover', async (ctx) => {
      const stop = alice.stopBackground;
      if (!stop)
        return ctx.skip(`${name}'s background is a persistent page (MV2): there is no worker to stop`);
      const before = await pageA.texts('comment-text');
      // A write queued while offline must survive the worker being stopped.
      proxy.cutAll();
      await expect
        .poll(async () => (await pageA.connection()).state, RECONNECT_WAIT)
        .toMatch(/^(reconnecting|offline)$/);
      await pageA.fill('reply-input', 'Queued before the worker stopped');
      await pageA.click('reply-submit');
      await expect.poll(async () => (await pageA.connection()).queued, WAIT).toBe('1');
      await stop();
      proxy.restore();
      // The content script re-opens its port, which wakes the worker; it rebuilds from storage.
      await live(pageA);
      await expect.poll(async () => (await pageA.connection()).queued, RECONNECT_WAIT).toBe('0');
      const withQueued = [...before, 'Queued before the worker stopped'];
      await expect.poll(() => pageB.texts('comment-text'), WAIT).toEqual(withQueued);
      // The subscription came back: bob's next reply reaches alice; alice's next action works.
      await pageB.fill('reply-input', 'Seen after the restart of the worker');
      await pageB.click('reply-submit');
      const all = [...withQueued, 'Seen after the restart of the worker'];
      await expect.poll(() => pageA.texts('comment-text'), WAIT).toEqual(all);
      await pageA.fill('reply-input', 'And alice answers');
      await pageA.click('reply-submit');
      await expect.poll(() => pageB.texts('comment-text'), WAIT).toEqual([...all, 'And alice answers']);
      expect((await pageA.texts('comment-text')).filter((t) => t === 'And alice answers')).toHaveLength(1);
      await shot(pageA, '7-worker-stopped');
    });

    it('8: a comment made of HTML shows as text; a page with hostile CSS does not restyle the overlay', async () => {
      const xss = '<img src=x onerror=alert(1)>';
      // The open thread covers the end of the paragraph: alice closes it first, as a person would.
      await pageA.click('thread-close');
      await expect.poll(() => pageA.count('thread'), WAIT).toBe(0);
      await pageA.selectText('#intro', 'river');
      await pageA.startDiscussion();
      await pageA.fill('composer-input', xss);
      await pageA.click('composer-submit');
      await expect.poll(() => pageB.highlightCount(), WAIT).toBe(3);
      await pageB.clickText('#intro', 'river');
      await expect.poll(() => pageB.texts('comment-text'), WAIT).toEqual([xss]);
      expect(await pageA.texts('comment-text')).toEqual([xss]);
      for (const page of [pageA, pageB]) {
        expect(await page.overlayElements('img')).toBe(0);
        expect(await page.evaluate(() => document.querySelectorAll('img').length, null)).toBe(0);
        expect(page.dialogs).toEqual([]);
      }
      await shot(pageB, '8-html-as-text');

      const props = ['font-size', 'color', 'display', 'font-family', 'background-color'];
      const calm = await pageA.styleOf('topbar', props);
      const hostile = await alice.open(pages.url('hostile.html'));
      try {
        await expect.poll(() => hostile.text('connection-state'), RECONNECT_WAIT).toBe('Live');
        // The page's own rule did apply to the page.
        expect(await hostile.evaluate(() => getComputedStyle(document.body).fontSize, null)).toBe('40px');
        expect(await hostile.styleOf('topbar', props)).toEqual(calm);
        expect(await hostile.styleOf('viewers', ['font-size', 'color'])).toEqual(
          await pageA.styleOf('viewers', ['font-size', 'color']),
        );
        await shot(hostile, '8-hostile-css');
      } finally {
        await hostile.close();
      }
    });

    it('9: a single-page app that changes its URL with pushState shows the new page’s discussions', async () => {
      const spaA = await alice.open(pages.url('spa.html'));
      const spaB = await bob.open(pages.url('spa.html'));
      try {
        for (const page of [spaA, spaB])
          await expect.poll(() => page.text('viewers'), WAIT).toBe('2 viewers');
        await spaA.selectText('#intro', 'same words');
        await spaA.startDiscussion();
        await spaA.fill('composer-input', 'On view one');
        await spaA.click('composer-submit');
        await expect.poll(() => spaB.text('discussion-count'), WAIT).toBe('1 discussion');

        // Alice moves to view two: a different page, with nothing on it yet.
        await spaA.evaluate(() => document.querySelector<HTMLButtonElement>('#to-two')!.click(), null);
        await expect.poll(() => spaA.text('discussion-count'), WAIT).toBe('0 discussions');
        await expect.poll(() => spaA.highlightCount(), WAIT).toBe(0);
        await expect.poll(() => spaA.text('viewers'), WAIT).toBe('1 viewer');
        await spaA.selectText('#intro', 'address changes');
        await spaA.startDiscussion();
        await spaA.fill('composer-input', 'On view two');
        await spaA.click('composer-submit');
        await expect.poll(() => spaA.count('comment-unacked'), WAIT).toBe(0);

        // Bob follows: he sees view two's discussion, not view one's.
        await spaB.evaluate(() => document.querySelector<HTMLButtonElement>('#to-two')!.click(), null);
        await expect.poll(() => spaB.text('discussion-count'), WAIT).toBe('1 discussion');
        // Both views have one discussion: wait for view two's own highlight before clicking it.
        await expect.poll(() => spaB.highlightedTexts(), WAIT).toEqual(['address changes']);
        await spaB.clickText('#intro', 'address changes');
        await expect.poll(() => spaB.texts('comment-text'), WAIT).toEqual(['On view two']);
        await expect.poll(() => spaB.text('viewers'), WAIT).toBe('2 viewers');
        await shot(spaB, '9-spa-view-two');

        // And back on view one, its own discussion again.
        await spaB.evaluate(() => document.querySelector<HTMLButtonElement>('#to-one')!.click(), null);
        await expect.poll(() => spaB.highlightedTexts(), WAIT).toEqual(['same words']);
        expect(await spaB.text('discussion-count')).toBe('1 discussion');
        await spaB.clickText('#intro', 'same words');
        await expect.poll(() => spaB.texts('comment-text'), WAIT).toEqual(['On view one']);
        await shot(spaB, '9-spa-view-one');
      } finally {
        await Promise.allSettled([spaA.close(), spaB.close()]);
      }
    });
    it('10: a discussion whose text left the page says so when opened; one on edited text says it changed', async () => {
      const quote = 'keeps flowing to the sea';
      const typo = 'keeps flowign to the sea';
      await pageA.selectText('#intro', quote);
      await pageA.startDiscussion();
      await pageA.fill('composer-input', 'Where does it start?');
      await pageA.click('composer-submit');
      await expect.poll(() => pageA.count('comment-unacked'), WAIT).toBe(0);
      await expect.poll(() => pageB.highlightedTexts(), WAIT).toContain(quote);
      const othersOnB = (await pageB.highlightedTexts()).filter((text) => text !== quote);
      await pageA.click('thread-close');

      // Bob's copy of the page loses the words; alice's gains a typo inside them. The other
      // discussions of the page keep their text.
      await pageB.evaluate(() => {
        const p = document.querySelector('#intro')!;
        p.textContent = p.textContent!.replace(' keeps flowing to the sea', ' is calm');
      }, null);
      await pageA.evaluate(() => {
        const p = document.querySelector('#intro')!;
        p.textContent = p.textContent!.replace('flowing', 'flowign');
      }, null);

      await expect.poll(() => pageB.text('orphans-button'), WAIT).toBe('1 not found');
      // Nothing is highlighted in its place: bob's page shows the other discussions' passages only.
      await expect.poll(() => pageB.highlightedTexts(), WAIT).toEqual(othersOnB);
      await pageB.click('orphans-button');
      await pageB.click('orphan');
      await expect
        .poll(() => pageB.text('thread-placement'), WAIT)
        .toBe('The quoted text is no longer on this page.');
      expect(await pageB.text('thread-quote')).toBe(quote);
      await shot(pageB, '10-orphan');

      await expect.poll(() => pageA.highlightedTexts(), WAIT).toContain(typo);
      expect(await pageA.count('orphans-button')).toBe(0);
      await pageA.clickText('#intro', typo);
      await expect
        .poll(() => pageA.text('thread-placement'), WAIT)
        .toBe('The quoted text has changed since this discussion started.');
      expect(await pageA.text('thread-quote')).toBe(quote);
      await shot(pageA, '10-changed');
    });

    it('11: a discussion on text in a same-origin iframe is highlighted there, beside the page’s own, and a click on it opens it', async () => {
      const url = pages.url('framed.html');
      const framedQuote = 'tide tables are printed';
      const writer = await TestClient.connect(server.url, server.tokens.bob);
      const chatId = `chat-framed-${Date.now()}`;
      writer.send({
        type: 'create-chat',
        broadcastId: crypto.randomUUID(),
        page: url,
        chatId,
        commentId: `${chatId}-c`,
        selectors: [{ type: 'TextQuoteSelector', exact: framedQuote }],
        text: 'Small type indeed',
      });
      await writer.next((f) => f.type === 'ack');
      // And one on the page around it, in the same highlight layer.
      writer.send({
        type: 'create-chat',
        broadcastId: crypto.randomUUID(),
        page: url,
        chatId: `${chatId}-outer`,
        commentId: `${chatId}-outer-c`,
        selectors: [{ type: 'TextQuoteSelector', exact: 'says something of its own' }],
        text: 'Around the frame',
      });
      await writer.next((f) => f.type === 'ack');
      await writer.close();
      const framed = await alice.open(url);
      try {
        await expect.poll(() => framed.text('discussion-count'), WAIT).toBe('2 discussions');
        // Highlighted in the iframe's own registry, where the browser paints it.
        const inFrame = () =>
          framed.evaluate(() => {
            const doc = document.querySelector<HTMLIFrameElement>('#inner')!.contentDocument!;
            const registry = (doc.defaultView as unknown as { CSS: { highlights?: Map<string, Set<Range>> } })
              .CSS.highlights;
            const texts: string[] = [];
            registry?.forEach((ranges, name) => {
              if (name.startsWith('collab-chat')) for (const range of ranges) texts.push(range.toString());
            });
            return texts;
          }, null);
        await expect.poll(inFrame, WAIT).toEqual([framedQuote]);
        // The page's own highlight stays in the page's registry beside it.
        await expect.poll(() => framed.highlightedTexts(), WAIT).toEqual(['says something of its own']);
        // A person's click on the passage, where the page shows it (the iframe's offset plus the text's).
        const at = await framed.evaluate((quote) => {
          const frame = document.querySelector<HTMLIFrameElement>('#inner')!;
          const node = frame.contentDocument!.querySelector('#framed')!.firstChild as Text;
          const start = node.data.indexOf(quote);
          const range = frame.contentDocument!.createRange();
          range.setStart(node, start);
          range.setEnd(node, start + quote.length);
          const outer = frame.getBoundingClientRect();
          const inner = range.getBoundingClientRect();
          return {
            x: outer.left + frame.clientLeft + inner.left + inner.width / 2,
            y: outer.top + frame.clientTop + inner.top + inner.height / 2,
          };
        }, framedQuote);
        await framed.mouseClick(at.x, at.y);
        await expect.poll(() => framed.text('thread-quote'), WAIT).toBe(framedQuote);
        expect(await framed.texts('comment-text')).toEqual(['Small type indeed']);
        await shot(framed, '11-iframe');
      } finally {
        await framed.close();
      }
    });
  });
}
