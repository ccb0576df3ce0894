// Where the token lives: the extension origin's IndexedDB. No content script can open it (a content
// script's `indexedDB` is the page's, in either browser), while `storage.local` is readable by every
// content script of the extension in Firefox, which has no way to narrow it. Only extension pages and
// the background use this module; a change made in one (the options page saves) is announced to the
// others on a BroadcastChannel of the extension origin, which content scripts cannot join either.

const DATABASE = 'collab-chat-secrets';
const STORE = 'secrets';
const TOKEN_KEY = 'token';
const SESSION_KEY = 'session';
const CHANNEL = 'collab-chat/token';

/**
 * A signed-in session (single sign-on) beside its access token, which `get` answers as for any
 * token: when the access token expires, and the refresh token that renews it. Absent for a pasted
 * or invite token.
 */
export interface VaultSession {
  /** The server URL the session belongs to. */
  serverUrl: string;
  expiresAt: number;
  refreshToken: string;
  refreshExpiresAt: number;
}

export interface TokenVaultDeps {
  indexedDB: IDBFactory;
  channel(name: string): BroadcastChannel;
}

const browserDeps = (): TokenVaultDeps => ({
  indexedDB: globalThis.indexedDB,
  channel: (name) => new BroadcastChannel(name),
});

export class TokenVault {
  private db: Promise<IDBDatabase> | null = null;

  constructor(private readonly deps: TokenVaultDeps = browserDeps()) {}

  /** The saved token, or '' when there is none. */
  async get(): Promise<string> {
    const value = await this.run('readonly', (store) => store.get(TOKEN_KEY));
    return typeof value === 'string' ? value : '';
  }

  /**
   * Saves a token that has no session (pasted, or from an invite; '' removes it), dropping the
   * session of the one it replaces, and tells the extension's other contexts.
   */
  async set(token: string): Promise<void> {
    await this.setWithSession(token, null);
  }

  /** The signed-in session of the saved token, or null (a pasted or invite token, or none). */
  async getSession(): Promise<VaultSession | null> {
    const value = await this.run('readonly', (store) => store.get(SESSION_KEY));
    return isSession(value) ? value : null;
  }

  /**
   * Saves the token and its session together (null: a token without one; '' and null sign out), in
   * one transaction, so no context ever reads a token with another's refresh token.
   */
  async setWithSession(token: string, session: VaultSession | null): Promise<void> {
    const db = await this.open();
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(STORE, 'readwrite');
      const store = tx.objectStore(STORE);
      if (token) store.put(token, TOKEN_KEY);
      else store.delete(TOKEN_KEY);
      if (session) store.put(session, SESSION_KEY);
      else store.delete(SESSION_KEY);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(storeError('written', tx.error));
      tx.onabort = () => reject(storeError('written', tx.error));
    });
    const channel = this.deps.channel(CHANNEL);
    channel.postMessage('changed');
    channel.close();
  }

  /** Calls `listener` when another context of the extension saved the token; returns the unwatch. */
  watch(listener: () => void): () => void {
    const channel = this.deps.channel(CHANNEL);
    channel.onmessage = () => listener();
    return () => channel.close();
  }

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = this.deps.indexedDB.open(DATABASE, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => {
        const db = request.result;
        // Another context upgrading the database (a newer version of the extension) wins.
        db.onversionchange = () => {
          db.close();
          this.db = null;
        };
        resolve(db);
      };
      request.onerror = () => reject(storeError('opened', request.error));
      request.onblocked = () => reject(storeError('opened', new Error('blocked by another open copy')));
    }).catch((error: unknown) => {
      this.db = null;
      throw error;
    });
    return this.db;
  }

  private async run(
    mode: IDBTransactionMode,
    action: (store: IDBObjectStore) => IDBRequest,
  ): Promise<unknown> {
    const db = await this.open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = action(tx.objectStore(STORE));
      // Resolve once the transaction committed, so a read after a write sees it in every context.
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(storeError(mode === 'readonly' ? 'read' : 'written', tx.error));
      tx.onabort = () => reject(storeError(mode === 'readonly' ? 'read' : 'written', tx.error));
    });
  }
}

function storeError(what: string, cause: unknown): Error {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new Error(
    `The token store of Collab Chat (the extension's IndexedDB) could not be ${what}: ${detail}. ` +
      'Restart the browser; if it persists, save the token again in the options.',
    { cause },
  );
}

function isSession(value: unknown): value is VaultSession {
  const v = value as Partial<VaultSession> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.serverUrl === 'string' &&
    typeof v.expiresAt === 'number' &&
    typeof v.refreshToken === 'string' &&
    typeof v.refreshExpiresAt === 'number'
  );
}
