// Single sign-on on the PostgreSQL store: the same flow as sso.test.ts against a real OpenID Connect
// provider, with identities, one-time values, waiting requests and rotating refresh tokens in
// PostgreSQL (row locks and ON CONFLICT instead of SQLite's single writer).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE } from '../../lib/protocol';
import { openPostgresStore, type PostgresStore } from '../../server/store/postgres';
import { TestClient } from '../helpers/client';
import { post, signIn, signInOverHttp, startOf, startSsoServer, type SsoTestSetup } from '../helpers/oidc';
import {
  createTempDatabase,
  DATABASE_URL,
  probePostgres,
  serviceAvailable,
  type TempDatabase,
} from '../helpers/services';

const available = await serviceAvailable(`PostgreSQL at ${DATABASE_URL}`, 'DATABASE_URL', () =>
  probePostgres(),
);

describe.runIf(available)('single sign-on on PostgreSQL', () => {
  let db: TempDatabase;
  let store: PostgresStore;
  let s: SsoTestSetup;
  beforeAll(async () => {
    db = await createTempDatabase();
    store = await openPostgresStore({ url: await db.schemaUrl(`s_${randomBytes(5).toString('hex')}`) });
    s = await startSsoServer({ allowedEmails: [], unknown: 'wait' }, {}, { store });
  });
  afterAll(async () => {
    await s?.close();
    await store?.close();
    await db?.drop();
  });

  it('signs an allowed identity in, renews with rotation, and ends the session when a refresh token is reused', async () => {
    const session = await signIn(s, 'nora@allowed.test');
    const renewed = await post(s, '/sso/token', {
      grant_type: 'refresh_token',
      refresh_token: session.refreshToken,
    });
    expect(renewed.status).toBe(200);
    const c = await TestClient.connect(s.t.url, renewed.body.token as string);
    expect(c.welcome?.user.name).toBe('Nora');
    // Two presenters of the same refresh token at once: one renews, the other ends the session.
    const both = await Promise.all([
      post(s, '/sso/token', { grant_type: 'refresh_token', refresh_token: renewed.body.refreshToken }),
      post(s, '/sso/token', { grant_type: 'refresh_token', refresh_token: renewed.body.refreshToken }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 401]);
    expect((await c.closed).code).toBe(CLOSE.revoked);
  });

  it('puts someone unknown on the waiting list; an admin approves; they sign in', async () => {
    const first = await signInOverHttp(startOf(s).url, 'omar@outside.test');
    expect(first.redirect?.searchParams.get('error')).toBe('sso-waiting');
    const list = await fetch(new URL('/api/sso/requests', s.t.server.httpUrl), {
      headers: { authorization: `Bearer ${s.t.tokens.admin}` },
    });
    const { requests } = (await list.json()) as { requests: { id: string; email: string }[] };
    const omar = requests.find((r) => r.email === 'omar@outside.test')!;
    const approved = await fetch(new URL(`/api/sso/requests/${omar.id}/approve`, s.t.server.httpUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${s.t.tokens.admin}` },
    });
    expect(approved.status).toBe(200);
    const session = await signIn(s, 'omar@outside.test');
    const c = await TestClient.connect(s.t.url, session.token);
    expect(c.welcome?.user.name).toBe('Omar');
    await c.close();
  });
});
