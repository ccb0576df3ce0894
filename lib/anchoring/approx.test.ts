// Property: approxSearch gives exactly what approx-string-match's search gives (the library it
// replaces for speed), on patterns across block boundaries and texts holding edited copies of them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import reference from 'approx-string-match';
import { approxSearch } from './approx';

const ALPHABETS = [
  ['a', 'b'],
  ['a', 'c', 'g', 't', ' '],
  'abcdefghijklmnopqrstuvwxyz ,.'.split(''),
  // Beyond the first 256 characters, and a surrogate pair.
  ['a', 'é', 'ж', '中', '😀', ' ', 'b'],
];

const edit = fc.record({ kind: fc.constantFrom('insert', 'delete', 'replace'), at: fc.nat(), ch: fc.nat() });

/**
 * A pattern (1–160 characters: up to five 32-character blocks), a text, edited copies of the pattern
 * planted in it, and limits from none to more than the pattern's length.
 */
const input = fc.constantFrom(...ALPHABETS).chain((alphabet) => {
  // Lengths spread evenly up to the maximum (fast-check's default keeps arrays short).
  const letters = (max: number, min = 0) =>
    fc
      .array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max, size: 'max' })
      .map((l) => l.join(''));
  return fc
    .record({
      pattern: letters(160, 1),
      text: letters(400),
      copies: fc.array(fc.record({ at: fc.nat(), edits: fc.array(edit, { maxLength: 12 }) }), {
        maxLength: 3,
      }),
      ratio: fc.constantFrom(0, 0.05, 0.2, 0.3, 0.5, 1, 1.2),
    })
    .map(({ pattern, text, copies, ratio }) => {
      for (const c of copies) {
        let copy = pattern;
        for (const e of c.edits) {
          const at = e.at % (copy.length + 1);
          const ch = alphabet[e.ch % alphabet.length]!;
          if (e.kind === 'insert') copy = copy.slice(0, at) + ch + copy.slice(at);
          else copy = copy.slice(0, at) + (e.kind === 'replace' ? ch : '') + copy.slice(at + 1);
        }
        const at = c.at % (text.length + 1);
        text = text.slice(0, at) + copy + text.slice(at);
      }
      return { pattern, text, maxErrors: Math.floor(pattern.length * ratio) };
    });
});

describe('approxSearch', () => {
  it('finds what approx-string-match finds', () => {
    let withMatches = 0;
    fc.assert(
      fc.property(input, ({ text, pattern, maxErrors }) => {
        const expected = reference(text, pattern, maxErrors);
        if (expected.length > 0) withMatches++;
        expect(approxSearch(text, pattern, maxErrors)).toEqual(expected);
      }),
      { numRuns: 1500 },
    );
    // The comparison means something only if many inputs had matches.
    expect(withMatches).toBeGreaterThan(300);
  });

  it('reports every end with the fewest errors, and the longest match for each', () => {
    expect(approxSearch('xx abc yy abd zz abc', 'abc', 1)).toEqual([
      { start: 3, end: 6, errors: 0 },
      { start: 17, end: 20, errors: 0 },
    ]);
    expect(approxSearch('the quick brown fox', 'quack', 2)).toEqual(
      reference('the quick brown fox', 'quack', 2),
    );
    expect(approxSearch('the quick brown fox', 'quack', 2)[0]).toMatchObject({ start: 4, errors: 1 });
  });

  it('finds a pattern longer than one 32-character block', () => {
    const pattern = 'the quick brown fox jumps over the lazy dog, twice';
    const text = `some text before ${pattern.replace('lazy', 'hazy')} and after`;
    expect(approxSearch(text, pattern, 5)).toEqual([{ start: 17, end: 17 + pattern.length, errors: 1 }]);
  });

  it('finds nothing for an empty pattern, an empty text or a match over the limit', () => {
    expect(approxSearch('abc', '', 2)).toEqual([]);
    expect(approxSearch('', 'abc', 2)).toEqual([]);
    expect(approxSearch('xyz', 'abc', 2)).toEqual([]);
    expect(approxSearch('xyz', 'abc', 3)).toEqual(reference('xyz', 'abc', 3));
  });
});
