// Setting up, in a real browser, written once for both: "Test connection" tests what is typed and says
// it is not saved (pages stay "not set up"); "Save" saves and the popup shows at once who the settings
// sign in as; each kind of wrong address gets its own words, found against a real local target (a
// closed port, a web server that is not ours, a host name that cannot exist, our server with a
// certificate the browser does not trust); the built extension has its icons; times read as "now"
// with the exact time on hover; the first page turned on shows once how to start a discussion.
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { selfSignedCertificate } from '../helpers/certificate';
import { TestClient } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import {
  ARTIFACTS,
  type BrowserName,
  freePort,
  type PageServer,
  scenarioSuite,
  type Tab,
  type UserBrowser,
} from './harness';

const WAIT = { timeout: 15_000, interval: 100 };
const QUOTE = 'quick brown fox';

/** Width and height of a PNG file, from its IHDR chunk. */
async function pngSize(path: string): Promise<[number, number]> {
  const bytes = await readFile(path);
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

export function setupScenarios(
  name: BrowserName,
  launch: (extensionDir: string) => Promise<UserBrowser>,
): void {
  scenarioSuite({ browser: name, title: 'setting up', launch, users: { alice: null } }, (world) => {
    let extensionDir: string;
    let server: TestServer;
    let tlsServer: TestServer;
    let pages: PageServer;
    let certDir: string;
    let alice: UserBrowser;
    let tab: Tab;
    const shot = (step: string) => join(ARTIFACTS, `${name}-setup-${step}.png`);

    beforeAll(() => {
      ({ extensionDir, server, pages } = world);
      ({ alice } = world.users);
    });

    beforeAll(async () => {
      certDir = mkdtempSync(join(tmpdir(), 'collab-chat-setup-tls-'));
      const { cert, key } = selfSignedCertificate(certDir);
      tlsServer = await startTestServer({ tlsCert: cert, tlsKey: key });
      expect(await alice.hasFirstRunOptionsPage()).toBe(true);
    });

    afterAll(async () => {
      await tlsServer?.close();
      if (certDir) rmSync(certDir, { recursive: true, force: true });
    });

    it('has its icons: the manifest names PNGs of the right sizes, for light and dark toolbars', async () => {
      const manifest = JSON.parse(await readFile(join(extensionDir, 'manifest.json'), 'utf8'));
      const button = manifest.action ?? manifest.browser_action;
      for (const icons of [manifest.icons, button.default_icon]) {
        expect(Object.keys(icons).map(Number)).toEqual([16, 32, 48, 96, 128]);
        for (const [size, path] of Object.entries(icons as Record<string, string>)) {
          expect(await pngSize(join(extensionDir, path))).toEqual([Number(size), Number(size)]);
        }
      }
      if (name === 'firefox') {
        expect(button.theme_icons).toHaveLength(5);
        for (const { light, dark, size } of button.theme_icons as Array<{
          light: string;
          dark: string;
          size: number;
        }>) {
          expect(await pngSize(join(extensionDir, light))).toEqual([size, size]);
          expect(await pngSize(join(extensionDir, dark))).toEqual([size, size]);
          expect(light).not.toBe(dark);
        }
      }
    });

    it('Test connection tests what is typed and says it is not saved; pages stay not set up', async () => {
      const tested = await alice.inOptions(
        server.url,
        server.tokens.alice,
        'test-connection',
        shot('1-tested'),
      );
      expect(tested).toEqual({
        result: 'connected',
        text:
          'Test passed, not saved yet: this connects as \u2068Alice\u2069 of \u2068Tenant A\u2069. ' +
          'Press Save to use these settings.',
      });
      // On another site than the page turned on later, which must be the first frame ever shown.
      tab = await alice.open(pages.url('article.html').replace('127.0.0.1', 'localhost'));
      const view = await alice.readPopup(tab, (v) => v.connectionState !== '', shot('1-popup-not-set-up'));
      expect(view.connectionState).toBe('unconfigured');
      expect(view.connection).toBe('Connection: Not set up: open the options');
      expect(view.me).toBe('Not signed in');
    });

    it('tells each wrong address apart, in plain words', async () => {
      const closed = await freePort();
      const cases: Array<[string, string, string, RegExp]> = [
        [
          'closed-port',
          `ws://127.0.0.1:${closed}`,
          'refused',
          new RegExp(
            `^Nothing is listening at \u2068127\\.0\\.0\\.1:${closed}\u2069\\. Check the port number`,
          ),
        ],
        [
          'not-ours',
          pages.origin.replace(/^http:/, 'ws:'),
          'not-collab-chat',
          /^A server answers at \u2068127\.0\.0\.1:\d+\u2069, but it is not a Collab Chat server\./,
        ],
        [
          'bad-host',
          'wss://nonexistent.invalid',
          'host-not-found',
          /^There is no server named \u2068nonexistent\.invalid\u2069\. Check the host name/,
        ],
        [
          'tls',
          tlsServer.url,
          'tls-untrusted',
          /^The Collab Chat server at \u2068127\.0\.0\.1:\d+\u2069 has a TLS certificate this browser does not trust/,
        ],
      ];
      for (const [step, url, result, words] of cases) {
        const found = await alice.inOptions(url, server.tokens.alice, 'test-connection', shot(`2-${step}`));
        expect(found.result, `${step}: ${found.text}`).toBe(result);
        expect(found.text).toMatch(words);
        expect(found.text).not.toMatch(/\b(code|1006)\b/);
      }
    });

    it('Save saves, and the popup shows who the settings sign in as at once', async () => {
      const saved = await alice.inOptions(server.url, server.tokens.alice, 'save-settings', shot('3-saved'));
      expect(saved).toEqual({
        result: 'connected',
        text: 'Saved. Connected as \u2068Alice\u2069 of \u2068Tenant A\u2069.',
      });
      // No page is on yet, so no socket is open: the popup still knows who this is.
      const view = await alice.readPopup(tab, (v) => v.me !== 'Not signed in', shot('3-popup-saved'));
      expect(view.me).toBe('Signed in as \u2068Alice\u2069 (\u2068Tenant A\u2069)');
      expect(view.connectionState).toBe('idle');
      expect(view.connection).toBe('Connection: Ready (connects when a page that is on is open)');
    });

    it('the first page turned on says once how to start a discussion', async () => {
      tab = await alice.open(pages.url('article.html'));
      await alice.enableSiteOf(tab);
      await vi.waitFor(async () => expect(await tab.text('connection-state')).toBe('Live'), WAIT);
      await vi.waitFor(
        async () =>
          expect(await tab.text('first-use-hint')).toBe(
            'To start a discussion, select some text on this page, then choose “Discuss this”.Got it',
          ),
        WAIT,
      );
      await tab.screenshot(shot('4-hint'));
      await tab.click('dismiss-hint');
      await expect.poll(() => tab.count('first-use-hint'), WAIT).toBe(0);
      await tab.reload();
      await vi.waitFor(async () => expect(await tab.text('connection-state')).toBe('Live'), WAIT);
      // Shown once: not after a reload, nor in another tab.
      // The site is on already: the other page gets its bar without asking.
      const other = await alice.open(pages.url('long.html'));
      await vi.waitFor(async () => expect(await other.text('connection-state')).toBe('Live'), WAIT);
      expect(await other.count('first-use-hint')).toBe(0);
      expect(await tab.count('first-use-hint')).toBe(0);
    });

    it('times read as people say them, with the exact time on hover', async () => {
      // In a tab in front, as a person reads it (the last test left another page in front).
      tab = await alice.open(pages.url('article.html'));
      await vi.waitFor(async () => expect(await tab.text('connection-state')).toBe('Live'), WAIT);
      const bob = await TestClient.connect(server.url, server.tokens.bob);
      try {
        const url = pages.url('article.html');
        bob.send({ type: 'subscribe', page: url });
        await bob.next('snapshot');
        const chatId = `chat-${crypto.randomUUID().slice(0, 8)}`;
        bob.send({
          type: 'create-chat',
          broadcastId: crypto.randomUUID(),
          page: url,
          chatId,
          commentId: `cmt-${crypto.randomUUID().slice(0, 8)}`,
          selectors: [{ type: 'TextQuoteSelector', exact: QUOTE }],
          text: 'Which fox?',
        });
        await bob.next('ack');
        await vi.waitFor(async () => expect(await tab.text('discussion-count')).toBe('1 discussion'), WAIT);
        await tab.click('discussion-count');
        await expect.poll(() => tab.text('item-last-activity'), WAIT).toBe('active now');
        const year = String(new Date().getFullYear());
        expect(await tab.attr('item-last-activity', 'title')).toContain(year);
        await tab.screenshot(shot('5-list-time'));
        await tab.clickInFrame(`[data-discussion-id="${chatId}"]`);
        await expect.poll(() => tab.text('comment-time'), WAIT).toBe('now');
        const exact = await tab.attr('comment-time', 'title');
        expect(exact).toContain(year);
        // The exact time names the second: it is not a relative time.
        expect(exact).toMatch(/\d{1,2}:\d{2}:\d{2}/);
        await tab.screenshot(shot('5-thread-time'));
      } finally {
        await bob.close();
      }
    });
  });
}
