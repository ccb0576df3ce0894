// A hostile page against the built extension, written once for any browser. The page
// (pages/attack.html) sets traps before the content script runs, clobbers globals, and then tries
// every way a page script has to read the team's discussions or to write as the user: the overlay's
// DOM and shadow roots, synthetic input of every kind, messages to every window and frame, a
// canonical link to another site with the navigation events that make the overlay re-read it.
// Each attack is judged on both sides: what the page's script collected contains no discussion text,
// author, team or token, and the server stored no write (a page's `seq` moves on every stored change,
// so it is read from the server before and after, with a real user's write as the barrier).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { ServerFrameT } from '../../lib/protocol';
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
const SECRET = 'Quarterly secret: the merger closes on Friday';
const OTHER_SITE_SECRET = 'Other site secret: payroll file moves to the new bank';
const QUOTE = 'harbour freight volume';
const LEGIT = 'A reply typed by the person';

let n = 0;
const broadcastId = () => `7b0c1d2e-3f40-4a5b-8c6d-${String(++n).padStart(12, '0')}`;

export function hostilePageScenarios(
  name: BrowserName,
  launch: (extensionDir: string) => Promise<UserBrowser>,
) {
  scenarioSuite(
    { browser: name, title: 'a hostile page', launch, users: { alice: 'alice' }, steps: 'independent' },
    (world) => {
      let server: TestServer;
      let pages: PageServer;
      let alice: UserBrowser;
      let tab: Tab;
      let bob: TestClient;
      let pageKey: string;
      let otherKey: string;
      let chatId: string;
      const findings: string[] = [];

      /** The page's seq and every comment text the server holds for a page, as a fresh subscriber sees it. */
      const stored = async (page: string) => {
        const reader = await TestClient.connect(server.url, server.tokens.bob);
        reader.send({ type: 'subscribe', page });
        const snapshot = (await reader.next('snapshot')) as Extract<ServerFrameT, { type: 'snapshot' }>;
        await reader.close();
        return {
          seq: snapshot.seq,
          texts: snapshot.chats.flatMap((c) => c.comments.map((m) => m.text)),
          chats: snapshot.chats.length,
        };
      };

      /** The texts the page may never see, whatever it does. */
      const forbidden = () => [
        SECRET,
        OTHER_SITE_SECRET,
        LEGIT,
        'Alice',
        'Bob',
        'Tenant A',
        server.tokens.alice,
        server.tokens.bob,
      ];
      const expectNothingLeaked = async (label: string) => {
        const collected = await tab.evaluate(
          () => (window as unknown as { collect(): string }).collect(),
          null,
        );
        findings.push(`--- ${label}\n${collected}`);
        for (const secret of forbidden())
          expect(collected, `${label}: the page saw "${secret}"`).not.toContain(secret);
      };

      beforeAll(() => {
        ({ server, pages } = world);
        ({ alice } = world.users);
      });

      beforeAll(async () => {
        pageKey = pages.url('attack.html');
        // Another origin of this machine: the page will point its canonical link there.
        otherKey = pageKey.replace('127.0.0.1', 'localhost').replace('attack.html', 'payroll.html');
        bob = await world.member('bob');
        chatId = `chat-${Date.now().toString(36)}`;
        for (const [page, id, text, quote] of [
          [pageKey, chatId, SECRET, QUOTE],
          [otherKey, `${chatId}-other`, OTHER_SITE_SECRET, 'payroll'],
        ] as const) {
          bob.send({ type: 'subscribe', page });
          await bob.next('snapshot');
          const write = {
            type: 'create-chat',
            broadcastId: broadcastId(),
            page,
            chatId: id,
            commentId: `${id}-c1`,
            selectors: [{ type: 'TextQuoteSelector', exact: quote }],
            text,
          };
          bob.send(write);
          await bob.next((f) => f.type === 'ack' && f.broadcastId === write.broadcastId);
        }
        tab = await alice.open(pageKey);
        await alice.enableSiteOf(tab);
        await vi.waitFor(async () => expect(await tab.highlightCount()).toBe(1), WAIT);
        // The real discussion is on screen, opened by a person's click: there is something to steal.
        await tab.clickText('#target', QUOTE);
        await vi.waitFor(async () => expect(await tab.texts('comment-text')).toEqual([SECRET]), WAIT);
        expect(await tab.texts('comment-author')).toEqual(['Bob']);
      }, 240_000);

      afterAll(async () => {
        await mkdir(ARTIFACTS, { recursive: true });
        const { writeFile } = await import('node:fs/promises');
        await writeFile(join(ARTIFACTS, `${name}-hostile-findings.txt`), findings.join('\n\n')).catch(
          () => {},
        );
      });

      it('reads nothing of the discussions from the DOM, shadow roots, frames, trapped built-ins or messages', async () => {
        await expectNothingLeaked('after the thread opened');
        const collected = findings.at(-1)!;
        // What the page can still learn: that the extension is there and which passage is highlighted.
        expect(collected).toContain('host.shadowRoot: null');
        // The frame sits in the closed shadow root: not in `window.frames`, or at least not readable.
        expect(collected).toMatch(/^frames: \d+$/m);
        expect(collected).not.toMatch(/^frame \d+: <html/m);
        // No message of ours to the page (WXT's "content script started" would name the extension's id).
        expect(collected).not.toContain('content-script-started');
        expect(collected).toContain(`${QUOTE}`);
      });

      it('cannot start a discussion with a scripted selection and synthetic mouse, pointer and key events', async () => {
        const before = await stored(pageKey);
        await tab.evaluate(
          () => (window as unknown as { attackSelection(s: string): void }).attackSelection('#free'),
          null,
        );
        await tab.evaluate(() => (window as unknown as { attackInputs(): void }).attackInputs(), null);
        // A real selection and a real click on "Discuss this" do open the composer: the barrier.
        await tab.click('thread-close');
        await tab.selectText('#free', 'third paragraph');
        await tab.startDiscussion();
        await expect.poll(() => tab.count('composer-input'), WAIT).toBe(1);
        expect(await tab.text('composer-quote')).toBe('third paragraph');
        await tab.click('composer-cancel');
        expect(await stored(pageKey)).toEqual(before);
        await expectNothingLeaked('after synthetic selection and input');
      });

      it('cannot open a thread with a synthetic click on a highlight', async () => {
        expect(await tab.count('thread')).toBe(0);
        await tab.evaluate(
          ([q]) =>
            (window as unknown as { attackClickText(s: string, q: string): void }).attackClickText(
              '#target',
              q!,
            ),
          [QUOTE],
        );
        await tab.evaluate(() => (window as unknown as { attackInputs(): void }).attackInputs(), null);
        // The barrier: a person's click on the same passage opens it.
        await tab.clickText('#target', QUOTE);
        await expect.poll(() => tab.count('thread'), WAIT).toBe(1);
        await expectNothingLeaked('after synthetic clicks');
      });

      it('writes nothing through messages to every window and frame it can name', async () => {
        const before = await stored(pageKey);
        await tab.evaluate(
          ([page, id]) =>
            (window as unknown as { attackMessages(p: string, c: string): void }).attackMessages(page!, id!),
          [pageKey, chatId],
        );
        // The barrier: the person's own reply is stored, and it is the only change.
        await tab.fill('reply-input', LEGIT);
        await tab.click('reply-submit');
        await expect.poll(async () => (await stored(pageKey)).seq, WAIT).toBe(before.seq + 1);
        const after = await stored(pageKey);
        expect(after.texts).toEqual([SECRET, LEGIT]);
        expect(after.chats).toBe(1);
        await expectNothingLeaked('after messages');
      });

      it('cannot point the overlay at another site with its canonical link and navigation events', async () => {
        const before = await stored(otherKey);
        await tab.evaluate(
          ([href]) => (window as unknown as { attackCanonical(h: string): void }).attackCanonical(href!),
          [otherKey],
        );
        await tab.evaluate(() => (window as unknown as { attackInputs(): void }).attackInputs(), null);
        // The barrier: a reply goes to this page, which the overlay still shows.
        await tab.fill('reply-input', `${LEGIT} again`);
        await tab.click('reply-submit');
        await expect.poll(() => tab.texts('comment-text'), WAIT).toEqual([SECRET, LEGIT, `${LEGIT} again`]);
        await expect.poll(async () => (await stored(pageKey)).texts.length, WAIT).toBe(3);
        expect(await tab.text('discussion-count')).toBe('1 discussion');
        expect(await tab.highlightCount()).toBe(1);
        expect(await stored(otherKey)).toEqual(before);
        await expectNothingLeaked('after the canonical attack');
        await tab.screenshot(join(ARTIFACTS, `${name}-hostile.png`));
      });

      it('keeps working after the page clobbered the globals and built-ins a script might use', async () => {
        // Everything above ran on a page whose traps were set before the content script started; the
        // overlay found its discussion, highlighted it and sent the person's replies regardless.
        const trapped = await tab.evaluate(
          () => (window as unknown as { __shadowRoots: unknown[] }).__shadowRoots.length,
          null,
        );
        expect(trapped).toBe(0);
      });
    },
  );
}
