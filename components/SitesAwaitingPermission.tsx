// "Collab Chat needs your permission again for …": the sites a user had on before the extension
// stopped holding every site from install, whose permission the browser no longer grants. One click
// asks the browser for all of them at once; the background clears the list as they are granted.
import { createSignal, onCleanup, Show } from 'solid-js';
import { i18n } from '#i18n';
import { EVERY_SITE, siteLabel, type SitePermissions } from '@/lib/sites';
import { sitesAwaitingPermissionStorage } from '@/lib/storage';

export function SitesAwaitingPermission(props: { permissions: Pick<SitePermissions, 'request'> }) {
  const [waiting, setWaiting] = createSignal<string[]>([]);
  const [error, setError] = createSignal<string | null>(null);
  void sitesAwaitingPermissionStorage.getValue().then(setWaiting);
  onCleanup(sitesAwaitingPermissionStorage.watch((value) => setWaiting(value ?? [])));

  const names = () =>
    waiting()
      .map((p) => (p === EVERY_SITE ? i18n.t('sitesAwaitingEverySite') : siteLabel(p)))
      .join(', ');

  return (
    <Show when={waiting().length > 0}>
      <div class="cc-notice" role="alert" data-testid="sites-awaiting">
        <p>{i18n.t('sitesAwaiting', [names()])}</p>
        <button
          type="button"
          data-testid="grant-again"
          onClick={() => {
            setError(null);
            // Straight from the click: the browser asks only during a user gesture.
            props.permissions.request({ origins: waiting() }).then(
              (granted) => {
                if (!granted) setError(i18n.t('popupPermissionDeclined'));
              },
              (e: unknown) => setError(i18n.t('popupPermissionError', [String(e)])),
            );
          }}
        >
          {i18n.t('sitesGrantAgain')}
        </button>
        <Show when={error()}>
          <p data-testid="grant-again-error">{error()}</p>
        </Show>
      </div>
    </Show>
  );
}
