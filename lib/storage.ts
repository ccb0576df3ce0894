// Every value the extension keeps in browser storage, one WXT storage item each. Settings live in
// `local:` (they outlive restarts); the outbox too, so queued writes survive a stopped service worker.
import { storage } from '#imports';
import type { WriteFrameT } from '@/lib/protocol';

export type Theme = 'system' | 'light' | 'dark';

/** A write waiting for the server's ack or definitive error. */
export interface QueuedWrite {
  write: WriteFrameT;
  queuedAt: number;
}

export const serverUrlStorage = storage.defineItem<string>('local:serverUrl', { fallback: '', version: 1 });
export const tokenStorage = storage.defineItem<string>('local:token', { fallback: '', version: 1 });
/** Origins (scheme://host:port) the user turned on from the popup. */
export const enabledSitesStorage = storage.defineItem<string[]>('local:enabledSites', {
  fallback: [],
  version: 1,
});
export const enabledEverywhereStorage = storage.defineItem<boolean>('local:enabledEverywhere', {
  fallback: false,
  version: 1,
});
export const themeStorage = storage.defineItem<Theme>('local:theme', { fallback: 'system', version: 1 });
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
export const outboxStorage = storage.defineItem<QueuedWrite[]>('local:outbox', { fallback: [], version: 1 });

/** Whether the overlay may run on a site. */
export async function isSiteEnabled(site: string): Promise<boolean> {
  const [everywhere, sites] = await Promise.all([
    enabledEverywhereStorage.getValue(),
    enabledSitesStorage.getValue(),
  ]);
  return everywhere || sites.includes(site);
}

export async function setSiteEnabled(site: string, on: boolean): Promise<void> {
  const sites = await enabledSitesStorage.getValue();
  const next = on ? [...new Set([...sites, site])] : sites.filter((s) => s !== site);
  await enabledSitesStorage.setValue(next);
}
