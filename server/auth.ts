// Tokens: `cc_` + 32 random bytes (base64url). Only the SHA-256 of a token is stored; a token is
// bound to one tenant, one user and a role.
import { createHash, randomBytes } from 'node:crypto';
import type { RoleT } from '../lib/protocol';
import { newId } from './ids';
import { NO_PLACE, type Store, type TokenAuth, type TokenInfo } from './store/types';

export const TOKEN_PREFIX = 'cc_';

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export interface IssuedToken {
  /** Shown once to the operator; never stored. */
  secret: string;
  info: TokenInfo;
}

/**
 * Creates a token and notes it in the tenant's audit trail. `createdBy` is the admin who asked for
 * it through the admin API; absent for the operator's CLI.
 */
export async function issueToken(
  store: Store,
  opts: { tenantId: string; userId: string; role: RoleT; label?: string; createdBy?: string },
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
    createdBy: opts.createdBy ?? null,
  });
  await store.addAudit({
    ...NO_PLACE,
    tenantId: info.tenantId,
    at: info.createdAt,
    kind: 'token-created',
    actorId: info.createdBy,
    subjectId: info.userId,
    tokenId: info.id,
    detail: `${info.role} token "${info.label}"`,
  });
  return { secret, info };
}

/**
 * Revokes a token (within `tenantId` when given) and, when this call revoked it, notes who did in the
 * audit trail (`by`: the admin; absent for the operator's CLI). Null when there is no such token.
 */
export async function revokeToken(
  store: Store,
  tokenId: string,
  opts: { tenantId?: string; by?: string } = {},
): Promise<TokenInfo | null> {
  const started = Date.now();
  const info = await store.revokeToken(tokenId, opts.tenantId);
  if (info && info.revokedAt !== null && info.revokedAt >= started) {
    await store.addAudit({
      ...NO_PLACE,
      tenantId: info.tenantId,
      at: info.revokedAt,
      kind: 'token-revoked',
      actorId: opts.by ?? null,
      subjectId: info.userId,
      tokenId: info.id,
      detail: `${info.role} token "${info.label}"`,
    });
  }
  return info;
}

export type AuthResult =
  | { status: 'ok'; auth: TokenAuth }
  | { status: 'unknown'; reason: string }
  | { status: 'revoked'; reason: string }
  | { status: 'expired'; reason: string };

export async function authenticate(store: Store, secret: string, now = Date.now()): Promise<AuthResult> {
  if (!secret.startsWith(TOKEN_PREFIX)) {
    return { status: 'unknown', reason: 'not a Collab Chat token (they start with cc_); ask your admin' };
  }
  const auth = await store.findTokenByHash(hashToken(secret));
  if (!auth) return { status: 'unknown', reason: 'unknown token; ask your admin for a new one' };
  if (auth.token.revokedAt !== null) {
    return { status: 'revoked', reason: 'this token was revoked; ask your admin for a new one' };
  }
  if (auth.token.expiresAt !== null && auth.token.expiresAt <= now) {
    return {
      status: 'expired',
      reason: 'this sign-in has expired; the extension renews it by itself, or sign in again in its options',
    };
  }
  return { status: 'ok', auth };
}
