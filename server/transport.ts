// HTTP(S) and the WebSocket upgrade: the only module that touches sockets and listening ports.
// Serves `GET /healthz` for load balancers; every other HTTP request gets 404. While the node is not
// ready (starting, shutting down) or too busy, it refuses: HTTP 503 with Retry-After, and a socket
// is closed at once with 1013 and `retry-after-ms=N` (a browser cannot read an HTTP refusal of an
// upgrade, so the refusal has to be a WebSocket close).
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE, LIMITS, healthIdentity, retryAfterReason } from '../lib/protocol';
import type { ServerConfig } from './config';
import { OriginPolicy } from './origin';

export interface Transport {
  readonly port: number;
  readonly url: string;
  readonly httpUrl: string;
  close(): Promise<void>;
}

/** Why the node turns clients away now, and when they should come back. */
export interface Refusal {
  /** starting and draining refuse HTTP requests too; busy refuses only new sockets. */
  status: 'starting' | 'draining' | 'busy';
  retryAfterMs: number;
  /** Words for a person (close reason and HTTP body). */
  message: string;
}

export interface TransportHandlers {
  onSocket(ws: WebSocket, req: IncomingMessage): void;
  /** Asked for every new socket and HTTP request: null to serve it. */
  refusal?(): Refusal | null;
  health(): Record<string, unknown>;
  /** Other HTTP routes (admin API, dashboard, metrics): true when it answered the request. */
  request?(req: IncomingMessage, res: ServerResponse): boolean;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read the TLS ${what} ${path}: ${(err as Error).message}`);
  }
}

export async function startTransport(config: ServerConfig, handlers: TransportHandlers): Promise<Transport> {
  const tls = config.tlsCert !== undefined && config.tlsKey !== undefined;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const refusal = handlers.refusal?.();
    // The health answer is readable from any origin: the extension's "Test connection" reads which
    // service answers (it holds no host permission for the server). It carries no team's data.
    const open = path === '/healthz' ? { 'access-control-allow-origin': '*' } : {};
    if (refusal && refusal.status !== 'busy') {
      res.writeHead(503, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        'retry-after': String(Math.max(1, Math.ceil(refusal.retryAfterMs / 1000))),
        ...open,
      });
      res.end(JSON.stringify({ ...healthIdentity(), status: refusal.status, error: refusal.message }));
      return;
    }
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', ...open });
      res.end(JSON.stringify({ ...healthIdentity(), status: 'ok', ...handlers.health() }));
      return;
    }
    if (handlers.request?.(req, res)) return;
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not found; this server speaks WebSocket, and GET /healthz' }));
  };
  const server = tls
    ? createHttpsServer(
        { cert: readPem(config.tlsCert!, 'certificate'), key: readPem(config.tlsKey!, 'key') },
        onRequest,
      )
    : createHttpServer(onRequest);
  // With TLS, a plain HTTP request on the same port is answered in plain HTTP, saying that this port
  // speaks TLS: a browser that does not trust the certificate cannot say why its secure request
  // failed, but that answer tells the extension's "Test connection" that a server of ours listens
  // here and the certificate is the problem (rather than a closed port).
  const listening: NetServer = tls ? tlsFront(server, plainOnTlsPort()) : server;

  // maxPayload makes ws close a far oversize frame's socket with 1009 before reading it all; a frame
  // between the protocol's limit and this cutoff is read, and the connection closes it with 1009 only
  // after answering the writes it already received. A refused
  // Origin gets HTTP 403 before the upgrade, so no socket, timer or connection is ever made for it.
  const origins = new OriginPolicy(config.allowedOrigins);
  const wss = new WebSocketServer({
    server,
    maxPayload: LIMITS.frameCutoffBytes,
    verifyClient: (info, done) => {
      const check = origins.check(info.req);
      if (check.allowed) done(true);
      else done(false, 403, check.reason, { 'Content-Type': 'text/plain; charset=utf-8' });
    },
  });
  wss.on('connection', (ws, req) => {
    const refusal = handlers.refusal?.();
    if (refusal) {
      ws.on('error', () => {});
      ws.close(CLOSE.tryAgainLater, retryAfterReason(refusal.retryAfterMs, refusal.message));
      return;
    }
    handlers.onSocket(ws, req);
  });
  wss.on('error', () => {
    // Errors of the listening server surface through `server`; sockets have their own handlers.
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        new Error(
          err.code === 'EADDRINUSE'
            ? `port ${config.port} on ${config.host} is already in use; stop the other server or pass --port`
            : `cannot listen on ${config.host}:${config.port}: ${err.message}`,
        ),
      );
    };
    listening.once('error', onError);
    listening.listen(config.port, config.host, () => {
      listening.off('error', onError);
      resolve();
    });
  });

  const port = (listening.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    port,
    url: `${tls ? 'wss' : 'ws'}://${host}:${port}`,
    httpUrl: `${tls ? 'https' : 'http'}://${host}:${port}`,
    async close() {
      // Give sockets already told to close (1001) a moment to finish the close handshake, so
      // clients see the code and its reason rather than a dropped connection.
      const open = [...wss.clients].filter((ws) => ws.readyState !== ws.CLOSED);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(open.map((ws) => new Promise((resolve) => ws.once('close', resolve)))),
        new Promise((resolve) => (timer = setTimeout(resolve, 1000))),
      ]);
      clearTimeout(timer);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      if (listening !== server) await new Promise<void>((resolve) => listening.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** How long a connection may stay silent before its first byte says whether it speaks TLS. */
const FIRST_BYTE_TIMEOUT_MS = 10_000;
/** The first byte of a TLS record that opens a handshake. */
const TLS_HANDSHAKE = 0x16;

/** The listening server of a TLS port: hands each connection to `secure` or, without TLS, `plain`. */
function tlsFront(secure: NetServer, plain: NetServer): NetServer {
  return createNetServer((socket) => {
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    const ignore = () => {};
    socket.on('error', ignore);
    socket.once('data', (chunk: Buffer) => {
      socket.setTimeout(0);
      socket.off('error', ignore);
      socket.pause();
      socket.unshift(chunk);
      (chunk[0] === TLS_HANDSHAKE ? secure : plain).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
}

/** Answers plain HTTP on a TLS port: which service this is, and to use https:// or wss://. */
function plainOnTlsPort(): NetServer {
  return createHttpServer((_req, res) => {
    res.writeHead(400, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'access-control-allow-origin': '*',
      connection: 'close',
    });
    res.end(
      JSON.stringify({
        ...healthIdentity(),
        status: 'tls-required',
        error: 'this port speaks TLS: use https:// or wss://',
      }),
    );
  });
}
