// The end-to-end harness: builds the extension once per browser, serves test pages on 127.0.0.1, and
// drives Debian's browsers like a user: Chromium through playwright-core (extension loaded in a fresh
// profile), Firefox ESR through puppeteer-core over WebDriver BiDi (`browser.installExtension`).
// Scenarios talk to `UserBrowser` and `Tab` only, so one scenario text runs in both browsers; what
// only one browser can do is a capability of its `UserBrowser`. Every scenario file starts with
// `scenarioSuite` (below `servePages`): the set-up and the step-after-failure rule they all share.
import { BROWSER_PATHS, browserAvailable, CHROMIUM_ARGS, type BrowserName } from '../helpers/browsers';
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, vi } from 'vitest';
import { TestClient } from '../helpers/client';
import { startTestServer, type TestServer, type TestUserName } from '../helpers/server';
import { chromium, type BrowserContext, type Page as PwPage, type Worker } from 'playwright-core';
import puppeteer, { type Browser as PpBrowser, type Page as PpPage } from 'puppeteer-core';

// The extension API inside extension pages and the service worker, as far as the harness uses it.
declare const chrome: {
  tabs: { query(q: object): Promise<Array<{ id?: number; url?: string }>> };
  permissions: { getAll(): Promise<{ origins?: string[] }> };
  scripting: { getRegisteredContentScripts(): Promise<Array<{ id: string; matches?: string[] }>> };
};
declare const browser: typeof chrome;

export const ROOT = resolve(import.meta.dirname, '../..');
export const ARTIFACTS = join(ROOT, 'test-results/e2e');
export { browserAvailable, type BrowserName };

/**
 * Builds the extension for one browser and returns its directory. The e2e project's global setup
 * builds both once per run (COLLAB_E2E_BUILT); a file run on its own outside it builds here.
 */
export async function buildExtension(name: BrowserName): Promise<string> {
  const dir = join(ROOT, '.output', name === 'chromium' ? 'chrome-mv3' : 'firefox-mv2');
  if (process.env.COLLAB_E2E_BUILT === '1') return dir;
  const target = name === 'chromium' ? 'chrome' : 'firefox';
  // Vitest sets NODE_ENV=test, which would give a development-flavoured build; test what ships.
  await promisify(execFile)('npx', ['wxt', 'build', '-b', target], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return dir;
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

// ---------------------------------------------------------------- the scenario fixture

export type PageServer = Awaited<ReturnType<typeof servePages>>;

/** What `scenarioSuite` has set up for its scenarios: filled in by its `beforeAll`, read in tests and hooks. */
export interface ScenarioWorld<U extends string, B extends UserBrowser = UserBrowser> {
  /** The built extension (the directory `launch` was given). */
  extensionDir: string;
  server: TestServer;
  pages: PageServer;
  /** One browser per name in `users`, each its own fresh profile. */
  users: Record<U, B>;
  /**
   * A member of the team over a plain socket (a fast way to write or watch without a browser),
   * subscribed to `page` with its snapshot read when one is given; closed after the file's own
   * `afterAll` hooks.
   */
  member(user: TestUserName, page?: string): Promise<TestClient>;
  /** Opens `url` in `user`'s browser, turns its site on from the popup and waits for "Live". */
  openLive(user: U, url: string): Promise<Tab>;
}

const LIVE_WAIT = { timeout: 15_000, interval: 100 };

export interface ScenarioSuiteOptions<U extends string, B extends UserBrowser> {
  browser: BrowserName;
  /** Printed after the browser's name: `chromium: <title>`. */
  title: string;
  /** Starts one person's browser with the extension in `extensionDir` (`ChromiumUser.launch`, ...). */
  launch: (extensionDir: string) => Promise<B>;
  /** Starts the server (default: `startTestServer()` on a random port). */
  server?: () => Promise<TestServer>;
  /**
   * The people, launched together: each name maps to the test user whose token its options page is
   * configured with (against `server.url`, expecting "Connected as ..."), or to null for a browser
   * left as installed (its first-run options page open, nothing configured), which the file's own
   * `beforeAll` sets up.
   */
  users: Record<U, TestUserName | null>;
  /**
   * `chain` (the default): the scenarios are steps of one story, each building on the state the
   * ones before left. Once a step fails, every later step is skipped with the note
   * `not run: an earlier step failed: <its name>`, since it could say nothing. `independent`: every
   * scenario runs whatever happened to the others.
   */
  steps?: 'chain' | 'independent';
}

/**
 * The shared fixture of every end-to-end suite (`scenarios.ts`, each `*-scenarios.ts`,
 * `comeback.test.ts`, `privilege.test.ts`). It
 * declares `describe('<browser>: <title>')`, skipped when the browser is missing (a failure under
 * CI: test/helpers/browsers.ts), and in it, before `body`'s own hooks:
 * - `beforeAll`: makes test-results/e2e, builds the extension (once per run: global-setup.ts), starts
 *   the server and the test pages together, launches every user together, then configures each one
 *   that names a test user (see `users`);
 * - the step rule (see `steps`);
 * - `afterAll`: closes the sockets of `world.member`, the users, the pages and the server, after the
 *   file's own `afterAll` hooks (vitest runs `after` hooks in reverse order), so those may still use
 *   them.
 *
 * `body` gets the world, whose fields are there from the first `beforeAll` on (not while `body`
 * runs): read them in hooks and tests, e.g. `beforeAll(() => ({ alice } = world.users))`. Set-up
 * of the file's own (sockets, opened tabs, seeded discussions) goes in its own `beforeAll`, which runs
 * after this one; what it starts, its own `afterAll` closes.
 *
 * A file in the older style (its own `describe.skipIf(!browserAvailable(name))`, `let broken` with
 * `afterEach`/`beforeEach`, and a `beforeAll` that builds, starts and launches) converts like this:
 * `describe.skipIf(...)(title, () => {` becomes `scenarioSuite({ browser: name, title, launch, users },
 * (world) => {`; the `broken` hooks go (a suite whose tests do not build on each other says
 * `steps: 'independent'`); the build, `startTestServer` (or `server: () => startTestServer({...})`),
 * `servePages`, `launch` and `configure(server.url, server.tokens.x)` lines go (`users: { name: 'x' }`);
 * the locals are read from the world in a `beforeAll` (`({ server, pages } = world)`,
 * `({ alice } = world.users)`); the `afterAll` keeps only what the file started itself. The tests
 * themselves do not change.
 *
 * ```ts
 * export function fooScenarios(name: BrowserName, launch: (dir: string) => Promise<UserBrowser>) {
 *   scenarioSuite({ browser: name, title: 'foo', launch, users: { alice: 'alice' } }, (world) => {
 *     let tab: Tab;
 *     let bob: TestClient;
 *     beforeAll(async () => {
 *       const url = world.pages.url('article.html');
 *       bob = await world.member('bob', url);
 *       tab = await world.openLive('alice', url);
 *     });
 *     it('1: ...', async () => { ... });
 *   });
 * }
 * ```
 */
export function scenarioSuite<U extends string, B extends UserBrowser = UserBrowser>(
  options: ScenarioSuiteOptions<U, B>,
  body: (world: ScenarioWorld<U, B>) => void,
): void {
  describe.skipIf(!browserAvailable(options.browser))(`${options.browser}: ${options.title}`, () => {
    const names = Object.keys(options.users) as U[];
    const members: TestClient[] = [];
    const world = {
      users: {},
      async member(user, page) {
        const client = await TestClient.connect(world.server.url, world.server.tokens[user]);
        members.push(client);
        if (page !== undefined) {
          client.send({ type: 'subscribe', page });
          await client.next('snapshot');
        }
        return client;
      },
      async openLive(user, url) {
        const tab = await world.users[user].open(url);
        await world.users[user].enableSiteOf(tab);
        // vi.waitFor, not expect.poll: this runs in hooks too, where expect.poll cannot.
        await vi.waitFor(async () => expect(await tab.text('connection-state')).toBe('Live'), LIVE_WAIT);
        return tab;
      },
    } as ScenarioWorld<U, B>;

    if ((options.steps ?? 'chain') === 'chain') {
      let failed: string | null = null;
      afterEach((ctx) => {
        if (failed === null && ctx.task.result?.state === 'fail') failed = ctx.task.name;
      });
      beforeEach((ctx) => {
        if (failed !== null) ctx.skip(`not run: an earlier step failed: ${failed}`);
      });
    }

    beforeAll(async () => {
      await mkdir(ARTIFACTS, { recursive: true });
      world.extensionDir = await buildExtension(options.browser);
      [world.server, world.pages] = await Promise.all([
        options.server ? options.server() : startTestServer(),
        servePages(),
      ]);
      const launched = await Promise.all(names.map(() => options.launch(world.extensionDir)));
      names.forEach((user, i) => (world.users[user] = launched[i]!));
      for (const user of names) {
        const as = options.users[user];
        if (as === null) continue;
        expect(await world.users[user].configure(world.server.url, world.server.tokens[as])).toMatch(
          /^Connected as/,
        );
      }
    });

    afterAll(async () => {
      await Promise.allSettled(members.map((client) => client.close()));
      await Promise.allSettled(names.map((user) => world.users[user]?.close()));
      await world.pages?.close();
      await world.server?.close();
    });

    body(world);
  });
}

/** A free TCP port on 127.0.0.1 (for a server that must come back on the same port after a restart). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

/** Checks `probe` every 100 ms until it returns something, or gives up with null after `timeoutMs`. */
async function pollFor<T>(timeoutMs: number, probe: () => Promise<T | null>): Promise<T | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== null || Date.now() > deadline) return found;
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

/**
 * The element `css` of `page` once it is there, polled with `page.evaluate`: in an extension page
 * that navigated itself, puppeteer's own waiting (locators, `waitForSelector`) can wait forever for
 * an element that is there.
 */
async function elementOf(page: PpPage, css: string, timeoutMs = 20_000) {
  const found = await pollFor(timeoutMs, async () =>
    (await page.evaluate((c: string) => !!document.querySelector(c), css).catch(() => false))
      ? page.$(css)
      : null,
  );
  if (!found) {
    const seen = await page.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    throw new Error(`the extension page never showed ${css}; it shows: ${seen.slice(0, 400)}`);
  }
  return found;
}

/**
 * What the options page finally says of a sign-in, sign-out or join (the outcome's text and result;
 * `css` matches it once it is final), polled: it may say it in the document a reload brings.
 */
function outcomeOf(page: PpPage, css: string, timeoutMs: number) {
  return pollFor(timeoutMs, async () =>
    page
      .evaluate((c: string) => {
        const e = document.querySelector(c);
        return e ? { text: e.textContent ?? '', result: e.getAttribute('data-result') ?? '' } : null;
      }, css)
      .catch(() => null),
  );
}

/** The same in Chromium: waits for the outcome, reads it, and takes the screenshot if asked. */
async function outcomeIn(page: PwPage, css: string, timeoutMs: number, shot?: string) {
  const outcome = page.locator(css);
  await outcome.waitFor({ timeout: timeoutMs });
  const found = {
    text: (await outcome.textContent()) ?? '',
    result: (await outcome.getAttribute('data-result')) ?? '',
  };
  if (shot) await page.screenshot({ path: shot });
  return found;
}

/**
 * Sends an extension page to `path` and waits for the new document. Setting `location.href` only
 * starts the navigation: until it commits, the old document (which may show the same elements) still
 * answers, and a handle taken from it dies with it. The old window is marked, so that only the new
 * document counts.
 */
async function navigateTo(page: PpPage, path: string, timeoutMs = 15_000): Promise<void> {
  await page.evaluate((to: string) => {
    (window as unknown as { ccLeaving?: boolean }).ccLeaving = true;
    location.href = to;
  }, path);
  const arrived = await pollFor(timeoutMs, () =>
    page
      .evaluate(
        () => !(window as unknown as { ccLeaving?: boolean }).ccLeaving && document.readyState !== 'loading',
      )
      .then((fresh) => (fresh ? true : null))
      .catch(() => null),
  );
  if (!arrived) throw new Error(`the extension page never arrived at ${path}`);
}

/** The raw WebDriver BiDi connection puppeteer keeps (used for what puppeteer has no API for). */
interface BidiConnection {
  send(method: string, params: object): Promise<{ result: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A WebDriver BiDi remote value (primitives, arrays and plain objects) as a plain JS value. */
function deserialize(value: { type: string; value?: unknown }): unknown {
  switch (value.type) {
    case 'undefined':
    case 'null':
      return null;
    case 'array':
      return (value.value as Array<{ type: string; value?: unknown }>).map(deserialize);
    case 'object':
      return Object.fromEntries(
        (value.value as Array<[string, { type: string; value?: unknown }]>).map(([k, v]) => [
          k,
          deserialize(v),
        ]),
      );
    default:
      return value.value;
  }
}

// ---------------------------------------------------------------- what scenarios see

/** What a person's browser offers the scenarios. */
export interface UserBrowser {
  readonly name: BrowserName;
  /** The options page the extension opened by itself on first install, found and still open. */
  hasFirstRunOptionsPage(): Promise<boolean>;
  /** Sets server URL and token in the options page, tests the connection; returns the test's message. */
  configure(serverUrl: string, token: string): Promise<string>;
  /**
   * Turns the extension on for the site of `tab` as a person does: the toolbar button on that tab (which
   * grants `activeTab`, so the popup can read the tab's URL), then a real click on "On for this site",
   * whose `permissions.request` the browser grants (see each browser's `launch` for how its prompt is
   * answered). Returns the popup's texts once it reports the live connection.
   */
  enableSiteOf(tab: Tab): Promise<PopupView>;
  /**
   * Presses the toolbar button on `tab`, clicks `testId` in its popup (`site-toggle`,
   * `everywhere-toggle`, `grant-again`) and waits until the popup shows what `until` expects.
   */
  clickInPopup(tab: Tab, testId: string, until: (view: PopupView) => boolean): Promise<PopupView>;
  /**
   * In the options page, as a person: types `serverUrl` and `token`, presses `button` ("Test
   * connection" or "Save") and waits for its outcome (after "Save", the check of the saved settings).
   * Returns the outcome's words and kind (`data-result`); a screenshot goes to `shot` when given.
   */
  inOptions(
    serverUrl: string,
    token: string,
    button: 'test-connection' | 'save-settings',
    shot?: string,
  ): Promise<{ text: string; result: string }>;
  /**
   * In the options page, as a person: pastes an invite `link` and types `name` under "Join with an
   * invite link", presses "Join" and waits for the outcome (after a join, the reloaded page's words).
   */
  joinInOptions(link: string, name: string, shot?: string): Promise<{ text: string; result: string }>;
  /**
   * In the options page, as a person: types `serverUrl`, presses "Sign in", and in the sign-in
   * window the browser opens (identity.launchWebAuthFlow) on the identity provider at
   * `providerOrigin` types `login` and a password, signs in and continues past its consent page;
   * then waits for the options page's outcome (after a sign-in, the reloaded page's words). Without
   * `login`, the outcome is read as soon as the options page gives one (no window expected).
   */
  signInInOptions(
    serverUrl: string,
    providerOrigin: string,
    login?: string,
    shot?: string,
  ): Promise<{ text: string; result: string }>;
  /** In the options page, presses "Sign out" and waits for the reloaded page's words. */
  signOutInOptions(shot?: string): Promise<{ text: string; result: string }>;
  /**
   * The popup about `tab` (opened as `clickInPopup` does, nothing clicked), once it shows what
   * `until` expects; a screenshot goes to `shot` when given.
   */
  readPopup(tab: Tab, until: (view: PopupView) => boolean, shot?: string): Promise<PopupView>;
  /** The host permissions the extension holds, as `permissions.getAll()` reports them. */
  hostPermissions(): Promise<string[]>;
  /** The content scripts the extension has registered (`scripting.getRegisteredContentScripts()`). */
  registeredContentScripts(): Promise<Array<{ id: string; matches?: string[] }>>;
  open(url: string): Promise<Tab>;
  /**
   * Runs the extension's keyboard command `name` in `tab` as the browser's shortcut does. Firefox: the
   * browser window's own key element for that shortcut is triggered (what the keyset does for the key
   * press; BiDi's key input reaches only web content). Chromium: headless Chromium routes no key to an
   * extension's shortcuts, so the harness runs, in the service worker, what the shortcut runs.
   */
  pressShortcut(tab: Tab, name: string): Promise<void>;
  /** The extension's commands with the keys the browser gave them (`commands.getAll()`). */
  shortcuts(): Promise<Array<{ name?: string; shortcut?: string; description?: string }>>;
  /** Sets a value in the extension's `storage.local` (display settings for a check). */
  setLocalStorage(values: Record<string, unknown>): Promise<void>;
  /**
   * Runs axe-core over an extension page (`popup.html?tab=N` for the popup about `tab`, or
   * `options.html`) in `scheme`; returns the serious and critical violations.
   */
  axeExtensionPage(page: 'popup' | 'options', tab: Tab, scheme: 'light' | 'dark'): Promise<AxeFinding[]>;
  /** Opens the popup about `tab`, clicks its link to the team page, and returns that page. */
  openTeamFromPopup(tab: Tab): Promise<ExtensionPage>;
  /** Stops the extension's background (Chromium's MV3 service worker); null where it cannot be stopped. */
  readonly stopBackground: (() => Promise<void>) | null;
  close(): Promise<void>;
}

/** An extension page in its own tab (the team page), driven as a person does. */
export interface ExtensionPage {
  /** Clicks the field matching `css`, selects what it holds and types `text` over it, key by key. */
  type(css: string, text: string): Promise<void>;
  /** Text of every element matching `css`, in document order. */
  texts(css: string): Promise<string[]>;
  /** Clicks the first element matching `css`, as a person does. */
  click(css: string): Promise<void>;
  /** Clicks the `index`-th link matching `css` (it opens a new tab) and returns that tab once it shows `url`. */
  followLink(css: string, index: number, url: string): Promise<Tab>;
  screenshot(path: string): Promise<void>;
}

export interface PopupView {
  connection: string;
  connectionState: string;
  me: string;
  viewers: string;
  siteOn: boolean;
  everywhereOn: boolean;
  /** The "needs your permission again" notice, or null. */
  awaiting: string | null;
  /** A refused or declined permission, or null. */
  problem: string | null;
}

/** One axe-core violation of impact serious or critical, with where it was found. */
export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
  /** axe's explanation for the first node (colours and ratio for a contrast failure). */
  summary: string;
}

/** axe-core's browser bundle, injected as a script (a string, so no page CSP or eval is involved). */
let axeSourceText: string | null = null;
export async function axeSource(): Promise<string> {
  axeSourceText ??= await readFile(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  return axeSourceText;
}
/** The rules run everywhere: WCAG 2.x A and AA, and axe's best practices. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
/** Keeps the violations that count (serious, critical) in a plain shape. */
export function seriousFindings(
  violations: Array<{
    id: string;
    impact?: string | null;
    help: string;
    nodes: Array<{ target: unknown; failureSummary?: string }>;
  }>,
): AxeFinding[] {
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact!,
      help: v.help,
      targets: v.nodes.map((n) => JSON.stringify(n.target)),
      summary: v.nodes[0]?.failureSummary ?? '',
    }));
}
/** Run inside a document where axe-core was injected. */
const RUN_AXE = `axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} } }).then((r) => JSON.stringify(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }))))`;
export async function runAxeIn(evaluate: (script: string) => Promise<unknown>): Promise<AxeFinding[]> {
  await evaluate(`if (!window.axe) { ${await axeSource()} }`);
  return seriousFindings(JSON.parse((await evaluate(RUN_AXE)) as string));
}

/** What the popup shows; evaluated inside the popup page, in either browser. */
/** Where the options page shows the outcome of each button, once there is one. */
/** The outcome of "Join": anything but the wait (a join leaves its words to the reloaded page). */
const JOIN_OUTCOME = '[data-testid="join-status"]:not([data-result="joining"])';
/** The sign-in's outcome in the options page (after the reload that follows a sign-in or sign-out). */
const SSO_OUTCOME = '[data-testid="sso-status"]:not([data-result="signing-in"])';

const OUTCOME_OF = {
  'test-connection': '[data-testid="test-result"]',
  'save-settings': '[data-testid="save-status"]:not([data-result="checking"])',
} as const;

function readPopupView(): PopupView {
  const t = (id: string) => document.querySelector(`[data-testid="${id}"]`);
  return {
    connection: t('popup-connection')?.textContent ?? '',
    connectionState: t('popup-connection')?.getAttribute('data-state') ?? '',
    me: t('popup-me')?.textContent ?? '',
    viewers: t('popup-viewers')?.textContent ?? '',
    siteOn: (t('site-toggle') as HTMLInputElement | null)?.checked ?? false,
    everywhereOn: (t('everywhere-toggle') as HTMLInputElement | null)?.checked ?? false,
    awaiting: t('sites-awaiting')?.textContent ?? null,
    problem: t('popup-permission-problem')?.textContent ?? null,
  };
}

/**
 * Chromium's id for an unpacked extension: the SHA-256 of its absolute path, first 32 hex digits
 * written with the letters a–p.
 */
export function unpackedExtensionId(absolutePath: string): string {
  const hex = createHash('sha256').update(absolutePath).digest('hex').slice(0, 32);
  return [...hex].map((d) => String.fromCharCode(97 + parseInt(d, 16))).join('');
}

/**
 * One tab of a page. The page's own world (`evaluate`) sees what a page script sees: the overlay's host
 * element and nothing inside its closed shadow root. What a person sees of the discussions lives in the
 * discussion frame (an extension page framed into the tab): `frameEvaluate` reads it and `click`/`fill`
 * act on it with the browser's own input.
 */
export abstract class Tab {
  /** Texts of `alert`/`confirm`/`prompt` dialogs the page opened (there should be none). */
  readonly dialogs: string[] = [];

  abstract readonly url: string;
  /** Runs `fn` in the page's main world. */
  abstract evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R>;
  /** Runs `fn` in the discussion frame's document; null while the tab has no frame. */
  abstract frameEvaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R | null>;
  /** Clicks, as a person would, the first element of the discussion frame that matches `css`. */
  abstract clickInFrame(css: string): Promise<void>;
  /** Reloads the page, as a person would. */
  abstract reload(): Promise<void>;
  /** A real click on the element of the discussion frame with this data-testid. */
  abstract click(testId: string): Promise<void>;
  /** Real typing into the field of the discussion frame with this data-testid (replaces its text). */
  abstract fill(testId: string, text: string): Promise<void>;
  abstract mouseClick(x: number, y: number): Promise<void>;
  /** Presses a key (`Escape`, `Control+Enter`) in whatever has the focus. */
  abstract press(key: string): Promise<void>;
  /** Ends a selection made by script the way a person's input would, so the overlay notices it. */
  abstract endSelection(x: number, y: number): Promise<void>;
  abstract screenshot(path: string): Promise<void>;
  abstract close(): Promise<void>;
  /** Evaluates a script (a string) in the discussion frame's document. */
  protected abstract frameScript(script: string): Promise<unknown>;
  /** Types text with the keyboard into whatever has the focus. */
  abstract type(text: string): Promise<void>;

  /** axe-core over the discussion frame as it is now: its serious and critical violations. */
  axeFrame(): Promise<AxeFinding[]> {
    return runAxeIn((script) => this.frameScript(script));
  }

  /**
   * Where the keyboard focus is: on the page (`page`: the focused element's tag#id, or `overlay` when
   * it is our frame, which is all the page can know) and, when the frame has it, the data-testid (or
   * data-discussion-id) of the frame's focused element.
   */
  async focus(): Promise<{ page: string; frame: string | null }> {
    const page = await this.evaluate(() => {
      const a = document.activeElement;
      if (!a) return 'none';
      if (a.tagName.toLowerCase() === 'collab-chat-overlay') return 'overlay';
      return a.id ? `${a.tagName.toLowerCase()}#${a.id}` : a.tagName.toLowerCase();
    }, null);
    // The page says whether the focus is in our frame; the frame, on what. (Firefox's hasFocus() in
    // an out-of-process frame of a headless window says false even then.)
    const frame = await this.frameEvaluate(() => {
      const a = document.activeElement;
      if (!a || a === document.body) return 'body';
      const discussion = a.getAttribute('data-discussion-id');
      const id = a.getAttribute('data-testid') ?? a.tagName.toLowerCase();
      return discussion && id !== 'thread' ? `${id}:${discussion}` : id;
    }, null);
    return { page, frame: page === 'overlay' ? frame : null };
  }

  /** The page's selected text now. */
  selection(): Promise<string> {
    return this.evaluate(() => document.getSelection()?.toString() ?? '', null);
  }

  /**
   * Puts the caret (a collapsed selection, as caret browsing shows it) just before `quote` inside
   * `selector`, with the focus on the page; the person then selects with Shift and the arrow keys.
   */
  async placeCaret(selector: string, quote: string): Promise<void> {
    await this.evaluate(
      ([sel, text]) => {
        const node = document.querySelector(sel as string)?.firstChild as Text;
        const start = node.data.indexOf(text as string);
        (document.activeElement as HTMLElement | null)?.blur();
        window.focus();
        document.getSelection()!.collapse(node, start);
      },
      [selector, quote] as const,
    );
  }

  /** Text contents of every element of the discussion frame with this data-testid, in document order. */
  async texts(testId: string): Promise<string[]> {
    return (
      (await this.frameEvaluate(
        (id) => [...document.querySelectorAll(`[data-testid="${id}"]`)].map((e) => e.textContent ?? ''),
        testId,
      )) ?? []
    );
  }

  async text(testId: string): Promise<string | null> {
    return (await this.texts(testId))[0] ?? null;
  }

  async count(testId: string): Promise<number> {
    return (await this.texts(testId)).length;
  }

  /** An attribute of the first element of the discussion frame with this data-testid. */
  async attr(testId: string, name: string): Promise<string | null> {
    return (
      (await this.frameEvaluate(
        ([id, attr]) => document.querySelector(`[data-testid="${id}"]`)?.getAttribute(attr!) ?? null,
        [testId, name],
      )) ?? null
    );
  }

  /** Whether the overlay's host element is in the page at all (what a page script can see of it). */
  hasOverlay(): Promise<boolean> {
    return this.evaluate(() => document.querySelector('collab-chat-overlay') !== null, null);
  }

  /**
   * From now on, records every connection state the top bar shows, however briefly (a reconnect over
   * loopback can pass through "reconnecting" in a few milliseconds, between two polls).
   */
  async recordStates(): Promise<void> {
    await this.frameEvaluate(() => {
      const seen: string[] = [];
      (globalThis as { __collabStates?: string[] }).__collabStates = seen;
      new MutationObserver((records) => {
        // Each record holds the value before its change; the last change's value is the current one.
        const push = (value: string | null) => {
          if (value !== null && seen.at(-1) !== value) seen.push(value);
        };
        const bar = records.filter(
          (r) => (r.target as Element).getAttribute('data-testid') === 'connection-state',
        );
        for (const record of bar) push(record.oldValue);
        if (bar.length) push((bar.at(-1)!.target as Element).getAttribute('data-state'));
      }).observe(document.documentElement, {
        subtree: true,
        attributes: true,
        attributeFilter: ['data-state'],
        attributeOldValue: true,
      });
    }, null);
  }

  /** The states recorded since `recordStates()`, in order. */
  async statesSeen(): Promise<string[]> {
    return (
      (await this.frameEvaluate(
        () => (globalThis as { __collabStates?: string[] }).__collabStates ?? [],
        null,
      )) ?? []
    );
  }

  /** The connection state and queued writes the top bar shows. */
  async connection(): Promise<{ state: string | null; queued: string | null; text: string | null }> {
    const [state, queued, text] = await Promise.all([
      this.attr('connection-state', 'data-state'),
      this.attr('connection-state', 'data-queued'),
      this.text('connection-state'),
    ]);
    return { state, queued, text };
  }

  /** Where `quote` inside `selector` is on screen, selected (and the focus moved to the page) or not. */
  private quoteRect(selector: string, quote: string, select: boolean) {
    return this.evaluate(
      ([sel, text, doSelect]) => {
        const node = document.querySelector(sel as string)?.firstChild;
        if (!node || node.nodeType !== Node.TEXT_NODE) throw new Error(`no text in ${sel}`);
        const start = (node as Text).data.indexOf(text as string);
        if (start < 0) throw new Error(`"${text}" is not in ${sel}`);
        const range = document.createRange();
        range.setStart(node, start);
        range.setEnd(node, start + (text as string).length);
        if (doSelect) {
          // A person selecting page text moves the focus out of the discussion frame.
          (document.activeElement as HTMLElement | null)?.blur();
          window.focus();
          const selection = document.getSelection()!;
          selection.removeAllRanges();
          selection.addRange(range);
        }
        const r = range.getBoundingClientRect();
        return { left: r.left, top: r.top, bottom: r.bottom, width: r.width, height: r.height };
      },
      [selector, quote, select] as const,
    );
  }

  /** Selects the text `quote` inside the element `selector` and releases the mouse over it. */
  async selectText(selector: string, quote: string): Promise<void> {
    const at = await this.quoteRect(selector, quote, true);
    await this.endSelection(at.left + 2, at.top + at.height / 2);
  }

  /**
   * Clicks "Discuss this" under the selection. It sits in the overlay's closed shadow root, out of any
   * script's reach (the test's too), so the click goes where a person sees it: just under the selection.
   */
  async startDiscussion(): Promise<void> {
    const r = await this.evaluate(() => {
      const range = document.getSelection()!.getRangeAt(0).getBoundingClientRect();
      return { left: range.left, bottom: range.bottom, width: innerWidth, height: innerHeight };
    }, null);
    const x = Math.max(4, Math.min(r.left, r.width - 140)) + 12;
    const y = Math.min(r.bottom + 6, r.height - 40) + 10;
    // As a person does, click once the button shows there: the page sees only the overlay's host at
    // that point (the closed shadow root retargets it), not its own text.
    const shown = await pollFor(10_000, async () =>
      (await this.evaluate(
        ([px, py]) => document.elementFromPoint(px, py)?.localName === 'collab-chat-overlay',
        [x, y] as const,
      ))
        ? true
        : null,
    );
    if (!shown) throw new Error('"Discuss this" never showed under the selection');
    await this.mouseClick(x, y);
  }

  /**
   * Clicks the middle of `quote` inside `selector` (a highlighted passage opens its thread), once the
   * page shows it highlighted, as a person waits to see it (after a load, anchoring takes a moment).
   */
  async clickText(selector: string, quote: string): Promise<void> {
    const shown = (texts: string[]) => texts.some((t) => t.includes(quote) || quote.includes(t));
    const highlighted = await pollFor(15_000, async () =>
      shown(await this.highlightedTexts().catch(() => [])) ? true : null,
    );
    if (!highlighted)
      throw new Error(
        `“${quote}” was never highlighted; the page highlights ${await this.highlightedTexts()}`,
      );
    const r = await this.quoteRect(selector, quote, false);
    await this.mouseClick(r.left + r.width / 2, r.top + r.height / 2);
  }

  /**
   * A real click in the middle of the web page's element `css`, as a person clicks what they see: once
   * it is shown, has stopped moving (a page still filling its tables above it pushes it down between
   * a look and a click) and is what the pointer would hit there.
   */
  async clickElement(css: string): Promise<void> {
    const look = () =>
      this.evaluate((c) => {
        const e = document.querySelector(c);
        if (!e) return null;
        const before = e.getBoundingClientRect();
        if (before.bottom < 0 || before.top > innerHeight) e.scrollIntoView({ block: 'center' });
        const r = e.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) return null;
        const x = r.x + r.width / 2;
        const y = r.y + r.height / 2;
        const hit = document.elementFromPoint(x, y);
        return hit && (hit === e || e.contains(hit)) ? { x, y } : null;
      }, css);
    let last: { x: number; y: number } | null = null;
    const steady = await pollFor(15_000, async () => {
      const now = await look();
      const same = now && last && now.x === last.x && now.y === last.y;
      last = now;
      return same ? now : null;
    });
    if (!steady) throw new Error(`${css} was never shown still and clickable on ${this.url}`);
    await this.mouseClick(steady.x, steady.y);
  }

  /**
   * How many discussions are highlighted: ranges in the page's CSS highlight registry under the
   * overlay's names (both browsers here have the Custom Highlight API).
   */
  highlightCount(): Promise<number> {
    return this.evaluate(() => {
      const registry = (CSS as unknown as { highlights?: Map<string, Set<Range>> }).highlights;
      if (!registry) throw new Error('this browser has no CSS Custom Highlight API');
      let count = 0;
      registry.forEach((ranges, name) => {
        if (name.startsWith('collab-chat')) count += ranges.size;
      });
      return count;
    }, null);
  }

  /** The passages highlighted now, as the page's CSS highlight registry holds them, sorted. */
  highlightedTexts(): Promise<string[]> {
    return this.evaluate(() => {
      const registry = (CSS as unknown as { highlights?: Map<string, Set<Range>> }).highlights;
      const texts: string[] = [];
      registry?.forEach((ranges, name) => {
        if (name.startsWith('collab-chat')) for (const range of ranges) texts.push(range.toString());
      });
      return [...new Set(texts)].sort();
    }, null);
  }

  /** Computed styles of the first element of the discussion frame with this data-testid. */
  async styleOf(testId: string, properties: string[]): Promise<Record<string, string>> {
    const style = await this.frameEvaluate(
      ([id, props]) => {
        const el = document.querySelector(`[data-testid="${id as string}"]`);
        if (!el) return null;
        const computed = getComputedStyle(el);
        return Object.fromEntries((props as string[]).map((p) => [p, computed.getPropertyValue(p)]));
      },
      [testId, properties] as const,
    );
    if (!style) throw new Error(`no element ${testId} in the discussion frame`);
    return style;
  }

  /** How many elements of a tag the discussion frame holds. */
  async overlayElements(tag: string): Promise<number> {
    return (await this.frameEvaluate((t) => document.querySelectorAll(t).length, tag)) ?? 0;
  }

  /**
   * The open thread as "author: text" lines, to compare two people's views. Times are left out: a
   * reply written offline keeps, in its own tab, the time it was written, while others see when the
   * server stored it.
   */
  async threadLines(): Promise<string[]> {
    return (
      (await this.frameEvaluate(
        () =>
          [...document.querySelectorAll('[data-testid="comment"]')].map(
            (c) =>
              `${c.querySelector('[data-testid="comment-author"]')?.textContent}: ${c.querySelector('[data-testid="comment-text"]')?.textContent}`,
          ),
        null,
      )) ?? []
    );
  }
}

// ---------------------------------------------------------------- Chromium (playwright-core)

export class ChromiumTab extends Tab {
  constructor(readonly page: PwPage) {
    super();
    page.on('dialog', (dialog) => {
      this.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }
  get url() {
    return this.page.url();
  }
  evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R> {
    return this.page.evaluate(fn as never, arg) as Promise<R>;
  }
  /** The discussion frame: the one frame of the tab served by the extension. */
  private frame() {
    return this.page.frames().find((f) => /^chrome-extension:\/\/[^/]+\/frame\.html/.test(f.url())) ?? null;
  }
  async frameEvaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R | null> {
    const frame = this.frame();
    if (!frame) return null;
    return (await frame.evaluate(fn as never, arg).catch(() => null)) as R | null;
  }
  private async locator(testId: string) {
    const frame = await pollFor(15_000, async () => this.frame());
    if (!frame) throw new Error('the tab has no discussion frame');
    return frame.locator(`[data-testid="${testId}"]`).first();
  }
  async click(testId: string) {
    await (await this.locator(testId)).click();
  }
  async clickInFrame(css: string) {
    const frame = await pollFor(15_000, async () => this.frame());
    if (!frame) throw new Error('the tab has no discussion frame');
    await frame.locator(css).first().click();
  }
  async reload() {
    await this.page.reload();
  }
  async fill(testId: string, text: string) {
    await (await this.locator(testId)).fill(text);
  }
  async mouseClick(x: number, y: number) {
    await this.page.mouse.click(x, y);
  }
  async press(key: string) {
    await this.page.keyboard.press(key);
  }
  /** A mouse release over the selection. */
  async endSelection(x: number, y: number) {
    await this.page.mouse.move(x, y);
    await this.page.mouse.up();
  }
  async screenshot(path: string) {
    await this.page.screenshot({ path });
  }
  close() {
    return this.page.close();
  }
  protected async frameScript(script: string): Promise<unknown> {
    const frame = await pollFor(15_000, async () => this.frame());
    if (!frame) throw new Error('the tab has no discussion frame');
    return frame.evaluate(script);
  }
  async type(text: string) {
    await this.page.keyboard.type(text);
  }
}

/** One person's Chromium: a fresh profile with the extension loaded. */
export class ChromiumUser implements UserBrowser {
  readonly name = 'chromium';
  private constructor(
    readonly context: BrowserContext,
    readonly extensionId: string,
    private readonly userDataDir: string,
  ) {}

  /**
   * Headless Chromium cannot answer its own permission dialog (a browser window, out of CDP's reach).
   * Chrome shows no dialog for optional permissions the profile already granted the extension once
   * (`runtime_granted_permissions`: what Chrome records when a person accepts the prompt, kept after
   * the extension gives the permission back). So the fresh profile starts with that record for
   * `<all_urls>` (and `notifications`), as if its user had accepted it in an earlier session: every host permission is
   * still off at start, and a site turns on only through the popup's real click, Chrome's own user
   * gesture check, `permissions.request` and `permissions.onAdded`. `remembersGrant: false` leaves
   * the record out (the dialog would then wait for a person).
   * `--enable-unsafe-extension-debugging` lets CDP press the toolbar button (`Extensions.triggerAction`).
   */
  static async launch(
    extensionDir: string,
    options: { remembersGrant?: boolean; caretBrowsing?: boolean } = {},
  ): Promise<ChromiumUser> {
    const userDataDir = await mkdtemp(join(tmpdir(), 'collab-chat-profile-'));
    if (options.remembersGrant !== false) {
      const id = unpackedExtensionId(await realpath(extensionDir));
      const granted = {
        // And the optional `notifications`, asked for when browser notifications are turned on.
        api: ['notifications'],
        explicit_host: ['<all_urls>'],
        manifest_permissions: [],
        scriptable_host: [],
      };
      const preferences = { extensions: { settings: { [id]: { runtime_granted_permissions: granted } } } };
      await mkdir(join(userDataDir, 'Default'), { recursive: true });
      await writeFile(join(userDataDir, 'Default', 'Preferences'), JSON.stringify(preferences));
    }
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: BROWSER_PATHS.chromium,
      headless: true,
      args: [
        `--load-extension=${extensionDir}`,
        `--disable-extensions-except=${extensionDir}`,
        '--enable-unsafe-extension-debugging',
        // Caret browsing (F7): how a keyboard user selects text in a page.
        ...(options.caretBrowsing ? ['--enable-caret-browsing'] : []),
        ...CHROMIUM_ARGS,
      ],
    });
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    return new ChromiumUser(context, new URL(worker.url()).host, userDataDir);
  }

  /** The extension's service worker now (a stopped one is started again by the next event). */
  async worker(): Promise<Worker> {
    const workers = this.context.serviceWorkers();
    if (this.updatedWorker && workers.includes(this.updatedWorker)) return this.updatedWorker;
    return workers[0] ?? (await this.context.waitForEvent('serviceworker'));
  }

  private updatedWorker: Worker | null = null;

  /**
   * Updates the extension in place from the files now in `extensionDir` (CDP `Extensions.loadUnpacked`
   * of the same folder: same id, the browser's update path) and waits for the new service worker.
   */
  async updateExtension(extensionDir: string): Promise<void> {
    const cdp = await this.context.browser()!.newBrowserCDPSession();
    try {
      const next = this.context.waitForEvent('serviceworker');
      const { id } = await cdp.send('Extensions.loadUnpacked', { path: extensionDir });
      if (id !== this.extensionId) throw new Error(`the update installed ${id}, not ${this.extensionId}`);
      this.updatedWorker = await next;
    } finally {
      await cdp.detach();
    }
  }

  extensionUrl(path: string): string {
    return `chrome-extension://${this.extensionId}/${path}`;
  }

  private async firstRunOptionsPage(): Promise<PwPage | null> {
    // The tab may exist before its URL commits: look until one shows the options page.
    return pollFor(
      10_000,
      async () => this.context.pages().find((p) => p.url() === this.extensionUrl('options.html')) ?? null,
    );
  }

  async hasFirstRunOptionsPage(): Promise<boolean> {
    return (await this.firstRunOptionsPage()) !== null;
  }

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

  async open(url: string): Promise<Tab> {
    const page = await this.context.newPage();
    await page.goto(url);
    return new ChromiumTab(page);
  }

  async pressShortcut(tab: Tab, name: string): Promise<void> {
    await (tab as ChromiumTab).page.bringToFront();
    const worker = await this.worker();
    const done = await worker.evaluate(
      async ([url, command]) => {
        const [found] = (await chrome.tabs.query({})).filter((t) => t.url === url);
        const background = (globalThis as { collabChat?: { command(n: string, id?: number): void } })
          .collabChat;
        if (!found?.id || !background) return false;
        background.command(command!, found.id);
        return true;
      },
      [tab.url, name],
    );
    if (!done) throw new Error(`could not run the shortcut ${name} in ${tab.url}`);
  }

  async shortcuts() {
    const worker = await this.worker();
    return worker.evaluate(() =>
      (
        chrome as unknown as { commands: { getAll(): Promise<Array<{ name?: string; shortcut?: string }>> } }
      ).commands.getAll(),
    );
  }

  async setLocalStorage(values: Record<string, unknown>): Promise<void> {
    const worker = await this.worker();
    await worker.evaluate(
      (v) =>
        (chrome as unknown as { storage: { local: { set(v: object): Promise<void> } } }).storage.local.set(v),
      values,
    );
  }

  async axeExtensionPage(
    which: 'popup' | 'options',
    tab: Tab,
    scheme: 'light' | 'dark',
  ): Promise<AxeFinding[]> {
    const page = which === 'popup' ? await this.popupAbout(tab) : await this.context.newPage();
    try {
      if (which === 'options') {
        await page.goto(this.extensionUrl('options.html'));
        await page.getByTestId('shortcut').first().waitFor();
      }
      await page.emulateMedia({ colorScheme: scheme });
      const { default: AxeBuilder } = await import('@axe-core/playwright');
      const result = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
      await page.screenshot({ path: join(ARTIFACTS, `chromium-axe-${which}-${scheme}.png`) });
      return seriousFindings(result.violations);
    } finally {
      await page.close();
    }
  }

  /** Presses the extension's toolbar button on `tab` (CDP `Extensions.triggerAction`). */
  async pressToolbarButton(tab: Tab): Promise<void> {
    // As a person would: the button acts on the tab in front.
    await (tab as ChromiumTab).page.bringToFront();
    const cdp = await this.context.browser()!.newBrowserCDPSession();
    try {
      const { targetInfos } = await cdp.send('Target.getTargets', { filter: [{ type: 'tab' }] });
      const target = targetInfos.find((t) => t.url === tab.url);
      if (!target) throw new Error(`no tab target shows ${tab.url}`);
      await cdp.send('Extensions.triggerAction', { id: this.extensionId, targetId: target.targetId });
    } finally {
      await cdp.detach();
    }
  }

  /**
   * The popup about `tab`, opened as a page (`?tab=`): Playwright cannot drive the toolbar's own popup
   * window, so the button is pressed first (the grant of `activeTab` is what lets the popup read the
   * tab's URL) and the same popup page is then opened beside it.
   */
  private async popupAbout(tab: Tab): Promise<PwPage> {
    await this.pressToolbarButton(tab);
    const worker = await this.worker();
    const tabId = await pollFor(5_000, () =>
      worker.evaluate(async (target: string) => {
        const tabs = await chrome.tabs.query({});
        return tabs.find((t) => t.url === target)?.id ?? null;
      }, tab.url),
    );
    if (tabId === null) throw new Error(`no tab shows ${tab.url} (or its URL is not readable)`);
    const popup = await this.context.newPage();
    await popup.goto(this.extensionUrl(`popup.html?tab=${tabId}`));
    await popup.getByTestId('site-toggle').or(popup.getByTestId('popup-no-site')).waitFor();
    return popup;
  }

  async enableSiteOf(tab: Tab): Promise<PopupView> {
    const popup = await this.popupAbout(tab);
    await popup.getByTestId('site-toggle').check();
    // The popup refreshes itself; wait until it reports the live connection for this page.
    await popup.locator('[data-testid="popup-connection"][data-state="live"]').waitFor({ timeout: 15_000 });
    await popup.locator('[data-testid="popup-viewers"][data-count]:not([data-count=""])').waitFor();
    const view = await popup.evaluate(readPopupView);
    await popup.screenshot({ path: join(ARTIFACTS, 'chromium-1-popup.png') });
    await popup.close();
    return view;
  }

  async clickInPopup(tab: Tab, testId: string, until: (view: PopupView) => boolean): Promise<PopupView> {
    const popup = await this.popupAbout(tab);
    await popup.getByTestId(testId).click();
    const view = await pollFor(15_000, async () => {
      const seen = await popup.evaluate(readPopupView);
      return until(seen) ? seen : null;
    });
    const last = view ?? (await popup.evaluate(readPopupView));
    await popup.close();
    if (!view)
      throw new Error(`the popup never showed what was expected after ${testId}: ${JSON.stringify(last)}`);
    return view;
  }

  async openTeamFromPopup(tab: Tab): Promise<ExtensionPage> {
    const popup = await this.popupAbout(tab);
    const opened = this.context.waitForEvent('page');
    await popup.getByTestId('open-team').click();
    const page = await opened;
    await page.waitForLoadState();
    await popup.close();
    if (!page.url().startsWith(this.extensionUrl('team.html')))
      throw new Error(`the popup's link opened ${page.url()}`);
    const context = this.context;
    return {
      async type(css, text) {
        await page.locator(css).first().click();
        await page.keyboard.press('Control+A');
        await page.keyboard.press('Backspace');
        await page.keyboard.type(text, { delay: 40 });
      },
      texts: (css) => page.locator(css).allTextContents(),
      click: (css) => page.locator(css).first().click(),
      async followLink(css, index, url) {
        const next = context.waitForEvent('page');
        await page.locator(css).nth(index).click();
        const tab = await next;
        await tab.waitForURL(url);
        return new ChromiumTab(tab);
      },
      screenshot: async (path) => void (await page.screenshot({ path })),
    };
  }

  async inOptions(
    serverUrl: string,
    token: string,
    button: 'test-connection' | 'save-settings',
    shot?: string,
  ): Promise<{ text: string; result: string }> {
    const page = await this.context.newPage();
    try {
      await page.goto(this.extensionUrl('options.html'));
      await page.getByTestId('server-url').fill(serverUrl);
      await page.getByTestId('token').fill(token);
      await page.getByTestId(button).click();
      const outcome = page.locator(OUTCOME_OF[button]);
      await outcome.waitFor({ timeout: 20_000 });
      const found = {
        text: (await outcome.textContent()) ?? '',
        result: (await outcome.getAttribute('data-result')) ?? '',
      };
      if (shot) await page.screenshot({ path: shot });
      return found;
    } finally {
      await page.close();
    }
  }

  async joinInOptions(link: string, name: string, shot?: string): Promise<{ text: string; result: string }> {
    const page = await this.context.newPage();
    try {
      await page.goto(this.extensionUrl('options.html'));
      await page.getByTestId('invite-link').fill(link);
      await page.getByTestId('invite-name').fill(name);
      await page.getByTestId('join-submit').click();
      const outcome = page.locator(JOIN_OUTCOME);
      await outcome.waitFor({ timeout: 20_000 });
      // A join reloads the page: read the words once the new document shows them.
      if ((await outcome.getAttribute('data-result')) === 'joined') await page.waitForLoadState('load');
      return await outcomeIn(page, JOIN_OUTCOME, 20_000, shot);
    } finally {
      await page.close();
    }
  }

  async signInInOptions(
    serverUrl: string,
    providerOrigin: string,
    login?: string,
    shot?: string,
  ): Promise<{ text: string; result: string }> {
    const page = await this.context.newPage();
    try {
      await page.goto(this.extensionUrl('options.html'));
      await page.getByTestId('server-url').fill(serverUrl);
      await page.getByTestId('sso-sign-in').click();
      if (login) {
        // The browser's own sign-in window (launchWebAuthFlow), once it shows the provider's page.
        const window = await pollFor(
          20_000,
          async () => this.context.pages().find((p) => p.url().startsWith(providerOrigin)) ?? null,
        );
        if (!window) {
          const said = await page
            .getByTestId('sso-status')
            .textContent()
            .catch(() => null);
          throw new Error(`no sign-in window showed the identity provider (the options page says: ${said})`);
        }
        await window.locator('input[name="login"]').click();
        await window.keyboard.type(login);
        await window.locator('input[name="password"]').click();
        await window.keyboard.type('correct horse battery staple');
        if (shot) await window.screenshot({ path: shot.replace(/\.png$/, '-provider.png') });
        await window.locator('button[type="submit"]').click();
        await window.getByRole('button', { name: 'Continue' }).click();
      }
      return await outcomeIn(page, SSO_OUTCOME, 30_000, shot);
    } finally {
      await page.close();
    }
  }

  async signOutInOptions(shot?: string): Promise<{ text: string; result: string }> {
    const page = await this.context.newPage();
    try {
      await page.goto(this.extensionUrl('options.html'));
      await page.getByTestId('sso-sign-out').click();
      return await outcomeIn(page, SSO_OUTCOME, 20_000, shot);
    } finally {
      await page.close();
    }
  }

  async readPopup(tab: Tab, until: (view: PopupView) => boolean, shot?: string): Promise<PopupView> {
    const popup = await this.popupAbout(tab);
    try {
      const view = await pollFor(15_000, async () => {
        const seen = await popup.evaluate(readPopupView);
        return until(seen) ? seen : null;
      });
      const last = view ?? (await popup.evaluate(readPopupView));
      if (shot) await popup.screenshot({ path: shot });
      if (!view) throw new Error(`the popup never showed what was expected: ${JSON.stringify(last)}`);
      return view;
    } finally {
      await popup.close();
    }
  }

  async hostPermissions(): Promise<string[]> {
    const worker = await this.worker();
    return worker.evaluate(async () => (await chrome.permissions.getAll()).origins ?? []);
  }

  async registeredContentScripts(): Promise<Array<{ id: string; matches?: string[] }>> {
    const worker = await this.worker();
    return worker.evaluate(() => chrome.scripting.getRegisteredContentScripts());
  }

  /**
   * Stops the MV3 service worker through CDP, as Chrome does to an idle worker, and waits until CDP
   * reports it stopped. (Playwright keeps the stopped worker in `serviceWorkers()` and sends no
   * `close`, so the ServiceWorker domain's own running status is what tells.)
   */
  readonly stopBackground = async (): Promise<void> => {
    const page = this.context.pages()[0] ?? (await this.context.newPage());
    const cdp = await this.context.newCDPSession(page);
    const ours = `chrome-extension://${this.extensionId}/`;
    const stopped = new Promise<void>((ok) =>
      cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
        if (versions.some((v) => v.scriptURL.startsWith(ours) && v.runningStatus === 'stopped')) ok();
      }),
    );
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        stopped,
        new Promise((_, fail) => {
          timer = setTimeout(() => fail(new Error('CDP never reported the service worker stopped')), 15_000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      await cdp.detach();
    }
  };

  async close(): Promise<void> {
    await this.context.close();
    await rm(this.userDataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- Firefox (puppeteer-core, BiDi)

export class FirefoxTab extends Tab {
  constructor(
    readonly page: PpPage,
    private readonly address: string,
  ) {
    super();
    page.on('dialog', (dialog) => {
      this.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }
  get url() {
    return this.address;
  }
  evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R> {
    return this.page.evaluate(fn as never, arg) as Promise<R>;
  }
  /**
   * The discussion frame: the one frame of the tab served by the extension. Puppeteer's URL of a BiDi
   * frame lags behind (it says about:blank), so each child frame is asked where it is.
   */
  private async frame() {
    for (const frame of this.page.frames()) {
      if (frame === this.page.mainFrame()) continue;
      const href = await frame.evaluate(() => location.href).catch(() => '');
      if (/^moz-extension:\/\/[^/]+\/frame\.html/.test(href)) return frame;
    }
    return null;
  }
  async frameEvaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R | null> {
    const frame = await this.frame();
    if (!frame) return null;
    return (await frame.evaluate(fn as never, arg).catch(() => null)) as R | null;
  }
  private async locator(testId: string) {
    const frame = await pollFor(15_000, () => this.frame());
    if (!frame) throw new Error('the tab has no discussion frame');
    return frame.locator(`[data-testid="${testId}"]`);
  }
  async click(testId: string) {
    await (await this.locator(testId)).click();
  }
  async clickInFrame(css: string) {
    const frame = await pollFor(15_000, () => this.frame());
    if (!frame) throw new Error('the tab has no discussion frame');
    await frame.locator(css).click();
  }
  async reload() {
    await this.page.reload();
  }
  async fill(testId: string, text: string) {
    await (await this.locator(testId)).fill(text);
  }
  async mouseClick(x: number, y: number) {
    await this.page.mouse.click(x, y);
  }
  /** Puppeteer presses one key at a time: a chord (`Shift+ArrowRight`) holds its modifiers down. */
  async press(chord: string) {
    await this.page.bringToFront();
    const keys = chord === '+' ? ['+'] : chord.split('+');
    const key = keys.pop()!;
    for (const modifier of keys) await this.page.keyboard.down(modifier as never);
    await this.page.keyboard.press(key as never);
    for (const modifier of keys.reverse()) await this.page.keyboard.up(modifier as never);
  }
  /**
   * A Shift key press, as when a keyboard user ends a selection (the overlay listens to keyup too):
   * over BiDi a pointer-up without its pointer-down produces no mouseup event in Firefox, and a
   * pointer-down would collapse the selection.
   */
  async endSelection() {
    // Keys go to the focused tab only.
    await this.page.bringToFront();
    await this.page.keyboard.press('Shift');
  }
  async screenshot(path: string) {
    await this.page.screenshot({ path: path as `${string}.png` });
  }
  close() {
    return this.page.close();
  }
  protected async frameScript(script: string): Promise<unknown> {
    const frame = await pollFor(15_000, () => this.frame());
    if (!frame) throw new Error('the tab has no discussion frame');
    return frame.evaluate(script);
  }
  async type(text: string) {
    await this.page.bringToFront();
    await this.page.keyboard.type(text);
  }
}

/**
 * One person's Firefox ESR: a fresh profile, the MV2 build installed as a temporary add-on.
 *
 * Firefox's WebDriver BiDi refuses `browsingContext.navigate` to moz-extension:// URLs ("not allowed
 * in this context"), so the harness never navigates to an extension page itself. The options page
 * is the one the extension opens on install (Firefox puts it in the first, blank tab); the popup is
 * reached by that extension page navigating itself to popup.html?tab=N, which is the same page the
 * toolbar button shows. Scripts run inside the extension page only to find the tab id, as the
 * Chromium harness asks the service worker.
 */
export class FirefoxUser implements UserBrowser {
  readonly name = 'firefox';
  /** Firefox's MV2 background page is persistent: there is no worker to stop. */
  readonly stopBackground = null;

  static readonly ADDON_ID = 'collab-chat@example.org';

  private constructor(
    readonly browser: PpBrowser,
    private readonly extensionOrigin: string,
    private extensionPage: PpPage | null,
  ) {}

  /**
   * `extensions.webextOptionalPermissionPrompts: false` is Firefox's own switch for answering the
   * optional-permission prompt with yes: `permissions.request` still checks that it runs from a user
   * action and still fires `permissions.onAdded`. `--remote-allow-system-access` lets WebDriver BiDi
   * run script in the browser's own window, where the harness presses the toolbar button (BiDi has no
   * command for it).
   */
  static async launch(extensionDir: string, options: { caretBrowsing?: boolean } = {}): Promise<FirefoxUser> {
    const uuid = randomUUID();
    const ff = await puppeteer.launch({
      browser: 'firefox',
      executablePath: BROWSER_PATHS.firefox,
      headless: true,
      args: ['--remote-allow-system-access'],
      // The size Playwright gives Chromium, so both browsers lay the overlay out alike.
      defaultViewport: { width: 1280, height: 720 },
      extraPrefsFirefox: {
        // A known moz-extension:// origin, so the harness can tell the extension's pages apart.
        'extensions.webextensions.uuids': JSON.stringify({ [FirefoxUser.ADDON_ID]: uuid }),
        'extensions.webextOptionalPermissionPrompts': false,
        // Caret browsing (F7): how a keyboard user selects text in a page.
        ...(options.caretBrowsing ? { 'accessibility.browsewithcaret': true } : {}),
      },
    });
    await ff.installExtension(extensionDir);
    return new FirefoxUser(ff, `moz-extension://${uuid}`, null);
  }

  /**
   * Runs `expression` with the browser's own privileges, in its main window (BiDi's `moz:scope:
   * chrome`). `ADDON_ID` is defined for it.
   */
  async inBrowserWindow<T>(expression: string): Promise<T> {
    const connection = (this.browser as unknown as { connection: BidiConnection }).connection;
    const tree = await connection.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
    const context = tree.result.contexts[0]?.context;
    if (!context) throw new Error('WebDriver BiDi shows no browser window');
    const { result } = await connection.send('script.evaluate', {
      expression: `(() => { const ADDON_ID = ${JSON.stringify(FirefoxUser.ADDON_ID)}; ${expression} })()`,
      target: { context },
      awaitPromise: true,
      resultOwnership: 'none',
    });
    if (result.type === 'exception')
      throw new Error(`in the browser window: ${result.exceptionDetails.text}`);
    return deserialize(result.result) as T;
  }

  /**
   * Presses the extension's toolbar button on `tab`: selects the tab and runs the browser action as a
   * click or its keyboard shortcut does (which grants `activeTab` and opens the popup).
   */
  async pressToolbarButton(tab: Tab): Promise<void> {
    const outcome = await this.inBrowserWindow<string>(`
      const url = ${JSON.stringify(tab.url)};
      const win = Services.wm.getMostRecentWindow('navigator:browser');
      const found = win.gBrowser.tabs.find((t) => t.linkedBrowser.currentURI.spec === url);
      if (!found) return 'no tab shows ' + url;
      win.gBrowser.selectedTab = found;
      const { ExtensionParent } = ChromeUtils.importESModule('resource://gre/modules/ExtensionParent.sys.mjs');
      const extension = WebExtensionPolicy.getByID(ADDON_ID).extension;
      ExtensionParent.apiManager.global.browserActionFor(extension).triggerAction(win);
      return 'pressed';
    `);
    if (outcome !== 'pressed') throw new Error(outcome);
  }

  /** Puppeteer's idea of a BiDi page's URL lags behind navigations it did not start: ask the page. */
  private async locationOf(page: PpPage): Promise<string> {
    return page.evaluate(() => location.href).catch(() => '');
  }

  private async findExtensionPage(timeoutMs: number): Promise<PpPage | null> {
    if (this.extensionPage) return this.extensionPage;
    this.extensionPage = await pollFor(timeoutMs, async () => {
      for (const page of await this.browser.pages()) {
        if ((await this.locationOf(page)).startsWith(`${this.extensionOrigin}/options.html`)) return page;
      }
      return null;
    });
    return this.extensionPage;
  }

  async hasFirstRunOptionsPage(): Promise<boolean> {
    return (await this.findExtensionPage(10_000)) !== null;
  }

  async configure(serverUrl: string, token: string): Promise<string> {
    const page = await this.findExtensionPage(10_000);
    if (!page) throw new Error('the options page the extension opens on install never appeared');
    // A second visit (a new token) finds the page behind the user's tabs, where clicks wait for ever.
    await page.bringToFront();
    await page.locator('[data-testid="server-url"]').fill(serverUrl);
    await page.locator('[data-testid="token"]').fill(token);
    await page.locator('[data-testid="save-settings"]').click();
    await page.waitForSelector('[data-testid="save-status"]');
    await page.locator('[data-testid="test-connection"]').click();
    const result = await page.waitForSelector('[data-testid="test-result"]');
    return (await result!.evaluate((e) => e.textContent)) ?? '';
  }

  async open(url: string): Promise<Tab> {
    const page = await this.browser.newPage();
    await page.goto(url);
    return new FirefoxTab(page, url);
  }

  async shortcuts() {
    return this.inExtensionPage(() =>
      (
        browser as unknown as { commands: { getAll(): Promise<Array<{ name?: string; shortcut?: string }>> } }
      ).commands.getAll(),
    );
  }

  async pressShortcut(tab: Tab, name: string): Promise<void> {
    const shortcut = (await this.shortcuts()).find((c) => c.name === name)?.shortcut;
    if (!shortcut) throw new Error(`the command ${name} has no shortcut`);
    const parts = shortcut.split('+');
    const named = parts.pop()!;
    const key = ({ Comma: ',', Period: '.', Space: ' ' } as Record<string, string>)[named] ?? named;
    const modifiers = parts
      .map(
        (m) => ({ Alt: 'alt', Shift: 'shift', Ctrl: 'accel', Command: 'accel', MacCtrl: 'control' })[m] ?? m,
      )
      .sort()
      .join(',');
    await (tab as FirefoxTab).page.bringToFront();
    const outcome = await this.inBrowserWindow<string>(`
      const url = ${JSON.stringify(tab.url)};
      const win = Services.wm.getMostRecentWindow('navigator:browser');
      const found = win.gBrowser.tabs.find((t) => t.linkedBrowser.currentURI.spec === url);
      if (!found) return 'no tab shows ' + url;
      win.gBrowser.selectedTab = found;
      const keys = [...win.document.querySelectorAll('keyset[id^="ext-keyset-id-"] key')];
      const mods = (k) => (k.getAttribute('modifiers') || '').split(/[ ,]+/).filter(Boolean).sort().join(',');
      const name = (k) => (k.getAttribute('key') || k.getAttribute('keycode') || '').toUpperCase();
      const wanted = [${JSON.stringify(key.toUpperCase())}, ${JSON.stringify(`VK_${named.toUpperCase()}`)}];
      const key = keys.find((k) => wanted.includes(name(k)) && mods(k) === ${JSON.stringify(modifiers)});
      if (!key) return 'no key element for ' + ${JSON.stringify(shortcut)} + ' among ' + keys.map((k) => mods(k) + '+' + name(k)).join(' ');
      key.doCommand();
      return 'pressed';
    `);
    if (outcome !== 'pressed') throw new Error(outcome);
  }

  async setLocalStorage(values: Record<string, unknown>): Promise<void> {
    await this.inExtensionPage(
      (v) =>
        (browser as unknown as { storage: { local: { set(v: object): Promise<void> } } }).storage.local.set(
          v,
        ),
      values,
    );
  }

  /**
   * Gives a command new keys the way a person does it in Firefox: the options page's Edit button, the
   * keys typed into its one-line field, Enter. Returns the keys the page then shows for it.
   */
  async setShortcutInOptions(name: string, keys: string): Promise<string> {
    const page = await this.findExtensionPage(10_000);
    if (!page) throw new Error('no extension page is open');
    await navigateTo(page, '/options.html');
    const row = `[data-testid="shortcut"][data-command="${name}"]`;
    await (await page.waitForSelector(`${row} [data-testid="shortcut-edit"]`))!.click();
    const input = await page.waitForSelector(`${row} [data-testid="shortcut-input"]`);
    await input!.click({ count: 3 });
    await page.keyboard.type(keys);
    await page.keyboard.press('Enter');
    await page.waitForSelector(`${row} [data-testid="shortcut-keys"]`);
    return page.$eval(`${row} [data-testid="shortcut-keys"]`, (e) => e.textContent ?? '');
  }

  /** Firefox's own override of prefers-color-scheme for web content (0 dark, 1 light). */
  async colorScheme(scheme: 'light' | 'dark'): Promise<void> {
    await this.inBrowserWindow(
      `Services.prefs.setIntPref('layout.css.prefers-color-scheme.content-override', ${scheme === 'dark' ? 0 : 1}); return null;`,
    );
  }

  async axeExtensionPage(
    which: 'popup' | 'options',
    tab: Tab,
    scheme: 'light' | 'dark',
  ): Promise<AxeFinding[]> {
    await this.colorScheme(scheme);
    let page: PpPage;
    if (which === 'popup') page = await this.popupAbout(tab);
    else {
      page = (await this.findExtensionPage(10_000))!;
      await navigateTo(page, '/options.html');
      await page.waitForSelector('[data-testid="shortcut"]');
    }
    const findings = await runAxeIn((script) => page.evaluate(script));
    await page.screenshot({ path: join(ARTIFACTS, `firefox-axe-${which}-${scheme}.png`) });
    return findings;
  }

  /** The popup about `tab`, in the extension page the harness keeps (see the class comment). */
  private async popupAbout(tab: Tab): Promise<PpPage> {
    const page = await this.findExtensionPage(10_000);
    if (!page) throw new Error('no extension page is open to show the popup in');
    await this.pressToolbarButton(tab);
    const tabId = await pollFor(5_000, () =>
      page.evaluate(async (target: string) => {
        const tabs = await browser.tabs.query({});
        return tabs.find((t) => t.url === target)?.id ?? null;
      }, tab.url),
    );
    if (tabId === null) throw new Error(`no tab shows ${tab.url} (or its URL is not readable)`);
    await navigateTo(page, `/popup.html?tab=${tabId}`);
    await elementOf(page, '[data-testid="site-toggle"], [data-testid="popup-no-site"]');
    return page;
  }

  async enableSiteOf(tab: Tab): Promise<PopupView> {
    const page = await this.popupAbout(tab);
    const toggle = await elementOf(page, '[data-testid="site-toggle"]');
    await toggle.click();
    await elementOf(page, '[data-testid="popup-connection"][data-state="live"]', 15_000);
    await elementOf(page, '[data-testid="popup-viewers"][data-count]:not([data-count=""])');
    const view = await page.evaluate(readPopupView);
    await page.screenshot({ path: join(ARTIFACTS, 'firefox-1-popup.png') });
    return view;
  }

  /**
   * The popup is the extension page the harness keeps (see the class comment), a tab of its own; a
   * `target=_blank` link clicked there opens no tab the driver sees, so after the real click the page
   * follows the link's own href itself, as it does to reach the popup.
   */
  async openTeamFromPopup(tab: Tab): Promise<ExtensionPage> {
    const popup = await this.popupAbout(tab);
    const link = (await popup.waitForSelector('[data-testid="open-team"]'))!;
    await link.click();
    const findTeam = async () => {
      for (const p of await this.browser.pages())
        if ((await this.locationOf(p)).startsWith(`${this.extensionOrigin}/team.html`)) return p;
      return null;
    };
    let team = await pollFor(3_000, findTeam);
    if (!team) {
      const href = await link.evaluate((a) => (a as HTMLAnchorElement).href);
      await popup.evaluate((to: string) => {
        location.href = to;
      }, href);
      team = await pollFor(15_000, findTeam);
    }
    if (!team) {
      const seen = await Promise.all((await this.browser.pages()).map((p) => this.locationOf(p)));
      throw new Error(`the popup’s link never opened the team page; tabs show ${seen.join(', ')}`);
    }
    await team.waitForSelector('input[type="search"]');
    const pageWith = async (url: string) => {
      for (const p of await this.browser.pages()) if ((await this.locationOf(p)) === url) return p;
      return null;
    };
    return {
      async type(css, text) {
        await (await team.waitForSelector(css))!.click();
        await team.keyboard.down('Control');
        await team.keyboard.press('a');
        await team.keyboard.up('Control');
        await team.keyboard.press('Backspace');
        await team.keyboard.type(text, { delay: 40 });
      },
      texts: (css) => team.$$eval(css, (els) => els.map((e) => e.textContent ?? '')),
      async click(css) {
        await (await team.waitForSelector(css))!.click();
      },
      async followLink(css, index, url) {
        const links = await team.$$(css);
        if (!links[index]) throw new Error(`no link ${index} matches ${css}`);
        await links[index].click();
        let page = await pollFor(3_000, () => pageWith(url));
        if (!page) {
          // As above: the link's own href, followed by the page that holds it.
          const href = await links[index].evaluate((a) => (a as HTMLAnchorElement).href);
          if (href !== url) throw new Error(`the link goes to ${href}, not ${url}`);
          await team.evaluate((to: string) => {
            location.href = to;
          }, href);
          page = await pollFor(15_000, () => pageWith(url));
        }
        if (!page) throw new Error(`no tab opened ${url}`);
        return new FirefoxTab(page, url);
      },
      screenshot: async (path) => void (await team.screenshot({ path })),
    };
  }

  async clickInPopup(tab: Tab, testId: string, until: (view: PopupView) => boolean): Promise<PopupView> {
    const page = await this.popupAbout(tab);
    const target = await elementOf(page, `[data-testid="${testId}"]`);
    await target.click();
    const view = await pollFor(15_000, async () => {
      const seen = await page.evaluate(readPopupView);
      return until(seen) ? seen : null;
    });
    if (!view) {
      const last = await page.evaluate(readPopupView);
      throw new Error(`the popup never showed what was expected after ${testId}: ${JSON.stringify(last)}`);
    }
    return view;
  }

  async inOptions(
    serverUrl: string,
    token: string,
    button: 'test-connection' | 'save-settings',
    shot?: string,
  ): Promise<{ text: string; result: string }> {
    const page = await this.findExtensionPage(10_000);
    if (!page) throw new Error('no extension page is open to show the options in');
    if (!(await this.locationOf(page)).startsWith(`${this.extensionOrigin}/options.html`)) {
      await navigateTo(page, '/options.html');
    }
    const element = (css: string) => elementOf(page, css);
    for (const [field, value] of [
      ['server-url', serverUrl],
      ['token', token],
    ] as const) {
      const input = await element(`[data-testid="${field}"]`);
      await input.evaluate((el) => (el as HTMLInputElement).select());
      await input.type(value);
    }
    await (await element(`[data-testid="${button}"]:not([disabled])`)).click();
    const outcome = await element(OUTCOME_OF[button]);
    const found = await outcome.evaluate((e) => ({
      text: e.textContent ?? '',
      result: e.getAttribute('data-result') ?? '',
    }));
    if (shot) await page.screenshot({ path: shot });
    return found;
  }

  async joinInOptions(link: string, name: string, shot?: string): Promise<{ text: string; result: string }> {
    const page = await this.findExtensionPage(10_000);
    if (!page) throw new Error('no extension page is open to show the options in');
    await navigateTo(page, '/options.html');
    const element = (css: string) => elementOf(page, css);
    for (const [field, value] of [
      ['invite-link', link],
      ['invite-name', name],
    ] as const) {
      const input = await element(`[data-testid="${field}"]`);
      await input.evaluate((el) => (el as HTMLInputElement).select());
      await input.type(value);
    }
    await (await element('[data-testid="join-submit"]:not([disabled])')).click();
    // A join reloads the page; elementOf looks again in whichever document is there.
    const found = await outcomeOf(page, JOIN_OUTCOME, 20_000);
    if (!found) throw new Error('the options page never said how joining went');
    if (shot) await page.screenshot({ path: shot });
    return found;
  }

  async signInInOptions(
    serverUrl: string,
    providerOrigin: string,
    login?: string,
    shot?: string,
  ): Promise<{ text: string; result: string }> {
    const page = await this.findExtensionPage(10_000);
    if (!page) throw new Error('no extension page is open to show the options in');
    await navigateTo(page, '/options.html');
    const input = await elementOf(page, '[data-testid="server-url"]');
    await input.evaluate((el) => (el as HTMLInputElement).select());
    await input.type(serverUrl);
    const opened = login
      ? this.browser.waitForTarget((t) => t.url().startsWith(providerOrigin), { timeout: 20_000 })
      : null;
    await (await elementOf(page, '[data-testid="sso-sign-in"]:not([disabled])')).click();
    if (opened && login) {
      // The browser's own sign-in window (launchWebAuthFlow), on the provider's login page.
      const window = await (await opened).page();
      if (!window) throw new Error('the sign-in window is not a page the harness can drive');
      await (await elementOf(window, 'input[name="login"]')).click();
      await window.keyboard.type(login);
      await (await elementOf(window, 'input[name="password"]')).click();
      await window.keyboard.type('correct horse battery staple');
      await (await elementOf(window, 'button[type="submit"]')).click();
      await (await elementOf(window, 'button[autofocus]')).click();
    }
    const found = await outcomeOf(page, SSO_OUTCOME, 30_000);
    if (!found) throw new Error('the options page never said how signing in went');
    if (shot) await page.screenshot({ path: shot });
    return found;
  }

  async signOutInOptions(shot?: string): Promise<{ text: string; result: string }> {
    const page = await this.findExtensionPage(10_000);
    if (!page) throw new Error('no extension page is open to show the options in');
    await navigateTo(page, '/options.html');
    await (await elementOf(page, '[data-testid="sso-sign-out"]:not([disabled])')).click();
    const found = await outcomeOf(page, SSO_OUTCOME, 20_000);
    if (!found) throw new Error('the options page never said how signing out went');
    if (shot) await page.screenshot({ path: shot });
    return found;
  }

  async readPopup(tab: Tab, until: (view: PopupView) => boolean, shot?: string): Promise<PopupView> {
    const page = await this.popupAbout(tab);
    const view = await pollFor(15_000, async () => {
      const seen = await page.evaluate(readPopupView);
      return until(seen) ? seen : null;
    });
    if (shot) await page.screenshot({ path: shot });
    if (!view) {
      const last = await page.evaluate(readPopupView);
      throw new Error(`the popup never showed what was expected: ${JSON.stringify(last)}`);
    }
    return view;
  }

  /** Runs `fn` in the extension page the harness keeps (an extension context). */
  async inExtensionPage<R, A = null>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R> {
    const page = await this.findExtensionPage(10_000);
    if (!page) throw new Error('no extension page is open');
    return page.evaluate(fn as never, arg ?? null) as Promise<R>;
  }

  async hostPermissions(): Promise<string[]> {
    const page = await this.findExtensionPage(10_000);
    if (!page) throw new Error('no extension page is open');
    return page.evaluate(async () => (await browser.permissions.getAll()).origins ?? []);
  }

  async registeredContentScripts(): Promise<Array<{ id: string; matches?: string[] }>> {
    const page = await this.findExtensionPage(10_000);
    if (!page) throw new Error('no extension page is open');
    return page.evaluate(() => browser.scripting.getRegisteredContentScripts());
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
