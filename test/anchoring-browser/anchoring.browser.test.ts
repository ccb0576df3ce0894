// lib/anchoring in real Chromium: CSS Custom Highlight API and the overlay fallback, clicks
// hit-tested to the right discussion (overlaps included), re-anchoring and orphans after DOM changes,
// the fixture corpus on a real DOM, and text in open shadow roots and same-origin iframes, indexed in
// Chromium and highlighted in Chromium and Firefox. Under CI a missing browser fails the run instead
// of skipping (test/helpers/browsers.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  browserAvailable,
  bundleAnchoring,
  htmlPage,
  launchBrowser,
  launchChromium,
  serve,
  type ScriptedBrowser,
  type StaticServer,
} from './harness';
import type { PageApi } from './page-entry';
import { ARTICLE } from './scenarios';

declare global {
  interface Window {
    CollabAnchoring: PageApi;
  }
}

describe.skipIf(!browserAvailable('chromium'))('anchoring in real Chromium', () => {
  let server: StaticServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const script = await bundleAnchoring();
    server = await serve({
      '/': { type: 'text/html; charset=utf-8', body: htmlPage(ARTICLE) },
      '/anchoring.js': { type: 'text/javascript; charset=utf-8', body: script },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(): Promise<void> {
    await page.goto(server.url + '/');
    await page.waitForFunction(() => window.CollabAnchoring !== undefined);
  }

  async function clickOn(id: string): Promise<string[]> {
    const { x, y } = await page.evaluate((i) => window.CollabAnchoring.scenarios.centerOf(i), id);
    const before = (await page.evaluate(() => window.CollabAnchoring.scenarios.state())).clicks.length;
    await page.mouse.click(x, y);
    await page.waitForFunction((n) => window.CollabAnchoring.scenarios.state().clicks.length > n, before);
    return (await page.evaluate(() => window.CollabAnchoring.scenarios.state())).clicks.at(-1)!;
  }

  it('highlights with CSS.highlights, hit-tests clicks, and re-anchors after the page changes', async () => {
    await open();
    const setup = await page.evaluate(() => window.CollabAnchoring.scenarios.setup('auto'));
    expect(setup.mode).toBe('css');
    // The ::highlight() rules arrive as a constructed stylesheet: no element added to the page.
    expect(setup.adoptedSheets).toBe(1);
    expect(setup.styleElements).toBe(0);
    // "wide" and "alpha" overlap, so they sit on two layers.
    expect(setup.highlights).toEqual(['collab-chat-0', 'collab-chat-1']);
    expect(await page.evaluate(() => window.CollabAnchoring.scenarios.highlightSizes())).toEqual({
      'collab-chat-0': 3,
      'collab-chat-1': 1,
    });

    expect(await clickOn('gamma-one')).toEqual(['gamma-one']);
    // In the overlap the most recently added discussion comes first; the active one beats it.
    expect(await clickOn('alpha-one')).toEqual(['alpha-one', 'wide-one']);
    await page.evaluate(() => window.CollabAnchoring.scenarios.setActive('wide-one'));
    expect(await clickOn('alpha-one')).toEqual(['wide-one', 'alpha-one']);
    expect(await page.evaluate(() => window.CollabAnchoring.scenarios.highlightSizes())).toMatchObject({
      'collab-chat-active': 1,
    });

    // A new paragraph above everything and the beta paragraph removed.
    await page.evaluate(() => window.CollabAnchoring.scenarios.editPage());
    await page.waitForFunction(() => window.CollabAnchoring.scenarios.state().orphans.includes('beta-one'));
    let s = await page.evaluate(() => window.CollabAnchoring.scenarios.state());
    expect(s.texts).toEqual({
      'wide-one': 'alpha quote sits in the first paragraph',
      'alpha-one': 'alpha quote',
      'beta-one': null,
      'gamma-one': 'gamma quote',
    });
    expect(await clickOn('gamma-one')).toEqual(['gamma-one']);

    await page.evaluate(() => window.CollabAnchoring.scenarios.restoreBeta());
    await page.waitForFunction(() => window.CollabAnchoring.scenarios.state().orphans.length === 0);
    s = await page.evaluate(() => window.CollabAnchoring.scenarios.state());
    expect(s.texts['beta-one']).toBe('beta quote lives alone');
    expect(s.changes).toContain('beta-one:anchored->orphan');
    expect(s.changes).toContain('beta-one:orphan->anchored');
    expect(await clickOn('beta-one')).toEqual(['beta-one']);
  });

  it('falls back to overlay boxes in a shadow root, with the same hit-testing', async () => {
    await open();
    const setup = await page.evaluate(() => window.CollabAnchoring.scenarios.setup('overlay'));
    expect(setup.mode).toBe('overlay');
    // Nothing registered with the CSS API; boxes drawn instead (one line each here).
    expect(setup.highlights).toEqual([]);
    await page.waitForFunction(() => window.CollabAnchoring.scenarios.state().boxes >= 4);
    expect(await clickOn('beta-one')).toEqual(['beta-one']);
    expect(await clickOn('alpha-one')).toEqual(['alpha-one', 'wide-one']);

    // A click on the overlay's own panel, above a highlight, is not a click on that highlight.
    const { x, y } = await page.evaluate(() => window.CollabAnchoring.scenarios.centerOf('gamma-one'));
    await page.evaluate(() => window.CollabAnchoring.scenarios.coverWithPanel('gamma-one'));
    await page.mouse.click(x, y);
    expect(await clickOn('beta-one')).toEqual(['beta-one']);
    const { clicks } = await page.evaluate(() => window.CollabAnchoring.scenarios.state());
    expect(clicks).toEqual([['beta-one'], ['alpha-one', 'wide-one'], ['beta-one']]);
  });

  it('places the fixture corpus on a real DOM as on happy-dom', async () => {
    await open();
    const result = await page.evaluate(() => window.CollabAnchoring.scenarios.runCorpus());
    expect(result.failures).toEqual([]);
    expect(result.correct).toBe(result.total);
  });

  it('indexes open shadow roots and same-origin iframes, watches them, and leaves closed roots out', async () => {
    await open();
    const result = await page.evaluate(() => window.CollabAnchoring.scenarios.shadowAndFrame());
    expect(result.text).toBe(
      'Light paragraph. Words inside an open shadow root. Words inside the framed document.',
    );
    expect(result.first).toEqual({
      open: 'inside an open shadow root',
      framed: 'inside the framed document',
      closed: null,
    });
    expect(result.afterEdits).toEqual({ open: null, framed: null, closed: null });
  });

  it('hit-tests a click in the document it lands in: the page, an open shadow root, an iframe', async () => {
    await open();
    const hits = await page.evaluate(() => window.CollabAnchoring.scenarios.hitTrees());
    expect(hits.light).toEqual(['light']);
    expect(hits.open).toEqual(['open']);
    expect(hits.framed).toEqual(['framed']);
    // The iframe's rectangles are in its own coordinates: the page's click there is not on it.
    expect(hits.pageAtFramed).not.toContain('framed');
  });
});

// Highlights in open shadow roots and same-origin iframes are painted, in both browsers: each
// document has its own registry and Firefox paints a shadow tree's highlights only with rules in it.
describe.each(['chromium', 'firefox'] as const)('highlights painted in %s', (name) => {
  const skipThis = !browserAvailable(name);
  let server: StaticServer;
  let browser: ScriptedBrowser;

  beforeAll(async () => {
    if (skipThis) return;
    const script = await bundleAnchoring();
    server = await serve({
      '/': { type: 'text/html; charset=utf-8', body: htmlPage('') },
      '/anchoring.js': { type: 'text/javascript; charset=utf-8', body: script },
    });
    browser = await launchBrowser(name);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it.skipIf(skipThis)(
    'in the light DOM, an open shadow root and a same-origin iframe, together',
    async () => {
      const { page } = browser;
      await page.goto(server.url + '/');
      const points = await page.evaluate<Record<string, { x: number; y: number }[]>>(
        'window.CollabAnchoring.scenarios.paintTrees()',
      );
      const png = (await page.screenshot()).toString('base64');
      const red: Record<string, number> = {};
      for (const [id, at] of Object.entries(points))
        red[id] = await page.evaluate<number>(
          `window.CollabAnchoring.scenarios.redPoints(${JSON.stringify(png)}, ${JSON.stringify(at)})`,
        );
      // Glyphs cover some of the points; the highlight's background shows between them.
      expect(red.light, JSON.stringify(red)).toBeGreaterThanOrEqual(4);
      expect(red.open, JSON.stringify(red)).toBeGreaterThanOrEqual(4);
      expect(red.framed, JSON.stringify(red)).toBeGreaterThanOrEqual(4);
    },
  );
});
