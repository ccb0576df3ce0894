import { describe, expect, it } from 'vitest';
import { discussionLink, encodeTextTerm, linkedDiscussionId, quoteOfSelectors, textDirective } from './links';

const PAGE = 'https://example.com/article?a=1';
const ID = 'Kx3v9QmZ0aP1rT7wYb2LcA';

/** Decodes a directive back into its terms, as a browser reads it. */
function terms(directive: string) {
  const parts = directive.replace(/^text=/, '').split(',');
  return parts.map((p) => {
    if (p.endsWith('-')) return { prefix: decodeURIComponent(p.slice(0, -1)) };
    if (p.startsWith('-')) return { suffix: decodeURIComponent(p.slice(1)) };
    return { text: decodeURIComponent(p) };
  });
}

describe('encodeTextTerm', () => {
  it.each([
    ['a-b', 'a%2Db'],
    ['one, two', 'one%2C%20two'],
    ['R&D', 'R%26D'],
    ['São Paulo', 'S%C3%A3o%20Paulo'],
    ['100% sure', '100%25%20sure'],
    ['a#b:~:c', 'a%23b%3A~%3Ac'],
    ['日本語', '%E6%97%A5%E6%9C%AC%E8%AA%9E'],
  ])('%s → %s', (term, encoded) => {
    expect(encodeTextTerm(term)).toBe(encoded);
    expect(decodeURIComponent(encoded)).toBe(term);
  });
});

describe('textDirective', () => {
  it('a short quote with whole-word context on each side', () => {
    const d = textDirective({
      exact: 'the quick fox',
      prefix: 'ng about how ',
      suffix: ' jumps over the lazy do',
    });
    // "ng" and "do" are cut words of the context: left out.
    expect(terms(d!)).toEqual([
      { prefix: 'about how' },
      { text: 'the quick fox' },
      { suffix: 'jumps over the' },
    ]);
  });

  it('keeps the syntax characters of the quote out of the syntax', () => {
    const d = textDirective({ exact: 'cost-benefit, R&D - done', prefix: '', suffix: '' })!;
    expect(d).toBe('text=cost%2Dbenefit%2C%20R%26D%20%2D%20done');
    expect(d.replace(/^text=/, '').split(',')).toHaveLength(1);
    expect(d).not.toMatch(/[&]|-(?!$)/);
  });

  it('widens a quote that starts or ends inside a word to the whole word', () => {
    const d = textDirective({ exact: 'ick brown fo', prefix: 'one two the qu', suffix: 'x jumps high' });
    expect(terms(d!)).toEqual([{ prefix: 'two the' }, { text: 'quick brown fox' }, { suffix: 'jumps' }]);
  });

  it('collapses whitespace (a line break between blocks reads as a space)', () => {
    expect(textDirective({ exact: '  first\n\n second\t ' })).toBe('text=first%20second');
  });

  it('links a long quote by its first and last words', () => {
    const exact = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    // Context cut at a fixed length may begin and end inside a word: its outer words are left out.
    const d = textDirective({ exact, prefix: 'just before it ', suffix: ' after it ends' })!;
    expect(terms(d)).toEqual([
      { prefix: 'before it' },
      { text: 'word0 word1 word2 word3' },
      { text: 'word56 word57 word58 word59' },
      { suffix: 'after it' },
    ]);
    expect(d.length).toBeLessThan(200);
  });

  it('cuts a long quote without spaces between code points', () => {
    const exact = '😀'.repeat(50) + '漢'.repeat(100);
    const [start, end] = terms(textDirective({ exact })!) as Array<{ text: string }>;
    expect([...start!.text]).toHaveLength(40);
    expect(start!.text.startsWith('😀')).toBe(true);
    expect(end!.text).toBe('漢'.repeat(40));
  });

  it('keeps non-ASCII text whole and encoded', () => {
    const d = textDirective({ exact: 'Ação — “citação”', prefix: 'uma ', suffix: ' aqui' })!;
    expect(d).not.toMatch(/[^\x21-\x7e]/);
    expect(terms(d)).toEqual([{ prefix: 'uma' }, { text: 'Ação — “citação”' }, { suffix: 'aqui' }]);
  });

  it('nothing to find: no directive', () => {
    expect(textDirective({ exact: '   ' })).toBeNull();
  });
});

describe('discussionLink', () => {
  it('the page, the discussion and the quote', () => {
    expect(discussionLink(PAGE, ID, { exact: 'hello world' })).toBe(
      `${PAGE}#cc-chat=${ID}:~:text=hello%20world`,
    );
  });

  it('without a quote: the discussion only', () => {
    expect(discussionLink(PAGE, ID)).toBe(`${PAGE}#cc-chat=${ID}`);
  });

  it('replaces a fragment the page URL had', () => {
    expect(discussionLink('https://example.com/a#top', ID)).toBe(`https://example.com/a#cc-chat=${ID}`);
  });

  it('reads its own link back, with the directive kept or removed by the browser', () => {
    const link = new URL(discussionLink(PAGE, ID, { exact: 'a-b, c' }));
    expect(linkedDiscussionId(link.hash)).toBe(ID);
    expect(linkedDiscussionId(`#cc-chat=${ID}`)).toBe(ID);
  });
});

describe('linkedDiscussionId', () => {
  it.each([
    ['', null],
    ['#', null],
    ['#section-2', null],
    [`#other=1&cc-chat=${ID}`, ID],
    ['#cc-chat=short', null],
    ['#cc-chat=<img src=x>', null],
    ['#cc-chat=%E0%A4%A', null],
    [`#:~:text=cc-chat=${ID}`, null],
  ])('%j → %s', (hash, id) => {
    expect(linkedDiscussionId(hash)).toBe(id);
  });
});

describe('quoteOfSelectors', () => {
  it('reads the TextQuoteSelector', () => {
    expect(
      quoteOfSelectors([
        { type: 'TextPositionSelector', start: 1, end: 3 },
        { type: 'TextQuoteSelector', exact: 'x', prefix: 'a', suffix: 'b' },
      ]),
    ).toEqual({ exact: 'x', prefix: 'a', suffix: 'b' });
    expect(quoteOfSelectors([])).toBeNull();
  });
});
