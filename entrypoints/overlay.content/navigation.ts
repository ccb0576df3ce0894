// Notices when a single-page app changes the URL: popstate, hashchange, the Navigation API where
// present, and a poll of location.href as the catch-all for history.pushState in the page's world.
// Any of these only triggers a re-read of the browser's own location; a page that fires them (it can)
// causes at most a re-read that finds the URL the tab is really on.

const POLL_MS = 1000;

export function watchNavigation(signal: AbortSignal, onChange: () => void): void {
  window.addEventListener('popstate', onChange, { signal });
  window.addEventListener('hashchange', onChange, { signal });
  const nav = (globalThis as { navigation?: EventTarget }).navigation;
  nav?.addEventListener?.('navigatesuccess', onChange, { signal });
  let last = location.href;
  const timer = setInterval(() => {
    if (location.href === last) return;
    last = location.href;
    onChange();
  }, POLL_MS);
  signal.addEventListener('abort', () => clearInterval(timer));
}
