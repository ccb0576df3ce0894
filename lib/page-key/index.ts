// The page key: the one string that names "this page" for everyone of a team. Pure functions, no DOM
// access beyond what the caller passes in, so that tests and the content script share them.
import { LIMITS } from '@/lib/protocol/limits';

/** Query parameters that only say how someone arrived, not what they are looking at. */
const TRACKING_PARAMS = new Set([
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
 * The page key of a document: its `<link rel=canonical>` when that is a URL of the same origin as the
 * document, else the document's own URL. `locationHref` must come from the browser's `location`: the
 * page controls its DOM (and so the canonical link), never its origin, so a page can at most pick
 * another page of its own site, which it could navigate to anyway.
 */
export function pageKeyOf(doc: Pick<Document, 'querySelector'>, locationHref: string): string | null {
  const canonical = doc.querySelector<HTMLLinkElement>('link[rel~="canonical" i][href]');
  const href = canonical?.getAttribute('href');
  if (href) {
    try {
      const url = new URL(href, locationHref);
      const key = url.origin === siteOf(locationHref) ? pageKeyFromUrl(url.toString()) : null;
      if (key) return key;
    } catch {
      // An unparsable canonical link falls back to the document URL.
    }
  }
  return pageKeyFromUrl(locationHref);
}

/** The site a page belongs to, as the popup turns it on and off: its origin. */
export function siteOf(href: string): string | null {
  try {
    const url = new URL(href);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin;
  } catch {
    return null;
  }
}
