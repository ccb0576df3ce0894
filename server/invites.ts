// Invite links: an admin makes one (role, expiry, number of uses) and shares
// `<server origin>/invite#cci_<secret>`. Only the SHA-256 of the secret is stored. The link's page
// (served here) says what it is and how to join; the secret stays in the fragment, which browsers
// never send to a server, and the page reads it only to show the team, role and expiry. Redeeming
// (POST /invite/redeem) creates the member and a token of their own and answers only a non-browser
// client or the extension's own pages (chrome-extension:// or moz-extension:// origins): no web page
// can read a token from it.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RoleT } from '../lib/protocol';
import { hashToken, TOKEN_PREFIX } from './auth';
import { answer, HttpError, json, readJsonBody } from './http-json';
import { newId } from './ids';
import { extensionOnly, type OriginPolicy } from './origin';
import { NO_PLACE, type InviteInfo, type InviteRefusal, type Store } from './store/types';

export const INVITE_PREFIX = 'cci_';
/** The longest an invite may stay valid, and the most uses it may allow. */
export const MAX_INVITE_HOURS = 24 * 30;
export const MAX_INVITE_USES = 500;
/** The longest display name a person may give when joining. */
export const MAX_NAME_LENGTH = 80;

export function hashInvite(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export type InviteState = 'active' | InviteRefusal;

/** Whether an invite can be used now, and if not, why. */
export function inviteState(invite: InviteInfo, now = Date.now()): InviteState {
  if (invite.revokedAt !== null) return 'revoked';
  if (invite.expiresAt <= now) return 'expired';
  if (invite.uses >= invite.maxUses) return 'used-up';
  return 'active';
}

/** What an invite's holder reads for each refusal; `code` tells them apart for programs. */
export const INVITE_REFUSALS: Record<InviteRefusal, { status: number; code: string; message: string }> = {
  unknown: {
    status: 404,
    code: 'invite-unknown',
    message:
      'this invite link is not known to the server: check that it was copied whole, or ask your admin for a new one',
  },
  expired: {
    status: 410,
    code: 'invite-expired',
    message: 'this invite link has expired; ask your admin for a new one',
  },
  'used-up': {
    status: 410,
    code: 'invite-used-up',
    message: 'this invite link has been used as many times as it allows; ask your admin for a new one',
  },
  revoked: {
    status: 410,
    code: 'invite-revoked',
    message: 'this invite link was withdrawn by an admin of the team; ask your admin for a new one',
  },
};

class InviteError extends HttpError {
  constructor(
    readonly refusal: InviteRefusal,
    readonly code = INVITE_REFUSALS[refusal].code,
  ) {
    super(INVITE_REFUSALS[refusal].status, INVITE_REFUSALS[refusal].message);
  }
}

/** Describes an invite for the audit (ids and limits only). */
const inviteDetail = (i: InviteInfo) =>
  `${i.id}: ${i.role}, ${i.maxUses} use(s), until ${new Date(i.expiresAt).toISOString()}`;

/** Makes an invite and notes it in the audit. The secret is shown once and never stored. */
export async function createInvite(
  store: Store,
  opts: { tenantId: string; role: RoleT; hours: number; maxUses: number; by: string },
): Promise<{ secret: string; invite: InviteInfo }> {
  const secret = INVITE_PREFIX + randomBytes(32).toString('base64url');
  const now = Date.now();
  const invite = await store.insertInvite({
    id: newId('inv'),
    tenantId: opts.tenantId,
    role: opts.role,
    hash: hashInvite(secret),
    createdAt: now,
    createdBy: opts.by,
    expiresAt: now + opts.hours * 3_600_000,
    maxUses: opts.maxUses,
  });
  await store.addAudit({
    ...NO_PLACE,
    tenantId: opts.tenantId,
    at: now,
    kind: 'invite-created',
    actorId: opts.by,
    subjectId: null,
    tokenId: null,
    detail: inviteDetail(invite),
  });
  return { secret, invite };
}

/** Revokes an invite of the tenant (audited the first time); null when there is none. */
export async function revokeInvite(
  store: Store,
  tenantId: string,
  inviteId: string,
  by: string,
): Promise<InviteInfo | null> {
  const started = Date.now();
  const invite = await store.revokeInvite(tenantId, inviteId);
  if (invite && invite.revokedAt !== null && invite.revokedAt >= started) {
    await store.addAudit({
      ...NO_PLACE,
      tenantId,
      at: invite.revokedAt,
      kind: 'invite-revoked',
      actorId: by,
      subjectId: null,
      tokenId: null,
      detail: inviteDetail(invite),
    });
  }
  return invite;
}

/** The secret in what a person pasted: the whole link, its fragment, or the bare secret. */
export function inviteSecretOf(value: unknown): string {
  if (typeof value !== 'string') throw new HttpError(400, 'invite must be the invite link or its secret');
  const match = /cci_[A-Za-z0-9_-]{20,100}/.exec(value);
  if (!match) throw new InviteError('unknown');
  return match[0];
}

/**
 * Counts requests per client address in fixed windows; `take` is false once an address has used
 * its `limit` in the current window.
 */
export class AttemptLimiter {
  private readonly seen = new Map<string, { start: number; count: number }>();
  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Seconds until the address may try again; 0 when this attempt is allowed (and counted). */
  take(address: string, now = Date.now()): number {
    if (this.seen.size > 10_000) {
      for (const [key, entry] of this.seen) if (now - entry.start >= this.windowMs) this.seen.delete(key);
    }
    let entry = this.seen.get(address);
    if (!entry || now - entry.start >= this.windowMs) {
      entry = { start: now, count: 0 };
      this.seen.set(address, entry);
    }
    if (entry.count >= this.limit) return Math.max(1, Math.ceil((entry.start + this.windowMs - now) / 1000));
    entry.count++;
    return 0;
  }
}

export interface InviteLimits {
  /** Redeem attempts per client address per window (successful or not). */
  redeemPerWindow: number;
  /** Looks at an invite (its page) per client address per window. */
  previewPerWindow: number;
  windowMs: number;
}

export const DEFAULT_INVITE_LIMITS: InviteLimits = {
  redeemPerWindow: 20,
  previewPerWindow: 120,
  windowMs: 10 * 60_000,
};

export interface InviteApiDeps {
  store: Store;
  origins: OriginPolicy;
  limits?: InviteLimits;
}

const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Serves the invite page and the preview and redeem endpoints; false for any other path. */
export function createInviteApi(deps: InviteApiDeps) {
  const limits = deps.limits ?? DEFAULT_INVITE_LIMITS;
  const redeemLimiter = new AttemptLimiter(limits.redeemPerWindow, limits.windowMs);
  const previewLimiter = new AttemptLimiter(limits.previewPerWindow, limits.windowMs);
  const here = dirname(fileURLToPath(import.meta.url));
  const files = new Map([
    [
      '/invite',
      { type: 'text/html; charset=utf-8', body: readFileSync(join(here, 'dashboard', 'invite.html')) },
    ],
    [
      '/invite/invite.js',
      { type: 'text/javascript; charset=utf-8', body: readFileSync(join(here, 'dashboard', 'invite.js')) },
    ],
    [
      '/invite/dashboard.css',
      { type: 'text/css; charset=utf-8', body: readFileSync(join(here, 'dashboard', 'dashboard.css')) },
    ],
  ]);

  const limit = (limiter: AttemptLimiter, req: IncomingMessage) => {
    const wait = limiter.take(req.socket.remoteAddress ?? 'unknown');
    if (wait > 0) {
      throw new HttpError(429, `too many invite attempts from your address; try again in ${wait} seconds`);
    }
  };

  async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
    const value = await readJsonBody(req, 4096);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new HttpError(400, 'the request body must be a JSON object');
    }
    return value as Record<string, unknown>;
  }

  async function preview(req: IncomingMessage): Promise<[number, unknown]> {
    limit(previewLimiter, req);
    const secret = inviteSecretOf((await body(req)).invite);
    const found = await deps.store.findInviteByHash(hashInvite(secret));
    if (!found) throw new InviteError('unknown');
    const state = inviteState(found.invite);
    if (state !== 'active') throw new InviteError(state);
    return [
      200,
      {
        team: found.tenant.name,
        role: found.invite.role,
        expiresAt: new Date(found.invite.expiresAt).toISOString(),
        usesLeft: found.invite.maxUses - found.invite.uses,
      },
    ];
  }

  async function redeem(req: IncomingMessage): Promise<[number, unknown]> {
    limit(redeemLimiter, req);
    const input = await body(req);
    const secret = inviteSecretOf(input.invite);
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    // eslint-disable-next-line no-control-regex
    if (name === '' || name.length > MAX_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(name)) {
      throw new HttpError(400, `name must be your display name, 1 to ${MAX_NAME_LENGTH} characters`);
    }
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const result = await deps.store.redeemInvite(hashInvite(secret), Date.now(), {
      name,
      userId: newId('usr'),
      tokenId: newId('tok'),
      tokenHash: hashToken(token),
      label: 'joined with an invite',
    });
    if (result.status !== 'joined') throw new InviteError(result.status);
    await deps.store.addAudit({
      ...NO_PLACE,
      tenantId: result.tenant.id,
      at: result.token.createdAt,
      kind: 'invite-redeemed',
      actorId: result.invite.createdBy,
      subjectId: result.user.id,
      tokenId: result.token.id,
      detail: inviteDetail(result.invite),
    });
    return [
      201,
      {
        token,
        user: { id: result.user.id, name: result.user.name },
        tenant: { id: result.tenant.id, name: result.tenant.name },
        role: result.token.role,
      },
    ];
  }

  return function handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path !== '/invite' && !path.startsWith('/invite/')) return false;
    const method = req.method ?? 'GET';
    const file = files.get(path);
    if (file && (method === 'GET' || method === 'HEAD')) {
      res.writeHead(200, {
        'content-type': file.type,
        'content-length': file.body.length,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
        // The fragment (the secret) is never sent on; the page is never framed.
        'referrer-policy': 'no-referrer',
        'content-security-policy': PAGE_CSP,
      });
      res.end(method === 'HEAD' ? undefined : file.body);
      return true;
    }
    if (path === '/invite/redeem') {
      // Only the extension's own pages (through its background) and non-browser clients redeem:
      // a web page's origin is refused, and no CORS header lets a page read a token.
      const gate = extensionOnly(
        req,
        res,
        deps.origins,
        'invites are redeemed from the Collab Chat extension\'s options page ("Join with an invite link")',
        'content-type',
      );
      if (gate === 'answered') return true;
      if (method === 'POST') {
        answerInvite(res, redeem(req));
        return true;
      }
    }
    if (path === '/invite/preview' && method === 'POST') {
      // The invite page of this server only (same origin); it shows no secret.
      answerInvite(res, preview(req));
      return true;
    }
    json(res, 404, { error: `no such page: ${method} ${path}` });
    return true;
  };
}

/** As `answer`, with the invite refusal's code in the body. */
function answerInvite(res: ServerResponse, work: Promise<[number, unknown]>): void {
  answer(
    res,
    work.catch((err: unknown): [number, unknown] => {
      if (err instanceof InviteError) return [err.status, { error: err.message, code: err.code }];
      throw err;
    }),
  );
}
