// Every value the extension keeps in browser storage, one WXT storage item each. Settings live in
// `local:` (they outlive restarts); the outbox too, so queued writes survive a stopped service worker.
import { storage } from '#imports';
import type { DraftMap } from '@/lib/drafts';
import { EMPTY_INBOX, type InboxState } from '@/lib/inbox';
import type { ErrorCode, PersonT, WriteFrameT } from '@/lib/protocol';

export type Theme = 'system' | 'light' | 'dark';

/**
 * A write the person made that the server has not taken yet: waiting to be sent, held because the
 * token no longer works, or refused for good. It stays until acked or discarded by the person, so
 * nothing typed is lost.
 */
export interface QueuedWrite {
  write: WriteFrameT;
  queuedAt: number;
  /** Who made it, as the server last named the user (shown as its author after a reload). */
  by?: PersonT;
  /** The server refused the token: not sent again until the person asks (with a new token). */
  held?: true;
  /** Refused for good: never sent again; kept so that its text can be copied. */
  failed?: { code: ErrorCode; message: string };
}

export const serverUrlStorage = storage.defineItem<string>('local:serverUrl', { fallback: '', version: 1 });
/**
 * Where settings version 2 and earlier kept the token. Content scripts can read storage.local, so the
 * token now lives in the extension origin's IndexedDB (lib/token-vault.ts); the background's migration
 * moves it there and clears this key.
 */
export const legacyTokenStorage = storage.defineItem<string>('local:token', { fallback: '', version: 1 });
/**
 * Which sites are on is not stored: it is the host permissions the browser grants (lib/sites.ts).
 * This list holds only the sites (as host permissions, `<all_urls>` for every site) that a user had
 * on in a version that held `<all_urls>` from install, and whose permission the update took away:
 * the popup and the options page offer to grant them again in one click.
 */
export const sitesAwaitingPermissionStorage = storage.defineItem<string[]>('local:sitesAwaitingPermission', {
  fallback: [],
  version: 1,
});
/** The version of the stored settings as a whole; the background migrates older ones at start. */
export const settingsVersionStorage = storage.defineItem<number>('local:settingsVersion', {
  fallback: 1,
  version: 1,
});
export const themeStorage = storage.defineItem<Theme>('local:theme', { fallback: 'system', version: 1 });
/** Which side of the window the bar and its panels keep to; chosen from the bar. */
export type DockSide = 'left' | 'right';
export const dockStorage = storage.defineItem<DockSide>('local:dock', { fallback: 'right', version: 1 });
export const topBarCollapsedStorage = storage.defineItem<boolean>('local:topBarCollapsed', {
  fallback: false,
  version: 1,
});
/**
 * Each tab's frame ticket (see entrypoints/background/ports.ts). In `session:` storage, which content
 * scripts cannot read, and which outlives a stopped service worker but not the browser.
 */
export const frameTicketsStorage = storage.defineItem<Record<string, string>>('session:frameTickets', {
  fallback: {},
  version: 1,
});
/**
 * Who the saved server URL and token sign in as, as the check after "Save" or the last welcome found.
 * In `session:` storage, which content scripts cannot read: it names the user and the team.
 */
export const accountStorage = storage.defineItem<{
  serverUrl: string;
  user: { id: string; name: string };
  tenant: { id: string; name: string };
  role: 'member' | 'admin';
} | null>('session:account', { fallback: null, version: 1 });
/**
 * Why the signed-in session (single sign-on) ended, in the server's words, when the background found
 * it over (renewal refused: signed out elsewhere, removed, a refresh token used twice); the options
 * page says so beside "Sign in". Cleared by the next sign-in or sign-out.
 */
export const sessionEndedStorage = storage.defineItem<string | null>('session:sessionEnded', {
  fallback: null,
  version: 1,
});
/** Whether the hint on how to start a discussion has been shown (it is shown once, in one frame). */
export const firstUseHintStorage = storage.defineItem<boolean>('local:firstUseHintShown', {
  fallback: false,
  version: 1,
});
export const outboxStorage = storage.defineItem<QueuedWrite[]>('local:outbox', { fallback: [], version: 1 });
/**
 * What each user has seen of each discussion on this browser (`lib/unread`): user and discussion ids
 * with a time, no text. Bounded by `SEEN_LIMIT`.
 */
export const seenStorage = storage.defineItem<Record<string, number>>('local:seen', {
  fallback: {},
  version: 1,
});
/**
 * What the person typed and has not sent (`lib/drafts`): reply, edit and new-discussion boxes by key.
 * Only the frame reads and writes it; bounded by `DRAFT_LIMIT` and `DRAFT_MAX_AGE_MS`.
 */
export const draftsStorage = storage.defineItem<DraftMap>('local:drafts', { fallback: {}, version: 1 });
/**
 * The person's notifications as this browser keeps them (`lib/inbox`): the newest, the server's unread
 * count and the last seq seen. Written by the background only; the popup shows it.
 */
export const inboxStorage = storage.defineItem<InboxState>('local:inbox', {
  fallback: EMPTY_INBOX,
  version: 1,
});
/**
 * Notifications settings, both off by default: `stayConnected` keeps the connection open for them
 * with no page of ours open (the badge and inbox stay current); `desktop` shows a browser
 * notification for each new one (when the optional `notifications` permission is granted).
 */
export interface NotificationSettings {
  stayConnected: boolean;
  desktop: boolean;
}
export const notificationSettingsStorage = storage.defineItem<NotificationSettings>(
  'local:notificationSettings',
  { fallback: { stayConnected: false, desktop: false }, version: 1 },
);
