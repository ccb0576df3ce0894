// The toolbar popup: turn the extension on for this site or everywhere, see the connection, who you
// are, how many are viewing this tab's page, and reach the options. On and off are the browser's host
// permissions: the popup asks for them from the user's click (the browser shows its own prompt) and
// removes them; the background registers or unregisters the content script as they change. On top,
// the person's notifications (components/Inbox.tsx).
import { createResource, createSignal, onCleanup, Show } from 'solid-js';
import { i18n } from '#i18n';
import type { StatusT, ViewersReplyT } from '@/lib/messaging';
import { isolate } from '@/lib/bidi';
import { originOf } from '@/lib/page-key';
import { EMPTY_INBOX, type InboxState } from '@/lib/inbox';
import { EVERY_SITE, sitePattern, type SitePermissions } from '@/lib/sites';
import { Inbox } from './Inbox';
import { SitesAwaitingPermission } from './SitesAwaitingPermission';
import { connectionSummary } from '@/lib/status-label';

export interface PopupDeps {
  /** The tab the popup is about (the active tab of the window). */
  currentTab(): Promise<{ id: number; url: string } | null>;
  getStatus(): Promise<StatusT>;
  getViewers(tabId: number): Promise<ViewersReplyT>;
  openOptions(): void;
  /** The browser's permissions API: a site is on when its host permission is granted. */
  permissions: SitePermissions;
  /** How often the popup refreshes status and viewers while open, ms. */
  refreshMs?: number;
  /** The background's inbox: read, followed as it changes, opened and marked read through it. */
  inbox?: {
    load(): Promise<InboxState>;
    /** Calls back on every change; returns the unwatch. */
    watch(onChange: (state: InboxState) => void): () => void;
    open(seq: number): void;
    markAllRead(): void;
  };
}

function patternOf(tab: { url: string } | null | undefined): string | null {
  const site = tab ? originOf(tab.url) : null;
  return site ? sitePattern(site) : null;
}

export function Popup(props: { deps: PopupDeps }) {
  const [tab] = createResource(async () => {
    const t = await props.deps.currentTab();
    void readGrants(patternOf(t));
    return t;
  });
  const site = () => {
    const t = tab();
    return t ? originOf(t.url) : null;
  };
  const pattern = () => patternOf(tab());
  const [siteOn, setSiteOn] = createSignal(false);
  const [everywhere, setEverywhere] = createSignal(false);
  const [problem, setProblem] = createSignal<string | null>(null);

  const permissions = props.deps.permissions;
  /** Reads what the browser grants now (after a change from here, the browser's menu or elsewhere). */
  const readGrants = async (p = pattern()) => {
    const [one, all] = await Promise.all([
      p ? permissions.contains({ origins: [p] }) : Promise.resolve(false),
      permissions.contains({ origins: [EVERY_SITE] }),
    ]);
    setSiteOn(one);
    setEverywhere(all);
  };
  const onChange = () => void readGrants();
  permissions.onAdded.addListener(onChange);
  permissions.onRemoved.addListener(onChange);
  onCleanup(() => {
    permissions.onAdded.removeListener(onChange);
    permissions.onRemoved.removeListener(onChange);
  });

  /**
   * Turns `origin` on (asks the browser, straight from the click: it prompts only during a user
   * gesture) or off (gives the permission back). The checkbox then shows what the browser decided.
   */
  const toggle = (input: HTMLInputElement, origin: string) => {
    const on = input.checked;
    setProblem(null);
    const asked = on ? permissions.request({ origins: [origin] }) : permissions.remove({ origins: [origin] });
    asked
      .then(
        (done) => {
          if (on && !done) setProblem(i18n.t('popupPermissionDeclined'));
        },
        (error: unknown) => setProblem(i18n.t('popupPermissionError', [String(error)])),
      )
      .then(() => readGrants())
      .then(() => {
        input.checked = origin === EVERY_SITE ? everywhere() : siteOn() || everywhere();
      });
  };

  const [inbox, setInbox] = createSignal<InboxState>(EMPTY_INBOX);
  const inboxDeps = props.deps.inbox;
  if (inboxDeps) {
    void inboxDeps.load().then(setInbox);
    onCleanup(inboxDeps.watch(setInbox));
  }

  const [status, setStatus] = createSignal<StatusT | null>(null);
  const [viewers, setViewers] = createSignal<number | null>(null);

  const refresh = async () => {
    setStatus(await props.deps.getStatus().catch(() => null));
    const t = tab();
    if (t) setViewers((await props.deps.getViewers(t.id).catch(() => null))?.count ?? null);
  };
  void refresh();
  const timer = setInterval(() => void refresh(), props.deps.refreshMs ?? 1000);
  onCleanup(() => clearInterval(timer));

  return (
    <main class="cc-popup">
      <h1>Collab Chat</h1>
      <Show when={inboxDeps}>
        {(deps) => (
          <Inbox
            state={inbox()}
            me={status()?.me ?? null}
            onOpen={(seq) => deps().open(seq)}
            onMarkAllRead={() => deps().markAllRead()}
          />
        )}
      </Show>
      <Show when={!tab.loading}>
        <Show when={site()} fallback={<p data-testid="popup-no-site">{i18n.t('popupNoSite')}</p>}>
          {(s) => (
            <label class="cc-row">
              <input
                type="checkbox"
                data-testid="site-toggle"
                checked={siteOn() || everywhere()}
                disabled={everywhere() || pattern() === null}
                onChange={(e) => toggle(e.currentTarget, pattern() ?? s())}
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
          onChange={(e) => toggle(e.currentTarget, EVERY_SITE)}
        />
        <span>{i18n.t('popupEverywhere')}</span>
      </label>
      <Show when={problem()}>
        <p class="cc-notice" role="alert" data-testid="popup-permission-problem">
          {problem()}
        </p>
      </Show>
      <SitesAwaitingPermission permissions={permissions} />
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
      <a class="cc-popup-team" href="/team.html" target="_blank" data-testid="open-team">
        {i18n.t('popupTeam')}
      </a>
    </main>
  );
}
