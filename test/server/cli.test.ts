// The admin CLI against a real SQLite file: tenants, users, tokens, and clear errors on bad input.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOSE } from '../../lib/protocol';
import { createCollabServer } from '../../server/app';
import { runCli, type CliIo } from '../../server/cli';
import { resolveConfig } from '../../server/config';
import { TestClient } from '../helpers/client';

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env };
  return { value, out, err, text: () => out.join('\n'), errors: () => err.join('\n') };
}

describe('collab-chat-server CLI', () => {
  let dir: string;
  let db: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'collab-chat-cli-'));
    db = join(dir, 'cli.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (args: string[], env?: Record<string, string>) => {
    const o = io(env);
    const code = await runCli(args, o.value);
    return { code, out: o.text(), err: o.errors() };
  };

  it('creates a tenant, a user and a token that the server accepts, lists and revokes it', async () => {
    expect((await run(['tenant', 'create', 'Team One', '--db', db])).code).toBe(0);
    expect((await run(['tenant', 'list', '--db', db])).out).toMatch(/ten_\S+\tTeam One/);
    // DATABASE_URL stands in for --db.
    const added = await run(['user', 'add', '--tenant', 'Team One', '--name', 'Ana'], { DATABASE_URL: db });
    expect(added.out).toMatch(/Added user Ana \(usr_\S+\) to Team One/);
    const created = await run([
      'token',
      'create',
      '--tenant',
      'Team One',
      '--user',
      'Ana',
      '--role',
      'admin',
      '--label',
      'laptop',
      '--db',
      db,
    ]);
    expect(created.code).toBe(0);
    const secret = created.out.match(/^cc_\S+$/m)?.[0];
    const tokenId = created.out.match(/Token (tok_\S+)/)?.[1];
    expect(secret).toBeDefined();

    const server = await createCollabServer(resolveConfig({ port: '0', db }, {}, { revocationPollMs: 100 }), {
      log: () => {},
    });
    try {
      const client = await TestClient.connect(server.url, secret!);
      expect(client.welcome).toMatchObject({
        user: { name: 'Ana' },
        tenant: { name: 'Team One' },
        role: 'admin',
      });

      const listed = await run(['token', 'list', '--tenant', 'Team One', '--db', db]);
      expect(listed.out).toContain(`${tokenId}\tAna\tadmin\tlaptop`);
      expect(listed.out).toContain('active');
      expect(listed.out).not.toContain(secret!.slice(3));

      expect((await run(['token', 'revoke', tokenId!, '--db', db])).code).toBe(0);
      expect((await client.closed).code).toBe(CLOSE.revoked);
      expect((await run(['token', 'list', '--tenant', 'Team One', '--db', db])).out).toMatch(
        /revoked \d{4}-/,
      );
    } finally {
      await server.close();
    }
  });

  it.each([
    [['frob'], 2, /unknown command "frob"/],
    [['tenant'], 2, /unknown tenant command/],
    [['tenant', 'create'], 2, /missing the tenant name/],
    [['user', 'add', '--name', 'X'], 2, /missing --tenant/],
    [['user', 'add', '--tenant', 'nope', '--name', 'X'], 1, /no tenant "nope"/],
    [
      ['token', 'create', '--tenant', 'T', '--user', 'u', '--role', 'boss'],
      2,
      /--role must be member or admin/,
    ],
    [['token', 'revoke', 'tok_missing'], 1, /no token "tok_missing"/],
    [['token', 'list', '--bogus'], 2, /Unknown option '--bogus'/],
    [['serve', '--port', 'eighty'], 2, /--port \/ PORT must be a whole number/],
    [['serve', '--tls-cert', 'cert.pem'], 2, /needs both --tls-cert/],
    [
      ['serve', '--replay-events', '0'],
      2,
      /--replay-events \/ REPLAY_WINDOW_EVENTS must be a whole number from 1/,
    ],
    [['serve', '--max-team-bytes', 'lots'], 2, /--max-team-bytes \/ MAX_TEAM_BYTES must be a whole number/],
    [['serve', '--db', 'mysql://x'], 1, /unsupported database/],
    // Port 1 on the loopback: nothing listens there, the connection is refused at once.
    [
      ['serve', '--port', '0', '--redis', 'redis://127.0.0.1:1'],
      1,
      /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/,
    ],
  ])('%j exits %i with a clear message', async (args, code, message) => {
    const result = await run([...args, ...(args[0] === 'serve' && args[1] === '--db' ? [] : ['--db', db])]);
    expect(result.code).toBe(code);
    expect(result.err).toMatch(message);
  });

  it('prints usage for help', async () => {
    for (const args of [['help'], ['serve', '--help'], ['token', 'create', '-h']]) {
      const result = await run(args);
      expect(result.code).toBe(0);
      expect(result.out).toMatch(/token revoke <tokenId>/);
      expect(result.out).toMatch(/--tls-cert/);
    }
  });

  it('serves until stopped', async () => {
    const stop = new AbortController();
    const o = io();
    const serving = runCli(['serve', '--port', '0', '--db', db], o.value, stop.signal);
    await expect.poll(() => o.text()).toMatch(/listening on ws:\/\/127\.0\.0\.1:\d+/);
    const url = o.text().match(/ws:\/\/\S+/)![0];
    const res = await fetch(url.replace('ws:', 'http:') + '/healthz');
    expect(res.status).toBe(200);
    stop.abort();
    expect(await serving).toBe(0);
    expect(o.text()).toMatch(/Shutting down/);
  });
});

describe('serve: store settings', () => {
  it('reads the replay window and the limits from flags and the environment, with defaults', () => {
    const defaults = resolveConfig({}, {});
    expect(defaults.replayWindow).toEqual({ events: 1000, ageMs: 7 * 24 * 3_600_000 });
    expect(defaults.limits).toEqual({
      discussionsPerPage: 500,
      commentsPerDiscussion: 2000,
      tenantBytes: 256 * 1024 * 1024,
    });
    const set = resolveConfig(
      { 'replay-events': '50', 'max-discussions-per-page': '7' },
      { REPLAY_WINDOW_HOURS: '2', MAX_COMMENTS_PER_DISCUSSION: '9', MAX_TEAM_BYTES: '4096' },
    );
    expect(set.replayWindow).toEqual({ events: 50, ageMs: 2 * 3_600_000 });
    expect(set.limits).toEqual({ discussionsPerPage: 7, commentsPerDiscussion: 9, tenantBytes: 4096 });
  });
});

describe('serve: single sign-on settings', () => {
  const full = {
    SSO_ISSUER: 'https://login.example.com/realms/acme',
    SSO_CLIENT_ID: 'collab-chat',
    SSO_CLIENT_SECRET: 's3cret',
    SSO_TENANT: 'Acme',
    SSO_PUBLIC_URL: 'https://chat.example.com/',
    SSO_EMAIL_DOMAINS: 'Example.com, @example.org',
    SSO_ALLOWED_EMAILS: 'Guest@Elsewhere.test',
  };

  it('is off without an issuer, with the default session lifetimes', () => {
    const config = resolveConfig({}, {});
    expect(config.sso).toBeUndefined();
    expect(config.sessionLifetimes).toEqual({ accessMs: 15 * 60_000, refreshMs: 30 * 86_400_000 });
  });

  it('reads the provider, the team and who may enter from flags and the environment', () => {
    const config = resolveConfig({ 'sso-unknown': 'wait', 'session-minutes': '5' }, full);
    expect(config.sso).toEqual({
      issuer: 'https://login.example.com/realms/acme',
      clientId: 'collab-chat',
      clientSecret: 's3cret',
      tenant: 'Acme',
      publicUrl: 'https://chat.example.com',
      emailDomains: ['example.com', 'example.org'],
      allowedEmails: ['guest@elsewhere.test'],
      unknown: 'wait',
      extensionIds: [],
    });
    expect(config.sessionLifetimes?.accessMs).toBe(5 * 60_000);
  });

  it.each([
    [{ SSO_CLIENT_ID: 'x' }, /--sso-client-id is set but --sso-issuer/],
    [{ ...full, SSO_TENANT: '' }, /needs --sso-tenant/],
    [{ ...full, SSO_PUBLIC_URL: 'http://chat.example.com' }, /--sso-public-url .* must be https/],
    [{ ...full, SSO_ISSUER: 'not a url' }, /--sso-issuer .* must be a URL/],
    [{ ...full, SSO_UNKNOWN: 'maybe' }, /must be refuse or wait/],
    [{ ...full, SSO_EMAIL_DOMAINS: 'not a domain' }, /is not a domain/],
    [{ ...full, SSO_EMAIL_DOMAINS: '', SSO_ALLOWED_EMAILS: '' }, /lets no one in/],
  ])('refuses a half or wrong setup at startup, saying which: %o', (env, words) => {
    expect(() => resolveConfig({}, env)).toThrow(words);
  });
});
