// What `npm start` adds around `serve`: on an empty database it creates the "Demo team" with Ana
// (admin) and Bruno (member) and prints their tokens and the next steps; later starts say how to
// get a new token.
import { relative, resolve } from 'node:path';
import type { RoleT } from '../lib/protocol';
import { createCollabServer } from './app';
import { issueToken } from './auth';
import { resolveConfig, type ServeFlags } from './config';
import { untilStopped, type CliIo } from './cli';
import type { Store, Tenant } from './store/types';

export const DEMO_TENANT = 'Demo team';
const DEMO_USERS: { name: string; role: RoleT }[] = [
  { name: 'Ana', role: 'admin' },
  { name: 'Bruno', role: 'member' },
];

export type DemoSeed =
  | { created: true; tenant: Tenant; tokens: { name: string; role: RoleT; secret: string }[] }
  | { created: false };

/** Creates the demo tenant, users and tokens when the store has no tenant at all. */
export async function seedDemoIfEmpty(store: Store): Promise<DemoSeed> {
  if ((await store.listTenants()).length > 0) return { created: false };
  const tenant = await store.createTenant(DEMO_TENANT);
  const tokens = [];
  for (const { name, role } of DEMO_USERS) {
    const user = await store.createUser(tenant.id, name);
    const issued = await issueToken(store, {
      tenantId: tenant.id,
      userId: user.id,
      role,
      label: 'npm start demo',
    });
    tokens.push({ name, role, secret: issued.secret });
  }
  return { created: true, tenant, tokens };
}

/** Runs the demo server from the project root until Ctrl-C. */
export async function runDemo(root: string, flags: ServeFlags, io: CliIo): Promise<void> {
  // npm start is the zero-configuration path: flags only, no environment (see README).
  const config = resolveConfig(flags, {});
  const server = await createCollabServer(config);
  const seed = await seedDemoIfEmpty(server.store);
  const db = relative(root, resolve(config.db)) || config.db;
  const cli = 'node bin/collab-chat-server.js';
  const lines = [
    '',
    `Collab Chat server running at ${server.url}  (health check: ${server.httpUrl}/healthz)`,
    `Data: ${resolve(config.db)}`,
    '',
  ];
  if (seed.created) {
    lines.push(
      `First start: created the tenant "${seed.tenant.name}" with two users. Their tokens (shown only now):`,
    );
    for (const t of seed.tokens) lines.push(`  ${t.name.padEnd(6)} ${`(${t.role})`.padEnd(9)} ${t.secret}`);
  } else {
    lines.push(
      'Tokens were printed on the first start. To make a new one:',
      `  ${cli} user list --tenant "${DEMO_TENANT}" --db ${db}`,
      `  ${cli} token create --tenant "${DEMO_TENANT}" --user Ana --db ${db}`,
    );
  }
  lines.push(
    '',
    'Next steps:',
    '  1. Load the extension:',
    `     Chrome:  chrome://extensions → Developer mode → Load unpacked → ${resolve(root, '.output/chrome-mv3')}`,
    `     Firefox: about:debugging#/runtime/this-firefox → Load Temporary Add-on → ${resolve(root, '.output/firefox-mv2/manifest.json')}`,
    `  2. Open the extension's options: server URL ${server.url}, and paste a token.`,
    '  3. On any web page, open the Collab Chat toolbar popup and turn it on for that site.',
    "  Two people? Use Ana's token in one browser (or profile) and Bruno's in another.",
    `  Admin dashboard (usage, live pages, tokens): ${server.httpUrl}/dashboard — sign in with Ana's (admin) token.`,
    '',
    'Press Ctrl-C to stop.',
  );
  io.out(lines.join('\n'));
  await untilStopped(server, io);
}
