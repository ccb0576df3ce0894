// Coming back, in Chromium with the built extension: a comment queued while the server is down goes
// through within seconds of the server's return, however long the outage was; and a connection whose
// path goes silent (bytes dropped, socket never closed) is noticed by the extension, which shows
// "Reconnecting…", reconnects and resyncs. Assertions are on the states reached, with generous
// deadlines; the times measured are printed for the record (docs/performance.md).
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LIMITS } from '../../lib/protocol';
import { TestClient } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { until } from '../helpers/services';
import { ARTIFACTS, ChromiumUser, freePort, scenarioSuite, type Tab } from './harness';
import { TcpProxy } from './tcp-proxy';

const WAIT = { timeout: 15_000, interval: 100 };

scenarioSuite(
  {
    browser: 'chromium',
    title: 'coming back after an outage or a stall',
    launch: (dir) => ChromiumUser.launch(dir),
    // Configured below, through the proxy. A fixed port: the server comes back where the proxy points.
    users: { alice: null },
    server: async () => startTestServer({ port: await freePort() }),
    steps: 'independent',
  },
  (world) => {
    let server: TestServer;
    let proxy: TcpProxy;
    let alice: ChromiumUser;
    let pageA: Tab;
    let url: string;
    const state = async () => (await pageA.connection()).state;

    beforeAll(async () => {
      ({ server } = world);
      ({ alice } = world.users);
      proxy = await TcpProxy.start(Number(new URL(server.url).port));
      expect(await alice.configure(`ws://127.0.0.1:${proxy.port}`, server.tokens.alice)).toBe(
        'Connected as \u2068Alice\u2069 of \u2068Tenant A\u2069. These settings are saved.',
      );
      url = world.pages.url('article.html');
      pageA = await alice.open(url);
      await alice.enableSiteOf(pageA);
      await until('the overlay live', async () => (await state()) === 'live');
    });

    afterAll(async () => {
      await proxy?.close();
    });

    it('sends a comment queued during a long outage within seconds of the server coming back', async () => {
      await server.stop();
      await expect.poll(state, WAIT).toMatch(/^(reconnecting|connecting)$/);
      // Down long enough for the backoff to reach its cap.
      const downFor = 20_000;
      const downAt = Date.now();
      await pageA.selectText('#intro', 'quick brown fox');
      await pageA.startDiscussion();
      await pageA.fill('composer-input', 'Queued while the server was down');
      await pageA.click('composer-submit');
      await expect.poll(async () => (await pageA.connection()).queued, WAIT).toBe('1');
      await expect
        .poll(() => Date.now() - downAt >= downFor, { timeout: downFor + 5000, interval: 250 })
        .toBe(true);

      await server.start();
      const backAt = Date.now();
      await expect
        .poll(async () => (await pageA.connection()).queued, { timeout: 20_000, interval: 50 })
        .toBe('0');
      const sentMs = Date.now() - backAt;
      const stored = await server.server.store.snapshot(server.tenants.a.id, url);
      expect(stored.discussions.map((c) => c.comments[0]!.text)).toEqual([
        'Queued while the server was down',
      ]);
      expect(await state()).toBe('live');
      console.log(`queued comment stored ${sentMs} ms after the server came back (down ${downFor / 1000} s)`);
      await pageA.screenshot(join(ARTIFACTS, 'chromium-comeback-after-outage.png'));
    });

    it('notices a silent connection, shows reconnecting, and resyncs what it missed', async () => {
      const bob = await TestClient.connect(server.url, server.tokens.bob);
      try {
        const before = await server.server.store.snapshot(server.tenants.a.id, url);
        const expected = `${before.discussions.length + 1} discussion${before.discussions.length ? 's' : ''}`;
        await pageA.recordStates();
        expect(proxy.stallOpen()).toBe(1);
        const stalledAt = Date.now();
        // Written while alice's path is silent: she can only get it by noticing and resyncing.
        bob.send({
          type: 'create-chat',
          broadcastId: crypto.randomUUID(),
          page: url,
          chatId: `chat-${crypto.randomUUID().slice(0, 8)}`,
          commentId: `cmt-${crypto.randomUUID().slice(0, 8)}`,
          selectors: [{ type: 'TextQuoteSelector', exact: 'lazy dog' }],
          text: 'Written while alice was silent',
        });
        await bob.next('ack');
        const deadline = LIMITS.clientPingMs + LIMITS.clientPongTimeoutMs + 10_000;
        // Over loopback the new connection can be live again within milliseconds: the states the bar
        // went through are recorded, not polled.
        await expect
          .poll(async () => (await pageA.statesSeen()).includes('reconnecting'), {
            timeout: deadline,
            interval: 100,
          })
          .toBe(true);
        const noticedMs = Date.now() - stalledAt;
        await expect
          .poll(() => pageA.text('discussion-count'), { timeout: 30_000, interval: 100 })
          .toBe(expected);
        const resyncedMs = Date.now() - stalledAt;
        expect(await state()).toBe('live');
        console.log(
          `stalled connection noticed after ${noticedMs} ms, resynced after ${resyncedMs} ms; the bar showed ${(await pageA.statesSeen()).join(' → ')}`,
        );
        await pageA.screenshot(join(ARTIFACTS, 'chromium-comeback-after-stall.png'));
      } finally {
        await bob.close();
      }
    });
  },
);
