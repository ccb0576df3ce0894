import { describe, expect, it } from 'vitest';
import { TabPages } from './subscriptions';

describe('TabPages', () => {
  it('joins a page with its first tab and leaves it with its last', () => {
    const tabs = new TabPages();
    expect(tabs.open(1, 'https://a/')).toEqual({ joined: 'https://a/', left: null });
    expect(tabs.open(2, 'https://a/')).toEqual({ joined: null, left: null });
    expect(tabs.tabsOf('https://a/')).toEqual([1, 2]);
    expect(tabs.close(1)).toBeNull();
    expect(tabs.close(2)).toBe('https://a/');
    expect(tabs.pages()).toEqual([]);
  });

  it('moves a tab between pages (SPA navigation)', () => {
    const tabs = new TabPages();
    tabs.open(1, 'https://a/');
    expect(tabs.open(1, 'https://b/')).toEqual({ joined: 'https://b/', left: 'https://a/' });
    expect(tabs.open(1, 'https://b/')).toEqual({ joined: null, left: null });
    expect(tabs.pageOf(1)).toBe('https://b/');
  });

  it('ignores closing an unknown tab', () => {
    expect(new TabPages().close(7)).toBeNull();
  });
});
