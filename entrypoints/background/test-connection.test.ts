import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, SERVICE_NAME, CLOSE } from '@/lib/protocol';
import type { TestConnectionResultT } from '@/lib/messaging';
import { FakeSocket } from '@/test/unit/fake-socket';
import { testConnection, type ConnectionTestDeps } from './test-connection';

/** How the network answers one URL: with a readable body, opaquely (no CORS), not at all, or never. */
type Answer = { status: number; body: unknown; cors?: boolean } | 'fails' | 'hangs';

function network(answers: Record<string, Answer>): { deps: ConnectionTestDeps; asked: string[] } {
  const asked: string[] = [];
  const deps: ConnectionTestDeps = {
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      queueMicrotask(() => socket.open());
      socket.send = (data: string) => {
        const hello = JSON.parse(data) as { token: string };
        if (hello.token === 'good')
          socket.receive({
            type: 'welcome',
            user: { id: 'u1', name: 'Ana' },
            tenant: { id: 't1', name: 'Acme' },
            role: 'admin',
            protocol: PROTOCOL_VERSION,
          } as never);
        else socket.drop(CLOSE.unauthenticated, 'bad token');
      };
      return socket;
    },
    fetch: (url, init) => {
      asked.push(`${init.mode} ${url}`);
      const answer = answers[url] ?? 'fails';
      if (answer === 'hangs')
        return new Promise((_, reject) =>
          init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
        );
      if (answer === 'fails') return Promise.reject(new TypeError('Failed to fetch'));
      if (init.mode === 'cors' && answer.cors === false)
        return Promise.reject(new TypeError('Failed to fetch'));
      if (init.mode === 'no-cors') return Promise.resolve({ type: 'opaque', status: 0 } as Response);
      return Promise.resolve(
        new Response(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body), {
          status: answer.status,
        }),
      );
    },
    timers: {
      setTimeout: (fn: () => void, ms: number) => setTimeout(fn, Math.min(ms, 20)),
      clearTimeout: (t: unknown) => clearTimeout(t as ReturnType<typeof setTimeout>),
    } as ConnectionTestDeps['timers'],
  };
  return { deps, asked };
}

const ours = (status = 'ok') => ({ service: SERVICE_NAME, protocol: PROTOCOL_VERSION, status });

describe('testConnection tells the causes apart', () => {
  it.each<[string, string, Record<string, Answer>, TestConnectionResultT]>([
    [
      'our server and a good token',
      'ws://127.0.0.1:8787',
      { 'http://127.0.0.1:8787/healthz': { status: 200, body: ours() } },
      {
        result: 'connected',
        user: { id: 'u1', name: 'Ana' },
        tenant: { id: 't1', name: 'Acme' },
        role: 'admin',
      },
    ],
    ['a closed port on this machine', 'ws://127.0.0.1:9', {}, { result: 'refused', address: '127.0.0.1:9' }],
    [
      'a web server that is not ours, answering with CORS',
      'ws://localhost:8080',
      { 'http://localhost:8080/healthz': { status: 404, body: '<h1>Not found</h1>' } },
      { result: 'not-collab-chat', address: 'localhost:8080' },
    ],
    [
      'a web server that is not ours, without CORS',
      'wss://example.com',
      { 'https://example.com/healthz': { status: 200, body: 'hi', cors: false } },
      { result: 'not-collab-chat', address: 'example.com:443' },
    ],
    [
      'a name that never resolves',
      'wss://nonexistent.invalid',
      {},
      { result: 'host-not-found', host: 'nonexistent.invalid' },
    ],
    [
      'our TLS port, with a certificate the browser refuses',
      'wss://chat.example.com:8443',
      {
        'http://chat.example.com:8443/healthz': { status: 400, body: ours('tls-required') },
      },
      {
        result: 'tls-untrusted',
        address: 'chat.example.com:8443',
        healthUrl: 'https://chat.example.com:8443/healthz',
      },
    ],
    [
      'wss:// to a port that speaks plain HTTP',
      'wss://chat.example.com:8787',
      { 'http://chat.example.com:8787/healthz': { status: 200, body: ours() } },
      { result: 'tls-not-offered', address: 'chat.example.com:8787' },
    ],
    [
      'wss:// where nothing at all answers',
      'wss://chat.example.com',
      {},
      {
        result: 'unreachable',
        address: 'chat.example.com:443',
        healthUrl: 'https://chat.example.com/healthz',
      },
    ],
    [
      'our server while it starts',
      'wss://chat.example.com',
      { 'https://chat.example.com/healthz': { status: 503, body: ours('starting') } },
      { result: 'starting', address: 'chat.example.com:443' },
    ],
    [
      'our server, another protocol version',
      'wss://chat.example.com',
      {
        'https://chat.example.com/healthz': {
          status: 200,
          body: { ...ours(), protocol: PROTOCOL_VERSION + 1 },
        },
      },
      { result: 'protocol-mismatch' },
    ],
    [
      'a host that never answers',
      'wss://chat.example.com',
      { 'https://chat.example.com/healthz': 'hangs' },
      { result: 'no-answer', address: 'chat.example.com:443', seconds: 6 },
    ],
  ])('%s', async (_name, url, answers, expected) => {
    const { deps } = network(answers);
    expect(await testConnection(url, 'good', deps)).toEqual(expected);
  });

  it('says when our server refuses the token', async () => {
    const { deps } = network({ 'http://127.0.0.1:8787/healthz': { status: 200, body: ours() } });
    expect(await testConnection('ws://127.0.0.1:8787', 'bad', deps)).toEqual({ result: 'token-refused' });
  });

  it('asks Firefox whether the name resolves before reaching out', async () => {
    const { deps, asked } = network({});
    deps.resolves = async (host) => host !== 'chat.exmaple.com';
    expect(await testConnection('wss://chat.exmaple.com', 'good', deps)).toEqual({
      result: 'host-not-found',
      host: 'chat.exmaple.com',
    });
    expect(asked).toEqual([]);
  });

  it('checks the URL and the token before any network', async () => {
    const { deps, asked } = network({});
    expect(await testConnection('ws://chat.example.com', 'good', deps)).toEqual({ result: 'insecure' });
    expect(await testConnection('chat', 'good', deps)).toEqual({ result: 'invalid-url' });
    expect(await testConnection('wss://chat.example.com', ' ', deps)).toEqual({ result: 'missing-token' });
    expect(asked).toEqual([]);
  });
});
