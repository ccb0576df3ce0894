// A member's own data (docs/api.md, "Your own data"): the export of what the server holds of them
// (JSON), and their request that an admin erase it. Any live token of the tenant; each member sees
// and asks only for themself. The extension's team page calls these through the background, which
// holds the token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answer, bearer, HttpError, preflight } from './http-json';
import { roleOf } from './admin-api';
import { NO_PLACE, type DiscussionRecord, type Store, type TokenAuth } from './store/types';

export interface OwnDataDeps {
  store: Store;
}

/** Rows read per store call while exporting, so each call stays bounded. */
const BATCH = 200;

/** The format's name and version, so that a reader knows what it holds. */
export const OWN_DATA_FORMAT = 'collab-chat-own-data';
export const OWN_DATA_VERSION = 1;

export function createOwnDataApi(deps: OwnDataDeps) {
  const { store } = deps;

  async function exportOwn(auth: TokenAuth) {
    const tenantId = auth.tenant.id;
    const me = auth.user.id;
    const comments = [];
    for (let after = 0; ;) {
      const batch = await store.commentsBy(tenantId, me, BATCH, after);
      for (const c of batch) {
        comments.push({
          id: c.comment.id,
          discussion: c.discussionId,
          page: c.page,
          quote: c.quote,
          text: c.comment.text,
          at: new Date(c.comment.at).toISOString(),
          ...(c.comment.editedAt !== undefined && { editedAt: new Date(c.comment.editedAt).toISOString() }),
        });
      }
      if (batch.length < BATCH) break;
      after = batch.at(-1)!.cursor;
    }
    // The discussions they started: where and on what, and how many replies others wrote (others'
    // words are theirs, not this member's).
    const started: DiscussionRecord[] = [];
    let cursor: string | null = null;
    do {
      const page = await store.listDiscussions(tenantId, { creatorId: me }, cursor, BATCH);
      started.push(
        ...(await store.readDiscussions(
          tenantId,
          page.discussions.map((d) => d.id),
        )),
      );
      cursor = page.next;
    } while (cursor);
    const [tokens, own, inbox, requests] = await Promise.all([
      store.listTokens(tenantId),
      store.ownState(tenantId, me),
      store.notificationsSince(tenantId, me, null, 1000),
      store.listErasureRequests(tenantId),
    ]);
    const mine = tokens.filter((t) => t.userId === me);
    const request = requests.find((r) => r.userId === me);
    return {
      format: OWN_DATA_FORMAT,
      version: OWN_DATA_VERSION,
      exportedAt: new Date().toISOString(),
      team: { id: auth.tenant.id, name: auth.tenant.name },
      member: {
        id: me,
        name: auth.user.name,
        joinedAt: new Date(auth.user.createdAt).toISOString(),
        role: roleOf(mine),
      },
      // Never a secret: the server keeps only each token's hash, and this leaves that out too.
      tokens: mine.map((t) => ({
        id: t.id,
        role: t.role,
        label: t.label,
        createdAt: new Date(t.createdAt).toISOString(),
        revokedAt: t.revokedAt === null ? null : new Date(t.revokedAt).toISOString(),
      })),
      comments,
      discussionsStarted: started.map((d) => ({
        id: d.id,
        page: d.page,
        title: d.title,
        selectors: d.selectors,
        createdAt: new Date(d.createdAt).toISOString(),
        lastActivityAt: new Date(d.lastActivityAt).toISOString(),
        yourComments: d.comments.filter((c) => c.author.id === me).map((c) => c.id),
        repliesByOthers: d.comments.filter((c) => c.author.id !== me).length,
      })),
      watchedPages: own.watches.map((w) => ({ page: w.page, since: new Date(w.since).toISOString() })),
      readPositions: own.reads.map((r) => ({
        page: r.page,
        discussion: r.discussionId,
        readUpTo: new Date(r.at).toISOString(),
      })),
      notifications: inbox.notifications.map((n) => ({
        kind: n.kind,
        page: n.page,
        discussion: n.chatId,
        at: new Date(n.at).toISOString(),
        read: n.read,
      })),
      erasureRequestedAt: request ? new Date(request.requestedAt).toISOString() : null,
    };
  }

  async function requestState(auth: TokenAuth) {
    const request = (await store.listErasureRequests(auth.tenant.id)).find((r) => r.userId === auth.user.id);
    return { requestedAt: request?.requestedAt ?? null };
  }

  async function requestErasure(auth: TokenAuth) {
    const before = await requestState(auth);
    const at = Date.now();
    if (!(await store.requestErasure(auth.tenant.id, auth.user.id, at))) {
      throw new HttpError(403, 'you are no longer a member of this team');
    }
    if (before.requestedAt === null) {
      await store.addAudit({
        tenantId: auth.tenant.id,
        at,
        kind: 'erasure-requested',
        actorId: auth.user.id,
        subjectId: auth.user.id,
        tokenId: auth.token.id,
        ...NO_PLACE,
        detail: '',
      });
    }
    return requestState(auth);
  }

  async function route(req: IncomingMessage, url: URL): Promise<[number, unknown]> {
    const auth = await bearer(store, req);
    const method = req.method ?? 'GET';
    if (url.pathname === '/api/own-data' && method === 'GET') return [200, await exportOwn(auth)];
    if (url.pathname === '/api/own-data/erasure-request') {
      if (method === 'GET') return [200, await requestState(auth)];
      if (method === 'POST') return [200, await requestErasure(auth)];
    }
    throw new HttpError(405, `${method} is not allowed on ${url.pathname}`);
  }

  /** Answers /api/own-data and /api/own-data/erasure-request; false for any other path. */
  return function handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/own-data' && url.pathname !== '/api/own-data/erasure-request') return false;
    res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      preflight(res, 'GET, POST', 'authorization, content-type');
      return true;
    }
    answer(res, route(req, url));
    return true;
  };
}
