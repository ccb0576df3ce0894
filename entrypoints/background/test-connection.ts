// "Test connection" of the options page: a throwaway socket that says hello with the given settings
// and reports the outcome in terms the options page turns into plain words.
import { CLOSE, LIMITS, PROTOCOL_VERSION, parseServerFrame } from '@/lib/protocol';
import { checkServerUrl } from '@/lib/reconnect';
import type { TestConnectionResultT } from '@/lib/messaging';
import type { SocketLike, Timers } from './connection';
import { realTimers } from './connection';

export function testConnection(
  serverUrl: string,
  token: string,
  createSocket: (url: string) => SocketLike,
  timers: Timers = realTimers,
): Promise<TestConnectionResultT> {
  const checked = checkServerUrl(serverUrl);
  if (!checked.ok) return Promise.resolve({ result: checked.reason });
  if (!token.trim()) return Promise.resolve({ result: 'missing-token' });
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
      () => finish({ result: 'unreachable', detail: 'timeout' }),
      LIMITS.helloTimeoutMs * 2,
    );
    try {
      socket = createSocket(checked.url);
    } catch (error) {
      finish({ result: 'unreachable', detail: String(error) });
      return;
    }
    socket.onopen = () =>
      socket?.send(JSON.stringify({ type: 'hello', token: token.trim(), protocol: PROTOCOL_VERSION }));
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
      // The detail is shown inside a translated sentence: a close code, not English words.
      else finish({ result: 'unreachable', detail: `code ${event.code}` });
    };
  });
}
