import { describe, expect, it } from 'vitest';
import { isolate } from './bidi';

describe('isolate', () => {
  it('wraps text in a first-strong isolate so its own controls stay inside', () => {
    const name = 'Eve\u202Etxet';
    expect(isolate(name)).toBe('\u2068Eve\u202Etxet\u2069');
    expect(isolate('')).toBe('\u2068\u2069');
  });
});
