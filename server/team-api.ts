// The team's HTTP API (docs/api.md): every discussion of the tenant across pages, full-text search,
// export (W3C Web Annotation JSON-LD or CSV) and import (the same JSON-LD, or Hypothesis' export).
// Bearer tokens as for the WebSocket, with the same rules: any member reads the team's discussions
// (as any member may subscribe to any page); export is the whole team's for an admin and a member's
// own discussions for a member; import writes in other people's names, which only an admin may do.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { discussionLink } from '../lib/links';
import { pageKeyFromUrl } from '../lib/page-key/normalise';
import { mentionedIds, mentionsAsText, type DiscussionEventT } from '../lib/protocol';
import { parseTime } from './admin-api';
import { annotationCollection } from './annotations/w3c';
import { discussionsCsv } from './annotations/csv';
import { isHypothesisExport, readHypothesisExport, type Skipped } from './annotations/hypothesis';
import { applyImport, ImportRefused } from './annotations/import';
import { ImportError } from './annotations/model';
import { readWebAnnotations } from './annotations/w3c';
import { answer, bearer, HttpError, preflight, readJsonBody } from './http-json';
import type { StoreLimits } from './ops';
import type { DiscussionFilter, DiscussionRecord, Store, TokenAuth } from './store/types';

export interface TeamApiDeps {
  store: Store;
  /** Publishes an applied event to the page's live viewers on every node (the bus). */
  publish(tenantId: string, event: DiscussionEventT): Promise<void>;
  limits?: StoreLimits;
}

/** Discussions per page of a listing when the caller does not say; and the most one may ask for. */
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;
/** Hits of one search at most. */
const MAX_SEARCH_HITS = 50;
/** Longest search text read; the store uses its first words only. */
const MAX_QUERY_CHARS = 500;
/** Largest import file. */
export const MAX_IMPORT_BYTES = 32 * 1024 * 1024;
/** Discussions read per store call while exporting, so one call stays bounded. */
const EXPORT_BATCH = 200;

function limitOf(url: URL, fallback: number, max: number): number {
  const raw = url.searchParams.get('limit');
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new HttpError(400, `limit must be a whole number from 1 to ${max}`);
  return n;
}

/**
 * The filter a request's query asks for: page, site, mine, author and mentions (a user id or "me"),
 * from, to, state (open or resolved).
 */
function filterOf(auth: TokenAuth, url: URL): DiscussionFilter {
  const q = url.searchParams;
  const filter: DiscussionFilter = {};
  const page = q.get('page');
  if (page) {
    const key = pageKeyFromUrl(page);
    if (key === null) throw new HttpError(400, 'page must be an http(s) URL');
    filter.page = key;
  }
  const site = q.get('site');
  if (site) filter.site = site.trim().toLowerCase();
  if (q.get('mine') === '1' || q.get('mine') === 'true') filter.creatorId = auth.user.id;
  const author = q.get('author');
  if (author) filter.authorId = author === 'me' ? auth.user.id : author;
  const from = parseTime('from', q.get('from'));
  const to = parseTime('to', q.get('to'));
  if (from !== undefined) filter.from = from;
  if (to !== undefined) filter.to = to;
  if (from !== undefined && to !== undefined && from > to)
    throw new HttpError(400, 'from must not be after to');
  const state = q.get('state');
  if (state) {
    if (state !== 'open' && state !== 'resolved') throw new HttpError(400, 'state must be open or resolved');
    filter.state = state;
  }
  const mentions = q.get('mentions');
  if (mentions) filter.mentionsId = mentions === 'me' ? auth.user.id : mentions;
  return filter;
}

/** Where this server is reached, for the IRIs of an export. */
function baseOf(req: IncomingMessage): string {
  const tls = (req.socket as TLSSocket).encrypted === true;
  const host = /^[A-Za-z0-9.:[\]-]+$/.test(req.headers.host ?? '') ? req.headers.host : 'localhost';
  return `${tls ? 'https' : 'http'}://${host}`;
}

export function createTeamApi(deps: TeamApiDeps) {
  const { store } = deps;

  async function list(auth: TokenAuth, url: URL) {
    const limit = limitOf(url, DEFAULT_LIMIT, MAX_LIMIT);
    let listing;
    try {
      listing = await store.listDiscussions(
        auth.tenant.id,
        filterOf(auth, url),
        url.searchParams.get('cursor'),
        limit,
      );
    } catch (err) {
      if (/bad listing cursor/.test((err as Error).message))
        throw new HttpError(400, 'cursor is not one this API gave');
      throw err;
    }
    const names = await memberNames(
      auth.tenant.id,
      listing.discussions.map((d) => d.preview ?? ''),
    );
    return {
      ...listing,
      discussions: listing.discussions.map((d) => ({
        ...d,
        preview: d.preview === null ? null : mentionsAsText(d.preview, names),
        link: discussionLink(d.page, d.id, { exact: d.quote }),
      })),
    };
  }

  async function search(auth: TokenAuth, url: URL) {
    const text = (url.searchParams.get('q') ?? '').slice(0, MAX_QUERY_CHARS);
    const limit = limitOf(url, 20, MAX_SEARCH_HITS);
    const hits = await store.search(auth.tenant.id, { text, limit, filter: filterOf(auth, url) });
    const names = await memberNames(
      auth.tenant.id,
      hits.flatMap((h) => (h.comment?.snippet ?? []).map((s) => s.text)),
    );
    for (const hit of hits)
      for (const segment of hit.comment?.snippet ?? []) segment.text = mentionsAsText(segment.text, names);
    return {
      query: text,
      hits: hits.map((h) => ({ ...h, link: discussionLink(h.page, h.chatId, { exact: h.quote }) })),
    };
  }

  /**
   * Members' current names by id: stored text mentions people as `@[id]`, shown as `@Name`. The
   * members are read only when one of `texts` mentions someone (search as you type asks often).
   */
  async function memberNames(tenantId: string, texts: readonly string[]): Promise<Map<string, string>> {
    if (!texts.some((t) => mentionedIds(t).length > 0)) return new Map();
    return new Map((await store.listUsers(tenantId)).map((u) => [u.id, u.name]));
  }

  /** Every discussion the caller may export under the filter, newest activity first. */
  async function exported(auth: TokenAuth, url: URL): Promise<DiscussionRecord[]> {
    const filter = filterOf(auth, url);
    if (auth.token.role !== 'admin') filter.creatorId = auth.user.id;
    const out: DiscussionRecord[] = [];
    let cursor: string | null = null;
    do {
      const page = await store.listDiscussions(auth.tenant.id, filter, cursor, EXPORT_BATCH);
      out.push(
        ...(await store.readDiscussions(
          auth.tenant.id,
          page.discussions.map((d) => d.id),
        )),
      );
      cursor = page.next;
    } while (cursor);
    return out;
  }

  async function exportTo(auth: TokenAuth, req: IncomingMessage, url: URL, res: ServerResponse) {
    const format = url.searchParams.get('format') ?? 'jsonld';
    if (format !== 'jsonld' && format !== 'csv') throw new HttpError(400, 'format must be "jsonld" or "csv"');
    const records = await exported(auth, url);
    const stamp = new Date().toISOString().slice(0, 10);
    const name = `collab-chat-${auth.tenant.name.replace(/[^A-Za-z0-9_-]+/g, '-')}-${stamp}`;
    if (format === 'csv') {
      res.writeHead(200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${name}.csv"`,
        'cache-control': 'no-store',
      });
      res.end(discussionsCsv(records));
      return;
    }
    const label =
      auth.token.role === 'admin'
        ? `Discussions of ${auth.tenant.name}`
        : `Discussions started by ${auth.user.name} in ${auth.tenant.name}`;
    res.writeHead(200, {
      // The media type the model's protocol gives Web Annotations in JSON-LD.
      'content-type': 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"; charset=utf-8',
      'content-disposition': `attachment; filename="${name}.jsonld"`,
      'cache-control': 'no-store',
    });
    res.end(JSON.stringify(annotationCollection(baseOf(req), label, records), null, 2));
  }

  async function one(
    auth: TokenAuth,
    req: IncomingMessage,
    discussionId: string,
  ): Promise<[number, unknown]> {
    const [record] = await store.readDiscussions(auth.tenant.id, [discussionId]);
    if (!record) throw new HttpError(404, `no discussion ${JSON.stringify(discussionId)} in your team`);
    return [200, annotationCollection(baseOf(req), `Discussion ${discussionId}`, [record])];
  }

  async function importFrom(auth: TokenAuth, req: IncomingMessage): Promise<[number, unknown]> {
    if (auth.token.role !== 'admin') {
      throw new HttpError(
        403,
        'only an admin of your team can import, since it writes in other people’s names',
      );
    }
    const doc = await readJsonBody(req, MAX_IMPORT_BYTES);
    let skipped: Skipped[] = [];
    let discussions;
    try {
      if (isHypothesisExport(doc)) ({ discussions, skipped } = readHypothesisExport(doc));
      else discussions = readWebAnnotations(doc);
    } catch (err) {
      if (err instanceof ImportError) throw new HttpError(400, err.message);
      throw err;
    }
    try {
      const actor = {
        user: { id: auth.user.id, name: auth.user.name },
        role: auth.token.role,
        tokenId: auth.token.id,
      };
      const result = await applyImport(deps, auth.tenant.id, actor, discussions);
      return [200, { ...result, format: isHypothesisExport(doc) ? 'hypothesis' : 'web-annotation', skipped }];
    } catch (err) {
      if (err instanceof ImportRefused) throw new HttpError(422, err.message);
      throw err;
    }
  }

  async function route(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<[number, unknown] | void> {
    const auth = await bearer(store, req);
    const method = req.method ?? 'GET';
    const path = url.pathname;
    if (method === 'GET' && path === '/api/discussions') return [200, await list(auth, url)];
    const single = /^\/api\/discussions\/([^/]+)$/.exec(path);
    if (method === 'GET' && single) return one(auth, req, decodeURIComponent(single[1]!));
    if (method === 'GET' && path === '/api/search') return [200, await search(auth, url)];
    if (method === 'GET' && path === '/api/export') return exportTo(auth, req, url, res);
    if (method === 'POST' && path === '/api/import') return importFrom(auth, req);
    throw new HttpError(405, `${method} is not allowed on ${path}`);
  }

  const PATHS = /^\/api\/(discussions(\/[^/]+)?|search|export|import)$/;

  /** Answers the team's routes; false for any other path. */
  return function handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!PATHS.test(url.pathname)) return false;
    // The extension's team page calls this API from its own origin.
    res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      preflight(res, 'GET, POST', 'authorization, content-type');
      return true;
    }
    answer(res, route(req, res, url));
    return true;
  };
}
