// Tokens are revoked by the CLI in another process, or by another node (a member removed on its
// dashboard): this node looks for revocations in the store and closes the sockets of those tokens.
// Each look's window overlaps the previous one, so a revocation stamped by a slightly different
// clock is still seen.
import type { Store } from './store/types';

export interface RevocationWatchDeps {
  store: Pick<Store, 'tokensRevokedSince'>;
  pollMs: number;
  /** Whether this node has any welcomed socket (else there is nothing to look for). */
  holdsTokens(): boolean;
  closeToken(tokenId: string): void;
  log(message: string): void;
}

/** Starts watching; returns the function that stops it. */
export function watchRevocations(deps: RevocationWatchDeps): () => void {
  let checkedAt = Date.now();
  let polling = false;
  const timer = setInterval(() => {
    if (polling || !deps.holdsTokens()) {
      checkedAt = Date.now();
      return;
    }
    polling = true;
    const from = checkedAt - 2 * deps.pollMs - 1000;
    checkedAt = Date.now();
    deps.store
      .tokensRevokedSince(from)
      .then((revoked) => {
        for (const token of revoked) deps.closeToken(token.id);
      })
      .catch((err: Error) => deps.log(`checking for revoked tokens failed: ${err.message}`))
      .finally(() => {
        polling = false;
      });
  }, deps.pollMs);
  return () => clearInterval(timer);
}
