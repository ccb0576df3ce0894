import { describe, expect, it } from 'vitest';
import { originOf, pageKeyFromUrl, pageKeyOf } from './index';

describe('pageKeyFromUrl', () => {
  it.each([
    ['https://example.com/a#section', 'https://example.com/a'],
    ['https://example.com/a?b=2&a=1', 'https://example.com/a?a=1&b=2'],
    ['https://example.com/a?utm_source=x&utm_MEDIUM=y&id=3', 'https://example.com/a?id=3'],
    ['https://example.com/a?fbclid=1&gclid=2&msclkid=3', 'https://example.com/a'],
    ['https://EXAMPLE.com:443/a', 'https://example.com/a'],
    ['http://user:pw@example.com/a', 'http://example.com/a'],
    ['https://example.com/a?q=hello%20world', 'https://example.com/a?q=hello+world'],
    ['https://example.com/a?z=1&a=2&z=0', 'https://example.com/a?a=2&z=1&z=0'],
  ])('%s → %s', (input, expected) => {
    expect(pageKeyFromUrl(input)).toBe(expected);
  });

  it.each(['about:blank', 'chrome://extensions', 'file:///etc/passwd', 'not a url', 'ftp://example.com/'])(
    'refuses %s',
    (input) => {
      expect(pageKeyFromUrl(input)).toBeNull();
    },
  );

  it('refuses a URL longer than the protocol allows', () => {
    expect(pageKeyFromUrl(`https://example.com/${'a'.repeat(5000)}`)).toBeNull();
  });
});

describe('pageKeyOf', () => {
  function docWith(html: string): Document {
    const doc = document.implementation.createHTMLDocument('t');
    doc.head.innerHTML = html;
    return doc;
  }

  it.each([
    ['<link rel="canonical" href="https://example.com/canon?utm_x=1">', 'https://example.com/canon'],
    ['<link rel="canonical" href="/relative#x">', 'https://example.com/relative'],
    ['<link rel="canonical" href="javascript:alert(1)">', 'https://example.com/page?a=1'],
    ['', 'https://example.com/page?a=1'],
    // Another origin is never followed: the page would otherwise choose another site's discussions.
    ['<link rel="canonical" href="https://other.example/secret">', 'https://example.com/page?a=1'],
    ['<link rel="canonical" href="http://example.com/canon">', 'https://example.com/page?a=1'],
    ['<link rel="canonical" href="https://example.com:8443/canon">', 'https://example.com/page?a=1'],
    ['<link rel="canonical" href="//evil.example/x">', 'https://example.com/page?a=1'],
  ])('with %s', (head, expected) => {
    expect(pageKeyOf(docWith(head), 'https://example.com/page?a=1#frag')).toBe(expected);
  });
});

describe('originOf', () => {
  it.each([
    ['https://example.com/a?b', 'https://example.com'],
    ['http://127.0.0.1:8080/x', 'http://127.0.0.1:8080'],
    ['chrome://newtab', null],
  ])('%s → %s', (input, expected) => {
    expect(originOf(input)).toBe(expected);
  });
});
