// The end-to-end harness: builds the extension once, serves test pages on 127.0.0.1, launches
// Debian's Chromium with the extension in a fresh profile, and drives the options page, the popup
// and the in-page overlay like a user. The server itself comes from test/helpers/server.ts.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Locator, type Page, type Worker } from 'playwright-core';

// The extension API inside the service worker, as far as the harness uses it.
declare const chrome: { tabs: { query(q: object): Promise<Array<{ id?: number; url?: string }>> } };

export const ROOT = resolve(import.meta.dirname, '../..');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROME_EXTENSION_DIR = join(ROOT, '.output/chrome-mv3');

/** Whether Chromium can run here; under CI a missing browser is a failure, elsewhere a skip. */
export function chromiumAvailable(): boolean {
  const found = existsSync(CHROMIUM_PATH);
  if (!found && process.env.CI === 'true') {
    throw new Error(
      `Chromium is required under CI but ${CHROMIUM_PATH} does not exist: apt-get install chromium`,
    );
  }
  if (!found)
    console.warn(
      `Skipping Chromium end-to-end tests: ${CHROMIUM_PATH} not found (apt-get install chromium).`,
    );
  return found;
}

/** Builds the Chrome extension (once per test run) and returns its directory. */
export async function buildChromeExtension(): Promise<string> {
  await promisify(execFile)('npx', ['wxt', 'build', '-b', 'chrome'], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  return CHROME_EXTENSION_DIR;
}

/** Serves test/e2e/pages on 127.0.0.1 at a free port. */
export async function servePages(): Promise<{
  origin: string;
  url(name: string): string;
  close(): Promise<void>;
}> {
  const dir = join(import.meta.dirname, 'pages');
  const server: Server = createServer((req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/+/, '') || 'article.html';
    if (!/^[\w-]+\.html$/.test(name)) {
      res.writeHead(404).end('not found');
      return;
    }
    readFile(join(dir, name)).then(
      (body) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body),
      () => res.writeHead(404).end('not found'),
    );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (name) => `${origin}/${name}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** One person's browser: a fresh Chromium profile with the extension loaded. */
export class BrowserProfile {
  private constructor(
    readonly context: BrowserContext,
    readonly worker: Worker,
    readonly extensionId: string,
    private readonly userDataDir: string,
  ) {}

  static async launch(extensionDir: string): Promise<BrowserProfile> {
    const userDataDir = await mkdtemp(join(tmpdir(), 'collab-chat-profile-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [
        `--load-extension=${extensionDir}`,
        `--disable-extensions-except=${extensionDir}`,
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    const extensionId = new URL(worker.url()).host;
    return new BrowserProfile(context, worker, extensionId, userDataDir);
  }

  extensionUrl(path: string): string {
    return `chrome-extension://${this.extensionId}/${path}`;
  }

  /** The options page the extension opened by itself on first install, if it is open. */
  async firstRunOptionsPage(): Promise<Page | null> {
    const url = this.extensionUrl('options.html');
    const isOptions = (p: Page) => p.url() === url;
    const open = this.context.pages().find(isOptions);
    if (open) return open;
    return this.context.waitForEvent('page', { predicate: isOptions, timeout: 10_000 }).catch(() => null);
  }

  /**
   * Sets server URL and token through the options page, as a user would (in the page the first
   * install opened when there is one), and tests the connection. Returns the test's message.
   */
  async configure(serverUrl: string, token: string): Promise<string> {
    const page = (await this.firstRunOptionsPage()) ?? (await this.context.newPage());
    if (page.url() !== this.extensionUrl('options.html')) await page.goto(this.extensionUrl('options.html'));
    await page.getByTestId('server-url').fill(serverUrl);
    await page.getByTestId('token').fill(token);
    await page.getByTestId('save-settings').click();
    await page.getByTestId('save-status').waitFor();
    await page.getByTestId('test-connection').click();
    const result = page.getByTestId('test-result');
    await result.waitFor();
    const text = (await result.textContent()) ?? '';
    await page.close();
    return text;
  }

  /** Opens a page in a new tab. */
  async open(url: string): Promise<Page> {
    const page = await this.context.newPage();
    await page.goto(url);
    return page;
  }

  /** Turns the extension on for the site of `page` through the popup, opened as a tab about that page. */
  async enableSiteOf(page: Page): Promise<void> {
    const url = page.url();
    const tabId = await this.worker.evaluate(async (target: string) => {
      const tabs = await chrome.tabs.query({});
      return tabs.find((t) => t.url === target)?.id ?? null;
    }, url);
    if (tabId === null) throw new Error(`no tab shows ${url}`);
    const popup = await this.context.newPage();
    await popup.goto(this.extensionUrl(`popup.html?tab=${tabId}`));
    const toggle = popup.getByTestId('site-toggle');
    await toggle.check();
    await popup.close();
  }

  async close(): Promise<void> {
    await this.context.close();
    await rm(this.userDataDir, { recursive: true, force: true });
  }
}

/** The overlay's elements on a page (Playwright's CSS engine pierces the open shadow root). */
export function overlay(page: Page, testId: string): Locator {
  return page.locator(`collab-chat-overlay [data-testid="${testId}"]`);
}

/** Selects the text `quote` inside the element `selector`, as a mouse selection would, and releases. */
export async function selectText(page: Page, selector: string, quote: string): Promise<void> {
  await page.evaluate(
    ([sel, text]) => {
      const element = document.querySelector(sel!);
      const node = element?.firstChild;
      if (!node || node.nodeType !== Node.TEXT_NODE) throw new Error(`no text in ${sel}`);
      const start = (node as Text).data.indexOf(text!);
      if (start < 0) throw new Error(`"${text}" is not in ${sel}`);
      const range = document.createRange();
      range.setStart(node, start);
      range.setEnd(node, start + text!.length);
      const selection = document.getSelection()!;
      selection.removeAllRanges();
      selection.addRange(range);
    },
    [selector, quote],
  );
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  // A real mouse release over the selection, which is what the overlay listens for.
  await page.mouse.move(box.x + 5, box.y + box.height / 2);
  await page.mouse.up();
}

/** How many ranges the page's CSS highlight registry holds for the overlay (all its named layers). */
export function highlightCount(page: Page): Promise<number> {
  return page.evaluate(() => {
    const registry = (CSS as unknown as { highlights?: Map<string, Set<Range>> }).highlights;
    let count = 0;
    registry?.forEach((ranges, name) => {
      if (name.startsWith('collab-chat')) count += ranges.size;
    });
    return count;
  });
}
