// The admin dashboard in real Chromium: sign in with an admin token, see the usage chart and totals
// of a known scenario, the live pages, and revoke a token, which closes that user's socket (4403).
// Saves a screenshot to test-results/dashboard.png.
import { browserAvailable, CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/browsers';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE, mentionToken } from '../../lib/protocol';
import { TestClient } from '../helpers/client';
import { addComment, createChat, PAGE } from '../helpers/frames';
import { startTestServer, type TestServer } from '../helpers/server';
import { AXE_TAGS, seriousFindings } from './harness';

const OTHER_PAGE = 'https://docs.example.org/guide';
const available = browserAvailable('chromium');

interface UsageRowJson {
  site: string;
  pubSubMessageCount: number;
  pubSubBandwidth: number;
}

describe.runIf(available)('admin dashboard in Chromium', () => {
  let t: TestServer;
  let browser: Browser;
  let alice: TestClient;
  let bob: TestClient;

  beforeAll(async () => {
    t = await startTestServer();
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS],
    });
    // The scenario: Alice and Bob on two pages of two sites; Alice writes three events.
    alice = await TestClient.connect(t.url, t.tokens.alice);
    bob = await TestClient.connect(t.url, t.tokens.bob);
    for (const c of [alice, bob]) {
      for (const page of [PAGE, OTHER_PAGE]) {
        c.send({ type: 'subscribe', page });
        await c.next((f) => f.type === 'snapshot' && f.page === page);
      }
    }
    for (const page of [PAGE, OTHER_PAGE]) {
      await alice.next((f) => f.type === 'presence' && f.page === page && f.count === 2);
    }
    const chat = createChat();
    alice.send(chat);
    alice.send(addComment(chat.chatId));
    alice.send(createChat({ page: OTHER_PAGE }));
    await bob.next((f) => f.type === 'updated-text-chat' && f.seq === 2);
    await bob.next((f) => f.type === 'new-text-chat' && f.page === OTHER_PAGE);
    for (let i = 0; i < 3; i++) await alice.next('ack');
    await alice.next((f) => f.type === 'new-text-chat' && f.page === OTHER_PAGE);
  });

  afterAll(async () => {
    await browser?.close();
    await alice?.close();
    await bob?.close();
    await t?.close();
  });

  it('refuses a member token with a clear message', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.server.httpUrl}/dashboard`);
    await page.getByLabel('Admin token').fill(t.tokens.alice);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#sign-in-error').textContent()).toMatch(/not an admin token/);
    expect(await page.locator('#app').isHidden()).toBe(true);
    await page.close();
  });

  it('shows usage per site, live pages and tokens, and revokes a token closing its socket', async () => {
    const res = await fetch(`${t.server.httpUrl}/api/usage`, {
      headers: { authorization: `Bearer ${t.tokens.admin}` },
    });
    const rows = ((await res.json()) as { rows: UsageRowJson[] }).rows;
    const total = (site: string, key: 'pubSubMessageCount' | 'pubSubBandwidth') =>
      rows.filter((r) => r.site === site).reduce((sum, r) => sum + r[key], 0);
    expect(total('example.com', 'pubSubMessageCount')).toBeGreaterThan(0);
    expect(total('docs.example.org', 'pubSubMessageCount')).toBeGreaterThan(0);

    const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    await page.goto(`${t.server.httpUrl}/dashboard`);
    await page.getByLabel('Admin token').fill(t.tokens.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#team-name').textContent()).toContain('Tenant A');
    expect(await page.evaluate(() => sessionStorage.getItem('collab-chat-admin-token'))).toBe(t.tokens.admin);

    // Totals table and the chart's series hold the server's numbers.
    for (const site of ['example.com', 'docs.example.org']) {
      const row = page.locator(`#usage-totals tbody tr[data-site="${site}"] td`);
      await expect
        .poll(() => row.allTextContents())
        .toEqual([
          site,
          total(site, 'pubSubMessageCount').toLocaleString('en-US'),
          total(site, 'pubSubBandwidth').toLocaleString('en-US'),
        ]);
    }
    const chart = await page.evaluate(() => {
      const canvas = document.getElementById('usage-chart') as HTMLCanvasElement;
      const series = JSON.parse(canvas.dataset.series!) as {
        metric: string;
        datasets: { label: string; data: number[] }[];
      };
      const drawn = (
        window as unknown as {
          Chart: { getChart(c: HTMLCanvasElement): { data: { datasets: { label: string }[] } } | undefined };
        }
      ).Chart.getChart(canvas);
      return {
        metric: series.metric,
        sums: Object.fromEntries(series.datasets.map((d) => [d.label, d.data.reduce((a, b) => a + b, 0)])),
        drawnLabels: drawn?.data.datasets.map((d) => d.label).sort(),
        width: canvas.width,
      };
    });
    expect(chart.metric).toBe('pubSubMessageCount');
    expect(chart.sums['example.com']).toBe(total('example.com', 'pubSubMessageCount'));
    expect(chart.sums['docs.example.org']).toBe(total('docs.example.org', 'pubSubMessageCount'));
    expect(chart.drawnLabels).toEqual(Object.keys(chart.sums).sort());
    expect(chart.width).toBeGreaterThan(0);

    // Live: both pages with two viewers each.
    await expect.poll(() => page.locator('#live-connections').textContent()).toBe('2');
    const livePages = await page
      .locator('#live-pages tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(livePages.sort()).toEqual([
      [OTHER_PAGE, '2', '2'],
      [PAGE, '2', '2'],
    ]);

    // Revoke Bob's token: his socket closes at once with 4403.
    // The first click only asks; Cancel keeps the token.
    await page.getByRole('button', { name: 'Revoke token test bob of Bob' }).click();
    await page.getByRole('button', { name: 'Cancel: keep token test bob of Bob' }).click();
    await page.getByRole('button', { name: 'Revoke token test bob of Bob' }).click();
    await page.getByRole('button', { name: 'Confirm: revoke token test bob of Bob' }).click();
    const closed = await bob.closed;
    expect(closed.code).toBe(CLOSE.revoked);
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/1 live connection\(s\) closed/);
    await expect
      .poll(() => page.locator(`#tokens tr[data-token-id="${t.tokenIds.bob}"] td`).last().textContent())
      .toMatch(/^revoked /);
    await expect.poll(() => page.locator('#live-connections').textContent()).toBe('1');

    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/dashboard.png', fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lists the team’s discussions with links to them, and filters mentions of me and open or resolved', async () => {
    const writer = await TestClient.connect(t.url, t.tokens.admin);
    const mention = createChat({ text: `${mentionToken(t.users.admin.id)} have a look` });
    writer.send(mention);
    await writer.next('ack');
    await writer.close();

    const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    await page.goto(`${t.server.httpUrl}/dashboard`);
    await page.getByLabel('Admin token').fill(t.tokens.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const items = page.locator('#discussions > li');
    await expect.poll(() => items.count()).toBe(3);
    // Each links to its discussion as "Copy link" does: the thread opens, the quote is scrolled to.
    const hrefs = await page
      .locator('#discussions > li > a')
      .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(hrefs.every((h) => /#cc-chat=[\w-]+:~:text=/.test(h))).toBe(true);
    expect(await items.first().textContent()).toContain('@Admin have a look');

    await page.getByLabel('Mentions me').check();
    await expect.poll(() => items.count()).toBe(1);
    expect(await page.locator('#discussions > li > a').getAttribute('href')).toContain(mention.chatId);
    await page.getByLabel('Mentions me').uncheck();
    await page.getByLabel('Status').selectOption('resolved');
    await expect.poll(() => items.count()).toBe(0);
    await page.getByLabel('Status').selectOption('open');
    await expect.poll(() => items.count()).toBe(3);
    await page.close();
  });

  it('passes axe-core (WCAG A/AA, best practices) with no serious or critical violation, light and dark', async () => {
    const { default: AxeBuilder } = await import('@axe-core/playwright');
    // AxeBuilder needs a page of an explicit context.
    const context = await browser.newContext({ viewport: { width: 1200, height: 1000 } });
    const page = await context.newPage();
    await page.goto(`${t.server.httpUrl}/dashboard`);
    const found: Record<string, unknown[]> = {};
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      found[`sign-in (${scheme})`] = seriousFindings(
        (await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze()).violations,
      );
    }
    await page.getByLabel('Admin token').fill(t.tokens.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#team-name').textContent()).toContain('Tenant A');
    await expect.poll(() => page.locator('#usage-totals tbody tr').count()).toBeGreaterThan(0);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      found[`dashboard (${scheme})`] = seriousFindings(
        (await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze()).violations,
      );
      await page.screenshot({ path: `test-results/dashboard-axe-${scheme}.png`, fullPage: true });
    }
    console.log('dashboard axe:', JSON.stringify(found, null, 1));
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));
    await context.close();
  });
});
