// The protocol version and every limit of the wire protocol. Server and extension import these;
// no other file may restate a number that lives here.

/** Bumped on any incompatible change of a frame's shape. */
export const PROTOCOL_VERSION = 1;

export const LIMITS = {
  /** Largest text frame the server accepts, in bytes (UTF-8). Larger frames close the socket with 1009. */
  frameBytes: 16 * 1024,
  /** Longest comment text, in characters. */
  commentChars: 4000,
  /** Longest selected quote (TextQuoteSelector.exact), in characters. */
  quoteChars: 1000,
  /** Longest prefix or suffix of a TextQuoteSelector, in characters. */
  contextChars: 64,
  /** Most selectors in one anchor. */
  selectorsPerAnchor: 4,
  /** Longest page key (a normalised URL), in characters. */
  pageKeyChars: 2048,
  /** Longest token accepted in `hello`. */
  tokenChars: 256,
  /** Most pages one connection may be subscribed to at once. */
  subscriptionsPerConnection: 64,
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
  /** The server pings every socket this often and terminates one that missed the previous pong. */
  heartbeatMs: 30_000,
  /** Clients send an application `ping` this often while any page is subscribed. */
  clientPingMs: 20_000,
} as const;

/** Close codes the server uses. 1000-range codes are standard WebSocket codes. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  tooBig: 1009,
  /** No valid `hello` in time, or a missing or unknown token. */
  unauthenticated: 4401,
  /** The token was revoked (also closes live sockets of that token). */
  revoked: 4403,
  /** The Origin header is not on the configured allowlist. */
  originNotAllowed: 4404,
  /** `hello` was malformed or sent twice. */
  badHello: 4400,
  /** The client speaks a protocol version this server does not. */
  protocolMismatch: 4426,
  /** Too many frames over the rate limit. */
  rateLimited: 4429,
  /** The client did not read fast enough; it should reconnect and resync. */
  slowConsumer: 4408,
} as const;

export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];

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
