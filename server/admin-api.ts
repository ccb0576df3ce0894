// The tenant admins' HTTP API under /api/ (used by the dashboard): usage, live connections, members
// (their role, removing them) and tokens, revoking and issuing tokens, invite links. Every call carries `Authorization: Bearer <token>` of an
// admin of the tenant; it sees and changes only that tenant. Answers are JSON, errors included.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Role, type DiscussionEventT, type ServerFrameT } from '../lib/protocol';
import { eraseMember, sweepTenant } from './forgetting';
import { issueToken, revokeToken } from './auth';
import { answer, bearer, HttpError, readJsonBody } from './http-json';
import { createInvite, inviteState, MAX_INVITE_HOURS, MAX_INVITE_USES, revokeInvite } from './invites';
import {
  NO_PLACE,
  type MemberChange,
  type Store,
  type TokenAuth,
  type TokenInfo,
  type User,
} from './store/types';
import { HOUR_MS, hourOf, type UsageMeter } from './usage';

export interface LivePage {
  page: string;
  site: string;
  /** Sockets of this tenant subscribed to the page on this node. */
  connections: number;
  /** Distinct users among them. */
  viewers: number;
}

export interface LiveView {
  /** Authenticated sockets of the tenant on this node. */
  connections: number;
  pages: LivePage[];
  /** Live sockets per token id. */
  byToken: Record<string, number>;
}

export interface AdminApiDeps {
  store: Store;
  /**
   * A member's name left the stored rows (removed or erased): this node drops what it cached of the
   * tenant's pages in wire form.
   */
  forgetNames?(tenantId: string): void;
  /** Publishes an applied event to the page's live viewers on every node (erasing a member). */
  publish(tenantId: string, event: DiscussionEventT): Promise<void>;
  usage: UsageMeter;
  live(tenantId: string): LiveView;
  /** Closes the live sockets of a revoked token at once (4403); returns how many. */
  closeToken(tokenId: string): number;
  /**
   * Sends a frame to every live connection of a member, on every node. Never rejects: when the bus
   * fails the change is still stored, and a reconnect's welcome carries it.
   */
  tellMember(tenantId: string, userId: string, frame: ServerFrameT): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024;

/** A member's role: admin while they hold a live admin token. */
export function roleOf(tokens: readonly TokenInfo[]): 'admin' | 'member' {
  return tokens.some((t) => t.revokedAt === null && t.role === 'admin') ? 'admin' : 'member';
}

/** What refusing a member change says. */
function refuseChange(change: Exclude<MemberChange, { status: 'done' }>, userId: string): never {
  if (change.status === 'last-admin') {
    throw new HttpError(
      409,
      "this is the team's last admin: make another member an admin first, so that the team keeps one",
    );
  }
  throw new HttpError(404, `no member ${JSON.stringify(userId)} in your team (or already removed)`);
}
/** The longest usage range one call may ask for. */
const MAX_USAGE_HOURS = 24 * 92;

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readJsonBody(req, MAX_BODY_BYTES);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'the request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** A time given as ms since the epoch or an ISO date; undefined when absent. */
export function parseTime(name: string, value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new HttpError(
      400,
      `${name} must be an ISO date or ms since the epoch, got ${JSON.stringify(value)}`,
    );
  }
  return ms;
}

const memberOf = (u: User) => ({ id: u.id, name: u.name, removedAt: u.removedAt });

/** The longest retention an admin may set: ten years. */
export const MAX_RETENTION_DAYS = 3650;

const describeRetention = (days: number | null) => (days === null ? 'off' : `${days} day(s)`);

export function createAdminApi(deps: AdminApiDeps) {
  async function admin(req: IncomingMessage): Promise<TokenAuth> {
    const auth = await bearer(deps.store, req, 'admin token');
    if (auth.token.role !== 'admin') {
      throw new HttpError(403, 'this token is not an admin token; ask an admin of your team');
    }
    return auth;
  }

  async function usage(auth: TokenAuth, url: URL) {
    const to = hourOf(parseTime('to', url.searchParams.get('to')) ?? Date.now());
    const from = hourOf(parseTime('from', url.searchParams.get('from')) ?? to - 23 * HOUR_MS);
    if (from > to) throw new HttpError(400, 'from must not be after to');
    if ((to - from) / HOUR_MS >= MAX_USAGE_HOURS) {
      throw new HttpError(400, `ask for at most ${MAX_USAGE_HOURS} hours at a time`);
    }
    // What this node counted but has not saved yet belongs in the answer.
    await deps.usage.flush();
    const rows = await deps.store.usage(auth.tenant.id, from, to);
    return {
      tenant: { id: auth.tenant.id, name: auth.tenant.name },
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      rows: rows.map((r) => ({
        hour: new Date(r.hour).toISOString(),
        site: r.site,
        pubSubMessageCount: r.messages,
        pubSubBandwidth: r.bytes,
      })),
    };
  }

  async function users(auth: TokenAuth) {
    const [list, tokens] = await Promise.all([
      deps.store.listUsers(auth.tenant.id),
      deps.store.listTokens(auth.tenant.id),
    ]);
    const live = deps.live(auth.tenant.id).byToken;
    return {
      users: list.map((u) => ({
        id: u.id,
        name: u.name,
        createdAt: u.createdAt,
        removedAt: u.removedAt,
        erasedAt: u.erasedAt ?? null,
        role: roleOf(tokens.filter((t) => t.userId === u.id)),
        liveConnections: tokens
          .filter((t) => t.userId === u.id)
          .reduce((sum, t) => sum + (live[t.id] ?? 0), 0),
        tokens: tokens
          .filter((t) => t.userId === u.id)
          .map((t) => ({
            id: t.id,
            role: t.role,
            label: t.label,
            createdAt: t.createdAt,
            revokedAt: t.revokedAt,
            createdBy: t.createdBy,
            liveConnections: live[t.id] ?? 0,
          })),
      })),
    };
  }

  async function revoke(auth: TokenAuth, tokenId: string) {
    const token = await revokeToken(deps.store, tokenId, { tenantId: auth.tenant.id, by: auth.user.id });
    if (!token) throw new HttpError(404, `no token ${JSON.stringify(tokenId)} in your team`);
    return { token, closedConnections: deps.closeToken(token.id) };
  }

  async function createToken(auth: TokenAuth, body: Record<string, unknown>) {
    const role = Role.safeParse(body.role ?? 'member');
    if (!role.success) throw new HttpError(400, 'role must be "member" or "admin"');
    const label = body.label ?? '';
    if (typeof label !== 'string' || label.length > 200) {
      throw new HttpError(400, 'label must be text of at most 200 characters');
    }
    const userId = body.userId;
    const owner =
      typeof userId === 'string'
        ? (await deps.store.listUsers(auth.tenant.id)).find((u) => u.id === userId)
        : undefined;
    if (!owner) throw new HttpError(400, 'userId must name a user of your team');
    const issued = await issueToken(deps.store, {
      tenantId: auth.tenant.id,
      userId: owner.id,
      role: role.data,
      label,
      createdBy: auth.user.id,
    });
    // The secret is shown once and never stored.
    return { secret: issued.secret, token: issued.info };
  }

  async function memberRole(auth: TokenAuth, userId: string, body: Record<string, unknown>) {
    const role = Role.safeParse(body.role);
    if (!role.success) throw new HttpError(400, 'role must be "member" or "admin"');
    const before = (await deps.store.listTokens(auth.tenant.id)).filter((t) => t.userId === userId);
    const change = await deps.store.setMemberRole(auth.tenant.id, userId, role.data);
    if (change.status !== 'done') refuseChange(change, userId);
    if (change.tokens.length > 0) {
      await deps.store.addAudit({
        ...NO_PLACE,
        tenantId: auth.tenant.id,
        at: Date.now(),
        kind: 'role-changed',
        actorId: auth.user.id,
        subjectId: userId,
        tokenId: null,
        detail: `${roleOf(before)} → ${role.data}`,
      });
    }
    // Their open pages offer what the new role allows at once, not after their next reconnect.
    if (change.tokens.length > 0) {
      await deps.tellMember(auth.tenant.id, userId, { type: 'role', role: role.data });
    }
    return { user: memberOf(change.user), role: role.data, changedTokens: change.tokens.length };
  }

  /**
   * Removes a member (refused for the team's last admin): their tokens are revoked, their live
   * sockets closed, the names cached for the team forgotten, and the audit says so (`why` ends its
   * detail).
   */
  async function remove(auth: TokenAuth, userId: string, why = '') {
    const change = await deps.store.removeMember(auth.tenant.id, userId);
    if (change.status !== 'done') refuseChange(change, userId);
    let closed = 0;
    for (const token of change.tokens) closed += deps.closeToken(token.id);
    deps.forgetNames?.(auth.tenant.id);
    await deps.store.addAudit({
      ...NO_PLACE,
      tenantId: auth.tenant.id,
      at: change.user.removedAt ?? Date.now(),
      kind: 'member-removed',
      actorId: auth.user.id,
      subjectId: userId,
      tokenId: null,
      detail: `${change.tokens.length} token(s) revoked${why}`,
    });
    return { user: change.user, revokedTokens: change.tokens.length, closedConnections: closed };
  }

  async function removeMember(auth: TokenAuth, userId: string) {
    const removed = await remove(auth, userId);
    return { ...removed, user: memberOf(removed.user) };
  }

  async function retention(auth: TokenAuth) {
    return { days: await deps.store.retentionDays(auth.tenant.id) };
  }

  async function setRetention(auth: TokenAuth, body: Record<string, unknown>) {
    const days = body.days;
    if (
      days !== null &&
      (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_RETENTION_DAYS)
    ) {
      throw new HttpError(
        400,
        `days must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}, or null to keep discussions`,
      );
    }
    const before = await deps.store.retentionDays(auth.tenant.id);
    await deps.store.setRetentionDays(auth.tenant.id, days);
    if (before !== days) {
      await deps.store.addAudit({
        ...NO_PLACE,
        tenantId: auth.tenant.id,
        at: Date.now(),
        kind: 'retention-changed',
        actorId: auth.user.id,
        subjectId: null,
        tokenId: null,
        detail: `${describeRetention(before)} → ${describeRetention(days)}`,
      });
    }
    // What the new setting already covers goes now, not at the next periodic sweep.
    const removed = days === null ? 0 : await sweepTenant(deps, auth.tenant.id, days, Date.now());
    return { days, removed };
  }

  /**
   * Erases a member's content (docs/security.md): removed first when still a member (refused for the
   * team's last admin, before anything is deleted), then their comments and lone discussions go
   * live for every viewer, then their name and what they caused.
   */
  async function erase(auth: TokenAuth, userId: string) {
    const member = (await deps.store.listUsers(auth.tenant.id)).find((u) => u.id === userId);
    if (!member) throw new HttpError(404, `no member ${JSON.stringify(userId)} in your team`);
    const closed =
      member.removedAt === null ? (await remove(auth, userId, ', to be erased')).closedConnections : 0;
    const erased = await eraseMember(deps, auth.tenant.id, userId, auth.user.id);
    deps.forgetNames?.(auth.tenant.id);
    await deps.store.addAudit({
      ...NO_PLACE,
      tenantId: auth.tenant.id,
      at: Date.now(),
      kind: 'member-erased',
      actorId: auth.user.id,
      subjectId: userId,
      tokenId: null,
      detail: `${erased.comments} comment(s) and ${erased.discussions} discussion(s) erased`,
    });
    return { erased, closedConnections: closed };
  }

  async function erasureRequests(auth: TokenAuth) {
    const [requests, users] = await Promise.all([
      deps.store.listErasureRequests(auth.tenant.id),
      deps.store.listUsers(auth.tenant.id),
    ]);
    const byId = new Map(users.map((u) => [u.id, u]));
    return {
      requests: requests.map((r) => ({
        userId: r.userId,
        name: byId.get(r.userId)?.name ?? '',
        requestedAt: r.requestedAt,
      })),
    };
  }

  async function declineErasure(auth: TokenAuth, userId: string) {
    if (!(await deps.store.dropErasureRequest(auth.tenant.id, userId))) {
      throw new HttpError(404, `no erasure request of ${JSON.stringify(userId)} in your team`);
    }
    await deps.store.addAudit({
      ...NO_PLACE,
      tenantId: auth.tenant.id,
      at: Date.now(),
      kind: 'erasure-declined',
      actorId: auth.user.id,
      subjectId: userId,
      tokenId: null,
      detail: '',
    });
    return { declined: userId };
  }

  async function invites(auth: TokenAuth) {
    const now = Date.now();
    const list = await deps.store.listInvites(auth.tenant.id);
    return { invites: list.map((i) => ({ ...i, state: inviteState(i, now) })) };
  }

  async function newInvite(auth: TokenAuth, body: Record<string, unknown>) {
    const role = Role.safeParse(body.role ?? 'member');
    if (!role.success) throw new HttpError(400, 'role must be "member" or "admin"');
    const hours = body.expiresInHours ?? 72;
    if (typeof hours !== 'number' || !Number.isFinite(hours) || hours <= 0 || hours > MAX_INVITE_HOURS) {
      throw new HttpError(
        400,
        `expiresInHours must be a number of hours above 0 and at most ${MAX_INVITE_HOURS}`,
      );
    }
    const maxUses = body.maxUses ?? 1;
    if (
      typeof maxUses !== 'number' ||
      !Number.isInteger(maxUses) ||
      maxUses < 1 ||
      maxUses > MAX_INVITE_USES
    ) {
      throw new HttpError(400, `maxUses must be a whole number from 1 to ${MAX_INVITE_USES}`);
    }
    const made = await createInvite(deps.store, {
      tenantId: auth.tenant.id,
      role: role.data,
      hours,
      maxUses,
      by: auth.user.id,
    });
    // The secret is shown once and never stored; the link is on this server's own origin.
    return {
      secret: made.secret,
      path: `/invite#${made.secret}`,
      invite: { ...made.invite, state: inviteState(made.invite) },
    };
  }

  async function withdrawInvite(auth: TokenAuth, inviteId: string) {
    const invite = await revokeInvite(deps.store, auth.tenant.id, inviteId, auth.user.id);
    if (!invite) throw new HttpError(404, `no invite ${JSON.stringify(inviteId)} in your team`);
    return { invite: { ...invite, state: inviteState(invite) } };
  }

  /** The tenant's audit trail, newest first, with user names; `before` pages back by entry id. */
  async function audit(auth: TokenAuth, url: URL) {
    const limit = Number(url.searchParams.get('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new HttpError(400, 'limit must be a whole number from 1 to 1000');
    }
    const beforeParam = url.searchParams.get('before');
    const before = beforeParam === null ? undefined : Number(beforeParam);
    if (before !== undefined && !Number.isInteger(before))
      throw new HttpError(400, 'before must be an entry id');
    const [entries, users] = await Promise.all([
      deps.store.listAudit(auth.tenant.id, limit, before),
      deps.store.listUsers(auth.tenant.id),
    ]);
    const byId = new Map(users.map((u) => [u.id, u]));
    const person = (id: string) => ({
      id,
      name: byId.get(id)?.name ?? id,
      /** A former member: removed from the team since. */
      removed: (byId.get(id)?.removedAt ?? null) !== null,
    });
    return {
      entries: entries.map((e) => ({
        id: e.id,
        at: new Date(e.at).toISOString(),
        kind: e.kind,
        actor: e.actorId === null ? null : person(e.actorId),
        subject: e.subjectId === null ? null : person(e.subjectId),
        tokenId: e.tokenId,
        page: e.page,
        chatId: e.chatId,
        commentId: e.commentId,
        seq: e.seq,
        detail: e.detail,
      })),
    };
  }

  async function route(req: IncomingMessage, url: URL): Promise<[number, unknown]> {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const auth = await admin(req);
    if (method === 'GET' && path === '/api/me') {
      return [200, { user: auth.user, tenant: auth.tenant, role: auth.token.role }];
    }
    if (method === 'GET' && path === '/api/usage') return [200, await usage(auth, url)];
    if (method === 'GET' && path === '/api/live') {
      const { connections, pages } = deps.live(auth.tenant.id);
      return [200, { connections, pages }];
    }
    if (method === 'GET' && path === '/api/users') return [200, await users(auth)];
    if (method === 'POST' && path === '/api/tokens')
      return [201, await createToken(auth, await readJson(req))];
    const revokeMatch = /^\/api\/tokens\/([^/]+)\/revoke$/.exec(path);
    if (method === 'POST' && revokeMatch) {
      return [200, await revoke(auth, decodeURIComponent(revokeMatch[1]!))];
    }
    if (method === 'GET' && path === '/api/audit') return [200, await audit(auth, url)];
    const memberMatch = /^\/api\/users\/([^/]+)\/(role|remove|erase)$/.exec(path);
    if (method === 'POST' && memberMatch) {
      const userId = decodeURIComponent(memberMatch[1]!);
      if (memberMatch[2] === 'role') return [200, await memberRole(auth, userId, await readJson(req))];
      if (memberMatch[2] === 'erase') return [200, await erase(auth, userId)];
      return [200, await removeMember(auth, userId)];
    }
    if (method === 'GET' && path === '/api/retention') return [200, await retention(auth)];
    if (method === 'POST' && path === '/api/retention')
      return [200, await setRetention(auth, await readJson(req))];
    if (method === 'GET' && path === '/api/erasure-requests') return [200, await erasureRequests(auth)];
    const declineMatch = /^\/api\/erasure-requests\/([^/]+)\/decline$/.exec(path);
    if (method === 'POST' && declineMatch) {
      return [200, await declineErasure(auth, decodeURIComponent(declineMatch[1]!))];
    }
    if (method === 'GET' && path === '/api/invites') return [200, await invites(auth)];
    if (method === 'POST' && path === '/api/invites')
      return [201, await newInvite(auth, await readJson(req))];
    const inviteMatch = /^\/api\/invites\/([^/]+)\/revoke$/.exec(path);
    if (method === 'POST' && inviteMatch) {
      return [200, await withdrawInvite(auth, decodeURIComponent(inviteMatch[1]!))];
    }
    throw new HttpError(404, `no such API: ${method} ${path}`);
  }

  /** Answers requests under /api/; false for any other path. */
  return function handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/api/')) return false;
    answer(res, route(req, url));
    return true;
  };
}
