// URL → page key, the normalisation rule of docs/protocol.md ("Page keys"). Shared by the extension
// and the server, which applies it to every page a client names; no DOM types, so the server's
// tsconfig can include it. Imports are relative: the server runs without the extension's aliases.
import { LIMITS } from '../protocol/limits';

/** Query parameters that only say how someone arrived, not what they are looking at. */
export const TRACKING_PARAMS: ReadonlySet<string> = new Set([
  'fbclid',
  'gclid',
  'gclsrc',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'twclid',
  'ttclid',
  'li_fat_id',
  'igshid',
  'mc_cid',
  'mc_eid',
  '_ga',
  '_gl',
  '_hsenc',
  '_hsmi',
  'mkt_tok',
  'oly_anon_id',
  'oly_enc_id',
  'vero_id',
  'ref_src',
  'spm',
]);

function isTracking(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('utm_') || TRACKING_PARAMS.has(lower);
}

/**
 * Normalises a URL into a page key: http(s) only, no fragment, no tracking parameters, query sorted
 * by name (stable for equal names). Returns null for a URL that cannot name a shared page.
 */
export function pageKeyFromUrl(href: string): string | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.hash = '';
  url.username = '';
  url.password = '';
  // forEach and append rather than iterators: in a Firefox content script `URL` is the page's, seen
  // through an Xray wrapper, and its iterators are not iterable from the content script's side.
  const kept: Array<[string, string]> = [];
  url.searchParams.forEach((value, name) => {
    if (!isTracking(name)) kept.push([name, value]);
  });
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const params = new URLSearchParams();
  for (const [name, value] of kept) params.append(name, value);
  url.search = params.toString();
  const key = url.toString();
  return key.length <= LIMITS.pageKeyChars ? key : null;
}

/**
 * The site a page belongs to, as usage, listings and search group pages: its host (with a port when
 * not the default); '' for no page or one that is not a URL.
 */
export function siteOf(page: string | undefined): string {
  if (page === undefined) return '';
  try {
    return new URL(page).host;
  } catch {
    return '';
  }
}
