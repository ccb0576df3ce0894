// The toolbar popup: turn the extension on for this site or everywhere, see the connection, who you
// are, how many are viewing this tab's page, and reach the options.
import { createResource, createSignal, onCleanup, Show } from 'solid-js';
import { i18n } from '#i18n';
import type { StatusT, ViewersReplyT } from '@/lib/messaging';
import { isolate } from '@/lib/bidi';
import { siteOf } from '@/lib/page-key';
import { enabledEverywhereStorage, enabledSitesStorage, setSiteEnabled } from '@/lib/storage';
import { connectionSummary } from './status-label';

export interface PopupDeps {
  /** The tab the popup is about (the active tab of the window). */
  currentTab(): Promise<{ id: number; url: string } | null>;
  getStatus(): Promise<StatusT>;
  getViewers(tabId: number): Promise<ViewersReplyT>;
  openOptions(): void;
  /** How often the popup refreshes status and viewers while open, ms. */
  refreshMs?: number;
}

export function Popup(props: { deps: PopupDeps }) {
  const [tab] = createResource(() => props.deps.currentTab());
  const site = () => {
    const t = tab();
    return t ? siteOf(t.url) : null;
  };
  const [sites, setSites] = createSignal<string[]>([]);
  const [everywhere, setEverywhere] = createSignal(false);
  const [status, setStatus] = createSignal<StatusT | null>(null);
  const [viewers, setViewers] = createSignal<number | null>(null);

  void enabledSitesStorage.getValue().then(setSites);
  void enabledEverywhereStorage.getValue().then(setEverywhere);
  const unwatch = [enabledSitesStorage.watch(setSites), enabledEverywhereStorage.watch(setEverywhere)];
  onCleanup(() => unwatch.forEach((u) => u()));

  const refresh = async () => {
    setStatus(await props.deps.getStatus().catch(() => null));
    const t = tab();
    if (t) setViewers((await props.deps.getViewers(t.id).catch(() => null))?.count ?? null);
  };
  void refresh();
  const timer = setInterval(() => void refresh(), props.deps.refreshMs ?? 1000);
  onCleanup(() => clearInterval(timer));

  const siteOn = () => {
    const s = site();
    return s !== null && sites().includes(s);
  };

  return (
    <main class="cc-popup">
      <h1>Collab Chat</h1>
      <Show when={!tab.loading}>
        <Show when={site()} fallback={<p data-testid="popup-no-site">{i18n.t('popupNoSite')}</p>}>
          {(s) => (
            <label class="cc-row">
              <input
                type="checkbox"
                data-testid="site-toggle"
                checked={siteOn() || everywhere()}
                disabled={everywhere()}
                onChange={(e) => void setSiteEnabled(s(), e.currentTarget.checked)}
              />
              <span>
                {i18n.t('popupSiteToggle')} <small>{new URL(s()).host}</small>
              </span>
            </label>
          )}
        </Show>
      </Show>
      <label class="cc-row">
        <input
          type="checkbox"
          data-testid="everywhere-toggle"
          checked={everywhere()}
          onChange={(e) => void enabledEverywhereStorage.setValue(e.currentTarget.checked)}
        />
        <span>{i18n.t('popupEverywhere')}</span>
      </label>
      <p data-testid="popup-connection" data-state={status()?.state ?? ''}>
        {i18n.t('popupConnection', [connectionSummary(status())])}
      </p>
      <p data-testid="popup-me">
        <Show when={status()?.me} fallback={i18n.t('popupNotSignedIn')}>
          {(me) => i18n.t('popupSignedInAs', [isolate(me().name), isolate(status()?.tenant?.name ?? '')])}
        </Show>
      </p>
      <p data-testid="popup-viewers" data-count={viewers() ?? ''}>
        <Show when={viewers() !== null} fallback={i18n.t('popupViewersUnknown')}>
          {i18n.t('popupViewers', [String(viewers())])}
        </Show>
      </p>
      <button type="button" data-testid="open-options" onClick={() => props.deps.openOptions()}>
        {i18n.t('popupOptions')}
      </button>
    </main>
  );
}
