// Starts a real server on port 0 with a fresh SQLite file in a temp dir, seeded with two tenants:
// A (alice and bob, members; admin, an admin) and B (eve, a member). Reused by every server test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCollabServer, type CollabServer, type ServerParts } from '../../server/app';
import { issueToken } from '../../server/auth';
import { DEFAULTS, type ServerConfig } from '../../server/config';
import { openStore } from '../../server/store/open';
import type { Tenant, User } from '../../server/store/types';

export type TestUserName = 'alice' | 'bob' | 'admin' | 'eve';

export interface TestServer {
  /** The running server; replaced by `restart()`. */
  readonly server: CollabServer;
  /** ws:// URL of the running server. */
  readonly url: string;
  readonly dir: string;
  readonly dbPath: string;
  readonly config: ServerConfig;
  tenants: { a: Tenant; b: Tenant };
  users: Record<TestUserName, User>;
  /** A live token per user (`cc_...`). */
  tokens: Record<TestUserName, string>;
  /** Token ids (for revocation), per user. */
  tokenIds: Record<TestUserName, string>;
  /** Stops the server and starts a new one (new port) on the same database file. */
  restart(): Promise<void>;
  /** Stops the server and leaves it down (an outage); `start()` brings it back. */
  stop(): Promise<void>;
  /** Starts the server again on the same config and database file after `stop()`. */
  start(): Promise<void>;
  /** Stops the server and removes the temp dir. */
  close(): Promise<void>;
}

export async function startTestServer(
  overrides: Partial<ServerConfig> = {},
  parts: ServerParts = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'collab-chat-test-'));
  const dbPath = join(dir, 'test.db');
  const config: ServerConfig = {
    host: '127.0.0.1',
    port: 0,
    db: dbPath,
    helloTimeoutMs: DEFAULTS.helloTimeoutMs,
    heartbeatMs: DEFAULTS.heartbeatMs,
    revocationPollMs: 100,
    maxBufferedBytes: DEFAULTS.maxBufferedBytes,
    ...overrides,
  };

  // Seed through a store of its own, as the CLI would, before the server opens the file.
  const seedStore = parts.store ?? (await openStore(config.db));
  const a = await seedStore.createTenant('Tenant A');
  const b = await seedStore.createTenant('Tenant B');
  const users = {
    alice: await seedStore.createUser(a.id, 'Alice'),
    bob: await seedStore.createUser(a.id, 'Bob'),
    admin: await seedStore.createUser(a.id, 'Admin'),
    eve: await seedStore.createUser(b.id, 'Eve'),
  };
  const tokens = {} as Record<TestUserName, string>;
  const tokenIds = {} as Record<TestUserName, string>;
  for (const name of Object.keys(users) as TestUserName[]) {
    const user = users[name];
    const issued = await issueToken(seedStore, {
      tenantId: user.tenantId,
      userId: user.id,
      role: name === 'admin' ? 'admin' : 'member',
      label: `test ${name}`,
    });
    tokens[name] = issued.secret;
    tokenIds[name] = issued.info.id;
  }
  if (!parts.store) await seedStore.close();

  let server: CollabServer;
  try {
    server = await createCollabServer(config, { log: () => {}, ...parts });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    get server() {
      return server;
    },
    get url() {
      return server.url;
    },
    dir,
    dbPath,
    config,
    tenants: { a, b },
    users,
    tokens,
    tokenIds,
    async restart() {
      await server.close();
      server = await createCollabServer(config, { log: () => {}, ...parts });
    },
    async stop() {
      await server.close();
    },
    async start() {
      server = await createCollabServer(config, { log: () => {}, ...parts });
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
