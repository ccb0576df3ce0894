import { describe, expect, it } from 'vitest';
import { apiBase, ownDataRequest, teamRequest, type FetchLike } from './team-api';

describe('apiBase', () => {
  it.each([
    ['ws://localhost:8080', 'http://localhost:8080'],
    ['wss://chat.example.com/', 'https://chat.example.com'],
    ['https://chat.example.com/collab/', 'https://chat.example.com/collab'],
  ])('%s → %s', (ws, http) => expect(apiBase(ws)).toBe(http));

  it('refuses what the connection refuses', () => {
    expect(apiBase('ws://chat.example.com')).toBeNull();
    expect(apiBase('nonsense')).toBeNull();
  });
});

describe('teamRequest', () => {
  const settings = { serverUrl: 'ws://localhost:8080', token: 'cc_secret' };

  it('asks the API with the bearer token and the filters that are set', async () => {
    const seen: { url: string; headers: Record<string, string> }[] = [];
    const fetchFn: FetchLike = async (url, init) => {
      seen.push({ url, headers: init.headers });
      return { ok: true, status: 200, json: async () => ({ hits: [] }) };
    };
    expect(await teamRequest(settings, 'search', { q: 'zebra stripes', site: '' }, fetchFn)).toEqual({
      ok: true,
      body: { hits: [] },
    });
    expect(seen).toEqual([
      {
        url: 'http://localhost:8080/api/search?q=zebra+stripes',
        headers: { authorization: 'Bearer cc_secret' },
      },
    ]);
  });

  it('says why when it cannot answer', async () => {
    const refused: FetchLike = async () => ({
      ok: false,
      status: 401,
      json: async () => ({ error: 'unknown token' }),
    });
    expect(await teamRequest(settings, 'discussions', {}, refused)).toEqual({
      ok: false,
      problem: 'refused',
      status: 401,
      error: 'unknown token',
    });
    const down: FetchLike = async () => {
      throw new TypeError('Failed to fetch');
    };
    expect(await teamRequest(settings, 'discussions', {}, down)).toMatchObject({
      ok: false,
      problem: 'unreachable',
    });
    expect(await teamRequest({ serverUrl: '', token: '' }, 'discussions', {}, down)).toMatchObject({
      ok: false,
      problem: 'not-set-up',
    });
  });
});

describe('ownDataRequest', () => {
  const settings = { serverUrl: 'wss://chat.example.com', token: 'cc_secret' };

  it.each([
    ['export', 'https://chat.example.com/api/own-data', undefined],
    ['erasure-status', 'https://chat.example.com/api/own-data/erasure-request', undefined],
    ['request-erasure', 'https://chat.example.com/api/own-data/erasure-request', 'POST'],
  ] as const)('%s asks %s with the token', async (action, url, method) => {
    const seen: { url: string; method?: string; headers: Record<string, string> }[] = [];
    const fetchFn: FetchLike = async (u, init) => {
      seen.push({ url: u, headers: init.headers, ...(init.method && { method: init.method }) });
      return { ok: true, status: 200, json: async () => ({ requestedAt: null }) };
    };
    expect(await ownDataRequest(settings, action, fetchFn)).toEqual({
      ok: true,
      body: { requestedAt: null },
    });
    expect(seen).toEqual([
      { url, headers: { authorization: 'Bearer cc_secret' }, ...(method && { method }) },
    ]);
  });

  it('asks nothing without a saved token', async () => {
    const fetchFn: FetchLike = async () => {
      throw new Error('must not be called');
    };
    expect(await ownDataRequest({ ...settings, token: ' ' }, 'export', fetchFn)).toMatchObject({
      ok: false,
      problem: 'not-set-up',
    });
  });
});
