// The notifications' side of the browser: the toolbar badge (the unread count), browser notifications
// (only while the person has turned them on in the options and granted the optional `notifications`
// permission), the connection kept open for them when the person asked for that, opening a
// notification's discussion (a tab already on its page, else a new one) and the popup's requests.
// The inbox itself is `NotificationCenter` (notifications.ts).
import { browser } from 'wxt/browser';
import { i18n } from '#i18n';
import { badgeText, type InboxState } from '@/lib/inbox';
import { notificationExcerpt, notificationHeadline, notificationPlace } from '@/lib/inbox-text';
import { discussionLink } from '@/lib/links';
import type { BackgroundToFrameT } from '@/lib/messaging';
import type { NotificationT } from '@/lib/protocol';
import { inboxStorage, notificationSettingsStorage, type NotificationSettings } from '@/lib/storage';
import { NotificationCenter } from './notifications';
import type { Session } from './session';

/** Browser notifications are named by this prefix and the notification's seq. */
const NOTICE_PREFIX = 'cc-notification-';
/** More new ones than this at once (coming back after a while) make one summary notification. */
const NOTICES_AT_ONCE = 3;

type NotificationsApi = typeof browser.notifications | undefined;
/** The API exists only while the optional permission is granted. */
const notificationsApi = (): NotificationsApi =>
  (browser as unknown as { notifications?: NotificationsApi }).notifications;

function setBadge(state: InboxState): void {
  // MV3 names the toolbar button `action`, MV2 (Firefox) `browserAction`.
  const action =
    browser.action ?? (browser as unknown as { browserAction?: typeof browser.action }).browserAction;
  if (!action) return;
  const text = badgeText(state.unread);
  void Promise.all([
    action.setBadgeText({ text }),
    action.setBadgeBackgroundColor({ color: '#b3261e' }),
  ]).catch((error: unknown) => console.warn('Collab Chat: could not set the badge', error));
}

export interface NotificationWiring {
  center: NotificationCenter;
  /** Connects the center to the session (made after the center, which the session's deps name). */
  attach(session: Session, deliver: (tabId: number, message: BackgroundToFrameT) => void): void;
  /** The popup opens notification `seq`. */
  open(seq: number): Promise<void>;
  markAllRead(): void;
}

export function setupNotifications(): NotificationWiring {
  let session: Session | null = null;
  let deliver: ((tabId: number, message: BackgroundToFrameT) => void) | null = null;
  let settings: NotificationSettings = { stayConnected: false, desktop: false };

  const desktopAllowed = async () =>
    settings.desktop &&
    (await browser.permissions.contains({ permissions: ['notifications'] }).catch(() => false));

  const showFresh = async (fresh: NotificationT[]) => {
    const api = notificationsApi();
    if (!api || !(await desktopAllowed())) return;
    const iconUrl = browser.runtime.getURL('/icon/128.png');
    const me = session?.connection.welcome?.user ?? null;
    if (fresh.length > NOTICES_AT_ONCE) {
      await api.create(`${NOTICE_PREFIX}many`, {
        type: 'basic',
        iconUrl,
        title: 'Collab Chat',
        message: i18n.t('notifMany', [String(fresh.length)]),
      });
      return;
    }
    for (const n of fresh) {
      await api.create(`${NOTICE_PREFIX}${n.seq}`, {
        type: 'basic',
        iconUrl,
        title: notificationHeadline(n),
        message: [notificationExcerpt(n, me), notificationPlace(n)].filter(Boolean).join('\n'),
      });
    }
  };

  const center = new NotificationCenter({
    storage: inboxStorage,
    send: (frame) => session?.connection.send(frame) ?? false,
    onChange: setBadge,
    onFresh: (fresh) =>
      void showFresh(fresh).catch((error: unknown) =>
        console.warn('Collab Chat: could not show a notification', error),
      ),
  });

  /** Opens discussion `discussionId` of `page`: in a tab already showing the page, else in a new tab. */
  const openDiscussion = async (page: string, discussionId: string) => {
    const link = discussionLink(page, discussionId);
    const tabId = session?.tabs.tabsOf(page)[0];
    if (tabId === undefined) {
      await browser.tabs.create({ url: link });
      return;
    }
    // The fragment changes (the content script opens the thread on `hashchange`); the frame is told
    // too, for a tab already on that very link.
    const tab = await browser.tabs.update(tabId, { url: link, active: true });
    deliver?.(tabId, { kind: 'open-discussion', id: discussionId });
    if (tab?.windowId !== undefined) await browser.windows?.update(tab.windowId, { focused: true });
  };

  const open = async (seq: number) => {
    const item = center.open(seq);
    if (item) await openDiscussion(item.page, item.chatId);
  };

  const applySettings = (next: NotificationSettings) => {
    settings = next;
    // Browser notifications are wanted with no page open too: both keep the connection.
    session?.setKeepConnected(next.stayConnected || next.desktop);
  };
  void notificationSettingsStorage.getValue().then(applySettings);
  // Lives as long as the worker: never unwatched.
  notificationSettingsStorage.watch((next) => applySettings(next));

  // Registered now, at start: a click on a notification wakes a stopped worker. The API appears
  // only once the permission is granted, so a grant later registers it then.
  let clickListening = false;
  const listenForClicks = () => {
    const api = notificationsApi();
    if (!api || clickListening) return;
    clickListening = true;
    api.onClicked.addListener((id: string) => {
      if (!id.startsWith(NOTICE_PREFIX)) return;
      void api.clear(id);
      // The summary of many names no one discussion: the toolbar popup lists them.
      const seq = Number(id.slice(NOTICE_PREFIX.length));
      if (Number.isInteger(seq)) void open(seq);
    });
  };
  listenForClicks();
  browser.permissions.onAdded.addListener(() => listenForClicks());
  // Chrome starts an MV3 worker with the browser only for an `onStartup` listener: with one, the
  // connection (when kept for notifications) is back as soon as the browser is.
  browser.runtime.onStartup.addListener(() => undefined);

  return {
    center,
    attach(s, d) {
      session = s;
      deliver = d;
      applySettings(settings);
      void notificationSettingsStorage.getValue().then(applySettings);
    },
    open,
    markAllRead: () => center.markAllRead(),
  };
}
