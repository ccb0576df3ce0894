// Keeps docs/architecture.md true to the module list: every source file of the extension and the
// server is named there (by its file name), and every file name the document gives in backticks
// exists in the repository. A module added, moved or removed without the document following fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const DOC = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
const FOLDERS = ['lib', 'entrypoints', 'components', 'server'];

function sources(dir: string, recursive = true): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.(test|d)\.tsx?$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

const files = FOLDERS.flatMap((dir) => sources(dir));
/** What the document may also name: tests' helpers, scripts, benchmarks and the build's config. */
const others = [...['test', 'scripts', 'bench'].flatMap((dir) => sources(dir)), ...sources('.', false)];

it('names every source module', () => {
  expect(files.length).toBeGreaterThan(100);
  const unnamed = files.filter((f) => !DOC.includes(basename(f)));
  expect(unnamed, 'modules docs/architecture.md does not name').toEqual([]);
});

it('names no module that is not there', () => {
  const known = new Set([...files, ...others].map((f) => basename(f)));
  // Every `something.ts` / `Something.tsx` in backticks, alone or at the end of a path.
  const named = [...DOC.matchAll(/`(?:[\w.-]+\/)*([\w.-]+\.tsx?)`/g)].map((m) => m[1]!);
  expect(named.length).toBeGreaterThan(50);
  const missing = [...new Set(named)].filter((n) => !known.has(n) && !/\.(test|d)\.tsx?$/.test(n));
  expect(missing, 'file names in docs/architecture.md with no such module').toEqual([]);
});
