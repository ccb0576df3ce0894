// Runs the fixture corpus (test/fixtures/anchoring/corpus.ts): describe each annotation on the page
// before the edit, anchor it on the page after, and check the exact span found (or the orphan).
import { afterAll, describe as suite, expect, it } from 'vitest';
import { CORPUS, parseMarked } from '../../test/fixtures/anchoring/corpus';
import type { SelectorT } from '../protocol/frames';
import { Selectors } from '../protocol/frames';
import { describe, locate, TextIndex } from '.';

function load(html: string): HTMLElement {
  document.body.innerHTML = `<main>${html}</main>`;
  return document.querySelector('main')!;
}

/** Selectors for the bracketed passage of `marked` on the page `html`. */
function annotate(html: string, marked: string, minimal: boolean): SelectorT[] {
  const root = load(html);
  const index = TextIndex.build(root);
  const { before, quote, after } = parseMarked(marked);
  const at = index.text.indexOf(before + quote + after);
  if (at < 0 || index.text.indexOf(before + quote + after, at + 1) >= 0) {
    throw new Error(`"${marked}" must occur exactly once on the page`);
  }
  const start = at + before.length;
  const range = index.toRange(start, start + quote.length)!;
  return describe(range, root, { index, ...(minimal ? { minContextChars: 0 } : {}) });
}

const tally = { total: 0, correct: 0 };

for (const c of CORPUS) {
  suite(`corpus: ${c.name}`, () => {
    it.each(c.annotations)('$note', (a) => {
      const selectors = annotate(c.before, a.select, a.context === 'minimal');
      expect(Selectors.safeParse(selectors).success).toBe(true);
      const root = load(c.after);
      const index = TextIndex.build(root);
      const found = locate(selectors, root, { index });
      tally.total++;
      if (a.expect === null) {
        expect(
          found,
          `should be an orphan, found "${found && index.text.slice(found.match.start, found.match.end)}"`,
        ).toBeNull();
      } else {
        const want = parseMarked(a.expect);
        expect(found, 'should anchor').not.toBeNull();
        const { start, end } = index.rangeOffsets(found!.range)!;
        expect(index.text.slice(start, end)).toBe(want.quote);
        expect(index.text.slice(start - want.before.length, start)).toBe(want.before);
        expect(index.text.slice(end, end + want.after.length)).toBe(want.after);
      }
      tally.correct++;
    });
  });
}

afterAll(() => {
  // The figure quoted in docs/anchoring.md.
  console.log(`anchoring corpus: ${tally.correct} of ${tally.total} annotations placed as expected`);
});
