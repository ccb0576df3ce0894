// Site access: keeps the content script's registration equal to the host permissions the extension
// holds. The permissions are the one source of truth: the popup asks for a site's permission (or
// `<all_urls>`) from the user's click and removes it to turn the site off; whatever grants or removes
// it (the popup, the browser's own site-access menu, the extension's details page), this module sees
// `permissions.onAdded` / `onRemoved`, registers or unregisters the content script, injects it into
// the tabs already open on a site that was just turned on, and tells its listeners when a site was
// turned off so that open tabs stop. Nothing here touches the page; the browser APIs come in as
// arguments so that it is tested without a browser.
import { contentScriptMatches, matchesAny } from '@/lib/sites';

export interface PermissionsLike {
  getAll(): Promise<{ origins?: string[] }>;
  contains(permissions: { origins: string[] }): Promise<boolean>;
}

export interface RegisteredScript {
  id: string;
  js?: string[];
  matches?: string[];
  runAt?: 'document_start' | 'document_end' | 'document_idle';
  persistAcrossSessions?: boolean;
}

export interface ScriptingLike {
  getRegisteredContentScripts(filter?: { ids?: string[] }): Promise<RegisteredScript[]>;
  registerContentScripts(scripts: RegisteredScript[]): Promise<unknown>;
  unregisterContentScripts(filter?: { ids?: string[] }): Promise<unknown>;
  executeScript(injection: { target: { tabId: number }; files: string[] }): Promise<unknown>;
}

export interface TabsLike {
  query(query: { url?: string[] }): Promise<Array<{ id?: number; url?: string }>>;
}

/** A list of match patterns kept in storage (the sites waiting for the user to grant them again). */
export interface PatternListItem {
  getValue(): Promise<string[]>;
  setValue(value: string[]): Promise<void>;
}

/** What listeners learn when sites were turned off: which, and how to tell whether a page is still on. */
export interface SitesTurnedOff {
  /** The host permissions that were removed. */
  removed: string[];
  /** Whether a page URL is still covered by what remains on. */
  isOn(url: string): boolean;
}

export interface SiteAccessDeps {
  permissions: PermissionsLike;
  scripting: ScriptingLike;
  tabs: TabsLike;
  /** Sites the user had on before this version, whose permission the browser no longer grants. */
  awaitingPermission: PatternListItem;
  /** The content script's file in the build, e.g. `content-scripts/overlay.js`. */
  scriptFile: string;
  /** Logged, never thrown: a tab that closed mid-injection or a page the browser protects. */
  warn?: (message: string, error: unknown) => void;
}

/** The id of the one registration that carries every site that is on. */
export const CONTENT_SCRIPT_ID = 'collab-chat-overlay';

export class SiteAccess {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly offListeners = new Set<(event: SitesTurnedOff) => void>();

  constructor(private readonly deps: SiteAccessDeps) {}

  /** At every background start: the registration follows the permissions held now. */
  start(): Promise<void> {
    return this.serial(async () => {
      await this.reconcile();
      await this.dropGranted();
    });
  }

  /** The content script's match patterns now: empty when every site is off. */
  async matches(): Promise<string[]> {
    return contentScriptMatches((await this.deps.permissions.getAll()).origins ?? []);
  }

  /** Whether the extension is on for the page at `url`. */
  async isOn(url: string): Promise<boolean> {
    return matchesAny(url, await this.matches());
  }

  /** Calls `listener` whenever sites were turned off; returns the unsubscribe. */
  onSitesTurnedOff(listener: (event: SitesTurnedOff) => void): () => void {
    this.offListeners.add(listener);
    return () => this.offListeners.delete(listener);
  }

  /** `permissions.onAdded`: register, then run the script in the tabs already open on those sites. */
  permissionsAdded(added: { origins?: string[] }): Promise<void> {
    return this.serial(async () => {
      const origins = added.origins ?? [];
      if (origins.length === 0) return;
      await this.reconcile();
      await this.dropGranted();
      const fresh = contentScriptMatches(origins);
      if (fresh.length === 0) return;
      const tabs = await this.deps.tabs.query({ url: fresh }).catch((error: unknown) => {
        this.deps.warn?.('could not list the open tabs of the sites turned on', error);
        return [];
      });
      await Promise.all(
        tabs
          .filter((tab) => tab.id !== undefined && tab.url && matchesAny(tab.url, fresh))
          .map((tab) =>
            this.deps.scripting
              .executeScript({ target: { tabId: tab.id! }, files: [this.deps.scriptFile] })
              .catch((error: unknown) => this.deps.warn?.(`could not start in tab ${tab.id}`, error)),
          ),
      );
    });
  }

  /** `permissions.onRemoved`: unregister what is no longer granted and tell the listeners. */
  permissionsRemoved(removed: { origins?: string[] }): Promise<void> {
    return this.serial(async () => {
      const origins = removed.origins ?? [];
      if (origins.length === 0) return;
      const matches = await this.reconcile();
      const event: SitesTurnedOff = { removed: origins, isOn: (url) => matchesAny(url, matches) };
      for (const listener of this.offListeners) {
        try {
          listener(event);
        } catch (error) {
          this.deps.warn?.('a listener of turned-off sites failed', error);
        }
      }
    });
  }

  /** Makes the registration carry exactly the granted sites; returns its match patterns. */
  private async reconcile(): Promise<string[]> {
    const { scripting } = this.deps;
    const wanted = await this.matches();
    const [current] = await scripting.getRegisteredContentScripts({ ids: [CONTENT_SCRIPT_ID] });
    const have = [...(current?.matches ?? [])].sort();
    if (current && sameList(have, wanted) && sameList(current.js ?? [], [this.deps.scriptFile]))
      return wanted;
    if (current) await scripting.unregisterContentScripts({ ids: [CONTENT_SCRIPT_ID] });
    if (wanted.length > 0) {
      await scripting.registerContentScripts([
        {
          id: CONTENT_SCRIPT_ID,
          js: [this.deps.scriptFile],
          matches: wanted,
          runAt: 'document_idle',
          persistAcrossSessions: true,
        },
      ]);
    }
    return wanted;
  }

  /** Forgets the sites waiting for a new grant once the browser grants them. */
  private async dropGranted(): Promise<void> {
    const waiting = await this.deps.awaitingPermission.getValue();
    if (waiting.length === 0) return;
    const still: string[] = [];
    for (const pattern of waiting) {
      if (!(await this.deps.permissions.contains({ origins: [pattern] }))) still.push(pattern);
    }
    if (!sameList(still, waiting)) await this.deps.awaitingPermission.setValue(still);
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
