import { describe, expect, it } from 'vitest';
import { LIMITS } from '../protocol/limits';
import { pageTitle } from './title';

describe('pageTitle', () => {
  it('collapses whitespace and leaves out an empty title', () => {
    expect(pageTitle({ title: '  Release\n notes \t 2026 ' })).toBe('Release notes 2026');
    expect(pageTitle({ title: ' \n ' })).toBeUndefined();
  });

  it('cuts a long title to the limit in whole code points', () => {
    const long = '😀'.repeat(LIMITS.titleChars + 5);
    const cut = pageTitle({ title: long })!;
    expect(Array.from(cut)).toHaveLength(LIMITS.titleChars);
    expect(cut.endsWith('😀')).toBe(true);
  });
});
