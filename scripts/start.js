#!/usr/bin/env node
// `npm start`: builds the extension when its build is missing or older than its sources, then runs
// the server on 127.0.0.1:8787 with ./data/collab-chat.db (creating a demo team on first start).
// Extra flags pass through: `npm start -- --port 9000`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { register } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = [
  'entrypoints',
  'components',
  'lib',
  'assets',
  'public',
  'locales',
  'wxt.config.ts',
  'package.json',
];
const OUTPUTS = ['.output/chrome-mv3/manifest.json', '.output/firefox-mv2/manifest.json'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function buildIsStale() {
  const sources = Math.max(...SOURCES.map((p) => newestMtime(join(root, p))));
  return OUTPUTS.some((p) => {
    const out = join(root, p);
    return !existsSync(out) || statSync(out).mtimeMs < sources;
  });
}

let flags;
try {
  const parsed = parseArgs({
    args: process.argv.slice(2),
    options: { host: { type: 'string' }, port: { type: 'string' }, db: { type: 'string' } },
    strict: true,
  });
  flags = parsed.values;
} catch (err) {
  console.error(
    `error: ${err.message}\nnpm start accepts --host, --port and --db (e.g. npm start -- --port 9000).`,
  );
  process.exit(2);
}

if (buildIsStale()) {
  console.log('Building the extension (npm run build)...');
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('error: the extension build failed (see above); fix it and run npm start again.');
    process.exit(1);
  }
} else {
  console.log('The extension build in .output/ is up to date.');
}

register();
const { runDemo } = await import('../server/demo.ts');
const io = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  env: process.env,
};
try {
  await runDemo(root, { host: '127.0.0.1', port: '8787', db: './data/collab-chat.db', ...flags }, io);
} catch (err) {
  console.error(`error: ${err.message}`);
  process.exit(1);
}
