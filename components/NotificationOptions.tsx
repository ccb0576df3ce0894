// The notifications settings of the options page: stay connected for them with no page open (the
// badge and inbox stay current), and browser notifications, which ask for the optional
// `notifications` permission from the person's click (and give it back when turned off).
import { createSignal, Show } from 'solid-js';
import { i18n } from '#i18n';
import { notificationSettingsStorage, type NotificationSettings } from '@/lib/storage';

/** The browser's permission to show notifications. */
export interface NotificationPermission {
  contains(): Promise<boolean>;
  /** Must be called straight from the click: browsers ask only during a user gesture. */
  request(): Promise<boolean>;
  remove(): Promise<boolean>;
}

export function NotificationOptions(props: { permission: NotificationPermission }) {
  const [settings, setSettings] = createSignal<NotificationSettings | null>(null);
  const [granted, setGranted] = createSignal(false);
  const [problem, setProblem] = createSignal<string | null>(null);
  void Promise.all([notificationSettingsStorage.getValue(), props.permission.contains()]).then(([s, g]) => {
    setSettings(s);
    setGranted(g);
  });
  const save = (change: Partial<NotificationSettings>) => {
    const next = { ...settings()!, ...change };
    setSettings(next);
    return notificationSettingsStorage.setValue(next);
  };

  const toggleDesktop = (input: HTMLInputElement) => {
    setProblem(null);
    if (!input.checked) {
      void save({ desktop: false });
      void props.permission.remove().then(() => setGranted(false));
      return;
    }
    // Asked at once, in the click: the browser shows its own prompt.
    props.permission.request().then(
      (yes) => {
        setGranted(yes);
        input.checked = yes;
        if (yes) void save({ desktop: true });
        else setProblem(i18n.t('optionsDesktopDeclined'));
      },
      (error: unknown) => {
        input.checked = false;
        setProblem(i18n.t('optionsDesktopError', [String(error)]));
      },
    );
  };

  return (
    <Show when={settings()}>
      {(s) => (
        <fieldset data-testid="notification-options">
          <legend>{i18n.t('optionsNotifications')}</legend>
          <label class="cc-row">
            <input
              type="checkbox"
              data-testid="stay-connected"
              checked={s().stayConnected}
              onChange={(e) => void save({ stayConnected: e.currentTarget.checked })}
            />
            {i18n.t('optionsStayConnected')}
          </label>
          <label class="cc-row">
            <input
              type="checkbox"
              data-testid="desktop-notifications"
              checked={s().desktop && granted()}
              onChange={(e) => toggleDesktop(e.currentTarget)}
            />
            {i18n.t('optionsDesktop')}
          </label>
          <Show when={problem()}>
            <p class="cc-notice" role="alert" data-testid="desktop-notifications-problem">
              {problem()}
            </p>
          </Show>
        </fieldset>
      )}
    </Show>
  );
}
