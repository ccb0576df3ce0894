// The usage contract against the SQLite store (the PostgreSQL store runs it too).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../server/store/sqlite';
import { describeUsageContract } from '../helpers/usage-contract';

describeUsageContract('SqliteStore', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'collab-chat-usage-'));
  const store = openSqliteStore(join(dir, 'usage.db'));
  return {
    store,
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
