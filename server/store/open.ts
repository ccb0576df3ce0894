// Picks the store implementation for a database setting: a file path (or sqlite: URL) opens the
// embedded SQLite store; postgres:// URLs belong to the PostgreSQL store.
import { resolve } from 'node:path';
import { openPostgresStore } from './postgres';
import { openSqliteStore } from './sqlite';
import type { Store, StoreOptions } from './types';

export async function openStore(
  dbUrlOrPath: string,
  log?: (message: string) => void,
  options: StoreOptions = {},
): Promise<Store> {
  if (/^postgres(ql)?:\/\//i.test(dbUrlOrPath)) {
    return openPostgresStore({
      url: dbUrlOrPath,
      ...options,
      ...(log && {
        onError: (err: Error) => log(`PostgreSQL connection failed (${err.message}); reconnecting`),
      }),
    });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(dbUrlOrPath) && !dbUrlOrPath.startsWith('file://')) {
    throw new Error(
      `unsupported database ${JSON.stringify(dbUrlOrPath)}: give a file path for SQLite (e.g. ./data/collab-chat.db)`,
    );
  }
  const path = dbUrlOrPath.startsWith('file://')
    ? new URL(dbUrlOrPath).pathname
    : dbUrlOrPath.replace(/^sqlite:/, '');
  return openSqliteStore(path === ':memory:' ? path : resolve(path), options);
}
