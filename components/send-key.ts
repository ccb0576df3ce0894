// The key that sends what a multi-line field holds (Enter alone makes a new line there), and the
// words that say so next to the field.
import { i18n } from '#i18n';

/** ⌘ on Apple systems, Ctrl elsewhere: what the hint names. */
export function isApple(nav: Pick<Navigator, 'platform' | 'userAgent'> = navigator): boolean {
  return /Mac|iPhone|iPad/.test(nav.platform || nav.userAgent);
}

/** Ctrl+Enter or ⌘+Enter (either is taken on every system). */
export function isSendKey(event: KeyboardEvent): boolean {
  return event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.isComposing;
}

/** "Ctrl+Enter to post" or "⌘+Enter to send the reply". */
export function sendHint(action: 'post' | 'reply' | 'save'): string {
  const key = isApple() ? '⌘+Enter' : 'Ctrl+Enter';
  return i18n.t(action === 'post' ? 'hintPost' : action === 'reply' ? 'hintReply' : 'hintSave', [key]);
}

/** For `aria-keyshortcuts` on the button the key stands for. */
export const SEND_SHORTCUTS = 'Control+Enter Meta+Enter';
