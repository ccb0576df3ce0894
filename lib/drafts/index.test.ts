import { describe, expect, it } from 'vitest';
import {
  DRAFT_LIMIT,
  DRAFT_MAX_AGE_MS,
  editDraftKey,
  editDraftsOf,
  newDiscussionDraftKey,
  pruneDrafts,
  putDraft,
  replyDraftKey,
  type DraftMap,
} from './index';

const page = 'https://example.com/a';
const quote = (exact: string, prefix = 'before ', suffix = ' after') => [
  { type: 'TextQuoteSelector' as const, exact, prefix, suffix },
  { type: 'TextPositionSelector' as const, start: 10, end: 10 + exact.length },
];

describe('draft keys', () => {
  it('name a discussion’s reply box and each of its edit boxes apart', () => {
    expect(replyDraftKey('c1')).not.toBe(replyDraftKey('c2'));
    expect(editDraftKey('c1', 'm1')).not.toBe(editDraftKey('c1', 'm2'));
    const drafts: DraftMap = {
      [editDraftKey('c1', 'm1')]: { text: 'a', at: 1 },
      [editDraftKey('c1', 'm2')]: { text: 'b', at: 1 },
      [editDraftKey('c2', 'm3')]: { text: 'c', at: 1 },
      [replyDraftKey('c1')]: { text: 'd', at: 1 },
    };
    expect([...editDraftsOf(drafts, 'c1').keys()].sort()).toEqual(['m1', 'm2']);
  });

  it('give the same selection on the same page the same composer draft, and any other a different one', () => {
    const key = newDiscussionDraftKey(page, quote('ships'));
    expect(newDiscussionDraftKey(page, quote('ships'))).toBe(key);
    expect(newDiscussionDraftKey(page, quote('ships', 'other '))).not.toBe(key);
    expect(newDiscussionDraftKey(page, quote('boats'))).not.toBe(key);
    expect(newDiscussionDraftKey(`${page}?x=1`, quote('ships'))).not.toBe(key);
    // The key holds no text of the page.
    expect(key).not.toContain('ships');
  });
});

describe('putDraft', () => {
  it('keeps what is typed and forgets a box emptied', () => {
    const one = putDraft({}, 'k', 'hello', 5)!;
    expect(one).toEqual({ k: { text: 'hello', at: 5 } });
    expect(putDraft(one, 'k', '   ', 6)).toEqual({});
  });

  it('changes nothing for the same text, or for emptying what is not there', () => {
    const one = putDraft({}, 'k', 'hello', 5)!;
    expect(putDraft(one, 'k', 'hello', 9)).toBeNull();
    expect(putDraft(one, 'other', '', 9)).toBeNull();
  });

  it(`forgets drafts not typed in for ${DRAFT_MAX_AGE_MS / 86_400_000} days`, () => {
    const old: DraftMap = { old: { text: 'x', at: 0 }, recent: { text: 'y', at: DRAFT_MAX_AGE_MS } };
    const next = putDraft(old, 'new', 'z', DRAFT_MAX_AGE_MS + 1)!;
    expect(Object.keys(next).sort()).toEqual(['new', 'recent']);
  });

  it(`keeps at most ${DRAFT_LIMIT}, forgetting the least recently typed`, () => {
    const full: Record<string, { text: string; at: number }> = {};
    for (let i = 0; i < DRAFT_LIMIT; i++) full[`k${i}`] = { text: 't', at: 1000 + i };
    const next = putDraft(full, 'latest', 'typed', 5000)!;
    expect(Object.keys(next)).toHaveLength(DRAFT_LIMIT);
    expect(next.k0).toBeUndefined();
    expect(next.k1).toBeDefined();
    expect(next.latest!.text).toBe('typed');
  });

  it('prunes blank entries', () => {
    expect(pruneDrafts({ a: { text: ' ', at: 1 }, b: { text: 'b', at: 1 } }, 2)).toEqual({
      b: { text: 'b', at: 1 },
    });
  });
});
