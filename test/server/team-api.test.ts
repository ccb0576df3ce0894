/* eslint-disable @typescript-eslint/no-explicit-any -- the JSON answers are read loosely: the checks are the assertions */
// The team's HTTP API on a real server: listing and search across pages, export as W3C Web
// Annotations (every MUST of the model checked) and CSV, import of the same JSON-LD and of a
// Hypothesis export, with the WebSocket's tokens and rules, tenant isolation and all-or-nothing.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueToken } from '../../server/auth';
import { TestClient } from '../helpers/client';
import { addComment, createChat, deleteChat, editComment, PAGE, resolveChat } from '../helpers/frames';
import { mentionToken } from '../../lib/protocol';
import { startTestServer, type TestServer } from '../helpers/server';
import { checkCollection } from '../helpers/web-annotation-check';

const OTHER = 'https://docs.example.org/guide';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await t.close();
});

const http = () => t.server.httpUrl;

async function api(token: string | null, path: string, init: RequestInit = {}) {
  const res = await fetch(`${http()}${path}`, {
    ...init,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) },
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // CSV
  }
  return { status: res.status, body: body as Record<string, any>, text, headers: res.headers };
}

/** Writes through the WebSocket as `who`, waiting for each ack. */
async function write(who: 'alice' | 'bob' | 'admin' | 'eve', frames: object[]) {
  const c = await TestClient.connect(t.url, t.tokens[who]);
  for (const f of frames) {
    c.send(f);
    const answer = await c.next((fr) => fr.type === 'ack' || fr.type === 'error');
    if (answer.type !== 'ack') throw new Error(JSON.stringify(answer));
  }
  await c.close();
}

const importAs = (token: string, doc: unknown) =>
  api(token, '/api/import', {
    method: 'POST',
    body: JSON.stringify(doc),
    headers: { 'content-type': 'application/json' },
  });

/** A new tenant with one admin, for imports into a fresh team. */
async function freshTenant(name: string) {
  const tenant = await t.server.store.createTenant(name);
  const user = await t.server.store.createUser(tenant.id, 'Importer');
  const issued = await issueToken(t.server.store, { tenantId: tenant.id, userId: user.id, role: 'admin' });
  return { tenant, token: issued.secret };
}

describe('team API', () => {
  it('lists the team’s discussions across pages and searches them, with the WebSocket’s tokens', async () => {
    const a = createChat({ title: 'Article about zebras', quote: 'striped animals', text: 'Why stripes?' });
    const b = createChat({ page: OTHER, title: 'Guide', text: 'Installation fails on zebra hosts' });
    await write('alice', [a]);
    await write('bob', [b, addComment(a.chatId, { text: 'Camouflage, mostly' })]);
    await write('eve', [createChat({ text: 'zebra in another team' })]);

    const all = await api(t.tokens.alice, '/api/discussions');
    expect(all.status).toBe(200);
    expect(all.body.discussions.map((d: any) => d.id)).toEqual([a.chatId, b.chatId]);
    expect(all.body.discussions[0]).toMatchObject({
      page: PAGE,
      title: 'Article about zebras',
      commentCount: 2,
    });
    expect(
      (await api(t.tokens.alice, '/api/discussions?mine=1')).body.discussions.map((d: any) => d.id),
    ).toEqual([a.chatId]);
    expect(
      (await api(t.tokens.alice, '/api/discussions?site=docs.example.org')).body.discussions.map(
        (d: any) => d.id,
      ),
    ).toEqual([b.chatId]);
    expect(
      (await api(t.tokens.alice, `/api/discussions?author=${t.users.bob.id}`)).body.discussions.map(
        (d: any) => d.id,
      ),
    ).toEqual([a.chatId, b.chatId]);
    const paged = await api(t.tokens.alice, '/api/discussions?limit=1');
    expect(paged.body.discussions).toHaveLength(1);
    const rest = await api(
      t.tokens.alice,
      `/api/discussions?limit=1&cursor=${encodeURIComponent(paged.body.next)}`,
    );
    expect(rest.body.discussions.map((d: any) => d.id)).toEqual([b.chatId]);

    const found = await api(t.tokens.bob, '/api/search?q=zebr');
    expect(found.status).toBe(200);
    expect(found.body.hits.map((h: any) => h.chatId).sort()).toEqual([a.chatId, b.chatId].sort());
    const eve = await api(t.tokens.eve, '/api/search?q=zebra');
    expect(eve.body.hits).toHaveLength(1);
    expect(eve.body.hits[0].page).toBe(PAGE);
    expect(eve.body.hits[0].chatId).not.toBe(a.chatId);

    expect((await api(null, '/api/discussions')).status).toBe(401);
    expect((await api('cc_nope', '/api/search?q=zebra')).status).toBe(401);
    expect((await api(t.tokens.alice, '/api/discussions?cursor=bogus')).status).toBe(400);

    // Open or resolved, and what mentions me.
    await write('bob', [resolveChat(b.chatId, true, OTHER)]);
    await write('bob', [addComment(a.chatId, { text: `${mentionToken(t.users.alice.id)} see this` })]);
    const ids = async (token: string, query: string) =>
      (await api(token, `/api/discussions?${query}`)).body.discussions.map((d: any) => d.id);
    expect(await ids(t.tokens.alice, 'state=resolved')).toEqual([b.chatId]);
    expect(
      (await api(t.tokens.alice, '/api/discussions?state=resolved')).body.discussions[0].resolved,
    ).toEqual({
      by: { id: t.users.bob.id, name: 'Bob' },
      at: expect.any(Number),
    });
    expect(await ids(t.tokens.alice, 'state=open')).toEqual([a.chatId]);
    expect(await ids(t.tokens.alice, 'mentions=me')).toEqual([a.chatId]);
    // People read a mention as the member's name, in a search snippet as in the thread.
    const mentioned = await api(t.tokens.bob, '/api/search?q=see%20this');
    expect(mentioned.body.hits[0].comment.snippet.map((s: { text: string }) => s.text).join('')).toContain(
      '@Alice see this',
    );
    expect(await ids(t.tokens.bob, 'mentions=me')).toEqual([]);
    const opening = createChat({ text: `${mentionToken(t.users.bob.id)}, a question` });
    await write('alice', [opening]);
    const listed = (await api(t.tokens.bob, '/api/discussions?limit=1')).body.discussions[0];
    expect([listed.id, listed.preview]).toEqual([opening.chatId, '@Bob, a question']);
    // Each entry links to its discussion as "Copy link" does: the thread, and the quote as a text fragment.
    expect(listed.link).toBe(`${PAGE}#cc-chat=${opening.chatId}:~:text=the%20quoted%20text`);
    expect(mentioned.body.hits[0].link).toMatch(new RegExp(`#cc-chat=${a.chatId}:~:text=`));
    const bad = await api(t.tokens.alice, '/api/discussions?state=closed');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('state must be open or resolved');
  });

  it('exports W3C Web Annotations that keep every MUST of the model, and CSV; members their own', async () => {
    const a = createChat({ title: 'Title, with "quotes"', text: '=1+1 is not a formula here' });
    a.selectors.push({
      type: 'RangeSelector',
      startContainer: '/main[1]/p[3]/text()[1]',
      startOffset: 17,
      endOffset: 32,
    } as never);
    await write('alice', [a, addComment(a.chatId, { text: 'first reply' })]);
    const reply = addComment(a.chatId, { text: 'to be edited' });
    await write('bob', [reply, editComment(a.chatId, reply.commentId, 'edited reply')]);
    const gone = createChat({ text: 'doomed words' });
    await write('bob', [gone, deleteChat(gone.chatId), createChat({ page: OTHER, text: 'bob’s own' })]);

    const admin = await api(t.tokens.admin, '/api/export');
    expect(admin.status).toBe(200);
    expect(admin.headers.get('content-type')).toMatch(/^application\/ld\+json/);
    expect(checkCollection(admin.body)).toEqual([]);
    expect(admin.body['@context']).toBe('http://www.w3.org/ns/anno.jsonld');
    const items = admin.body.first.items as any[];
    expect(items).toHaveLength(4);
    expect(admin.text).not.toContain('doomed words');
    const opening = items.find((i) => i.id.endsWith(`/api/discussions/${a.chatId}`));
    expect(opening).toMatchObject({
      type: 'Annotation',
      motivation: 'commenting',
      creator: { type: 'Person', name: 'Alice' },
      body: { type: 'TextualBody', value: '=1+1 is not a formula here', format: 'text/plain' },
      target: { type: 'SpecificResource', source: { id: PAGE, 'dcterms:title': 'Title, with "quotes"' } },
    });
    expect(opening.target.selector).toContainEqual({
      type: 'RangeSelector',
      startSelector: {
        type: 'XPathSelector',
        value: '/main[1]/p[3]/text()[1]',
        refinedBy: { type: 'TextPositionSelector', start: 17, end: 17 },
      },
      endSelector: {
        type: 'XPathSelector',
        value: '/main[1]/p[3]/text()[1]',
        refinedBy: { type: 'TextPositionSelector', start: 32, end: 32 },
      },
    });
    const edited = items.find((i) => i.body?.value === 'edited reply');
    expect(edited).toMatchObject({ motivation: 'replying', target: opening.id, creator: { name: 'Bob' } });
    expect(Date.parse(edited.modified)).toBeGreaterThanOrEqual(Date.parse(edited.created));

    // A member exports the discussions they started; another team sees none of this one.
    const bob = await api(t.tokens.bob, '/api/export');
    expect(checkCollection(bob.body)).toEqual([]);
    expect(bob.body.first.items.map((i: any) => i.body.value)).toEqual(['bob’s own']);
    const eve = await api(t.tokens.eve, '/api/export');
    expect(checkCollection(eve.body)).toEqual([]);
    expect(eve.body.total).toBe(0);

    const csv = await api(t.tokens.admin, '/api/export?format=csv');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'discussion_id,page,title,quote,comment_id,is_opening,author,created,modified,text',
    );
    expect(lines).toHaveLength(5);
    expect(csv.text).toContain(`"Title, with ""quotes"""`);
    expect(csv.text).toContain(`'=1+1 is not a formula here`);
  });

  it('round-trips: export, import into a fresh team, export again gives the same annotations; re-import adds nothing', async () => {
    const a = createChat({ title: 'Round trip', text: 'opening words' });
    const r1 = addComment(a.chatId, { text: 'a reply' });
    await write('alice', [a, r1]);
    const r2 = addComment(a.chatId, { text: 'before edit' });
    await write('bob', [r2, editComment(a.chatId, r2.commentId, 'after edit')]);
    await write('bob', [createChat({ page: OTHER, text: 'second discussion' })]);
    const first = (await api(t.tokens.admin, '/api/export')).body;

    const fresh = await freshTenant('Fresh team');
    const imported = await importAs(fresh.token, first);
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({
      format: 'web-annotation',
      discussions: { imported: 2, alreadyThere: 0 },
      comments: { imported: 2, alreadyThere: 0 },
    });
    expect(imported.body.placeholderMembers.sort()).toEqual(['Alice', 'Bob']);
    const second = (await api(fresh.token, '/api/export')).body;
    expect(checkCollection(second)).toEqual([]);
    const items = (c: any) => c.first.items;
    expect(items(second)).toEqual(items(first));

    const again = await importAs(fresh.token, first);
    expect(again.body).toMatchObject({
      discussions: { imported: 0, alreadyThere: 2 },
      comments: { imported: 0, alreadyThere: 2 },
      placeholderMembers: [],
    });
    expect(items((await api(fresh.token, '/api/export')).body)).toEqual(items(first));
    // Imported discussions are searchable in the new team only.
    expect((await api(fresh.token, '/api/search?q=after+edit')).body.hits).toHaveLength(1);
  });

  it('refuses a bad file naming its first bad record, and imports none of it', async () => {
    const a = createChat({ text: 'good one' });
    await write('alice', [a, createChat({ text: 'good two' })]);
    const doc = (await api(t.tokens.admin, '/api/export')).body;
    doc.first.items[1].target.selector = [{ type: 'TextPositionSelector', start: 1, end: 4 }];
    const fresh = await freshTenant('Fresh team');
    const refused = await importAs(fresh.token, doc);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(
      /^record 2 \(http:\/\/.*\): its target has no TextQuoteSelector; nothing was imported$/,
    );
    expect((await api(fresh.token, '/api/discussions')).body.discussions).toEqual([]);

    expect((await importAs(fresh.token, { hello: 'world' })).body.error).toMatch(
      /record 1.*not an Annotation/,
    );
    expect((await importAs(t.tokens.alice, doc)).status).toBe(403);
  });

  it('imports a Hypothesis export: threads by references, members by name or as placeholders, live viewers see it', async () => {
    const viewer = await TestClient.connect(t.url, t.tokens.bob);
    viewer.send({ type: 'subscribe', page: PAGE });
    await viewer.next('snapshot');
    const fixture = JSON.parse(
      readFileSync(new URL('../fixtures/hypothesis-export.json', import.meta.url), 'utf8'),
    );
    const result = await importAs(t.tokens.admin, fixture);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({
      format: 'hypothesis',
      discussions: { imported: 2, alreadyThere: 0 },
      comments: { imported: 2, alreadyThere: 0 },
    });
    expect(result.body.placeholderMembers.sort()).toEqual(['Carol H', 'carol_h']);
    expect(result.body.skipped.map((s: any) => [s.record, s.reason])).toEqual([
      [4, 'a page note (no quote to anchor to)'],
      [5, 'a highlight without text'],
    ]);

    const live = await viewer.next('new-text-chat');
    expect(live.type === 'new-text-chat' && live.chat.comments[0]!.author.name).toBe('Alice');
    await viewer.close();

    const [thread] = await t.server.store.readDiscussions(t.tenants.a.id, ['Hy4nnOtat10n0ne_AAAA']);
    expect(thread).toMatchObject({ page: PAGE, title: 'Cell biology for everyone' });
    expect(thread!.creator.id).toBe(t.users.alice.id);
    expect(thread!.comments.map((c) => [c.author.name, c.text])).toEqual([
      ['Alice', 'Is the **mitochondria** claim sourced?'],
      ['carol_h', 'Yes: see the 1957 Siekevitz paper.'],
      ['Alice', 'Thanks, adding the citation.'],
    ]);
    expect(thread!.comments[0]!.at).toBe(Date.parse('2026-02-10T08:00:00Z'));
    expect(thread!.comments[2]!.editedAt).toBe(Date.parse('2026-02-11T10:00:00Z'));
    expect(thread!.selectors).toContainEqual({
      type: 'RangeSelector',
      startContainer: '/main[1]/p[2]',
      startOffset: 4,
      endOffset: 40,
    });
    // The page key is normalised like any page a client names.
    const [other] = await t.server.store.readDiscussions(t.tenants.a.id, ['Hy4nnSec0ndTop_AAAAA']);
    expect(other!.page).toBe('https://example.com/other');

    // The snapshot a new viewer takes anchors it like a native discussion.
    const later = await TestClient.connect(t.url, t.tokens.alice);
    later.send({ type: 'subscribe', page: PAGE });
    const snap = await later.next('snapshot');
    expect(snap.type === 'snapshot' && snap.chats.map((c) => c.comments.length)).toEqual([3]);
    await later.close();

    expect((await api(t.tokens.bob, '/api/search?q=siekevitz')).body.hits[0].chatId).toBe(
      'Hy4nnOtat10n0ne_AAAA',
    );
    expect((await api(t.tokens.bob, '/api/search?q=cell+biology')).body.hits[0].titleMarked).toEqual([
      { text: 'Cell', hit: true },
      { text: ' ', hit: false },
      { text: 'biology', hit: true },
      { text: ' for everyone', hit: false },
    ]);
    expect((await importAs(t.tokens.admin, fixture)).body.discussions).toEqual({
      imported: 0,
      alreadyThere: 2,
    });
  });
});

describe('team API import limits', () => {
  it('undoes an import the store refuses part of, and says which record', async () => {
    await t.close();
    t = await startTestServer({
      limits: { discussionsPerPage: 2, commentsPerDiscussion: 100, tenantBytes: 1 << 20 },
    });
    const doc = {
      '@context': 'http://www.w3.org/ns/anno.jsonld',
      type: 'AnnotationPage',
      id: 'https://elsewhere.example/page1',
      items: [1, 2, 3].map((n) => ({
        '@context': 'http://www.w3.org/ns/anno.jsonld',
        id: `https://elsewhere.example/anno/${n}`,
        type: 'Annotation',
        created: `2026-01-0${n}T00:00:00Z`,
        creator: { type: 'Person', name: 'Zed' },
        body: { type: 'TextualBody', value: `imported ${n}` },
        target: { source: PAGE, selector: { type: 'TextQuoteSelector', exact: `quote ${n}` } },
      })),
    };
    const viewer = await TestClient.connect(t.url, t.tokens.bob);
    viewer.send({ type: 'subscribe', page: PAGE });
    await viewer.next('snapshot');
    const refused = await importAs(t.tokens.admin, doc);
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatch(/page holds at most 2 discussions.*nothing was imported/);
    expect((await api(t.tokens.admin, '/api/discussions')).body.discussions).toEqual([]);
    // Nor is the member it made for the author: the team's member list is as it was.
    viewer.send({ type: 'list-members' });
    const members = await viewer.next('members');
    expect(members.members.map((m: { name: string }) => m.name)).not.toContain('Zed');
    // Viewers saw the two appear and go again.
    await viewer.next((f) => f.type === 'deleted-text-chat');
    await viewer.next((f) => f.type === 'deleted-text-chat');
    await viewer.close();
  });
});
