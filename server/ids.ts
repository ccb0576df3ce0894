// Random ids for the directory (tenants, users, tokens, invites): a readable prefix and 96 random bits.
import { randomBytes } from 'node:crypto';

export function newId(prefix: 'ten' | 'usr' | 'tok' | 'inv'): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
