// The Origin allowlist (`--allowed-origins` / `ALLOWED_ORIGINS`): parsing, matching, and the HTTP
// 403 a refused browser origin gets before any WebSocket exists.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ConfigError, resolveConfig } from '../../server/config';
import { OriginPolicy, parseAllowedOrigins } from '../../server/origin';
import { TestClient } from '../helpers/client';
import { startTestServer } from '../helpers/server';

const CHROME = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';

describe('origin policy', () => {
  const policy = new OriginPolicy([CHROME, 'moz-extension://*', 'https://*.example.com']);
  const check = (origin?: string) =>
    policy.check({ headers: origin === undefined ? {} : { origin } }).allowed;

  it.each([
    [CHROME, true],
    [CHROME.toUpperCase(), true],
    ['chrome-extension://otherextensionidotherextensionid', false],
    ['moz-extension://0f3c4b3e-5d9a-4c61-9b7e-2f1a8f0e6d11', true],
    ['https://app.example.com', true],
    ['https://example.com', false],
    ['https://evil.com/.example.com', false],
    ['https://app.example.com.evil.com', false],
    ['http://app.example.com', false],
    ['null', false],
    [undefined, true],
  ])('%s → allowed %s', (origin, allowed) => {
    expect(check(origin)).toBe(allowed);
  });

  it('allows everything when no allowlist is configured', () => {
    expect(new OriginPolicy(undefined).check({ headers: { origin: 'https://evil.com' } }).allowed).toBe(true);
    expect(new OriginPolicy([]).enabled).toBe(false);
  });

  it('parses the comma-separated list and rejects what is not an origin', () => {
    expect(parseAllowedOrigins(` ${CHROME} , *-extension://* ,`)).toEqual([CHROME, '*-extension://*']);
    expect(() => parseAllowedOrigins('chrome-extension')).toThrow(/not an origin/);
    expect(() => parseAllowedOrigins('https://a.com/path')).toThrow(/not an origin/);
    expect(resolveConfig({}, { ALLOWED_ORIGINS: CHROME }).allowedOrigins).toEqual([CHROME]);
    expect(resolveConfig({ 'allowed-origins': 'moz-extension://*' }, {}).allowedOrigins).toEqual([
      'moz-extension://*',
    ]);
    expect(resolveConfig({}, {}).allowedOrigins).toBeUndefined();
    expect(() => resolveConfig({ 'allowed-origins': 'nope' }, {})).toThrow(ConfigError);
  });
});

describe('origin allowlist on a live server', () => {
  it('answers a disallowed Origin with HTTP 403 before the upgrade, and lets listed and Origin-less clients in', async () => {
    const t = await startTestServer({ allowedOrigins: [CHROME, 'moz-extension://*'] });
    try {
      const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const ws = new WebSocket(t.url, { origin: 'https://evil.example' });
        ws.on('open', () => reject(new Error('a disallowed origin was upgraded')));
        ws.on('error', () => {});
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
      });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatch(/not allowed on this server.*--allowed-origins/);
      expect(t.server.stats().connections).toBe(0);

      for (const origin of [CHROME, 'moz-extension://5d9a4c61-9b7e', undefined]) {
        const c = await TestClient.connect(t.url, t.tokens.alice, origin ? { origin } : {});
        expect(c.welcome?.user.name).toBe('Alice');
        await c.close();
      }
    } finally {
      await t.close();
    }
  });
});
