// In-memory stand-ins for the browser's permissions, scripting and tabs APIs as far as site access
// uses them (WXT's fakeBrowser leaves these unimplemented). Permissions behave as both browsers do for
// host patterns: `<all_urls>` covers every http(s) site; `request` and `remove` fire onAdded/onRemoved.
import { matchesAny } from '@/lib/sites';
import type { RegisteredScript } from '@/entrypoints/background/sites';

type Listener<T> = (value: T) => void;

function event<T>() {
  const listeners = new Set<Listener<T>>();
  return {
    addListener: (l: Listener<T>) => void listeners.add(l),
    removeListener: (l: Listener<T>) => void listeners.delete(l),
    fire: (value: T) => listeners.forEach((l) => l(value)),
  };
}

export function fakePermissions(initial: string[] = []) {
  const granted = new Set(initial);
  const onAdded = event<{ origins?: string[] }>();
  const onRemoved = event<{ origins?: string[] }>();
  const covers = (pattern: string) =>
    granted.has(pattern) ||
    (granted.has('<all_urls>') && /^https?:\/\//.test(pattern)) ||
    [...granted].some(
      (g) => /^https?:\/\/[^*]+\/\*$/.test(pattern) && matchesAny(pattern.replace(/\*$/, ''), [g]),
    );
  return {
    granted,
    onAdded,
    onRemoved,
    getAll: async () => ({ origins: [...granted], permissions: [] }),
    contains: async ({ origins }: { origins: string[] }) => origins.every(covers),
    /** What the browser does when the user accepts (or `answer` is false: declines) the prompt. */
    request: async ({ origins }: { origins: string[] }, answer = true) => {
      if (!answer) return false;
      const fresh = origins.filter((o) => !granted.has(o));
      fresh.forEach((o) => granted.add(o));
      if (fresh.length > 0) onAdded.fire({ origins: fresh });
      return true;
    },
    remove: async ({ origins }: { origins: string[] }) => {
      const gone = origins.filter((o) => granted.delete(o));
      if (gone.length > 0) onRemoved.fire({ origins: gone });
      return gone.length > 0;
    },
  };
}

export function fakeScripting() {
  const registered = new Map<string, RegisteredScript>();
  const injected: Array<{ tabId: number; files: string[] }> = [];
  return {
    registered,
    injected,
    getRegisteredContentScripts: async (filter?: { ids?: string[] }) =>
      [...registered.values()]
        .filter((s) => !filter?.ids || filter.ids.includes(s.id))
        .map((s) => ({ ...s })),
    registerContentScripts: async (scripts: RegisteredScript[]) => {
      for (const s of scripts) {
        if (registered.has(s.id)) throw new Error(`Duplicate script ID '${s.id}'`);
        if (!s.matches?.length) throw new Error('matches must be non-empty');
      }
      for (const s of scripts) registered.set(s.id, { ...s });
    },
    unregisterContentScripts: async (filter?: { ids?: string[] }) => {
      for (const id of filter?.ids ?? [...registered.keys()]) {
        if (!registered.delete(id)) throw new Error(`Nonexistent script ID '${id}'`);
      }
    },
    executeScript: async ({ target, files }: { target: { tabId: number }; files: string[] }) => {
      injected.push({ tabId: target.tabId, files });
      return [];
    },
  };
}

/** Open tabs; a tab's URL is visible only where the extension holds a permission (as without `tabs`). */
export function fakeTabs(tabs: Array<{ id: number; url: string }>) {
  return {
    tabs,
    query: async ({ url }: { url?: string[] }) =>
      tabs.filter((t) => !url || matchesAny(t.url, url)).map((t) => ({ ...t })),
  };
}
