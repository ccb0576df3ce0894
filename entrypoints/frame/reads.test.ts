import { describe, expect, it } from 'vitest';
import type { DiscussionT } from '@/lib/protocol';
import { newToMe } from './reads';

const discussion = (id: string, comments: Array<[string, number]>): DiscussionT => ({
  id,
  selectors: [{ type: 'TextQuoteSelector', exact: 'q' }],
  comments: comments.map(([author, at], i) => ({
    id: `${id}-c${i}`,
    author: { id: author, name: author },
    text: 't',
    at,
  })),
});

describe('newToMe', () => {
  const discussions = [
    discussion('chat-aaaa', [
      ['ana', 10],
      ['bru', 20],
    ]),
    discussion('chat-bbbb', [['bru', 5]]),
  ];

  it('counts a discussion new while a comment of someone else is later than what was read', () => {
    expect(newToMe(discussions, 'ana', {}, {})).toEqual(new Set(['chat-aaaa', 'chat-bbbb']));
    expect(newToMe(discussions, 'ana', { 'chat-aaaa': 20 }, {})).toEqual(new Set(['chat-bbbb']));
    expect(newToMe(discussions, 'ana', { 'chat-aaaa': 19 }, {})).toEqual(new Set(['chat-aaaa', 'chat-bbbb']));
  });

  it('takes the later of the server position and what this browser has seen', () => {
    expect(newToMe(discussions, 'ana', { 'chat-aaaa': 5 }, { 'ana chat-aaaa': 20 })).toEqual(
      new Set(['chat-bbbb']),
    );
    expect(newToMe(discussions, 'ana', { 'chat-bbbb': 5 }, { 'ana chat-bbbb': 1 })).toEqual(
      new Set(['chat-aaaa']),
    );
  });

  it('never counts the person’s own comments, and nothing without a user', () => {
    expect(newToMe([discussion('chat-cccc', [['ana', 50]])], 'ana', {}, {})).toEqual(new Set());
    expect(newToMe(discussions, null, {}, {})).toEqual(new Set());
  });
});
