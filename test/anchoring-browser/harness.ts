// What the real-browser anchoring test and benchmark share: lib/anchoring bundled for a page,
// a tiny loopback HTTP server, headless Chromium through playwright-core and headless Firefox ESR
// through puppeteer-core (WebDriver BiDi), both the system's (never downloaded).
import { CHROMIUM_ARGS, CHROMIUM_PATH, FIREFOX_PATH, type BrowserName } from '../helpers/browsers';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import puppeteer from 'puppeteer-core';

export { browserAvailable, CHROMIUM_PATH, FIREFOX_PATH, type BrowserName } from '../helpers/browsers';

/**
 * A page script as one IIFE: by default lib/anchoring with the fixture corpus and the test's steps,
 * which sets `window.CollabAnchoring`; the benchmark passes its own entry.
 */
export async function bundleAnchoring(
  entry = fileURLToPath(new URL('./page-entry.ts', import.meta.url)),
): Promise<string> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'chrome120',
    platform: 'browser',
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serve fixed bodies by path on 127.0.0.1, port chosen by the OS. */
export async function serve(routes: Record<string, { type: string; body: string }>): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': route.type, 'cache-control': 'no-store' }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Headless Chromium from the system. A missing browser is an error with what to do; callers that
 * may skip (local runs outside CI) check `browserAvailable('chromium')` first.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium was not found at ${CHROMIUM_PATH}. Install it (apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
}

export function htmlPage(body: string, title = 'anchoring'): string {
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>` +
    `<style>body{font:16px/1.5 sans-serif;margin:20px;width:700px}</style></head>` +
    `<body>${body}<script src="/anchoring.js"></script></body></html>`
  );
}

/** One page of either browser, driven by expressions evaluated in it. */
export interface ScriptedBrowser {
  version: string;
  page: {
    goto(url: string): Promise<unknown>;
    evaluate<T>(expression: string): Promise<T>;
    /** A PNG of the viewport. */
    screenshot(): Promise<Buffer>;
  };
  close(): Promise<void>;
}

/** A page in headless Chromium or Firefox ESR, 1000 × 800. */
export async function launchBrowser(name: BrowserName): Promise<ScriptedBrowser> {
  if (name === 'chromium') {
    const browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    return {
      version: `Chromium ${browser.version()} (headless)`,
      page: {
        goto: (u) => page.goto(u),
        evaluate: <T>(e: string) => page.evaluate<T>(e),
        screenshot: () => page.screenshot(),
      },
      close: () => browser.close(),
    };
  }
  if (!existsSync(FIREFOX_PATH)) {
    throw new Error(
      `Firefox was not found at ${FIREFOX_PATH}. Install it (apt-get install firefox-esr) or set FIREFOX_PATH.`,
    );
  }
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    defaultViewport: { width: 1000, height: 800 },
  });
  const page = await browser.newPage();
  return {
    version: `Firefox ${(await browser.version()).replace(/^firefox\//i, '')} (headless)`,
    page: {
      goto: (u) => page.goto(u),
      evaluate: <T>(e: string) => page.evaluate(e) as Promise<T>,
      screenshot: async () => Buffer.from(await page.screenshot()),
    },
    close: () => browser.close(),
  };
}
