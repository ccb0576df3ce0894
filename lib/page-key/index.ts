// The page key: the one string that names "this page" for everyone of a team. Pure functions, no DOM
// access beyond what the caller passes in, so that tests and the content script share them.
import { pageKeyFromUrl } from './normalise';

export { pageKeyFromUrl, siteOf, TRACKING_PARAMS } from './normalise';

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
      const key = url.origin === originOf(locationHref) ? pageKeyFromUrl(url.toString()) : null;
      if (key) return key;
    } catch {
      // An unparsable canonical link falls back to the document URL.
    }
  }
  return pageKeyFromUrl(locationHref);
}

/**
 * The origin a page belongs to, as the popup turns the extension on and off (a host permission is
 * per origin); null for a URL that is not http(s).
 */
export function originOf(href: string): string | null {
  try {
    const url = new URL(href);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin;
  } catch {
    return null;
  }
}
