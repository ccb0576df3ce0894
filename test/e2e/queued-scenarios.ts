// Writes the server has not taken, in a real browser, written once for both: made while the server is
// down they stay on the page after a reload and in a new tab, under the person's name and marked as
// waiting; the server back, they go once and the other user sees each once; one the server refuses
// for good stays in place with the reason and a way to copy it; a revoked token stops everything with
// plain words, holds what is written meanwhile (never "sending…" for ever) and, with a new token
// entered in the options, sends it on request. No viewer count while not live. Clicks and keys are
// the browser's own; alice is the browser, bob a plain client of the protocol.
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { DiscussionT } from '../../lib/protocol';
import { issueToken, revokeToken } from '../../server/auth';
import { TestClient } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import {
  ARTIFACTS,
  type BrowserName,
  FirefoxUser,
  freePort,
  type PageServer,
  scenarioSuite,
  type Tab,
  type UserBrowser,
} from './harness';

const WAIT = { timeout: 15_000, interval: 100 };
/** Coming back waits out the extension's backoff (full jitter, capped at 4 s) on a loaded machine. */
const BACK_WAIT = { timeout: 45_000, interval: 200 };

const FOX = 'quick brown fox';
const DOG = 'lazy dog';
const BOBS = 'Does the fox ever rest?';
const REPLY = 'Written while the server was down';
const TOO_MANY = 'One reply more than the thread may hold';
const STARTED = 'A discussion started while the server was down';
const HELD = 'Written after my token was revoked';

export function queuedScenarios(
  name: BrowserName,
  launch: (extensionDir: string) => Promise<UserBrowser>,
): void {
  scenarioSuite(
    {
      browser: name,
      title: 'writes not taken yet, shown in place',
      launch,
      users: { alice: 'alice' }, // A fixed port, so the stopped server comes back where alice's settings point; a thread holds
      // at most two comments, so that one reply written offline is refused for good.
      server: async () =>
        startTestServer({
          port: await freePort(),
          limits: { discussionsPerPage: 500, commentsPerDiscussion: 2, tenantBytes: 256 * 1024 * 1024 },
        }),
    },
    (world) => {
      let server: TestServer;
      let pages: PageServer;
      let alice: UserBrowser;
      let bob: TestClient;
      let tab: Tab;
      let url: string;
      let bobsChat = '';
      const shot = (step: string, on: Tab = tab) =>
        on.screenshot(join(ARTIFACTS, `${name}-queued-${step}.png`));

      /** What the server holds for the page now, as a fresh client of bob's reads it. */
      const stored = async (): Promise<DiscussionT[]> => {
        const reader = await TestClient.connect(server.url, server.tokens.bob);
        try {
          reader.send({ type: 'subscribe', page: url });
          const snapshot = await reader.next('snapshot');
          return snapshot.chats;
        } finally {
          await reader.close();
        }
      };
      const comments = (chats: DiscussionT[]) => chats.flatMap((c) => c.comments.map((m) => m.text));
      /** The marks of the open thread: each comment's text with its pending or unsent state. */
      const marks = () =>
        tab
          .frameEvaluate(
            () =>
              [...document.querySelectorAll('[data-testid="comment"]')].map((c) => ({
                author: c.querySelector('[data-testid="comment-author"]')?.textContent ?? '',
                text: c.querySelector('[data-testid="comment-text"]')?.textContent ?? '',
                state:
                  c
                    .querySelector('[data-testid="comment-unacked"], [data-testid="comment-unsent"]')
                    ?.getAttribute('data-state') ?? 'sent',
              })),
            null,
          )
          .then((r) => r ?? []);
      /** The bar says nothing about viewers: never "0 viewers", nor a stale count. */
      const noViewerCount = async (on: Tab = tab) => {
        expect(await on.count('viewers')).toBe(0);
        expect(await on.text('topbar')).not.toMatch(/viewer/);
      };

      beforeAll(() => {
        ({ server, pages } = world);
        ({ alice } = world.users);
      });

      beforeAll(async () => {
        url = pages.url('article.html');
        bob = await world.member('bob', url);
        bobsChat = `chat-${crypto.randomUUID().slice(0, 8)}`;
        bob.send({
          type: 'create-chat',
          broadcastId: crypto.randomUUID(),
          page: url,
          chatId: bobsChat,
          commentId: `cmt-${crypto.randomUUID().slice(0, 8)}`,
          selectors: [{ type: 'TextQuoteSelector', exact: FOX }],
          text: BOBS,
        });
        await bob.next('ack');
        tab = await alice.open(url);
        await alice.enableSiteOf(tab);
      });

      it("0: alice is live on the page with bob's discussion, two viewers", async () => {
        await expect.poll(() => tab.text('connection-state'), WAIT).toBe('Live');
        await expect.poll(() => tab.highlightCount(), WAIT).toBe(1);
        await expect.poll(() => tab.text('viewers'), WAIT).toBe('2 viewers');
      });

      it('1: the server stops; a reply and a new discussion wait, marked, with no viewer count', async () => {
        await bob.close();
        await server.stop();
        await expect
          .poll(async () => (await tab.connection()).state, BACK_WAIT)
          .toMatch(/^(reconnecting|offline)$/);
        await noViewerCount();

        await tab.clickText('#intro', FOX);
        await expect.poll(() => tab.texts('comment-text'), WAIT).toEqual([BOBS]);
        await tab.fill('reply-input', REPLY);
        await tab.click('reply-submit');
        await tab.fill('reply-input', TOO_MANY);
        await tab.click('reply-submit');
        await tab.selectText('#intro', DOG);
        await tab.startDiscussion();
        await tab.fill('composer-input', STARTED);
        await tab.click('composer-submit');
        await expect.poll(async () => (await tab.connection()).queued, WAIT).toBe('3');
        await expect
          .poll(() => marks(), WAIT)
          .toEqual([{ author: 'Alice', text: STARTED, state: 'waiting' }]);
        expect(await tab.text('comment-unacked')).toBe('Waiting to send');
        // An attempt after having been connected never reads as a first connection.
        expect((await tab.connection()).text).toMatch(/^(Reconnecting…|Offline|Trying now…) · 3 queued$/);
        await noViewerCount();
        await shot('1-waiting');
      });

      it('2: after a reload, and in a new tab, both are on the page, under her name, still waiting', async () => {
        await tab.reload();
        await expect.poll(async () => (await tab.connection()).queued, WAIT).toBe('3');
        await expect.poll(() => tab.text('discussion-count'), WAIT).toBe('2 discussions');
        await expect.poll(() => tab.highlightCount(), WAIT).toBe(2);
        await noViewerCount();
        await tab.clickText('#intro', FOX);
        await expect
          .poll(() => marks(), WAIT)
          .toEqual([
            { author: 'Bob', text: BOBS, state: 'sent' },
            { author: 'Alice', text: REPLY, state: 'waiting' },
            { author: 'Alice', text: TOO_MANY, state: 'waiting' },
          ]);
        expect(await tab.texts('comment-unacked')).toEqual(['Waiting to send', 'Waiting to send']);
        await shot('2-reloaded-thread');
        await tab.click('discussion-count');
        // Both discussions hold something of hers that waits: bob's her replies, the new one itself.
        await expect
          .poll(() => tab.texts('item-unsent'), WAIT)
          .toEqual(['waiting to send', 'waiting to send']);
        await shot('2-reloaded-list');
        await tab.click('list-close');

        const second = await alice.open(url);
        try {
          await expect.poll(() => second.text('discussion-count'), WAIT).toBe('2 discussions');
          await expect.poll(async () => (await second.connection()).queued, WAIT).toBe('3');
          await second.clickText('#intro', DOG);
          await expect.poll(() => second.texts('comment-text'), WAIT).toEqual([STARTED]);
          expect(await second.texts('comment-author')).toEqual(['Alice']);
          expect(await second.texts('comment-unacked')).toEqual(['Waiting to send']);
          await noViewerCount(second);
          await shot('2-new-tab', second);
        } finally {
          await second.close();
        }
      });

      it('3: the server is back; what waited goes once, one reply refused for good stays with its reason', async () => {
        await server.start();
        await expect.poll(async () => (await tab.connection()).state, BACK_WAIT).toBe('live');
        await expect.poll(async () => (await tab.connection()).queued, WAIT).toBe('0');
        await tab.clickText('#intro', FOX);
        await expect
          .poll(() => marks(), WAIT)
          .toEqual([
            { author: 'Bob', text: BOBS, state: 'sent' },
            { author: 'Alice', text: REPLY, state: 'sent' },
            { author: 'Alice', text: TOO_MANY, state: 'failed' },
          ]);
        expect(await tab.text('unsent-reason')).toBe(
          'Not sent: this discussion holds as many comments as it can.',
        );
        expect((await tab.connection()).text).toBe('Live · 1 not sent');
        await expect.poll(() => tab.text('viewers'), WAIT).toBe('1 viewer');
        await tab.click('copy-unsent');
        await expect.poll(() => tab.text('copy-result'), WAIT).toBe('Copied.');
        await shot('3-back-one-failed');

        // The other user sees each accepted write once, and never the refused one.
        const chats = await stored();
        expect(chats).toHaveLength(2);
        expect(comments(chats).sort()).toEqual([BOBS, REPLY, STARTED].sort());
        expect(chats.find((c) => c.id === bobsChat)?.comments.map((c) => c.author.name)).toEqual([
          'Bob',
          'Alice',
        ]);

        await tab.click('discard-unsent');
        await expect.poll(() => tab.texts('comment-text'), WAIT).toEqual([BOBS, REPLY]);
        await expect.poll(() => tab.text('connection-state'), WAIT).toBe('Live');
      });

      it('4: her token is revoked; plain words, what she writes is held with a copy, never "sending…"', async () => {
        await revokeToken(server.server.store, server.tokenIds.alice);
        await expect.poll(() => tab.text('connection-state'), WAIT).toBe('Your token no longer works');
        expect(await tab.count('topbar-open-options')).toBe(1);
        await noViewerCount();
        await expect.poll(() => tab.count('thread-token-refused'), WAIT).toBe(1);
        expect(await tab.text('thread-token-refused')).toMatch(/^Your token no longer works .*new token/);

        await tab.clickText('#intro', DOG);
        await expect.poll(() => tab.texts('comment-text'), WAIT).toEqual([STARTED]);
        await tab.fill('reply-input', HELD);
        await tab.click('reply-submit');
        await expect
          .poll(() => marks(), WAIT)
          .toEqual([
            { author: 'Alice', text: STARTED, state: 'sent' },
            { author: 'Alice', text: HELD, state: 'held' },
          ]);
        expect(await tab.text('unsent-reason')).toBe('Not sent: your token no longer works.');
        expect(await tab.count('comment-unacked')).toBe(0);
        expect((await tab.connection()).text).toBe('Your token no longer works · 1 not sent');
        // No "send again" until a working token is in.
        expect(await tab.count('resend-unsent')).toBe(0);
        await tab.click('copy-unsent');
        await expect.poll(() => tab.text('copy-result'), WAIT).toBe('Copied.');
        await shot('4-token-revoked');

        // Kept across a reload too, and the bar still says why.
        await tab.reload();
        await expect.poll(() => tab.highlightCount(), WAIT).toBe(2);
        expect((await tab.connection()).text).toBe('Your token no longer works · 1 not sent');
        await noViewerCount();
        await tab.clickText('#intro', DOG);
        await expect
          .poll(() => marks(), WAIT)
          .toEqual([
            { author: 'Alice', text: STARTED, state: 'sent' },
            { author: 'Alice', text: HELD, state: 'held' },
          ]);
        expect(comments(await stored())).not.toContain(HELD);
      });

      it('5: a new token in the options; the held reply goes when she asks, once', async () => {
        const fresh = await issueToken(server.server.store, {
          tenantId: server.users.alice.tenantId,
          userId: server.users.alice.id,
          role: 'member',
          label: 'alice, second token',
        });
        // Firefox: the extension page the harness keeps shows the popup by now; back to the options.
        if (alice instanceof FirefoxUser)
          await alice
            .inExtensionPage(() => {
              location.href = '/options.html';
              return null;
            })
            .catch(() => null);
        expect(await alice.configure(server.url, fresh.secret)).toMatch(/^Connected as/);
        await expect.poll(() => tab.text('connection-state'), BACK_WAIT).toBe('Live · 1 not sent');
        expect(await tab.count('thread-token-refused')).toBe(0);
        await expect.poll(() => tab.count('resend-unsent'), WAIT).toBe(1);
        await shot('5-new-token');
        await tab.click('resend-unsent');
        await expect
          .poll(() => marks(), WAIT)
          .toEqual([
            { author: 'Alice', text: STARTED, state: 'sent' },
            { author: 'Alice', text: HELD, state: 'sent' },
          ]);
        await expect.poll(() => tab.text('connection-state'), WAIT).toBe('Live');
        const all = comments(await stored());
        expect(all.filter((t) => t === HELD)).toHaveLength(1);
        await shot('5-sent');
      });
    },
  );
}
