// Joining a team with an invite link, in a real browser, written once for both: an admin signs in to
// the server's dashboard and makes an invite link with real clicks; the link's page says what it is;
// a new person pastes the link and their name into the options page ("Join with an invite link"),
// the extension joins, and their page goes live with their name shown; an expired link gets its own
// words and saves nothing.
import { join } from 'node:path';
import { beforeAll, expect, it, vi } from 'vitest';
import type { TestServer } from '../helpers/server';
import {
  ARTIFACTS,
  type BrowserName,
  type PageServer,
  scenarioSuite,
  type Tab,
  type UserBrowser,
} from './harness';

const WAIT = { timeout: 15_000, interval: 100 };

const textOf = (tab: Tab, css: string) =>
  tab.evaluate((c) => document.querySelector(c)?.textContent ?? null, css);

export function inviteScenarios(
  name: BrowserName,
  launch: (extensionDir: string) => Promise<UserBrowser>,
): void {
  scenarioSuite(
    { browser: name, title: 'joining with an invite link', launch, users: { dana: null } },
    (world) => {
      let server: TestServer;
      let pages: PageServer;
      let dana: UserBrowser;
      let link = '';
      const shot = (step: string) => join(ARTIFACTS, `${name}-invite-${step}.png`);

      beforeAll(() => {
        ({ server, pages } = world);
        ({ dana } = world.users);
      });

      beforeAll(async () => {
        // The options page the extension opens on install is there before any other tab opens.
        expect(await dana.hasFirstRunOptionsPage()).toBe(true);
      });

      it('an admin makes an invite link on the dashboard, and the link’s page says what it is', async () => {
        const dashboard = await dana.open(`${server.server.httpUrl}/dashboard`);
        await dashboard.clickElement('#token');
        await dashboard.type(server.tokens.admin);
        await dashboard.clickElement('#sign-in-form button[type="submit"]');
        await expect.poll(() => textOf(dashboard, '#team-name'), WAIT).toContain('Tenant A');
        await dashboard.clickElement('#new-invite-form button[type="submit"]');
        // Polled on the whole result, so that a failure shows the dashboard's own words.
        await expect.poll(() => textOf(dashboard, '#new-invite-result'), WAIT).toMatch(/\/invite#cci_/);
        link = (await textOf(dashboard, '#new-invite-link'))!;
        expect(link.startsWith(`${server.server.httpUrl}/invite#cci_`)).toBe(true);
        await expect
          .poll(() => textOf(dashboard, '#invites tbody tr'), WAIT)
          .toMatch(/member.*0 of 1.*active/);
        await dashboard.screenshot(shot('1-dashboard'));
        await dashboard.close();
        const invitePage = await dana.open(link);
        await expect.poll(() => textOf(invitePage, '#invite-team'), WAIT).toBe('Tenant A');
        expect(await textOf(invitePage, '#invite-role')).toBe('member');
        expect(await textOf(invitePage, 'body')).toContain('Join with an invite link');
        await invitePage.screenshot(shot('2-invite-page'));
        await invitePage.close();
      });

      it('an expired invite link gets its own words, and nothing is saved', async () => {
        const res = await fetch(`${server.server.httpUrl}/api/invites`, {
          method: 'POST',
          headers: { authorization: `Bearer ${server.tokens.admin}`, 'content-type': 'application/json' },
          body: JSON.stringify({ expiresInHours: 0.0002 }),
        });
        const { path } = (await res.json()) as { path: string };
        const expired = `${server.server.httpUrl}${path}`;
        await expect
          .poll(async () => {
            const r = await fetch(`${server.server.httpUrl}/invite/preview`, {
              method: 'POST',
              body: JSON.stringify({ invite: expired }),
            });
            return ((await r.json()) as { code?: string }).code;
          }, WAIT)
          .toBe('invite-expired');
        const outcome = await dana.joinInOptions(expired, 'Dana', shot('3-expired'));
        expect(outcome.result).toBe('invite-expired');
        expect(outcome.text).toBe('This invite link has expired. Ask your admin for a new one.');
      });

      it('the new person pastes the link and their name, joins, and their page goes live with their name', async () => {
        const outcome = await dana.joinInOptions(link, 'Dana', shot('4-joined'));
        expect(outcome.result).toBe('joined');
        expect(outcome.text).toBe(
          'Joined: you are \u2068Dana\u2069 in \u2068Tenant A\u2069. The server and your new token are saved.',
        );
        const tab = await dana.open(pages.url('long.html'));
        await dana.enableSiteOf(tab);
        await vi.waitFor(async () => expect(await tab.text('connection-state')).toBe('Live'), WAIT);
        const popup = await dana.readPopup(tab, (v) => v.me.includes('Dana'), shot('5-popup'));
        expect(popup.me).toContain('Tenant A');
        // The invite is used up now, and the dashboard's audit says who joined.
        const audit = await fetch(`${server.server.httpUrl}/api/audit`, {
          headers: { authorization: `Bearer ${server.tokens.admin}` },
        });
        const { entries } = (await audit.json()) as {
          entries: { kind: string; subject: { name: string } }[];
        };
        expect(entries.find((e) => e.kind === 'invite-redeemed')?.subject.name).toBe('Dana');
        await tab.close();
      });
    },
  );
}
