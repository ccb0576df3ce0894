// Our server in its own process for the benchmark: started from config like `npm start` does, on an
// SQLite file that survives a restart (the reconnect storm kills and restarts this process), with a
// bench tenant whose tokens are derived from fixed secrets so a restarted process accepts them again.
import { randomUUID } from 'node:crypto';
import { emit, serveRpc } from '../ipc';
import { benchSecret } from '../payload';
import { probeHandlers } from './probe';
import { createCollabServer } from '../../server/app';
import { hashToken } from '../../server/auth';
import { resolveConfig } from '../../server/config';
import type { Store } from '../../server/store/types';

const BENCH_TENANT = 'bench';

async function ensureTokens(store: Store, count: number): Promise<void> {
  if (await store.findTenant(BENCH_TENANT)) return;
  const tenant = await store.createTenant(BENCH_TENANT);
  for (let i = 0; i < count; i++) {
    const user = await store.createUser(tenant.id, `Bench User ${i}`);
    await store.insertToken({
      id: randomUUID(),
      tenantId: tenant.id,
      userId: user.id,
      role: 'member',
      label: `bench ${i}`,
      hash: hashToken(benchSecret(i)),
      createdAt: Date.now(),
    });
  }
}

async function main(): Promise<void> {
  const db = process.env.BENCH_DB;
  if (!db) throw new Error('BENCH_DB (the SQLite file) is required');
  const port = Number(process.env.BENCH_PORT ?? 0);
  const tokens = Number(process.env.BENCH_TOKENS ?? 64);
  // The defaults `serve` uses (heartbeat, hello timeout, slow-consumer bound), on loopback; quiet,
  // because a storm logs thousands of refused and reset sockets.
  // The store figure writes to a 10,000-comment thread: it raises the per-discussion limit.
  const config = resolveConfig(
    {},
    { MAX_COMMENTS_PER_DISCUSSION: process.env.BENCH_MAX_COMMENTS },
    { host: '127.0.0.1', port, db },
  );
  const server = await createCollabServer(config, { log: () => {} });
  await ensureTokens(server.store, tokens);
  const stop = () => void server.close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  serveRpc({ ...probeHandlers() });
  emit({ event: 'ready', port: server.port });
}

main().catch((err: unknown) => {
  console.error('bench: our server failed to start:', err);
  process.exit(1);
});
