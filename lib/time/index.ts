// Times as people read them: "3 minutes ago", "yesterday" (Intl.RelativeTimeFormat in the browser's
// language), the exact date and time for a tooltip, and one clock that every time shown follows, so
// that "just now" becomes "2 minutes ago" without a reload.
import { createRoot, createSignal, onCleanup, type Accessor } from 'solid-js';
import { browser } from 'wxt/browser';
import type { DiscussionT } from '@/lib/protocol';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The language the extension speaks (its UI language), as a BCP 47 tag. */
export function uiLocale(): string {
  try {
    return browser.i18n.getUILanguage() || navigator.language;
  } catch {
    return navigator.language;
  }
}

/**
 * How long ago `at` was, in words: under 45 s "now", then minutes, hours, days ("yesterday"), months
 * and years, each rounded the way people say it (90 minutes is "2 hours ago"). A time slightly in
 * the future (another machine's clock) reads as now.
 */
export function relativeTime(at: number, now: number, locale = uiLocale()): string {
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const ago = Math.max(0, now - at);
  if (ago < 45 * SECOND) return format.format(0, 'second');
  if (ago < 45 * MINUTE) return format.format(-Math.max(1, Math.round(ago / MINUTE)), 'minute');
  if (ago < 22 * HOUR) return format.format(-Math.max(1, Math.round(ago / HOUR)), 'hour');
  if (ago < 26 * DAY) return calendarDays(at, now, format);
  if (ago < 320 * DAY) return format.format(-Math.max(1, Math.round(ago / (30.44 * DAY))), 'month');
  return format.format(-Math.max(1, Math.round(ago / (365.25 * DAY))), 'year');
}

/** Days counted by the calendar: 23:50 yesterday is "yesterday" at 00:10 today, not "now". */
function calendarDays(at: number, now: number, format: Intl.RelativeTimeFormat): string {
  const midnight = (t: number) => {
    const d = new Date(t);
    return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  };
  const days = Math.max(1, Math.round((midnight(now) - midnight(at)) / DAY));
  return format.format(-days, 'day');
}

/** The exact date and time, for the tooltip of a relative time. */
export function exactTime(at: number, locale = uiLocale()): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'medium' }).format(at);
}

/** When a discussion last changed: its latest comment or edit. */
export function lastActivity(discussion: DiscussionT): number {
  let last = 0;
  for (const comment of discussion.comments)
    last = Math.max(last, comment.editedAt ?? comment.at, comment.at);
  return last;
}

/** How often relative times are brought up to date. */
export const CLOCK_TICK_MS = 15 * SECOND;

let shared: Accessor<number> | null = null;

/**
 * The current time as a signal that ticks every `CLOCK_TICK_MS`, shared by every time on screen (one
 * timer per page, never disposed: it lives as long as the page).
 */
export function clock(): Accessor<number> {
  shared ??= createRoot(() => {
    const [now, setNow] = createSignal(Date.now());
    const timer = setInterval(() => setNow(Date.now()), CLOCK_TICK_MS);
    onCleanup(() => clearInterval(timer));
    return now;
  });
  return shared;
}
