import { describe, expect, it } from 'vitest';
import type { DiscussionT } from '@/lib/protocol';
import { isMine, markSeen, SEEN_LIMIT, unreadIds, type SeenMap } from './index';

const person = (id: string) => ({ id, name: id.toUpperCase() });
const discussion = (id: string, ...comments: [author: string, at: number][]): DiscussionT => ({
  id,
  selectors: [{ type: 'TextQuoteSelector', exact: 'quote' }],
  comments: comments.map(([author, at], i) => ({ id: `${id}-c${i}`, author: person(author), text: 't', at })),
});

describe('unread discussions', () => {
  it('marks a discussion with a comment of someone else that was never seen', () => {
    const discussions = [discussion('a', ['bob', 10]), discussion('b', ['ana', 20])];
    expect([...unreadIds(discussions, 'ana', {})]).toEqual(['a']);
  });

  it('is cleared by seeing it, and comes back with a later comment of someone else only', () => {
    let seen: SeenMap = {};
    const first = discussion('a', ['bob', 10]);
    seen = markSeen(seen, 'ana', first)!;
    expect(unreadIds([first], 'ana', seen).size).toBe(0);
    // Her own reply is not news to her.
    const withMine = discussion('a', ['bob', 10], ['ana', 30]);
    expect(unreadIds([withMine], 'ana', seen).size).toBe(0);
    const withBobs = discussion('a', ['bob', 10], ['ana', 30], ['bob', 40]);
    expect([...unreadIds([withBobs], 'ana', seen)]).toEqual(['a']);
  });

  it('keeps what each user has seen apart', () => {
    const c = discussion('a', ['cy', 10]);
    const seen = markSeen({}, 'ana', c)!;
    expect(unreadIds([c], 'ana', seen).size).toBe(0);
    expect([...unreadIds([c], 'bob', seen)]).toEqual(['a']);
    expect(unreadIds([c], null, seen).size).toBe(0);
  });

  it('changes nothing when seeing what was already seen', () => {
    const c = discussion('a', ['bob', 10]);
    const seen = markSeen({}, 'ana', c)!;
    expect(markSeen(seen, 'ana', c)).toBeNull();
  });

  it(`remembers at most ${SEEN_LIMIT} discussions, forgetting the least recently active`, () => {
    const full: Record<string, number> = {};
    for (let i = 0; i < SEEN_LIMIT; i++) full[`ana c${i}`] = i + 1;
    const seen = markSeen(full, 'ana', discussion(`c${SEEN_LIMIT}`, ['bob', SEEN_LIMIT + 1]))!;
    expect(Object.keys(seen)).toHaveLength(SEEN_LIMIT);
    expect(seen['ana c0']).toBeUndefined();
    expect(seen[`ana c${SEEN_LIMIT}`]).toBe(SEEN_LIMIT + 1);
  });
});

describe('mine', () => {
  it('is a discussion the user started or replied to', () => {
    expect(isMine(discussion('a', ['ana', 1]), 'ana')).toBe(true);
    expect(isMine(discussion('a', ['bob', 1], ['ana', 2]), 'ana')).toBe(true);
    expect(isMine(discussion('a', ['bob', 1]), 'ana')).toBe(false);
    expect(isMine(discussion('a', ['bob', 1]), null)).toBe(false);
  });
});
