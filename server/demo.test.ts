import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authenticate } from './auth';
import { DEMO_TENANT, seedDemoIfEmpty } from './demo';
import { openSqliteStore, type SqliteStore } from './store/sqlite';

describe('seedDemoIfEmpty', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'collab-chat-demo-'));
    store = openSqliteStore(join(dir, 'demo.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the demo team with working tokens for Ana (admin) and Bruno (member), once', async () => {
    const seed = await seedDemoIfEmpty(store);
    if (!seed.created) throw new Error('expected a seed');
    expect(seed.tenant.name).toBe(DEMO_TENANT);
    const who = [];
    for (const t of seed.tokens) {
      const result = await authenticate(store, t.secret);
      if (result.status !== 'ok') throw new Error(result.status);
      who.push([result.auth.user.name, result.auth.token.role, result.auth.tenant.name]);
    }
    expect(who).toEqual([
      ['Ana', 'admin', DEMO_TENANT],
      ['Bruno', 'member', DEMO_TENANT],
    ]);
    expect(await seedDemoIfEmpty(store)).toEqual({ created: false });
    expect(await store.listTenants()).toHaveLength(1);
  });
});
