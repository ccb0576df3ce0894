// The frame's view of the person's drafts (`lib/drafts`): read at once from a reactive copy, saved to
// extension storage shortly after typing stops (and at once when cleared or when the frame goes away).
// Every tab's frame shares the one stored map: a save merges only the keys this frame changed into
// what storage holds (as last read or announced by its change events), and changes saved by another
// tab show here too. A save is one storage call issued at once, so that one made as the frame goes
// away (the tab closes or reloads) leaves before the document does.
import { createSignal } from 'solid-js';
import { putDraft, pruneDrafts, type DraftMap } from '@/lib/drafts';

/** The stored map, as a WXT storage item offers it. */
export interface DraftStore {
  getValue(): Promise<DraftMap>;
  setValue(value: DraftMap): Promise<void>;
  watch(cb: (value: DraftMap | null) => void): () => void;
}

export interface DraftBookDeps {
  store: DraftStore;
  now?: () => number;
  /** How long after the last keystroke a draft is saved. */
  saveDelayMs?: number;
}

export type DraftBook = ReturnType<typeof createDraftBook>;

export function createDraftBook(deps: DraftBookDeps) {
  const now = deps.now ?? Date.now;
  const delay = deps.saveDelayMs ?? 300;
  const [drafts, setDrafts] = createSignal<DraftMap>({});
  /** Keys changed here and not yet saved. */
  const dirty = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** What storage holds, as last read or announced; null until first read. */
  let stored: DraftMap | null = null;

  const loaded = deps.store.getValue().then((value) => {
    stored ??= value;
    // What was typed before the stored map arrived wins over it.
    const mine = Object.fromEntries([...dirty].map((k) => [k, drafts()[k]]).filter(([, d]) => d));
    setDrafts(pruneDrafts({ ...stored, ...mine }, now()));
  });
  const unwatch = deps.store.watch((value) => {
    stored = value ?? {};
    const mine = Object.fromEntries([...dirty].map((k) => [k, drafts()[k]]).filter(([, d]) => d));
    const next: Record<string, DraftMap[string]> = { ...(value ?? {}), ...mine };
    for (const key of dirty) if (!drafts()[key]) delete next[key];
    setDrafts(next);
  });

  const save = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (dirty.size === 0) return Promise.resolve();
    // Not read yet: saving now would overwrite what other frames kept.
    if (stored === null) return loaded.then(save);
    const keys = [...dirty];
    dirty.clear();
    const local = drafts();
    let next: DraftMap = stored;
    for (const key of keys) {
      const entry = local[key];
      next = putDraft(next, key, entry?.text ?? '', entry?.at ?? now()) ?? next;
    }
    stored = next;
    return deps.store.setValue(next).catch(() => {
      // Storage refused (quota): the drafts stay in this frame and are saved with the next change.
      for (const key of keys) dirty.add(key);
    });
  };

  const set = (key: string, text: string) => {
    const next = putDraft(drafts(), key, text, now());
    if (!next) return;
    setDrafts(next);
    dirty.add(key);
    clearTimeout(timer);
    timer = setTimeout(() => void save(), delay);
  };

  return {
    /** Resolves once the stored drafts are in. */
    loaded,
    /** The whole map (reactive). */
    all: drafts,
    /** The draft under `key`, '' when none (reactive). */
    text: (key: string): string => drafts()[key]?.text ?? '',
    set,
    /** Forgets a draft (sent or discarded), saved at once. */
    clear(key: string): Promise<void> {
      set(key, '');
      return save();
    },
    /** Moves a draft to another key (kept as typed), saved at once. */
    move(from: string, to: string): Promise<void> {
      const text = drafts()[from]?.text ?? '';
      if (!text) return save();
      set(to, text);
      set(from, '');
      return save();
    },
    /** Saves what waits (the frame is going away). */
    flush: save,
    dispose() {
      clearTimeout(timer);
      unwatch();
    },
  };
}

/** A book kept in memory only (component tests, and a frame without storage). */
export function memoryDraftStore(initial: DraftMap = {}): DraftStore {
  let value = initial;
  const listeners = new Set<(v: DraftMap) => void>();
  return {
    getValue: () => Promise.resolve(value),
    setValue(v) {
      value = v;
      for (const l of listeners) l(v);
      return Promise.resolve();
    },
    watch(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
  };
}
