// The search figure: a team with 100,000 comments (20,000 discussions of five comments on 2,000
// pages, words drawn from a Zipf-distributed vocabulary, page titles and quotes included) and a
// second team of 10,000 comments beside it, in each store; then search as you type: for each of 40
// phrases, every prefix a person produces while typing it (from the second character on), each a
// query of the store's `search` for 20 hits, timed one after another. The goal: p95 under 100 ms.
// PostgreSQL runs on DATABASE_URL (default: the local test server), in a database of its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openPostgresStore } from '../server/store/postgres';
import { openSqliteStore, SqliteStore } from '../server/store/sqlite';
import type { Store } from '../server/store/types';
import { quantile } from './stats';

export interface SearchRun {
  store: 'sqlite' | 'postgres';
  comments: number;
  queries: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  seedSeconds: number;
}

/** A deterministic generator, so both stores hold the same words. */
function random(seed: number) {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ner',
  'sta',
  'pu',
  'ri',
  'ven',
  'to',
  'sel',
  'ga',
  'dor',
  'fi',
  'ban',
  'que',
  'ul',
];

function vocabulary(size: number, rand: () => number): string[] {
  const words = new Set<string>();
  while (words.size < size) {
    const n = 2 + Math.floor(rand() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(rand() * SYLLABLES.length)];
    words.add(w);
  }
  return [...words];
}

/** Zipf(1) over the vocabulary: a few words are everywhere, most are rare, as in real text. */
function zipf(words: string[], rand: () => number): () => string {
  const weights = words.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) cumulative.push((sum += w / total));
  return () => {
    const r = rand();
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return words[lo]!;
  };
}

interface SeedRow {
  discussion: {
    id: string;
    page: string;
    site: string;
    title: string;
    quote: string;
    selectors: string;
    creator: string;
    ord: number;
    at: number;
  };
  comments: { id: string; author: string; authorName: string; text: string; at: number }[];
}

/** The discussions of one team, the same for both stores (a deterministic generator). */
function rowsFor(seedNo: number, comments: number, users: { id: string; name: string }[]): SeedRow[] {
  const rand = random(seedNo);
  const word = zipf(vocabulary(5000, random(1)), rand);
  const sentence = (n: number) => Array.from({ length: n }, word).join(' ');
  const commentsPerDiscussion = 5;
  const out: SeedRow[] = [];
  const t0 = Date.UTC(2026, 0, 1);
  for (let c = 0; c < comments / commentsPerDiscussion; c++) {
    const site = `site${c % 20}.example.com`;
    const quote = sentence(6);
    const id = `bench-${seedNo}-${c}`;
    const at = t0 + c * 60_000;
    out.push({
      discussion: {
        id,
        page: `https://${site}/articles/${c % 2000}`,
        site,
        title: sentence(4),
        quote,
        selectors: JSON.stringify([
          { type: 'TextQuoteSelector', exact: quote, prefix: 'before ', suffix: ' after' },
        ]),
        creator: users[c % users.length]!.id,
        ord: c + 1,
        at,
      },
      comments: Array.from({ length: commentsPerDiscussion }, (_, m) => {
        const u = users[(c + m) % users.length]!;
        return {
          id: `${id}-${m}`,
          author: u.id,
          authorName: u.name,
          text: sentence(8 + Math.floor(rand() * 25)),
          at: at + m * 1000,
        };
      }),
    });
  }
  return out;
}

/**
 * Seeds a team. The rows are inserted in bulk, as the store's own commit would leave them (the FTS5
 * triggers and the generated tsvector columns fill the indexes as for any write): committing
 * 110,000 writes one by one would measure the seeding, not the search.
 */
export async function seed(
  store: Store,
  tenantName: string,
  comments: number,
  seedNo: number,
  pgUrl?: string,
): Promise<string> {
  const tenant = await store.createTenant(tenantName);
  const users = await Promise.all(['Ada', 'Bea', 'Cy', 'Dee'].map((n) => store.createUser(tenant.id, n)));
  const rows = rowsFor(seedNo, comments, users);
  if (store instanceof SqliteStore) {
    const discussion = store.db.prepare(
      `INSERT INTO discussions (tenant_id, id, page, selectors, creator_id, opening_id, comment_count, bytes, created_at,
                                title, quote, site, last_activity_at)
       VALUES (?, ?, ?, ?, ?, ?, 5, 0, ?, ?, ?, ?, ?)`,
    );
    const comment = store.db.prepare(
      'INSERT INTO comments (tenant_id, chat_id, id, author_id, author_name, text, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    store.db.transaction(() => {
      for (const r of rows) {
        const c = r.discussion;
        discussion.run(
          tenant.id,
          c.id,
          c.page,
          c.selectors,
          c.creator,
          `${c.id}-0`,
          c.at,
          c.title,
          c.quote,
          c.site,
          c.at + 4000,
        );
        for (const m of r.comments) comment.run(tenant.id, c.id, m.id, m.author, m.authorName, m.text, m.at);
      }
    })();
    return tenant.id;
  }
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    for (let i = 0; i < rows.length; i += 1000) {
      const batch = rows.slice(i, i + 1000);
      await client.query(
        `INSERT INTO discussions (tenant_id, id, page, ord, selectors, creator_id, opening_id, comment_count, bytes,
                                  created_at, title, quote, site, last_activity_at)
         SELECT $1, id, page, ord, selectors, creator, id || '-0', 5, 0, at, title, quote, site, at + 4000
         FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[],
                     $10::text[]) AS r(id, page, ord, selectors, creator, at, title, quote, site)`,
        [
          tenant.id,
          batch.map((r) => r.discussion.id),
          batch.map((r) => r.discussion.page),
          batch.map((r) => r.discussion.ord + seedNo * 1_000_000),
          batch.map((r) => r.discussion.selectors),
          batch.map((r) => r.discussion.creator),
          batch.map((r) => r.discussion.at),
          batch.map((r) => r.discussion.title),
          batch.map((r) => r.discussion.quote),
          batch.map((r) => r.discussion.site),
        ],
      );
      const ms = batch.flatMap((r) => r.comments.map((m) => ({ ...m, discussion: r.discussion.id })));
      await client.query(
        `INSERT INTO comments (tenant_id, chat_id, id, author_id, author_name, text, at)
         SELECT $1, discussion, id, author, name, text, at
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[]) AS r(discussion, id, author, name, text, at)`,
        [
          tenant.id,
          ms.map((m) => m.discussion),
          ms.map((m) => m.id),
          ms.map((m) => m.author),
          ms.map((m) => m.authorName),
          ms.map((m) => m.text),
          ms.map((m) => m.at),
        ],
      );
    }
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
  return tenant.id;
}

/** What a person types: every prefix of each phrase from two characters on. */
function typing(phrases: string[]): string[] {
  const out: string[] = [];
  for (const p of phrases) for (let i = 2; i <= p.length; i++) out.push(p.slice(0, i));
  return out;
}

async function measure(
  store: Store,
  tenantId: string,
  comments: number,
  seedSeconds: number,
): Promise<SearchRun> {
  const rand = random(7);
  const words = vocabulary(5000, random(1));
  // Phrases of one to three words, from common and from rare words.
  const phrases = Array.from({ length: 40 }, (_, i) => {
    const pick = () => words[i % 2 === 0 ? Math.floor(rand() * 50) : 50 + Math.floor(rand() * 4000)]!;
    return Array.from({ length: 1 + (i % 3) }, pick).join(' ');
  });
  const queries = typing(phrases);
  // One warm-up pass (caches, prepared plans), then the timed one.
  for (const q of queries.slice(0, 50)) await store.search(tenantId, { text: q, limit: 20 });
  const times: number[] = [];
  for (const q of queries) {
    const t0 = performance.now();
    await store.search(tenantId, { text: q, limit: 20 });
    times.push(performance.now() - t0);
  }
  const r = (v: number) => Math.round(v * 10) / 10;
  return {
    store: store.kind,
    comments,
    queries: times.length,
    p50Ms: r(quantile(times, 0.5)),
    p95Ms: r(quantile(times, 0.95)),
    p99Ms: r(quantile(times, 0.99)),
    maxMs: r(Math.max(...times)),
    seedSeconds,
  };
}

async function run(store: Store, comments: number, pgUrl?: string): Promise<SearchRun> {
  const t0 = performance.now();
  const tenantId = await seed(store, 'Searching team', comments, 1, pgUrl);
  await seed(store, 'Neighbour team', comments / 10, 2, pgUrl);
  const seedSeconds = Math.round((performance.now() - t0) / 1000);
  return measure(store, tenantId, comments, seedSeconds);
}

export async function searchFigure(opts: { comments: number; databaseUrl?: string }): Promise<SearchRun[]> {
  const runs: SearchRun[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'collab-chat-bench-search-'));
  try {
    const sqlite = openSqliteStore(join(dir, 'search.db'));
    try {
      runs.push(await run(sqlite, opts.comments));
    } finally {
      await sqlite.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const url = opts.databaseUrl;
  if (url) {
    const name = `collab_bench_search_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const u = new URL(url);
      u.pathname = `/${name}`;
      const store = await openPostgresStore({ url: u.toString(), poolSize: 8 });
      try {
        const run1 = await run(store, opts.comments, u.toString());
        runs.push(run1);
      } finally {
        await store.close();
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  }
  return runs;
}
