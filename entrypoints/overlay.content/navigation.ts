// Notices when a single-page app changes the URL: popstate, the Navigation API where present, and
// WXT's location watcher (which polls) as the catch-all for history.pushState in the page's world.
import type { ContentScriptContext } from 'wxt/utils/content-script-context';

export function watchNavigation(ctx: ContentScriptContext, signal: AbortSignal, onChange: () => void): void {
  window.addEventListener('popstate', onChange, { signal });
  window.addEventListener('hashchange', onChange, { signal });
  ctx.addEventListener(window, 'wxt:locationchange', () => {
    if (!signal.aborted) onChange();
  });
  const nav = (globalThis as { navigation?: EventTarget }).navigation;
  nav?.addEventListener('navigatesuccess', onChange, { signal });
}
