// `--tls-cert` / `--tls-key`: the server speaks wss:// and https:// directly.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../helpers/certificate';
import { TestClient } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';

describe('TLS', () => {
  let dir: string;
  let t: TestServer;
  let ca: Buffer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'collab-chat-tls-'));
    const { cert, key } = selfSignedCertificate(dir);
    ca = readFileSync(cert);
    t = await startTestServer({ tlsCert: cert, tlsKey: key });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves wss:// and https:// /healthz with the given certificate', async () => {
    expect(t.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    const client = await TestClient.connect(t.url, t.tokens.alice, { ca });
    expect(client.welcome?.user.name).toBe('Alice');
    await client.close();
    const status = await new Promise<number>((resolve, reject) => {
      get(`${t.server.httpUrl}/healthz`, { ca }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(status).toBe(200);
  });

  it('refuses plain ws:// on the TLS port, and wss:// with an untrusted certificate', async () => {
    const plain = t.url.replace(/^wss:/, 'ws:');
    await expect(TestClient.open(plain)).rejects.toThrow();
    await expect(TestClient.open(t.url)).rejects.toThrow(/self[- ]signed|certificate/i);
    expect(t.server.stats().connections).toBe(0);
  });

  it('answers plain HTTP on the TLS port by naming itself and asking for TLS', async () => {
    const res = await fetch(`${t.server.httpUrl.replace(/^https:/, 'http:')}/healthz`);
    expect(res.status).toBe(400);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.json()).toMatchObject({ service: 'collab-chat', status: 'tls-required' });
    expect(t.server.stats().connections).toBe(0);
  });

  it('says which file it cannot read', async () => {
    await expect(
      startTestServer({ tlsCert: join(dir, 'missing.pem'), tlsKey: join(dir, 'key.pem') }),
    ).rejects.toThrow(/cannot read the TLS certificate .*missing\.pem/);
  });
});
