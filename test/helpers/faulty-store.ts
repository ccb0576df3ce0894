// A real store whose methods can be told to fail, to test what a client sees when the database
// does: the server answers `internal` or closes with 1011, and nothing else breaks.
import type { Store } from '../../server/store/types';

export interface FaultyStore {
  store: Store;
  /** Methods that throw from now on (until removed), with the error they throw. */
  failing: Set<keyof Store>;
  /** How many times each method was called. */
  calls: Map<string, number>;
}

export function faultyStore(inner: Store): FaultyStore {
  const failing = new Set<keyof Store>();
  const calls = new Map<string, number>();
  const store = new Proxy(inner, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || typeof name !== 'string') return value;
      return (...args: unknown[]) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        if (failing.has(name as keyof Store)) {
          return Promise.reject(new Error(`the database is unavailable (${name} failed)`));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, failing, calls };
}
