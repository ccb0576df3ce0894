// Runs the store contract of test/server/store-contract.ts against SQLite: a fresh file per test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openSqliteStore } from '../../server/store/sqlite';
import { storeContract } from './store-contract';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

storeContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'collab-chat-contract-'));
  dirs.push(dir);
  return openSqliteStore(join(dir, 'store.db'));
});
