import { describe, expect, it } from 'vitest';
import type { DiscussionEventT } from '@/lib/protocol';
import { PageCache } from './page-cache';

const page = 'https://example.com/a';
const created = (seq: number, id: string, p = page): DiscussionEventT => ({
  type: 'new-text-chat',
  page: p,
  seq,
  broadcastId: crypto.randomUUID(),
  chat: {
    id,
    selectors: [{ type: 'TextQuoteSelector', exact: 'quote' }],
    comments: [{ id: `${id}-c1`, author: { id: 'u1', name: 'Ana' }, text: 'hi', at: 1 }],
  },
});

describe('PageCache', () => {
  it('keeps a snapshot and applies live events in order', () => {
    const cache = new PageCache();
    cache.snapshot({ page, seq: 4, chats: [] });
    expect(cache.event(created(5, 'chat-aaaa'))).toBe('applied');
    expect(cache.get(page)?.seq).toBe(5);
    expect(cache.get(page)?.discussions.map((c) => c.id)).toEqual(['chat-aaaa']);
  });

  it('ignores duplicates and reports gaps without applying them', () => {
    const cache = new PageCache();
    cache.snapshot({ page, seq: 4, chats: [] });
    expect(cache.event(created(4, 'chat-old1'))).toBe('duplicate');
    expect(cache.event(created(6, 'chat-skip'))).toBe('gap');
    expect(cache.get(page)?.discussions).toEqual([]);
  });

  it('treats an event for an unknown page as a gap', () => {
    expect(new PageCache().event(created(1, 'chat-aaaa'))).toBe('gap');
  });

  it('applies replays and marks the copy synced', () => {
    const cache = new PageCache();
    cache.snapshot({ page, seq: 1, chats: [] });
    cache.markAllUnsynced();
    expect(cache.get(page)?.synced).toBe(false);
    expect(cache.replay({ page, events: [created(2, 'chat-bbbb'), created(3, 'chat-cccc')] })).toBe(
      'applied',
    );
    expect(cache.get(page)).toMatchObject({ seq: 3, synced: true });
  });

  it('evicts least recently used pages beyond its bound, never kept ones', () => {
    const cache = new PageCache(2);
    cache.snapshot({ page: 'https://a/', seq: 1, chats: [] });
    cache.snapshot({ page: 'https://b/', seq: 1, chats: [] });
    cache.get('https://a/');
    cache.snapshot({ page: 'https://c/', seq: 1, chats: [] });
    expect(cache.has('https://a/')).toBe(true);
    expect(cache.has('https://b/')).toBe(false);
    expect(cache.has('https://c/')).toBe(true);
  });
});
