// Which sites the extension is on, in the browser's own terms: a site is on exactly when the extension
// holds the host permission for it, and "every site" is on when it holds `<all_urls>`. These are the
// match patterns both the popup (which asks for them) and the background (which registers the content
// script for them) derive from a page's origin. Pure functions, no extension APIs.

/** The host permission that turns the extension on for every site. */
export const EVERY_SITE = '<all_urls>';

/** What the content script may ever run on: pages that can have a page key. */
export const PAGE_SCHEMES = ['http:', 'https:'] as const;

/**
 * The host permission for the site of `origin` (`scheme://host[:port]`): `scheme://host/*`. Firefox's
 * match patterns cannot name a port, so in both browsers a site is a scheme and a host name, all ports
 * included. Null for anything that is not an http(s) origin.
 */
export function sitePattern(origin: string): string | null {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return null;
  }
  if (!(PAGE_SCHEMES as readonly string[]).includes(url.protocol) || !url.hostname) return null;
  return `${url.protocol}//${url.hostname}/*`;
}

/** The host name a site pattern names, for display (`https://example.com/*` → `example.com`). */
export function siteLabel(pattern: string): string {
  if (pattern === EVERY_SITE) return pattern;
  const match = /^[a-z]+:\/\/([^/]+)\//.exec(pattern);
  return match ? match[1]! : pattern;
}

/**
 * The content script's match patterns for the host permissions the extension holds: each site
 * pattern as it is, and `<all_urls>` (or the wildcard forms a browser may report for it) narrowed to
 * http(s) pages. Anything else (file:, ftp:, odd shapes) is left out. Sorted and without duplicates,
 * so that two calls compare equal when the permissions did not change.
 */
export function contentScriptMatches(origins: readonly string[]): string[] {
  const matches = new Set<string>();
  for (const origin of origins) {
    if (origin === EVERY_SITE || origin === '*://*/*') {
      matches.add('http://*/*');
      matches.add('https://*/*');
      continue;
    }
    if (/^(https?|\*):\/\/(\*|\*\.[^/*]+|[^/*]+)\/\*$/.test(origin)) {
      if (origin.startsWith('*://')) {
        matches.add(`http${origin.slice(1)}`);
        matches.add(`https${origin.slice(1)}`);
      } else matches.add(origin);
    }
  }
  return [...matches].sort();
}

/** Whether a page URL is covered by one of these match patterns (as `contentScriptMatches` builds them). */
export function matchesAny(url: string, matches: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return matches.some((pattern) => {
    const m = /^(https?):\/\/([^/]+)\/\*$/.exec(pattern);
    if (!m || `${m[1]}:` !== parsed.protocol) return false;
    const host = m[2]!;
    if (host === '*') return true;
    if (host.startsWith('*.')) {
      const base = host.slice(2);
      return parsed.hostname === base || parsed.hostname.endsWith(`.${base}`);
    }
    return parsed.hostname === host;
  });
}

type PermissionsListener = (permissions: { origins?: string[] }) => void;

/** The part of the browser's `permissions` API that the popup and options page use. */
export interface SitePermissions {
  request(permissions: { origins: string[] }): Promise<boolean>;
  remove(permissions: { origins: string[] }): Promise<boolean>;
  contains(permissions: { origins: string[] }): Promise<boolean>;
  onAdded: { addListener(l: PermissionsListener): void; removeListener(l: PermissionsListener): void };
  onRemoved: { addListener(l: PermissionsListener): void; removeListener(l: PermissionsListener): void };
}
