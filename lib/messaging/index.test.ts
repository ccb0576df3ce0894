// The contract between contexts at its trust boundary: what the page port may say (never a write,
// never discussion text), what crosses from frame to page, and a reply to the popup or options that
// does not match its request's schema.
import { describe, expect, it } from 'vitest';
import { LIMITS } from '@/lib/protocol/limits';
import { askBackground, BackgroundToPage, FrameToBackground, PageToBackground } from './index';

const selectors = [{ type: 'TextQuoteSelector', exact: 'quick brown fox' }] as const;
const write = {
  type: 'add-comment',
  broadcastId: '0b0c1d2e-3f40-4a5b-8c6d-000000000001',
  page: 'https://example.com/a',
  chatId: 'chat-0001',
  commentId: 'comment-0001',
  text: 'from the page',
};

describe('PageToBackground (the content script, next to a page that may be hostile)', () => {
  it.each([
    ['a write', { kind: 'write', write }],
    ['a frame message', { kind: 'anchors', anchors: [], activeId: null }],
    ['an unknown kind', { kind: 'delete-everything' }],
    [
      'a quote over the limit',
      { kind: 'compose', selection: { selectors, quote: 'x'.repeat(LIMITS.quoteChars + 1) } },
    ],
    ['an id that is no id', { kind: 'open-discussion', id: '../../etc' }],
    [
      'a selection without its quote selector',
      { kind: 'compose', selection: { selectors: [], quote: 'fox' } },
    ],
  ])('refuses %s', (_, message) => {
    expect(PageToBackground.safeParse(message).success).toBe(false);
  });

  it('keeps only the fields of its schema', () => {
    const parsed = PageToBackground.parse({
      kind: 'compose',
      selection: { selectors, quote: 'quick brown fox', text: 'a comment smuggled along' },
      write,
    });
    expect(parsed).toEqual({ kind: 'compose', selection: { selectors, quote: 'quick brown fox' } });
  });
});

describe('frame → page', () => {
  it('an anchor list reaches the page as ids, selectors and the resolved bit only', () => {
    const fromFrame = FrameToBackground.parse({
      kind: 'anchors',
      anchors: [
        { id: 'chat-0001', selectors, resolved: true, comments: [{ text: 'secret' }], title: 'secret' },
      ],
      activeId: 'chat-0001',
    });
    expect(BackgroundToPage.parse(fromFrame)).toEqual({
      kind: 'anchors',
      anchors: [{ id: 'chat-0001', selectors, resolved: true }],
      activeId: 'chat-0001',
    });
  });

  it('a write is no message for the page', () => {
    expect(BackgroundToPage.safeParse(FrameToBackground.parse({ kind: 'write', write })).success).toBe(false);
  });
});

describe('askBackground', () => {
  it('returns a reply that matches the request’s schema', async () => {
    const reply = { page: 'https://example.com/a', count: 2 };
    await expect(askBackground(async () => reply, { kind: 'get-viewers', tabId: 1 })).resolves.toEqual(reply);
  });

  it('rejects a reply of another shape (nothing else reads an unchecked answer)', async () => {
    await expect(
      askBackground(async () => ({ count: 'two' }), { kind: 'get-viewers', tabId: 1 }),
    ).rejects.toThrow();
    await expect(
      askBackground(async () => undefined, { kind: 'open-notification', seq: 3 }),
    ).rejects.toThrow();
  });
});
