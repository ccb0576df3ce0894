import { createRoot } from 'solid-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLOCK_TICK_MS, exactTime, lastActivity, relativeTime } from './index';

const NOW = new Date(2026, 5, 15, 12, 0, 0).getTime();
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('relativeTime', () => {
  it.each<[string, number, string, string]>([
    ['a few seconds', 10_000, 'now', 'agora'],
    ['a clock slightly ahead', -5_000, 'now', 'agora'],
    ['one minute', MIN, '1 minute ago', 'há 1 minuto'],
    ['three minutes', 3 * MIN, '3 minutes ago', 'há 3 minutos'],
    ['ninety minutes', 90 * MIN, '2 hours ago', 'há 2 horas'],
    ['yesterday', 26 * HOUR, 'yesterday', 'ontem'],
    ['three days', 3 * DAY, '3 days ago', 'há 3 dias'],
    ['two months', 61 * DAY, '2 months ago', 'há 2 meses'],
    ['two years', 730 * DAY, '2 years ago', 'há 2 anos'],
  ])('%s', (_name, ago, english, portuguese) => {
    expect(relativeTime(NOW - ago, NOW, 'en')).toBe(english);
    expect(relativeTime(NOW - ago, NOW, 'pt-BR')).toBe(portuguese);
  });

  it('counts days by the calendar', () => {
    const lateYesterday = new Date(2026, 5, 14, 23, 0).getTime();
    const justAfterMidnight = new Date(2026, 5, 15, 0, 10).getTime();
    expect(relativeTime(lateYesterday, justAfterMidnight + 22 * HOUR, 'en')).toBe('yesterday');
  });
});

describe('exactTime', () => {
  it('gives the date and the time to the second', () => {
    expect(exactTime(NOW, 'en')).toMatch(/June 15, 2026.*12:00:00/);
  });
});

describe('lastActivity', () => {
  it('is the latest comment or edit', () => {
    const person = { id: 'u', name: 'A' };
    const discussion = {
      id: 'c',
      selectors: [],
      comments: [
        { id: '1', author: person, text: 'a', at: 100, editedAt: 500 },
        { id: '2', author: person, text: 'b', at: 300 },
      ],
    };
    expect(lastActivity(discussion as never)).toBe(500);
  });
});

describe('clock', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.resetModules();
  });

  it('ticks, so that what is shown moves on as time passes', async () => {
    vi.useFakeTimers({ now: NOW });
    const { clock } = await import('./index');
    const now = createRoot(() => clock());
    const shown = () => relativeTime(NOW, now(), 'en');
    expect(shown()).toBe('now');
    vi.advanceTimersByTime(3 * MIN + CLOCK_TICK_MS);
    expect(shown()).toBe('3 minutes ago');
  });
});
