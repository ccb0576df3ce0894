// The single sign-on part of the store contract (SsoStore in server/store/types.ts), run against
// SQLite and PostgreSQL alike: `describeSsoContract('SqliteStore', open)`.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionRotation, Store } from '../../server/store/types';
import type { OpenedStore } from './store-contract';

const ISSUER = 'https://idp.example';

const rotation = (n: number, now: number): SessionRotation => ({
  accessHash: `access-${n}`.padEnd(64, '0'),
  expiresAt: now + 60_000,
  refreshHash: `refresh-${n}`.padEnd(64, '0'),
  refreshExpiresAt: now + 3_600_000,
});

export function describeSsoContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`${name} (single sign-on contract)`, () => {
    let opened: OpenedStore;
    let store: Store;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(() => opened.dispose());

    it('gives a one-time value once, and never after it expired', async () => {
      await store.sso.putOneTime('login:a', '{"x":1}', 2000);
      await store.sso.putOneTime('login:b', 'b', 2000);
      expect(await store.sso.takeOneTime('login:a', 1000)).toBe('{"x":1}');
      expect(await store.sso.takeOneTime('login:a', 1000)).toBeNull();
      expect(await store.sso.takeOneTime('login:b', 2000)).toBeNull();
      expect(await store.sso.takeOneTime('login:none', 1000)).toBeNull();
      // Two takers racing for one value: exactly one gets it.
      await store.sso.putOneTime('code:c', 'c', 5000);
      const both = await Promise.all([
        store.sso.takeOneTime('code:c', 1),
        store.sso.takeOneTime('code:c', 1),
      ]);
      expect(both.filter((v) => v === 'c')).toHaveLength(1);
      await store.sso.putOneTime('old', 'o', 10);
      expect(await store.sso.compact(100)).toBeGreaterThanOrEqual(1);
      expect(await store.sso.takeOneTime('old', 0)).toBeNull();
    });

    it('links an identity to one member per tenant, also when two first sign-ins race', async () => {
      const a = await store.createTenant('A');
      const b = await store.createTenant('B');
      const id = { issuer: ISSUER, subject: 'sub-1' };
      const [one, two] = await Promise.all([
        store.sso.addMember(a.id, id, { userId: 'usr_one', name: 'Ada', at: 1 }),
        store.sso.addMember(a.id, id, { userId: 'usr_two', name: 'Ada', at: 1 }),
      ]);
      expect(one.user.id).toBe(two.user.id);
      expect([one.created, two.created].sort()).toEqual([false, true]);
      expect((await store.listUsers(a.id)).map((u) => u.name)).toEqual(['Ada']);
      expect(await store.sso.findMember(a.id, ISSUER, 'sub-1')).toEqual(one.user);
      // The same subject of another issuer, or in another tenant, is someone else.
      expect(await store.sso.findMember(a.id, 'https://other.example', 'sub-1')).toBeNull();
      expect(await store.sso.findMember(b.id, ISSUER, 'sub-1')).toBeNull();
      // A linked member erased from the directory: the link is stale, and the next sign-in makes a new one.
      expect(await store.dropUnusedMember(a.id, one.user.id)).toBe(true);
      expect(await store.sso.findMember(a.id, ISSUER, 'sub-1')).toBeNull();
      const again = await store.sso.addMember(a.id, id, { userId: 'usr_three', name: 'Ada', at: 2 });
      expect(again).toMatchObject({ user: { id: 'usr_three' }, created: true });
    });

    it('keeps one waiting request per identity, decided once; approving makes the member', async () => {
      const a = await store.createTenant('A');
      const admin = await store.createUser(a.id, 'Admin');
      const base = { tenantId: a.id, issuer: ISSUER, email: 'gi@x.test', name: 'Gi', requestedAt: 10 };
      const first = await store.sso.request({ ...base, id: 'req_1', subject: 's-gi' });
      expect(first.created).toBe(true);
      expect(first.request).toMatchObject({ id: 'req_1', decision: null, userId: null });
      const again = await store.sso.request({ ...base, id: 'req_2', subject: 's-gi', requestedAt: 20 });
      expect(again).toEqual({ request: first.request, created: false });
      await store.sso.request({ ...base, id: 'req_3', subject: 's-ho', email: 'ho@x.test', requestedAt: 30 });
      expect((await store.sso.listRequests(a.id, 10)).map((r) => r.id)).toEqual(['req_3', 'req_1']);

      const approved = await store.sso.decide(a.id, 'req_1', 'approved', admin.id, 40, { userId: 'usr_gi' });
      expect(approved?.changed).toBe(true);
      expect(approved?.request).toMatchObject({
        decision: 'approved',
        decidedAt: 40,
        decidedBy: admin.id,
        userId: 'usr_gi',
      });
      expect((await store.sso.findMember(a.id, ISSUER, 's-gi'))?.name).toBe('Gi');
      const twice = await store.sso.decide(a.id, 'req_1', 'refused', admin.id, 50, { userId: 'usr_x' });
      expect(twice).toEqual({ request: approved!.request, changed: false });
      expect(
        await store.sso.decide(a.id, 'req_none', 'approved', admin.id, 50, { userId: 'usr_y' }),
      ).toBeNull();
      const other = await store.createTenant('B');
      expect(
        await store.sso.decide(other.id, 'req_3', 'approved', admin.id, 50, { userId: 'usr_z' }),
      ).toBeNull();
      const refused = await store.sso.decide(a.id, 'req_3', 'refused', admin.id, 60, { userId: 'usr_ho' });
      expect(refused?.request).toMatchObject({ decision: 'refused', userId: null });
      expect(await store.sso.findMember(a.id, ISSUER, 's-ho')).toBeNull();
      // Undecided first, then the newest decisions.
      await store.sso.request({ ...base, id: 'req_4', subject: 's-iv', requestedAt: 5 });
      expect((await store.sso.listRequests(a.id, 10)).map((r) => r.id)).toEqual(['req_4', 'req_3', 'req_1']);
      expect(await store.sso.findRequest(a.id, ISSUER, 's-ho')).toEqual(refused!.request);
    });

    it('rotates a refresh token once; a spent one ends the session; expiry and revocation end it too', async () => {
      const a = await store.createTenant('A');
      const ada = await store.createUser(a.id, 'Ada');
      const token = await store.sso.startSession({
        token: {
          id: 'tok_s',
          tenantId: a.id,
          userId: ada.id,
          role: 'member',
          label: 'signed in',
          hash: 'access-0'.padEnd(64, '0'),
          createdAt: 1000,
          expiresAt: 2000,
        },
        refreshHash: 'refresh-0'.padEnd(64, '0'),
        refreshExpiresAt: 10_000,
      });
      expect(token).toMatchObject({ id: 'tok_s', expiresAt: 2000, revokedAt: null });
      expect((await store.findTokenByHash('access-0'.padEnd(64, '0')))?.token.expiresAt).toBe(2000);

      const r1 = await store.sso.rotateSession('refresh-0'.padEnd(64, '0'), 1500, rotation(1, 1500));
      expect(r1.status).toBe('rotated');
      if (r1.status !== 'rotated') return;
      expect(r1.auth.token).toMatchObject({ id: 'tok_s', expiresAt: 61_500 });
      expect(r1.auth.user).toEqual(ada);
      // The access token is the new one; the old one no longer opens anything.
      expect(await store.findTokenByHash('access-0'.padEnd(64, '0'))).toBeNull();
      expect((await store.findTokenByHash('access-1'.padEnd(64, '0')))?.token.id).toBe('tok_s');

      // Two presenters of the next refresh token at once: one rotates, the other ends the session.
      const raced = await Promise.all([
        store.sso.rotateSession('refresh-1'.padEnd(64, '0'), 1600, rotation(2, 1600)),
        store.sso.rotateSession('refresh-1'.padEnd(64, '0'), 1600, rotation(3, 1600)),
      ]);
      expect(raced.map((r) => r.status).sort()).toEqual(['reused', 'rotated']);
      const reused = raced.find((r) => r.status === 'reused');
      expect(reused).toMatchObject({ token: { id: 'tok_s', revokedAt: 1600 } });
      expect((await store.tokensRevokedSince(1600)).map((t) => t.id)).toEqual(['tok_s']);
      // The winner's new refresh token belongs to the ended session.
      const won = raced[0]!.status === 'rotated' ? 2 : 3;
      expect(
        (await store.sso.rotateSession(`refresh-${won}`.padEnd(64, '0'), 1700, rotation(9, 1700))).status,
      ).toBe('revoked');
      expect((await store.sso.rotateSession('unknown'.padEnd(64, '0'), 1700, rotation(9, 1700))).status).toBe(
        'unknown',
      );

      // An expired refresh token ends nothing and renews nothing.
      await store.sso.startSession({
        token: {
          id: 'tok_t',
          tenantId: a.id,
          userId: ada.id,
          role: 'member',
          label: 'signed in',
          hash: 'access-t'.padEnd(64, '0'),
          createdAt: 1000,
          expiresAt: 2000,
        },
        refreshHash: 'refresh-t'.padEnd(64, '0'),
        refreshExpiresAt: 3000,
      });
      expect(
        (await store.sso.rotateSession('refresh-t'.padEnd(64, '0'), 3000, rotation(8, 3000))).status,
      ).toBe('expired');
      expect(await store.sso.compact(3000)).toBeGreaterThanOrEqual(1);
      expect(
        (await store.sso.rotateSession('refresh-t'.padEnd(64, '0'), 3000, rotation(8, 3000))).status,
      ).toBe('unknown');
    });
  });
}
