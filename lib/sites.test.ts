import { describe, expect, it } from 'vitest';
import { contentScriptMatches, matchesAny, siteLabel, sitePattern } from './sites';

describe('site patterns', () => {
  it.each([
    ['https://example.com', 'https://example.com/*'],
    ['https://example.com:8443', 'https://example.com/*'],
    ['http://127.0.0.1:5173', 'http://127.0.0.1/*'],
    ['http://[::1]:8080', 'http://[::1]/*'],
    ['file:///home/x', null],
    ['chrome://extensions', null],
    ['moz-extension://abc', null],
    ['not a url', null],
  ])('%s → %s', (origin, pattern) => {
    expect(sitePattern(origin)).toBe(pattern);
  });

  it('labels a pattern with its host', () => {
    expect(siteLabel('https://docs.example/*')).toBe('docs.example');
    expect(siteLabel('<all_urls>')).toBe('<all_urls>');
  });

  it('narrows granted hosts to http(s) content script matches, sorted and unique', () => {
    expect(contentScriptMatches([])).toEqual([]);
    expect(
      contentScriptMatches(['https://b.example/*', 'https://a.example/*', 'https://a.example/*']),
    ).toEqual(['https://a.example/*', 'https://b.example/*']);
    expect(contentScriptMatches(['<all_urls>', 'https://a.example/*'])).toEqual([
      'http://*/*',
      'https://*/*',
      'https://a.example/*',
    ]);
    expect(contentScriptMatches(['*://*.example.org/*'])).toEqual([
      'http://*.example.org/*',
      'https://*.example.org/*',
    ]);
    expect(contentScriptMatches(['file:///*', 'ftp://x/*', 'https://a.example/path/*'])).toEqual([]);
  });

  it('tells whether a page is covered, by scheme and host, any port', () => {
    const matches = ['https://a.example/*', 'http://*.example.org/*'];
    expect(matchesAny('https://a.example:8443/x?y', matches)).toBe(true);
    expect(matchesAny('http://a.example/x', matches)).toBe(false);
    expect(matchesAny('http://deep.sub.example.org/', matches)).toBe(true);
    expect(matchesAny('http://example.org/', matches)).toBe(true);
    expect(matchesAny('http://badexample.org/', matches)).toBe(false);
    expect(matchesAny('https://anything/', ['https://*/*'])).toBe(true);
    expect(matchesAny('nonsense', matches)).toBe(false);
  });
});
