import { describe, expect, it } from 'vitest';
import { backoffDelay, checkServerUrl, DEFAULT_BACKOFF } from './index';

describe('backoffDelay', () => {
  it.each([0, 1, 2, 5, 10, 50, 1000])('attempt %i stays within [0, min(cap, base·2^n)]', (attempt) => {
    const ceiling = Math.min(DEFAULT_BACKOFF.capMs, DEFAULT_BACKOFF.baseMs * 2 ** Math.min(attempt, 30));
    expect(backoffDelay(attempt, DEFAULT_BACKOFF, () => 0)).toBe(0);
    const top = backoffDelay(attempt, DEFAULT_BACKOFF, () => 0.999999);
    expect(top).toBeLessThanOrEqual(ceiling);
    expect(top).toBeGreaterThanOrEqual(Math.floor(ceiling * 0.999));
  });

  it('never exceeds the 4 s cap and never gives up', () => {
    for (let attempt = 0; attempt < 200; attempt++) {
      const d = backoffDelay(attempt);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(4_000);
      expect(Number.isFinite(d)).toBe(true);
    }
  });
});

describe('checkServerUrl', () => {
  it.each([
    ['wss://chat.example.com', { ok: true, url: 'wss://chat.example.com/' }],
    ['https://chat.example.com/ws', { ok: true, url: 'wss://chat.example.com/ws' }],
    ['ws://localhost:8080', { ok: true, url: 'ws://localhost:8080/' }],
    ['ws://127.0.0.1:8080', { ok: true, url: 'ws://127.0.0.1:8080/' }],
    ['http://[::1]:8080', { ok: true, url: 'ws://[::1]:8080/' }],
    ['ws://chat.example.com', { ok: false, reason: 'insecure' }],
    ['http://10.0.0.2', { ok: false, reason: 'insecure' }],
    ['ftp://x', { ok: false, reason: 'invalid-url' }],
    ['nonsense', { ok: false, reason: 'invalid-url' }],
  ])('%s', (input, expected) => {
    expect(checkServerUrl(input)).toEqual(expected);
  });
});
