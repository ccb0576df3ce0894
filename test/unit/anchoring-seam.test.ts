// Keeps docs/anchoring.md honest: the overlay anchors only through entrypoints/overlay.content/anchoring.ts
// (`describeSelection`, `PageAnchors`), and `npm run bench:anchoring` measures that same `PageAnchors`.
// A second path in the product (a loop of its own over lib/anchoring) or a benchmark of something
// else would make the measured figures say nothing about the extension.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SEAM = 'entrypoints/overlay.content/anchoring.ts';
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** The module specifiers a source imports (static imports and re-exports). */
const importsOf = (source: string) =>
  [...source.matchAll(/^\s*(?:import|export)\b[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);

describe('the anchoring seam', () => {
  it('is the only extension module that imports lib/anchoring', () => {
    const importers = [...sources('entrypoints'), ...sources('components')].filter((file) =>
      importsOf(read(file)).some((spec) => /(^@\/|\/)lib\/anchoring(\/|$)/.test(spec)),
    );
    expect(importers).toEqual([SEAM]);
  });

  it('is what the overlay anchors and describes selections with', () => {
    const setup = read('entrypoints/overlay.content/setup.ts');
    expect(importsOf(setup)).toContain('./anchoring');
    expect(setup).toMatch(/import \{[^}]*\bPageAnchors\b[^}]*\} from '\.\/anchoring'/);
    expect(setup).toMatch(/import \{[^}]*\bdescribeSelection\b[^}]*\} from '\.\/anchoring'/);
    expect(setup).toContain('new PageAnchors(');
  });

  it('is what npm run bench:anchoring measures as the product path', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts['bench:anchoring']).toBe('tsx bench/anchoring/run.ts');
    expect(read('bench/anchoring/run.ts')).toContain("'../../test/anchoring-browser/bench-page.ts'");
    const page = read('test/anchoring-browser/bench-page.ts');
    expect(page).toMatch(
      /import \{[^}]*\bPageAnchors\b[^}]*\} from '\.\.\/\.\.\/entrypoints\/overlay\.content\/anchoring'/,
    );
    const product = page.slice(page.indexOf("if (path === 'product')"));
    expect(product.slice(0, product.indexOf("} else if (path === 'old')"))).toContain('new PageAnchors(');
  });
});
