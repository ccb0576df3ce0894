// The `collab-chat-server` command: serve, and the admin commands for tenants, users and tokens.
// `runCli` takes its arguments and output streams so tests run it in-process like another process.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { Role, type RoleT } from '../lib/protocol';
import { createCollabServer, type CollabServer } from './app';
import { issueToken, revokeToken } from './auth';
import { ConfigError, DEFAULTS, resolveConfig, SERVE_OPTIONS, type ServeFlags } from './config';
import { openStore } from './store/open';
import type { Store, Tenant, User } from './store/types';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
}

export class UsageError extends Error {}

const USAGE = `Usage: collab-chat-server <command> [options]

Commands:
  serve                                   run the relay server
  tenant create <name>                    create a tenant (a team)
  tenant list                             list tenants
  user add --tenant <id|name> --name <name>
                                          add a user to a tenant
  user list --tenant <id|name>            list a tenant's users
  user remove --tenant <id|name> --user <id|name>
                                          remove a user: tokens revoked (live connections close
                                          with 4403), notifications dropped; comments stay,
                                          as a former member's
  token create --tenant <id|name> --user <id|name> [--role member|admin] [--label <text>]
                                          create a token (printed once)
  token revoke <tokenId> [--tenant <id|name>]
                                          revoke a token; its live connections close with 4403
  token list --tenant <id|name>           list a tenant's tokens

Options of serve (each also read from its environment variable):
${Object.entries(SERVE_OPTIONS)
  .map(([flag, o]) => `  --${flag.padEnd(15)} ${o.env.padEnd(15)} ${o.help}`)
  .join('\n')}

Every command takes --db <path|url> (DATABASE_URL, default ${DEFAULTS.db}).`;

const dbOption = { db: { type: 'string' } } as const;

function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  positionals = 0,
) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.positionals.length > positionals) {
    throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[positionals])}`);
  }
  return parsed;
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`missing ${flag}`);
  return value;
}

async function withStore<T>(db: string | undefined, io: CliIo, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(db ?? io.env.DATABASE_URL ?? DEFAULTS.db);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function tenantOf(store: Store, idOrName: string): Promise<Tenant> {
  const tenant = await store.findTenant(idOrName);
  if (!tenant) throw new Error(`no tenant ${JSON.stringify(idOrName)}; see \`tenant list\``);
  return tenant;
}

async function userOf(store: Store, tenant: Tenant, idOrName: string): Promise<User> {
  const users = await store.listUsers(tenant.id);
  // By id, else the member (not a removed user) of that name.
  const user =
    users.find((u) => u.id === idOrName) ?? users.find((u) => u.name === idOrName && u.removedAt === null);
  if (!user) {
    throw new Error(
      `no user ${JSON.stringify(idOrName)} in ${tenant.name}; see \`user list --tenant ${tenant.id}\``,
    );
  }
  return user;
}

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/** Runs one command; resolves to the exit code. `serve` resolves only when the server stops. */
export async function runCli(argv: string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const [command, sub, ...rest] = argv;
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  try {
    switch (command) {
      case 'serve':
        return await serve(sub === undefined ? [] : [sub, ...rest], io, signal);
      case 'tenant':
        return await tenantCommand(sub, rest, io);
      case 'user':
        return await userCommand(sub, rest, io);
      case 'token':
        return await tokenCommand(sub, rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`error: ${err.message}\nRun \`collab-chat-server help\` for usage.`);
      return 2;
    }
    io.err(`error: ${(err as Error).message}`);
    return 1;
  }
}

async function serve(args: string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const options = Object.fromEntries(
    Object.keys(SERVE_OPTIONS).map((k) => [k, { type: 'string' }]),
  ) as Record<keyof typeof SERVE_OPTIONS, { type: 'string' }>;
  const { values } = parse(args, options);
  let config;
  try {
    config = resolveConfig(values as ServeFlags, io.env);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  const server = await createCollabServer(config);
  io.out(`Collab Chat server listening on ${server.url} (store: ${server.store.kind}, db: ${config.db})`);
  await untilStopped(server, io, signal);
  return 0;
}

/** Resolves after SIGINT/SIGTERM (or the signal) has closed the server. */
export async function untilStopped(server: CollabServer, io: CliIo, signal?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      io.out('Shutting down...');
      void server.close().then(resolve, (err: Error) => {
        io.err(`error while shutting down: ${err.message}`);
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop);
  });
}

async function tenantCommand(sub: string | undefined, args: string[], io: CliIo): Promise<number> {
  if (sub === 'create') {
    const { values, positionals } = parse(args, dbOption, 1);
    const name = required(positionals[0], 'the tenant name (tenant create <name>)');
    return withStore(values.db, io, async (store) => {
      const tenant = await store.createTenant(name.trim());
      io.out(`Created tenant ${tenant.name} (${tenant.id})`);
      return 0;
    });
  }
  if (sub === 'list') {
    const { values } = parse(args, dbOption);
    return withStore(values.db, io, async (store) => {
      const tenants = await store.listTenants();
      if (tenants.length === 0) io.out('No tenants yet; create one with `tenant create <name>`.');
      for (const t of tenants) io.out(`${t.id}\t${t.name}\t${iso(t.createdAt)}`);
      return 0;
    });
  }
  throw new UsageError(`unknown tenant command ${JSON.stringify(sub ?? '')}; use create or list`);
}

async function userCommand(sub: string | undefined, args: string[], io: CliIo): Promise<number> {
  const options = { ...dbOption, tenant: { type: 'string' }, name: { type: 'string' } } as const;
  if (sub === 'add') {
    const { values } = parse(args, options);
    const tenantArg = required(values.tenant, '--tenant <id|name>');
    const name = required(values.name, '--name <name>').trim();
    return withStore(values.db, io, async (store) => {
      const tenant = await tenantOf(store, tenantArg);
      const user = await store.createUser(tenant.id, name);
      io.out(`Added user ${user.name} (${user.id}) to ${tenant.name}`);
      return 0;
    });
  }
  if (sub === 'list') {
    const { values } = parse(args, options);
    const tenantArg = required(values.tenant, '--tenant <id|name>');
    return withStore(values.db, io, async (store) => {
      const tenant = await tenantOf(store, tenantArg);
      for (const u of await store.listUsers(tenant.id)) {
        io.out(
          `${u.id}\t${u.name}\t${iso(u.createdAt)}${u.removedAt === null ? '' : `\tremoved ${iso(u.removedAt)}`}`,
        );
      }
      return 0;
    });
  }
  if (sub === 'remove') {
    const { values } = parse(args, { ...dbOption, tenant: { type: 'string' }, user: { type: 'string' } });
    const tenantArg = required(values.tenant, '--tenant <id|name>');
    const userArg = required(values.user, '--user <id|name>');
    return withStore(values.db, io, async (store) => {
      const tenant = await tenantOf(store, tenantArg);
      const user = await userOf(store, tenant, userArg);
      const revoked = await store.removeUser(tenant.id, user.id);
      io.out(
        `Removed ${user.name} (${user.id}) from ${tenant.name}; ${revoked?.length ?? 0} token(s) revoked. ` +
          'Their comments stay, as a former member’s (without their name).',
      );
      return 0;
    });
  }
  throw new UsageError(`unknown user command ${JSON.stringify(sub ?? '')}; use add, list or remove`);
}

async function tokenCommand(sub: string | undefined, args: string[], io: CliIo): Promise<number> {
  if (sub === 'create') {
    const options = {
      ...dbOption,
      tenant: { type: 'string' },
      user: { type: 'string' },
      role: { type: 'string', default: 'member' },
      label: { type: 'string', default: '' },
    } as const;
    const { values } = parse(args, options);
    const tenantArg = required(values.tenant, '--tenant <id|name>');
    const userArg = required(values.user, '--user <id|name>');
    const role = Role.safeParse(values.role);
    if (!role.success)
      throw new UsageError(`--role must be member or admin, got ${JSON.stringify(values.role)}`);
    return withStore(values.db, io, async (store) => {
      const tenant = await tenantOf(store, tenantArg);
      const user = await userOf(store, tenant, userArg);
      if (user.removedAt !== null) {
        throw new Error(`${user.name} was removed from ${tenant.name}; add them again as a new user`);
      }
      const issued = await issueToken(store, {
        tenantId: tenant.id,
        userId: user.id,
        role: role.data as RoleT,
        label: values.label,
      });
      io.out(`Token ${issued.info.id} for ${user.name} (${issued.info.role}) in ${tenant.name}:`);
      io.out(issued.secret);
      io.out('It is shown only now; store it safely. Paste it into the extension options.');
      return 0;
    });
  }
  if (sub === 'revoke') {
    const { values, positionals } = parse(args, { ...dbOption, tenant: { type: 'string' } }, 1);
    const tokenId = required(positionals[0], 'the token id (token revoke <tokenId>)');
    return withStore(values.db, io, async (store) => {
      const tenantId = values.tenant === undefined ? undefined : (await tenantOf(store, values.tenant)).id;
      const info = await revokeToken(store, tokenId, tenantId === undefined ? {} : { tenantId });
      if (!info) throw new Error(`no token ${JSON.stringify(tokenId)}; see \`token list --tenant <t>\``);
      io.out(`Revoked token ${info.id}; its live connections close within about a second.`);
      return 0;
    });
  }
  if (sub === 'list') {
    const { values } = parse(args, { ...dbOption, tenant: { type: 'string' } });
    const tenantArg = required(values.tenant, '--tenant <id|name>');
    return withStore(values.db, io, async (store) => {
      const tenant = await tenantOf(store, tenantArg);
      const users = new Map((await store.listUsers(tenant.id)).map((u) => [u.id, u.name]));
      for (const t of await store.listTokens(tenant.id)) {
        const state = t.revokedAt === null ? 'active' : `revoked ${iso(t.revokedAt)}`;
        io.out(
          `${t.id}\t${users.get(t.userId) ?? t.userId}\t${t.role}\t${t.label || '-'}\t${iso(t.createdAt)}\t${state}`,
        );
      }
      return 0;
    });
  }
  throw new UsageError(`unknown token command ${JSON.stringify(sub ?? '')}; use create, revoke or list`);
}

/** Entry point of bin/collab-chat-server.js. */
export async function main(): Promise<void> {
  const io: CliIo = {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    env: process.env,
  };
  process.exitCode = await runCli(process.argv.slice(2), io);
}
