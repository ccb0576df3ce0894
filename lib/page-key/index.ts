// The page key: the one string that names "this page" for everyone of a team. Pure functions, no DOM
// access beyond what the caller passes in, so that tests and the content script share them.
import { pageKeyFromUrl } from './normalise';

export { pageKeyFromUrl, TRACKING_PARAMS } from './normalise';

/**
 * The page key of a document: its `<link rel=canonical>` when that is an http(s) URL, else its own
 * URL. Relative canonical links resolve against the document URL.
 */
export function pageKeyOf(doc: Pick<Document, 'querySelector'>, locationHref: string): string | null {
  const canonical = doc.querySelector<HTMLLinkElement>('link[rel~="canonical" i][href]');
  const href = canonical?.getAttribute('href');
  if (href) {
    try {
      const key = pageKeyFromUrl(new URL(href, locationHref).toString());
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
