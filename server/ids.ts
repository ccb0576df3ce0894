// Random ids for the directory (tenants, users, tokens, invites, sign-in requests): a readable prefix and 96 random bits.
import { randomBytes } from 'node:crypto';

export function newId(prefix: 'ten' | 'usr' | 'tok' | 'inv' | 'req'): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
