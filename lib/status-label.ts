// Plain words for the connection status, shared by the overlay's top bar and the popup.
import { i18n } from '#i18n';
import type { StatusT } from '@/lib/messaging';

export function connectionLabel(status: StatusT | null): string {
  switch (status?.state ?? 'connecting') {
    case 'live':
      return i18n.t('stateLive');
    case 'connecting':
      if (status?.trying) return i18n.t('stateTryingNow');
      return status?.resuming ? i18n.t('stateReconnecting') : i18n.t('stateConnecting');
    case 'reconnecting':
      return i18n.t('stateReconnecting');
    case 'offline':
      return i18n.t('stateOffline');
    case 'refused':
      if (status?.detail === 'token-refused') return i18n.t('stateTokenRefused');
      if (status?.detail === 'protocol-mismatch') return i18n.t('stateProtocolMismatch');
      return i18n.t('stateRefused');
    case 'unconfigured':
      return i18n.t('stateUnconfigured');
    case 'idle':
      // No page that is on is open, so no socket; the saved settings were found to sign in.
      return status?.me ? i18n.t('stateReady') : i18n.t('stateIdle');
  }
}

/** "Live", "Reconnecting… · 2 queued", "Your token no longer works · 1 not sent", ... */
export function connectionSummary(status: StatusT | null): string {
  const parts = [connectionLabel(status)];
  const queued = status?.queued ?? 0;
  if (queued > 0) parts.push(i18n.t('queued', [String(queued)]));
  if (status?.unsent) parts.push(i18n.t('unsent', [String(status.unsent)]));
  return parts.join(' · ');
}

/** Whether the server refused the token: the person needs a new one from the options. */
export function tokenRefused(status: StatusT | null): boolean {
  return status?.state === 'refused' && status.detail === 'token-refused';
}
