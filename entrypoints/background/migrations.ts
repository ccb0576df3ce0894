// Versioned migrations of what the extension keeps in storage, run by the background at every start
// before anything reads the settings. Each step moves version N to N + 1 and is safe to run again
// (a start that died half-way repeats the step). A fresh install walks them all and finds nothing.
//
//   1 → 2  Sites. Version 1 held `<all_urls>` from install and kept the sites a user turned on in
//          `enabledSites` (origins) and `enabledEverywhere`. Now a site is on when its host
//          permission is granted. Chrome carries the install-time `<all_urls>` over to the update
//          (it is still an optional permission), which would now mean "on everywhere": unless the
//          user had chosen every site, it is given back. A site whose own permission the browser
//          grants stays on by itself (the background registers the content script for it); every
//          other one is put on the "needs your permission again" list that the popup and the options
//          page offer to grant in one click. The old keys are removed.
//   2 → 3  Token. It moves from storage.local (which content scripts can read) to the extension
//          origin's IndexedDB (lib/token-vault.ts). A token already in the vault is newer and wins.
import { storage } from '#imports';
import { EVERY_SITE, sitePattern } from '@/lib/sites';
import { legacyTokenStorage, settingsVersionStorage, sitesAwaitingPermissionStorage } from '@/lib/storage';
import type { PermissionsLike } from './sites';

export const SETTINGS_VERSION = 3;

export interface MigrationDeps {
  permissions: Pick<PermissionsLike, 'contains'> & { remove(p: { origins: string[] }): Promise<boolean> };
  tokenVault: { get(): Promise<string>; set(token: string): Promise<void> };
}

type Step = (deps: MigrationDeps) => Promise<void>;

const STEPS: Record<number, Step> = {
  1: sitesFromStorageToPermissions,
  2: tokenToVault,
};

/** Brings the stored settings to SETTINGS_VERSION; returns the version it found. */
export async function migrateSettings(deps: MigrationDeps): Promise<number> {
  const found = await settingsVersionStorage.getValue();
  for (let version = found; version < SETTINGS_VERSION; version++) {
    const step = STEPS[version];
    if (!step) throw new Error(`no migration from settings version ${version}`);
    await step(deps);
    await settingsVersionStorage.setValue(version + 1);
  }
  return found;
}

async function sitesFromStorageToPermissions({ permissions }: MigrationDeps): Promise<void> {
  const [sites, everywhere] = await Promise.all([
    storage.getItem<unknown>('local:enabledSites'),
    storage.getItem<unknown>('local:enabledEverywhere'),
  ]);
  const wanted = new Set<string>();
  if (everywhere === true) wanted.add(EVERY_SITE);
  else if (await permissions.contains({ origins: [EVERY_SITE] })) {
    await permissions.remove({ origins: [EVERY_SITE] });
  }
  if (Array.isArray(sites)) {
    for (const site of sites) {
      const pattern = typeof site === 'string' ? sitePattern(site) : null;
      if (pattern) wanted.add(pattern);
    }
  }
  const waiting = new Set(await sitesAwaitingPermissionStorage.getValue());
  for (const pattern of wanted) {
    if (!(await permissions.contains({ origins: [pattern] }))) waiting.add(pattern);
  }
  await sitesAwaitingPermissionStorage.setValue([...waiting].sort());
  await storage.removeItems(
    (['local:enabledSites', 'local:enabledEverywhere'] as const).map((key) => ({
      key,
      options: { removeMeta: true },
    })),
  );
}

async function tokenToVault({ tokenVault }: MigrationDeps): Promise<void> {
  const old = await legacyTokenStorage.getValue();
  if (old && !(await tokenVault.get())) await tokenVault.set(old);
  // Only once the vault holds it: a failed write leaves the token where it was, for the next start.
  await legacyTokenStorage.removeValue({ removeMeta: true });
}
