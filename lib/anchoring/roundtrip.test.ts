// Property: on an unchanged page, any selection anchors back to exactly the text it quoted, and after
// unrelated text is added in front of it, still to that text.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describe, locate, TextIndex } from '.';

const word = fc.constantFrom('river', 'stone', 'the', 'a', 'light', 'über', 'café', '1887', 'x', 'of');
const inline = fc.constantFrom('b', 'i', 'span', 'a', 'em');
const chunk = fc.oneof(
  fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(' ')),
  fc
    .tuple(inline, fc.array(word, { minLength: 1, maxLength: 3 }))
    .map(([t, w]) => `<${t}>${w.join(' ')}</${t}>`),
  fc.constantFrom(' ', '\n  ', '&nbsp;', '&amp;'),
);
const block = fc
  .tuple(fc.constantFrom('p', 'li', 'td', 'h2', 'div'), fc.array(chunk, { minLength: 1, maxLength: 6 }))
  .map(([t, parts]) => `<${t}>${parts.join('')}</${t}>`);
const html = fc.array(block, { minLength: 2, maxLength: 12 }).map((b) => b.join(''));

it('describe → anchor returns the quoted text, before and after an unrelated insertion', () => {
  fc.assert(
    fc.property(html, fc.nat(), fc.nat(), (markup, a, b) => {
      document.body.innerHTML = `<main>${markup}</main>`;
      const root = document.querySelector('main')!;
      const index = TextIndex.build(root);
      const n = index.text.length;
      fc.pre(n > 1);
      let start = a % n;
      let end = start + 1 + (b % Math.min(200, n - start));
      ({ start, end } = index.trim(start, end));
      fc.pre(start < end);
      const selectors = describe(index.toRange(start, end)!, root, { index });
      const quoted = index.text.slice(start, end);

      const same = locate(selectors, root)!;
      expect(same).not.toBeNull();
      const o = index.rangeOffsets(same.range)!;
      expect(index.text.slice(o.start, o.end)).toBe(quoted);

      root.insertAdjacentHTML('afterbegin', '<p>Inserted lede with new words.</p>');
      const after = TextIndex.build(root);
      const moved = locate(selectors, root, { index: after })!;
      expect(moved).not.toBeNull();
      const m = after.rangeOffsets(moved.range)!;
      expect(after.text.slice(m.start, m.end)).toBe(quoted);
    }),
    { numRuns: 150 },
  );
});
