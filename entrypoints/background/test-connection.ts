// "Test connection" (and the check after "Save"): finds out what answers at a server URL and whether
// it takes the token, in terms the options page turns into plain words. A browser says nothing about
// why a request failed ("Failed to fetch", close 1006), so the cause is narrowed down by asking
// questions it does answer:
//   1. the host name: `.invalid` never resolves; Firefox's `dns` API answers for any other name;
//   2. `GET /healthz` (readable from any origin on our server): our service and protocol, or someone
//      else's server, or 503 while ours starts or is busy;
//   3. the same request without CORS: anything at all answering HTTP there;
//   4. for wss://, the same port in plain HTTP: our TLS port answers it naming itself (so the
//      certificate is what the browser refused), a plain server answers it too (so it has no TLS);
//   5. only then the WebSocket and `hello`: the token, the protocol, an origin the server refuses.
import { CLOSE, HealthAnswer, LIMITS, PROTOCOL_VERSION, parseServerFrame } from '@/lib/protocol';
import { checkServerUrl } from '@/lib/reconnect';
import type { TestConnectionResultT } from '@/lib/messaging';
import type { SocketLike, Timers } from './connection';
import { realTimers } from './connection';

/** How long each probe may take before the server counts as not answering. */
export const PROBE_TIMEOUT_MS = 6000;

export interface ConnectionTestDeps {
  createSocket(url: string): SocketLike;
  fetch(url: string, init: RequestInit): Promise<Response>;
  /** Whether a host name resolves (Firefox's `dns.resolve`); absent where the browser cannot say. */
  resolves?(host: string): Promise<boolean>;
  timers?: Timers;
}

/** What one HTTP probe saw: a readable answer, an opaque one (someone answered), nothing, or no time. */
type Probe =
  | { kind: 'answer'; status: number; body: unknown }
  | { kind: 'opaque' }
  | { kind: 'failed' }
  | { kind: 'timeout' };

async function probe(deps: ConnectionTestDeps, url: string, cors: boolean): Promise<Probe> {
  const controller = new AbortController();
  const timers = deps.timers ?? realTimers;
  let timedOut = false;
  const timer = timers.setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, PROBE_TIMEOUT_MS);
  try {
    const res = await deps.fetch(url, {
      mode: cors ? 'cors' : 'no-cors',
      cache: 'no-store',
      credentials: 'omit',
      // A no-cors request must follow redirects (Fetch refuses any other mode for it).
      redirect: 'follow',
      signal: controller.signal,
    });
    if (!cors || res.type === 'opaque') return { kind: 'opaque' };
    const body: unknown = await res.json().catch(() => null);
    return { kind: 'answer', status: res.status, body };
  } catch {
    return timedOut ? { kind: 'timeout' } : { kind: 'failed' };
  } finally {
    timers.clearTimeout(timer);
  }
}

/** Host names that never resolve (RFC 6761): no need to ask the network. */
const NEVER_RESOLVES = /(^|\.)invalid\.?$/i;

export async function testConnection(
  serverUrl: string,
  token: string,
  deps: ConnectionTestDeps,
): Promise<TestConnectionResultT> {
  const checked = checkServerUrl(serverUrl);
  if (!checked.ok) return { result: checked.reason };
  if (!token.trim()) return { result: 'missing-token' };
  const ws = new URL(checked.url);
  const secure = ws.protocol === 'wss:';
  const host = ws.hostname.replace(/^\[|\]$/g, '');
  const address = `${ws.hostname}:${ws.port || (secure ? '443' : '80')}`;
  const http = new URL(checked.url);
  http.protocol = secure ? 'https:' : 'http:';
  http.pathname = '/healthz';
  http.search = '';
  const healthUrl = http.toString();
  const seconds = PROBE_TIMEOUT_MS / 1000;

  if (NEVER_RESOLVES.test(host)) return { result: 'host-not-found', host };
  if (deps.resolves && !(await deps.resolves(host).catch(() => true)))
    return { result: 'host-not-found', host };

  const health = await probe(deps, healthUrl, true);
  if (health.kind === 'timeout') return { result: 'no-answer', address, seconds };
  if (health.kind === 'answer') {
    const ours = HealthAnswer.safeParse(health.body);
    if (!ours.success) return { result: 'not-collab-chat', address };
    if (ours.data.protocol !== PROTOCOL_VERSION) return { result: 'protocol-mismatch' };
    if (health.status === 503) return { result: 'starting', address };
    return hello(checked.url, token.trim(), address, deps);
  }
  // No readable answer: is anything there at all?
  const anything = await probe(deps, healthUrl, false);
  if (anything.kind === 'opaque') return { result: 'not-collab-chat', address };
  if (anything.kind === 'timeout') return { result: 'no-answer', address, seconds };
  if (!secure) return { result: 'refused', address };
  // A secure request failed: ask the same port in plain HTTP.
  const plainUrl = new URL(healthUrl);
  plainUrl.protocol = 'http:';
  if (!plainUrl.port) plainUrl.port = '443';
  const plain = await probe(deps, plainUrl.toString(), true);
  if (plain.kind === 'answer') {
    const ours = HealthAnswer.safeParse(plain.body);
    if (ours.success && ours.data.status === 'tls-required')
      return { result: 'tls-untrusted', address, healthUrl };
    return { result: 'tls-not-offered', address };
  }
  if (plain.kind === 'opaque') return { result: 'tls-not-offered', address };
  return { result: 'unreachable', address, healthUrl };
}

/** Our server answers over HTTP: says hello on a throwaway socket to check the token. */
function hello(
  url: string,
  token: string,
  address: string,
  deps: ConnectionTestDeps,
): Promise<TestConnectionResultT> {
  const timers = deps.timers ?? realTimers;
  return new Promise((resolve) => {
    let done = false;
    let socket: SocketLike | null = null;
    const finish = (result: TestConnectionResultT) => {
      if (done) return;
      done = true;
      timers.clearTimeout(timer);
      try {
        socket?.close(CLOSE.normal, 'test done');
      } catch {
        // Already closed.
      }
      resolve(result);
    };
    const timer = timers.setTimeout(
      () => finish({ result: 'no-answer', address, seconds: (LIMITS.helloTimeoutMs * 2) / 1000 }),
      LIMITS.helloTimeoutMs * 2,
    );
    try {
      socket = deps.createSocket(url);
    } catch {
      finish({ result: 'origin-refused', address });
      return;
    }
    socket.onopen = () => socket?.send(JSON.stringify({ type: 'hello', token, protocol: PROTOCOL_VERSION }));
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      const parsed = parseServerFrame(event.data);
      if (parsed.ok && parsed.frame.type === 'welcome') {
        const { user, tenant, role } = parsed.frame;
        finish({ result: 'connected', user, tenant, role });
      }
    };
    socket.onclose = (event) => {
      if (event.code === CLOSE.protocolMismatch) finish({ result: 'protocol-mismatch' });
      else if (
        event.code === CLOSE.unauthenticated ||
        event.code === CLOSE.revoked ||
        event.code === CLOSE.badHello
      )
        finish({ result: 'token-refused' });
      else if (event.code === CLOSE.tryAgainLater || event.code === CLOSE.goingAway)
        finish({ result: 'starting', address });
      // Its /healthz answered, so the server is up: a refused upgrade (the browser sees only 1006) is
      // the server's allowed-origins list turning this extension away.
      else finish({ result: 'origin-refused', address });
    };
  });
}
