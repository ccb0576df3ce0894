// The protocol version and every limit of the wire protocol. Server and extension import these;
// no other file may restate a number that lives here.

/** Bumped on any incompatible change of a frame's shape. */
export const PROTOCOL_VERSION = 3;

export const LIMITS = {
  /**
   * Largest text frame a client may send, in bytes (UTF-8). A larger one is not processed: the
   * socket is closed with 1009 once the writes already received are answered.
   */
  frameBytes: 16 * 1024,
  /**
   * A client frame above this many bytes is cut off by the WebSocket layer at once (1009, without
   * waiting for writes in flight); between `frameBytes` and this, the close waits for them.
   */
  frameCutoffBytes: 64 * 1024,
  /** Longest comment text, in Unicode code points (not UTF-16 units). */
  commentChars: 4000,
  /** Longest selected quote (TextQuoteSelector.exact), in code points. */
  quoteChars: 1000,
  /** Longest prefix or suffix of a TextQuoteSelector, in code points. */
  contextChars: 64,
  /** Longest XPath of a RangeSelector container, in code points. */
  xpathChars: 512,
  /** Most selectors in one anchor: one TextQuoteSelector, at most one TextPositionSelector and one RangeSelector. */
  selectorsPerAnchor: 3,
  /** Longest page key (a normalised URL, always ASCII), in characters. */
  pageKeyChars: 2048,
  /** Most distinct people one comment may mention (`@[user-id]` tokens, see mentions.ts). */
  mentionsPerComment: 20,
  /** Most notifications in one `notifications` frame, and seqs in one `mark-notifications-read`. */
  notificationsPerFrame: 100,
  /** Notifications kept per user; older ones are dropped as new ones come. */
  notificationsPerUser: 500,
  /** Longest excerpt of a comment a notification carries, in code points. */
  excerptChars: 140,
  /**
   * Longest page title a `create-chat` may carry, in code points. The title is the page's own
   * (`document.title`): untrusted text, stored and searched, always shown as text.
   */
  titleChars: 300,
  /** Longest token accepted in `hello`. */
  tokenChars: 256,
  /** Most pages one connection may be subscribed to at once. */
  subscriptionsPerConnection: 64,
  /** Frames sent after `hello` and before `welcome` that are kept and handled after the welcome. */
  framesBeforeWelcome: 32,
  /** Most `subscribe`/`unsubscribe` frames waiting for their turn on one connection. */
  pageRequestsWaiting: 128,
  /**
   * The cost budget of subscribe answers, in bytes, per user and per tenant on one server node: each
   * answer read from the store costs its size plus `subscribeReadCostBytes`. A subscribe whose
   * budget is spent waits until it has refilled.
   */
  subscribeUserBytesPerSec: 1024 * 1024,
  subscribeUserBurstBytes: 4 * 1024 * 1024,
  subscribeTenantBytesPerSec: 32 * 1024 * 1024,
  subscribeTenantBurstBytes: 64 * 1024 * 1024,
  subscribeReadCostBytes: 1024,
  /** Rate limit per connection: a token bucket refilled at `ratePerSec`, holding at most `rateBurst`. */
  ratePerSec: 50,
  rateBurst: 100,
  /** A connection that exceeds the rate limit this many times in a row is closed with 4429. */
  rateStrikes: 50,
  /** Most events answered in one `replay`; a client further behind gets a `snapshot`. */
  replayEvents: 500,
  /**
   * Largest `snapshot` or `replay` frame the server sends, in bytes of JSON: a larger snapshot goes
   * out in several pages (`more: true` on all but the last), a larger replay as several replays.
   */
  snapshotFrameBytes: 128 * 1024,
  /** The client must send `hello` within this many milliseconds of connecting. */
  helloTimeoutMs: 5000,
  /** The server sends a WebSocket ping to every socket this often. */
  heartbeatMs: 5_000,
  /**
   * A socket that has not answered a ping (pong, or any frame) within this many milliseconds is
   * terminated and leaves presence at once: a stalled path is noticed within heartbeat + timeout.
   */
  pongTimeoutMs: 10_000,
  /** Clients send an application `ping` this often while connected. */
  clientPingMs: 10_000,
  /**
   * A client that has heard nothing from the server (no `pong`, no frame at all) this long after a
   * `ping` treats the socket as dead: it closes it, reconnects and resyncs.
   */
  clientPongTimeoutMs: 8_000,
} as const;

/**
 * Close codes the server sends. 1000-range codes are standard WebSocket codes. `CLOSES` below says
 * what each means and what a client should do; docs/protocol.md repeats that table (a test checks).
 */
export const CLOSE = {
  /** Sent by clients; the server itself never closes with it. */
  normal: 1000,
  /** The server is shutting down; the reason may carry `retry-after-ms=N` (see retry-after.ts). */
  goingAway: 1001,
  tooBig: 1009,
  /**
   * Try again later (RFC 6455 registry): the server is starting, shutting down or overloaded. The
   * reason starts with `retry-after-ms=N;` and the client waits N ms before its next attempt.
   */
  tryAgainLater: 1013,
  /** The server could not check the token (its database failed). */
  serverError: 1011,
  /** `hello` was malformed or sent twice. */
  badHello: 4400,
  /** No `hello` in time, or a missing or unknown token. */
  unauthenticated: 4401,
  /** The token was revoked (also closes live sockets of that token). */
  revoked: 4403,
  /** The client did not read fast enough; it should reconnect and resync. */
  slowConsumer: 4408,
  /** A signed-in session's access token has expired: refresh it (docs/api.md, single sign-on), then reconnect. */
  tokenExpired: 4419,
  /** The client speaks a protocol version this server does not. */
  protocolMismatch: 4426,
  /** Too many frames over the rate limit. */
  rateLimited: 4429,
} as const;

export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];

/** Every close code the server sends: when, and what the client should do. */
export const CLOSES: ReadonlyArray<{ code: CloseCode; when: string; then: string }> = [
  {
    code: CLOSE.goingAway,
    when: 'the server is shutting down (the reason may carry `retry-after-ms=N`)',
    then: 'reconnect after N ms, else with backoff; resync',
  },
  {
    code: CLOSE.tooBig,
    when: 'a frame over 16 KiB',
    then: 'do not send it again; reconnect',
  },
  {
    code: CLOSE.serverError,
    when: 'the server could not check the token (database error)',
    then: 'reconnect with backoff',
  },
  {
    code: CLOSE.tryAgainLater,
    when: 'the server is starting, shutting down or busy; the reason starts with `retry-after-ms=N;`',
    then: 'reconnect after N ms, not before; resync',
  },
  {
    code: CLOSE.badHello,
    when: 'the first frame is not a valid `hello`, or a second `hello`',
    then: 'fix the client',
  },
  {
    code: CLOSE.unauthenticated,
    when: 'no `hello` within 5 s; a `hello` without a token or with an empty one; an unknown token',
    then: 'ask the user for a valid token; do not retry blindly',
  },
  {
    code: CLOSE.revoked,
    when: 'the token was revoked (also closes its live sockets)',
    then: 'ask the user for a new token; do not retry',
  },
  {
    code: CLOSE.slowConsumer,
    when: 'the client read too slowly (over 4 MiB waiting to be sent)',
    then: 'reconnect and resync',
  },
  {
    code: CLOSE.tokenExpired,
    when: "a signed-in session's access token has expired (checked at `hello`; a live socket stays open)",
    then: 'refresh the session (POST /sso/token) and reconnect with the new token; sign in again if that fails',
  },
  {
    code: CLOSE.protocolMismatch,
    when: '`protocol` is not a version this server speaks',
    then: 'update the extension or the server',
  },
  {
    code: CLOSE.rateLimited,
    when: '50 frames in a row over the rate limit',
    then: 'reconnect later, more slowly',
  },
];

/** Error codes carried by `error` frames. */
export const ERROR_CODES = [
  'bad-json',
  'bad-frame',
  'unknown-type',
  'not-subscribed',
  'forbidden',
  'not-found',
  'conflict',
  'rate-limited',
  'too-many-subscriptions',
  /** The page holds its most discussions. */
  'page-full',
  /** The discussion holds its most comments. */
  'thread-full',
  /** The team stores its most bytes. */
  'quota-exceeded',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** What each error code means; docs/protocol.md repeats this table (a test checks). */
export const ERRORS: Readonly<Record<ErrorCode, string>> = {
  'bad-json': 'the frame is not valid JSON',
  'bad-frame':
    'the frame is not a JSON object; a known type with invalid fields (the message names them); a binary frame',
  'unknown-type': '`type` is missing or not a client frame type (the message lists them)',
  'not-subscribed': '`unsubscribe` of a page this connection is not subscribed to',
  forbidden: 'the token’s user may not do this write (edit another’s comment, ...)',
  'not-found': 'the discussion or comment does not exist on that page (in this tenant)',
  conflict: 'a `chatId` or `commentId` that is already in use',
  'rate-limited':
    'the frame was not processed (over the rate limit, or too many frames waiting); send it again later',
  'too-many-subscriptions': 'more than 64 pages on one connection',
  'page-full': '`create-chat` on a page that holds its most discussions (500 by default)',
  'thread-full': '`add-comment` to a discussion that holds its most comments (2000 by default)',
  'quota-exceeded':
    'a write that would take the team past its stored bytes (256 MiB by default); deletes are always accepted',
  internal: 'the server could not complete the request (e.g. the database failed); retry',
};

/** Length in Unicode code points, the unit of every text limit of the protocol. */
export function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
