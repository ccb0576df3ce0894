// What the server's JSON HTTP APIs share: an error with its status, the JSON answer, the answer to a
// CORS preflight, reading a JSON body up to a size, and bearer-token authentication (the same tokens and checks as the WebSocket
// `hello`).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from './auth';
import type { Store, TokenAuth } from './store/types';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Answers a CORS preflight: the methods and request headers the route takes, for 10 minutes. */
export function preflight(res: ServerResponse, methods: string, headers: string): void {
  res.writeHead(204, {
    'access-control-allow-methods': methods,
    'access-control-allow-headers': headers,
    'access-control-max-age': '600',
  });
  res.end();
}

/** The request's JSON body (any JSON value; {} when empty), refused above `maxBytes`. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new HttpError(413, `the request body is over ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the request body is not valid JSON');
  }
}

/** The token's tenant, user and role, or a 401 that says what to send. */
export async function bearer(store: Store, req: IncomingMessage, what = 'token'): Promise<TokenAuth> {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new HttpError(401, `send Authorization: Bearer <${what}>`);
  const result = await authenticate(store, match[1]!);
  if (result.status !== 'ok') throw new HttpError(401, result.reason);
  return result.auth;
}

/** Answers a route's promise as JSON; errors as `{ error }` with their status. */
export function answer(res: ServerResponse, work: Promise<[number, unknown] | void>): void {
  work
    .then((done) => {
      if (done) json(res, done[0], done[1]);
    })
    .catch((err: Error) => {
      if (res.headersSent) {
        res.destroy(err);
      } else if (err instanceof HttpError) {
        if (err.status === 401) res.setHeader('www-authenticate', 'Bearer');
        json(res, err.status, { error: err.message });
      } else {
        json(res, 500, { error: `the server failed: ${err.message}; try again` });
      }
    });
}
