import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import { TokenVault, type TokenVaultDeps } from './token-vault';

/** One browser profile: one IndexedDB, BroadcastChannels that reach every other context's. */
function profile() {
  const indexedDB = new IDBFactory();
  const channels = new Set<{ name: string; onmessage: ((e: unknown) => void) | null; closed: boolean }>();
  const deps: TokenVaultDeps = {
    indexedDB,
    channel: (name) => {
      const channel = {
        name,
        onmessage: null as ((e: unknown) => void) | null,
        closed: false,
        postMessage(data: unknown) {
          for (const other of channels) {
            if (other !== channel && other.name === name && !other.closed) other.onmessage?.({ data });
          }
        },
        close() {
          channel.closed = true;
          channels.delete(channel);
        },
      };
      channels.add(channel);
      return channel as unknown as BroadcastChannel;
    },
  };
  return { deps, indexedDB };
}

describe('TokenVault', () => {
  it('keeps a signed-in session beside its token, and a token saved without one drops it', async () => {
    const { deps } = profile();
    const session = {
      serverUrl: 'wss://chat.example',
      expiresAt: 5,
      refreshToken: 'ccr_x',
      refreshExpiresAt: 9,
    };
    expect(await new TokenVault(deps).getSession()).toBeNull();
    await new TokenVault(deps).setWithSession('cc_signed', session);
    expect(await new TokenVault(deps).get()).toBe('cc_signed');
    expect(await new TokenVault(deps).getSession()).toEqual(session);
    await new TokenVault(deps).set('cc_pasted');
    expect(await new TokenVault(deps).get()).toBe('cc_pasted');
    expect(await new TokenVault(deps).getSession()).toBeNull();
    await new TokenVault(deps).setWithSession('cc_signed', session);
    await new TokenVault(deps).setWithSession('', null);
    expect(await new TokenVault(deps).get()).toBe('');
    expect(await new TokenVault(deps).getSession()).toBeNull();
  });

  it('is empty at first, keeps a token across instances (contexts) and removes it when saved empty', async () => {
    const { deps } = profile();
    expect(await new TokenVault(deps).get()).toBe('');
    await new TokenVault(deps).set('cc_secret');
    expect(await new TokenVault(deps).get()).toBe('cc_secret');
    await new TokenVault(deps).set('');
    expect(await new TokenVault(deps).get()).toBe('');
  });

  it('tells the other contexts when the token was saved, until they stop watching', async () => {
    const { deps } = profile();
    const background = new TokenVault(deps);
    const listener = vi.fn();
    const unwatch = background.watch(listener);
    await new TokenVault(deps).set('cc_1');
    expect(listener).toHaveBeenCalledTimes(1);
    unwatch();
    await new TokenVault(deps).set('cc_2');
    expect(listener).toHaveBeenCalledTimes(1);
    expect(await background.get()).toBe('cc_2');
  });

  it('says what failed, and what to do, when the database cannot be opened; a later call retries', async () => {
    const { deps, indexedDB } = profile();
    let fail = true;
    const vault = new TokenVault({
      ...deps,
      indexedDB: {
        open: (name: string, version?: number) => {
          if (!fail) return indexedDB.open(name, version);
          const request = {
            error: new DOMException('disk full', 'QuotaExceededError'),
          } as unknown as IDBOpenDBRequest;
          queueMicrotask(() => request.onerror?.(new Event('error')));
          return request;
        },
      } as unknown as IDBFactory,
    });
    await expect(vault.get()).rejects.toThrow(
      "The token store of Collab Chat (the extension's IndexedDB) could not be opened: disk full. Restart the browser",
    );
    fail = false;
    await vault.set('cc_after');
    expect(await vault.get()).toBe('cc_after');
  });
});
