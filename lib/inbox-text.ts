// How a notification reads, in the popup's inbox and in a browser notification: who did what, the
// start of the comment with its mentions as names, and where (the page's host).
import { shownName } from '@/lib/people';
import { i18n } from '#i18n';
import { mentionParts, type NotificationT, type PersonT } from '@/lib/protocol';
import { isolate } from '@/lib/bidi';

/** "Ana mentioned you", "Ana replied", ... with the name isolated. */
export function notificationHeadline(n: NotificationT): string {
  const who = isolate(shownName(n.actor.name));
  switch (n.kind) {
    case 'mention':
      return i18n.t('notifMention', [who]);
    case 'reply':
      return i18n.t('notifReply', [who]);
    case 'new-chat':
      return i18n.t('notifNewDiscussion', [who]);
    case 'resolve':
      return i18n.t('notifResolve', [who]);
  }
}

/** The comment's start with mentions of the people the notification names shown as `@name`. */
export function notificationExcerpt(n: NotificationT, me: PersonT | null): string {
  if (!n.excerpt) return '';
  const names = new Map<string, string>([[n.actor.id, n.actor.name]]);
  if (me) names.set(me.id, me.name);
  return mentionParts(n.excerpt, names)
    .map((part) => ('mention' in part ? `@${part.name}` : part.text))
    .join('');
}

/** Where it happened: the page's host (the whole key when it is not a URL). */
export function notificationPlace(n: NotificationT): string {
  try {
    return new URL(n.page).host;
  } catch {
    return n.page;
  }
}
