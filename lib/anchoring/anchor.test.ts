import { describe as suite, expect, it } from 'vitest';
import { LIMITS } from '../protocol/limits';
import { Selectors, type TextQuoteSelectorT } from '../protocol/frames';
import { filler } from '../../test/fixtures/anchoring/corpus';
import { anchor, anchorAll, describe, locate, AnchoringError, MATCH, TextIndex, uniqueContext } from '.';

function page(html: string): HTMLElement {
  document.body.innerHTML = `<main>${html}</main>`;
  return document.querySelector('main')!;
}

/** A Range over the first occurrence of `words` in root's text (may cross elements). */
function select(root: Node, words: string, nth = 0): Range {
  const index = TextIndex.build(root);
  let at = -1;
  for (let i = 0; i <= nth; i++) at = index.text.indexOf(words, at + 1);
  if (at < 0) throw new Error(`"${words}" is not on the page: ${index.text}`);
  return index.toRange(at, at + words.length)!;
}

function quoteOf(selectors: ReturnType<typeof describe>): TextQuoteSelectorT {
  return selectors.find((s) => s.type === 'TextQuoteSelector') as TextQuoteSelectorT;
}

suite('text index', () => {
  it('collapses whitespace, NBSP and block gaps into single spaces', () => {
    const root = page(
      '<p>  Hello\n   <b>wide</b>&nbsp;&nbsp;world</p><p>Next</p><ul><li>a</li><li>b</li></ul>',
    );
    expect(TextIndex.build(root).text).toBe('Hello wide world Next a b');
  });

  it('leaves out scripts, styles and ignored subtrees', () => {
    const root = page(
      '<p>one</p><script>var x = 1;</script><style>p{}</style><div id="host">overlay</div><p>two</p>',
    );
    const index = TextIndex.build(root, { ignore: (n) => (n as Element).id === 'host' });
    expect(index.text).toBe('one two');
  });

  it('maps boundary points in elements to text offsets', () => {
    const root = page('<p>ab</p><p>cd</p>');
    const index = TextIndex.build(root);
    expect(index.offsetOf(root, 1)).toBe(3); // before the second paragraph: "ab " precede it
    expect(index.offsetOf(root, 2)).toBe(5);
  });
});

suite('describe', () => {
  it('produces a quote, a position and a structural selector that the protocol accepts', () => {
    const root = page('<p>The quick <em>brown</em> fox jumps over the lazy dog.</p>');
    const selectors = describe(select(root, 'brown fox'), root);
    expect(Selectors.safeParse(selectors).success).toBe(true);
    expect(selectors.map((s) => s.type)).toEqual([
      'TextQuoteSelector',
      'TextPositionSelector',
      'RangeSelector',
    ]);
    // A fixed minimum of context on both sides (here all the page has), though the quote is unique.
    expect(quoteOf(selectors)).toEqual({
      type: 'TextQuoteSelector',
      exact: 'brown fox',
      prefix: 'The quick ',
      suffix: ' jumps over the lazy dog.',
    });
    expect(selectors[1]).toEqual({ type: 'TextPositionSelector', start: 10, end: 19 });
    expect(selectors[2]).toMatchObject({
      startContainer: '/p[1]/em[1]/text()[1]',
      endContainer: '/p[1]/text()[2]',
    });
  });

  it('leaves out endContainer when the range ends in the node it starts in, and anchors from it', () => {
    const root = page('<p>one two three four</p>');
    const selectors = describe(select(root, 'two three'), root);
    expect(selectors[2]).toEqual({
      type: 'RangeSelector',
      startContainer: '/p[1]/text()[1]',
      startOffset: 4,
      endOffset: 13,
    });
    // With the position gone, the one-node structural hint alone places it.
    const found = locate([selectors[0]!, selectors[2]!], root)!;
    expect(found.match.method).toBe('structure');
    expect(found.range.toString()).toBe('two three');
  });

  it('trims the surrounding whitespace of a selection', () => {
    const root = page('<p>alpha beta gamma</p>');
    const index = TextIndex.build(root);
    const r = index.toRange(0, 5)!;
    r.setStart(r.startContainer, 5); // " beta " with spaces on both sides
    r.setEnd(r.startContainer, 11);
    expect(quoteOf(describe(r, root)).exact).toBe('beta');
  });

  it('adds the shortest context that makes a repeated quote unique, when asked for no minimum', () => {
    const root = page('<p>see the cat. saw the cat. see the dog.</p>');
    const q = quoteOf(describe(select(root, 'the cat', 1), root, { minContextChars: 0 }));
    expect(q.exact).toBe('the cat');
    // "a" is one char of prefix telling "saw the cat" from "see the cat"; no suffix needed
    expect(q.prefix).toBe('w ');
    expect(q.suffix).toBeUndefined();
  });

  it('finds the cheapest split of prefix and suffix', () => {
    const text = 'xa Q by; ya Q bz; xa Q bz';
    const at = text.lastIndexOf('Q');
    const ctx = uniqueContext(text, at, at + 1);
    expect(ctx.unique).toBe(true);
    // " xa " (4) rules out both others: the first Q has only "xa " before it, the second "ya ".
    // Any split with a suffix costs more: " bz" (3) still matches the second Q.
    expect(ctx).toEqual({ prefix: 4, suffix: 0, unique: true });
  });

  it('stores at least minContextChars of context when asked, within the page', () => {
    const root = page('<p>one two three four</p>');
    const q = quoteOf(describe(select(root, 'two'), root, { minContextChars: 6 }));
    expect(q).toEqual({ type: 'TextQuoteSelector', exact: 'two', prefix: 'one ', suffix: ' three' });
  });

  it('caps context at 32 characters and says when it is not unique', () => {
    const block = 'z'.repeat(50);
    const text = `${block}Q${block}${block}Q${block}`;
    const at = text.lastIndexOf('Q');
    const ctx = uniqueContext(text, at, at + 1);
    expect(ctx).toEqual({ prefix: 32, suffix: 32, unique: false });
  });

  it('refuses a quote longer than LIMITS.quoteChars with a clear error', () => {
    const root = page(`<p>${'word '.repeat(LIMITS.quoteChars)}</p>`);
    const index = TextIndex.build(root);
    const range = index.toRange(0, index.text.length)!;
    expect(() => describe(range, root)).toThrow(AnchoringError);
    expect(() => describe(range, root)).toThrow(/at most 1000\. Select a shorter passage/);
  });

  it('refuses an empty selection and one outside the root', () => {
    const root = page('<p>text</p>');
    const empty = document.createRange();
    empty.setStart(root.firstChild!.firstChild!, 2);
    expect(() => describe(empty, root)).toThrow(/holds no text/);
    const outside = document.createElement('div');
    outside.textContent = 'elsewhere';
    document.body.append(outside);
    const r = document.createRange();
    r.selectNodeContents(outside);
    expect(() => describe(r, root)).toThrow(/outside/);
  });

  it('describes a selection whose ends are elements (a whole paragraph)', () => {
    const root = page('<p>first</p><p>second <i>para</i></p><p>third</p>');
    const r = document.createRange();
    r.selectNode(root.children[1]!);
    expect(quoteOf(describe(r, root)).exact).toBe('second para');
  });
});

suite('anchor', () => {
  it('round-trips on an unchanged page by position', () => {
    const root = page('<p>one two <b>three</b> four</p><p>five six</p>');
    const selectors = describe(select(root, 'three four five'), root);
    const found = locate(selectors, root)!;
    expect(found.match.method).toBe('position');
    expect(found.range.toString()).toBe('three fourfive');
  });

  it('falls back to the exact quote after text is inserted before it', () => {
    const root = page('<p>alpha beta gamma delta</p>');
    const selectors = describe(select(root, 'gamma'), root);
    root.insertAdjacentHTML('afterbegin', '<p>A new lede paragraph.</p>');
    const found = locate(selectors, root)!;
    expect(found.match.method).toBe('exact');
    expect(found.range.toString()).toBe('gamma');
  });

  it('picks the occurrence whose context matches', () => {
    const root = page('<p>see the cat. saw the cat. see the dog.</p>');
    const selectors = describe(select(root, 'the cat', 1), root);
    root.insertAdjacentHTML('afterbegin', '<p>the cat the cat</p>');
    const found = locate(selectors, root)!;
    const index = TextIndex.build(root);
    expect(index.text.slice(found.match.start - 4, found.match.end)).toBe('saw the cat');
  });

  it('finds an edited quote fuzzily and orphans an unrelated page', () => {
    const root = page(
      '<p>Intro.</p><p>The committee approved the budget for the new library on Tuesday.</p>',
    );
    const selectors = describe(select(root, 'approved the budget for the new library'), root);
    root.children[1]!.textContent = 'The committee approved a budget for the new public library on Tuesday.';
    const found = locate(selectors, root)!;
    expect(found.match.method).toBe('fuzzy');
    expect(found.range.toString()).toBe('approved a budget for the new public library');
    root.innerHTML = '<p>Nothing here is like what was quoted before, at all.</p>';
    expect(anchor(selectors, root)).toBeNull();
  });

  it('prefers an edited copy in the right context over an exact copy in the wrong one', () => {
    const root = page(
      '<p>Report from Paris: the black cat sat on the mat.</p><p>Report from Berlin: the black cat sat on the mat.</p>',
    );
    const selectors = describe(select(root, 'the black cat sat on the mat', 1), root);
    root.children[1]!.textContent = 'Report from Berlin: the black cat sat on a mat.';
    const found = locate(selectors, root)!;
    expect(found.match.method).toBe('fuzzy');
    expect(found.range.toString()).toBe('the black cat sat on a mat');
    expect(found.range.startContainer.parentElement).toBe(root.children[1]);
  });

  it('returns null for selectors without a quote', () => {
    const root = page('<p>text</p>');
    expect(anchor([{ type: 'TextPositionSelector', start: 0, end: 2 }], root)).toBeNull();
  });
});

suite('anchorAll', () => {
  it('anchors many items on one index, yielding between slices, and reports orphans as null', async () => {
    const root = page(
      Array.from({ length: 50 }, (_, i) => `<p>Paragraph number ${i} has its own words.</p>`).join(''),
    );
    const index = TextIndex.build(root);
    const items = Array.from({ length: 50 }, (_, i) => {
      const at = index.text.indexOf(`number ${i} has`);
      return {
        id: `d${i}`,
        selectors: describe(index.toRange(at, at + `number ${i} has`.length)!, root, { index }),
      };
    });
    items.push({ id: 'gone', selectors: [{ type: 'TextQuoteSelector', exact: 'not on this page at all' }] });
    const seen: string[] = [];
    // A budget of 0 ms forces a yield after every step: the result must not depend on slicing.
    const outcome = await anchorAll(items, root, { budgetMs: 0, onResult: (r) => seen.push(r.id) });
    expect(outcome.slices).toBeGreaterThan(50);
    expect(seen).toEqual(items.map((i) => i.id));
    outcome.results.slice(0, 50).forEach((r, i) => expect(r.range!.toString()).toBe(`number ${i} has`));
    expect(outcome.results[50]).toMatchObject({ id: 'gone', range: null, match: null });
  });

  it('stops with the abort reason when the signal fires', async () => {
    const root = page('<p>one two three</p>');
    const controller = new AbortController();
    controller.abort(new Error('page changed'));
    await expect(
      anchorAll([{ id: 'a', selectors: [{ type: 'TextQuoteSelector', exact: 'two' }] }], root, {
        signal: controller.signal,
      }),
    ).rejects.toThrow('page changed');
  });
});

suite('fuzzy search over a long page', () => {
  it('finds an edited quote that straddles the boundary between two scanned slices, with no old position', () => {
    const paragraphs = filler(3, 120);
    const root = page(paragraphs.map((p) => `<p>${p}</p>`).join(''));
    const index = TextIndex.build(root);
    expect(index.text.length).toBeGreaterThan(MATCH.fuzzySliceChars + 1000);
    // A passage that crosses the first slice boundary, cut at spaces.
    const start = index.text.lastIndexOf(' ', MATCH.fuzzySliceChars - 60) + 1;
    const end = index.text.indexOf(' ', MATCH.fuzzySliceChars + 60);
    const exact = index.text.slice(start, end);
    const node = index.pointAt(index.text.indexOf(' ', start + 10))!;
    node.node.insertData(node.offset, ' quietly');
    const found = locate([{ type: 'TextQuoteSelector', exact }], root)!;
    expect(found.match.method).toBe('fuzzy');
    const after = TextIndex.build(root);
    const o = after.rangeOffsets(found.range)!;
    expect(after.text.slice(o.start, o.end)).toBe(after.text.slice(start, end + ' quietly'.length));
  });
});
