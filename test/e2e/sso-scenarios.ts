// Single sign-on in a real browser, written once for both: a server whose sign-in goes to a real
// OpenID Connect provider (oidc-provider, in this process). In the options page a person types the
// server URL and presses "Sign in"; in the browser's own sign-in window (identity.launchWebAuthFlow)
// they type their login and password on the provider's page and continue; back in the options page
// they are signed in, and a page they turn on goes live with their name. Someone the email rules
// leave out is told so and nothing is saved; "Sign out" ends the session on the server and closes
// its connections; a server without single sign-on says so.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startSsoServer, type SsoTestSetup } from '../helpers/oidc';
import type { TestServer } from '../helpers/server';
import {
  ARTIFACTS,
  scenarioSuite,
  type BrowserName,
  type PageServer,
  type Tab,
  type UserBrowser,
} from './harness';

const WAIT = { timeout: 15_000, interval: 100 };
const ACCESS_MS = 2000;

const textOf = (tab: Tab, css: string) =>
  tab.evaluate((c) => document.querySelector(c)?.textContent ?? '', css);

export function ssoScenarios(
  name: BrowserName,
  launch: (extensionDir: string) => Promise<UserBrowser>,
): void {
  // Carol's browser is left as installed: she signs in from the options page in the scenarios.
  const suite = {
    browser: name,
    title: "signing in with the organisation's account",
    launch,
    users: { carol: null },
  };
  scenarioSuite(suite, (world) => {
    let sso: SsoTestSetup;
    /** The suite's server, which has no single sign-on. */
    let plain: TestServer;
    let pages: PageServer;
    let carol: UserBrowser;
    const shot = (step: string) => join(ARTIFACTS, `${name}-sso-${step}.png`);

    beforeAll(async () => {
      ({ server: plain, pages } = world);
      ({ carol } = world.users);
      // Access tokens that last 2 s: shorter than the background's renewal margin, so it renews the
      // session every time it is about to use the token, as it would a minute before a real expiry.
      sso = await startSsoServer({}, { sessionLifetimes: { accessMs: ACCESS_MS, refreshMs: 600_000 } });
      expect(await carol.hasFirstRunOptionsPage()).toBe(true);
    });

    afterAll(async () => {
      await sso?.close();
    });

    it('a server without single sign-on says so, and nothing is saved', async () => {
      const outcome = await carol.signInInOptions(plain.url, '', undefined, shot('1-not-configured'));
      expect(outcome.result).toBe('not-configured');
      expect(outcome.text).toBe(
        'Single sign-on is not set up on this server. Paste a token or use an invite link instead.',
      );
    });

    it('someone the email rules leave out is told so by the server, and nothing is saved', async () => {
      // A server (and provider) of its own: the provider remembers who signed in at it, as real
      // ones do, and the next sign-in there would not ask again.
      const refusing = await startSsoServer({ emailDomains: ['elsewhere.test'] });
      try {
        const outcome = await carol.signInInOptions(
          refusing.t.url,
          refusing.provider.issuer,
          'mallory@other.test',
          shot('2-refused'),
        );
        expect(outcome.result).toBe('refused');
        expect(outcome.text).toMatch(
          /^The server did not let you in: .*not allowed on this Collab Chat server/,
        );
        const members = await refusing.t.server.store.listUsers(refusing.t.tenants.a.id);
        expect(members.map((m) => m.name)).not.toContain('Mallory');
      } finally {
        await refusing.close();
      }
    });

    it('signs in through the provider’s login page, and a page goes live with their name', async () => {
      const outcome = await carol.signInInOptions(
        sso.t.url,
        sso.provider.issuer,
        'carol@allowed.test',
        shot('3-signed-in'),
      );
      expect(outcome.result).toBe('signed-in');
      expect(outcome.text).toBe(
        'Signed in: you are \u2068Carol\u2069 in \u2068Tenant A\u2069. The server and your session are saved.',
      );
      const tab = await carol.open(pages.url('long.html'));
      await carol.enableSiteOf(tab);
      await vi.waitFor(async () => expect(await tab.text('connection-state')).toBe('Live'), WAIT);
      const popup = await carol.readPopup(tab, (v) => v.me.includes('Carol'), shot('4-popup'));
      expect(popup.me).toContain('Tenant A');
      // The background renewed the session before using its token: the session's one token row now
      // expires later than its first access token did (each renewal sets a new expiry and hash).
      const session = async () =>
        (await sso.t.server.store.listTokens(sso.t.tenants.a.id)).find(
          (t) => t.label === 'signed in with single sign-on' && t.revokedAt === null,
        );
      await expect
        .poll(async () => {
          const row = await session();
          return row ? row.expiresAt! - row.createdAt : 0;
        }, WAIT)
        .toBeGreaterThan(ACCESS_MS);
      await tab.close();
    });

    it('signing out ends the session on the server and closes its connections', async () => {
      const tab = await carol.open(pages.url('long.html'));
      await vi.waitFor(async () => expect(await tab.text('connection-state')).toBe('Live'), WAIT);
      const before = await sso.t.server.store.listTokens(sso.t.tenants.a.id);
      const session = before.find((t) => t.label === 'signed in with single sign-on' && t.revokedAt === null);
      expect(session).toBeDefined();
      const outcome = await carol.signOutInOptions(shot('5-signed-out'));
      expect(outcome.result).toBe('signed-out');
      expect(outcome.text).toBe('Signed out. The server ended your session and closed its connections.');
      const after = await sso.t.server.store.listTokens(sso.t.tenants.a.id);
      expect(after.find((t) => t.id === session!.id)?.revokedAt).not.toBeNull();
      await vi.waitFor(() => expect(sso.t.server.stats().authenticated).toBe(0), WAIT);
      await vi.waitFor(async () => expect(await tab.text('connection-state')).not.toBe('Live'), WAIT);
      await tab.close();
    });

    it('someone unknown waits; an admin approves them on the dashboard with real clicks; they sign in', async () => {
      // A server that puts people its rules leave out on a waiting list, with a provider of its own.
      const waiting = await startSsoServer({ emailDomains: [], unknown: 'wait' });
      try {
        const first = await carol.signInInOptions(
          waiting.t.url,
          waiting.provider.issuer,
          'dave@outside.test',
          shot('6-waiting'),
        );
        expect(first.result).toBe('waiting');
        expect(first.text).toBe(
          'Your request to join is waiting for an admin of the team. Sign in again once they have approved it.',
        );
        const dashboard = await carol.open(`${waiting.t.server.httpUrl}/dashboard`);
        await dashboard.clickElement('#token');
        await dashboard.type(waiting.t.tokens.admin);
        await dashboard.clickElement('#sign-in-form button[type="submit"]');
        await expect
          .poll(() => textOf(dashboard, '#sso-requests tbody tr'), WAIT)
          .toMatch(/dave@outside\.test.*Dave.*waiting/);
        await dashboard.clickElement('#sso-requests button[aria-label="Approve dave@outside.test"]');
        await expect
          .poll(() => textOf(dashboard, '#sso-result'), WAIT)
          .toBe('dave@outside.test is now a member; they sign in again to start.');
        await dashboard.screenshot(shot('7-approved'));
        await dashboard.close();
        // The provider remembers Dave: signing in again asks nothing there.
        const again = await carol.signInInOptions(
          waiting.t.url,
          waiting.provider.issuer,
          undefined,
          shot('8-approved-signed-in'),
        );
        expect(again.result).toBe('signed-in');
        expect(again.text).toContain('you are \u2068Dave\u2069 in \u2068Tenant A\u2069');
      } finally {
        await waiting.close();
      }
    });
  });
}
