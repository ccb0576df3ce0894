import { describe, expect, it, vi } from 'vitest';
import { isCi, unavailable } from '../helpers/environment';

describe('isCi', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['FALSE', false],
    ['0', false],
    ['true', true],
    ['1', true],
    ['yes', true],
  ])('CI=%s is CI: %s', (value, expected) => {
    expect(isCi(value === undefined ? {} : { CI: value })).toBe(expected);
  });
});

describe('unavailable', () => {
  it('fails under CI, saying what is missing and what to do', () => {
    expect(() => unavailable('redis is unreachable', 'start it', { CI: '1' })).toThrow(
      'redis is unreachable, and CI (CI=1) requires it: start it.',
    );
  });

  it('skips elsewhere and prints why', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(unavailable('redis is unreachable', 'start it', { CI: 'false' })).toBe(false);
    expect(warn).toHaveBeenCalledWith('SKIPPED: redis is unreachable (start it).');
    warn.mockRestore();
  });
});
