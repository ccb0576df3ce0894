// Tokens: `cc_` + 32 random bytes (base64url). Only the SHA-256 of a token is stored; a token is
// bound to one tenant, one user and a role.
import { createHash, randomBytes } from 'node:crypto';
import type { RoleT } from '../lib/protocol';
import { newId } from './ids';
import type { Store, TokenAuth, TokenInfo } from './store/types';

export const TOKEN_PREFIX = 'cc_';

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export interface IssuedToken {
  /** Shown once to the operator; never stored. */
  secret: string;
  info: TokenInfo;
}

export async function issueToken(
  store: Store,
  opts: { tenantId: string; userId: string; role: RoleT; label?: string },
): Promise<IssuedToken> {
  const secret = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const info = await store.insertToken({
    id: newId('tok'),
    tenantId: opts.tenantId,
    userId: opts.userId,
    role: opts.role,
    label: opts.label ?? '',
    hash: hashToken(secret),
    createdAt: Date.now(),
  });
  return { secret, info };
}

export type AuthResult =
  | { status: 'ok'; auth: TokenAuth }
  | { status: 'unknown'; reason: string }
  | { status: 'revoked'; reason: string };

export async function authenticate(store: Store, secret: string): Promise<AuthResult> {
  if (!secret.startsWith(TOKEN_PREFIX)) {
    return { status: 'unknown', reason: 'not a Collab Chat token (they start with cc_); ask your admin' };
  }
  const auth = await store.findTokenByHash(hashToken(secret));
  if (!auth) return { status: 'unknown', reason: 'unknown token; ask your admin for a new one' };
  if (auth.token.revokedAt !== null) {
    return { status: 'revoked', reason: 'this token was revoked; ask your admin for a new one' };
  }
  return { status: 'ok', auth };
}
