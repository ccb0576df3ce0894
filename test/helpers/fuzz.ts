// Protocol fuzzing shared by the CI property test and `npm run fuzz`: fast-check arbitraries of
// client frames (valid ones, mutations of valid ones, and random junk), and the check of one batch
// sent over one real connection: every invalid frame answered by the error its parse predicts,
// every valid write answered, the connection still alive at the end, nothing internal.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { LIMITS, parseClientFrame, type ErrorCode } from '../../lib/protocol';
import { TestClient, type Frame } from './client';
import { createChat } from './frames';

/** Pages the fuzzer writes to; a tenant-B observer subscribes to the same URLs. */
export const FUZZ_PAGES = [
  'https://example.com/fuzz',
  'https://example.com/fuzz?q=1',
  'http://example.org/ünïcode/ページ',
];

/** Most frames one batch (one connection) may send: the burst of the rate limit, less the hello and final ping. */
export const FRAMES_PER_CONNECTION = LIMITS.rateBurst - 5;

/** Error codes that only a frame failing to parse gets. */
const PARSE_CODES: ReadonlySet<ErrorCode> = new Set(['bad-json', 'bad-frame', 'unknown-type']);

/** Keys that have bitten JSON-handling servers: prototype pollution and look-alikes. */
const NASTY_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'type', ''];

const CHAT_IDS = ['fuzz-chat-1', 'fuzz-chat-2', 'fuzz-chat-3', 'fuzz-chat-4'];
const commentId = fc.constantFrom('fuzz-cmt-01', 'fuzz-cmt-02', 'fuzz-cmt-03', 'fuzz-cmt-04');
const page = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FUZZ_PAGES) },
  { weight: 1, arbitrary: fc.webUrl() },
);
const text = fc
  .oneof(
    fc.string({ minLength: 1, maxLength: 40 }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  )
  .filter((s) => s.trim() !== '');
const broadcastId = fc.constant(null).map(() => randomUUID());

const selectors = fc.constant([
  { type: 'TextQuoteSelector', exact: 'quoted', prefix: 'a ', suffix: ' b' },
  { type: 'TextPositionSelector', start: 3, end: 9 },
]);

/**
 * Where a write goes: mostly a pool discussion on its own page (so writes are accepted and the small
 * id pools keep pages small: comments come and go), sometimes anywhere.
 */
const target = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .nat(CHAT_IDS.length - 1)
      .map((i) => ({ page: FUZZ_PAGES[i % FUZZ_PAGES.length]!, chatId: CHAT_IDS[i]! })),
  },
  { weight: 1, arbitrary: fc.record({ page, chatId: fc.constantFrom(...CHAT_IDS) }) },
);

function write<T extends Record<string, fc.Arbitrary<unknown>>>(type: string, fields: T) {
  return fc
    .tuple(target, fc.record({ type: fc.constant(type), broadcastId, ...fields }))
    .map(([where, frame]) => ({ ...frame, ...where }) as Record<string, unknown>);
}

/** Valid client frames (other than hello), with ids from small pools so writes meet each other. */
export const validFrame: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ type: fc.constant('subscribe'), page }),
  fc.record({ type: fc.constant('subscribe'), page, since: fc.nat(20) }),
  fc.record({ type: fc.constant('unsubscribe'), page }),
  fc.record({
    type: fc.constant('ping'),
    t: fc.double({ noNaN: true, noDefaultInfinity: true }).map((t) => (t === 0 ? 0 : t)),
  }),
  write('create-chat', { commentId, selectors, text }),
  write('add-comment', { commentId, text }),
  write('edit-comment', { commentId, text }),
  write('delete-comment', { commentId }),
  write('delete-chat', {}),
  write('resolve-chat', { resolved: fc.boolean() }),
  fc.record({ type: fc.constant('list-members') }),
  fc.record({ type: fc.constant('watch'), page, watch: fc.boolean() }),
  fc.record({ type: fc.constant('notifications-since') }),
  fc.record({ type: fc.constant('notifications-since'), after: fc.nat(20) }),
  fc.record({ type: fc.constant('mark-notifications-read'), upTo: fc.nat(20) }),
  fc.record({ type: fc.constant('mark-notifications-read'), seqs: fc.array(fc.nat(20), { maxLength: 3 }) }),
  fc
    .tuple(target, fc.nat(2_000_000_000_000))
    .map(([where, at]) => ({ type: 'mark-read', ...where, at }) as Record<string, unknown>),
);

/** Values that do not belong: wrong types, extreme numbers, odd strings, nested junk. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    -0,
    1e308,
    -1e308,
    2 ** 53 + 1,
    Number.MIN_VALUE,
    '',
    ' ',
    '\u0000',
    '\uD800',
    'x'.repeat(5000),
    '__proto__',
    'https://example.com/fuzz',
    [],
    {},
  ),
  fc.integer(),
  fc.double(),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.json().map((j) => JSON.parse(j) as unknown),
  fc.dictionary(fc.constantFrom(...NASTY_KEYS, 'polluted', 'x'), fc.jsonValue(), { maxKeys: 3 }),
);

/** Sets an own property, even `__proto__`, as JSON.parse would. */
function defineKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Replaces a value somewhere inside `value` (a deep copy) with `replacement`, at a path chosen by `pick`. */
function replaceDeep(value: unknown, pick: number, replacement: unknown): unknown {
  if (typeof value !== 'object' || value === null) return replacement;
  const keys = Object.keys(value);
  if (keys.length === 0 || pick % 3 === 0) return replacement;
  const key = keys[pick % keys.length]!;
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as never) : { ...value };
  defineKey(
    copy,
    key,
    replaceDeep((value as Record<string, unknown>)[key], Math.floor(pick / 3), replacement),
  );
  return copy;
}

type Mutation = (frame: Record<string, unknown>) => string;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // A field (maybe deep inside) gets a value of the wrong kind.
  fc.tuple(fc.nat(), junk).map(
    ([pick, value]): Mutation =>
      (f) =>
        JSON.stringify(replaceDeep(f, pick + 1, value)),
  ),
  // A field goes missing.
  fc.nat().map((pick): Mutation => (f) => {
    const keys = Object.keys(f);
    const copy = { ...f };
    delete copy[keys[pick % keys.length]!];
    return JSON.stringify(copy);
  }),
  // An extra, nasty key at the top or one level down.
  fc
    .tuple(fc.constantFrom(...NASTY_KEYS, 'polluted'), junk, fc.boolean())
    .map(([key, value, deep]): Mutation => (f) => {
      const copy = { ...f };
      const target =
        deep && Array.isArray(copy.selectors)
          ? ({ ...(copy.selectors[0] as object) } as Record<string, unknown>)
          : copy;
      defineKey(target, key, value);
      if (target !== copy) copy.selectors = [target, ...(copy.selectors as unknown[]).slice(1)];
      return JSON.stringify(copy);
    }),
  // The text itself is damaged: cut short, a character changed, or the frame wrapped.
  fc.nat().map((pick): Mutation => (f) => {
    const s = JSON.stringify(f);
    return s.slice(0, pick % s.length);
  }),
  fc
    .tuple(fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }))
    .map(([pick, insert]): Mutation => (f) => {
      const s = JSON.stringify(f);
      const at = pick % s.length;
      return s.slice(0, at) + insert + s.slice(at + 1);
    }),
  fc.constantFrom<Mutation>(
    (f) => JSON.stringify([f]),
    (f) => JSON.stringify({ frame: f }),
    (f) => JSON.stringify(JSON.stringify(f)),
    (f) => `{"__proto__":{"polluted":true},${JSON.stringify(f).slice(1)}`,
    (f) => `${JSON.stringify(f).slice(0, -1)},"type":"hello"}`,
  ),
);

/** Anything at all as a text frame. */
const randomText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.record({ type: fc.string({ maxLength: 20 }) }).map((v) => JSON.stringify(v)),
);

/** One fuzz frame as text: valid, mutated, or random. Never a valid hello (which closes with 4400). */
export const fuzzFrame: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 2, arbitrary: validFrame.map((f) => JSON.stringify(f)) },
    { weight: 6, arbitrary: fc.tuple(validFrame, mutation).map(([f, m]) => m(f)) },
    { weight: 2, arbitrary: randomText },
  )
  .filter((s) => {
    if (Buffer.byteLength(s, 'utf8') >= LIMITS.frameBytes) return false;
    const parsed = parseClientFrame(s);
    return !(parsed.ok && parsed.frame.type === 'hello');
  });

export interface FuzzTally {
  frames: number;
  invalid: number;
  /** Answers by kind: error codes, `ack`, `snapshot`, ... */
  answers: Record<string, number>;
  connections: number;
}

export const emptyTally = (): FuzzTally => ({ frames: 0, invalid: 0, answers: {}, connections: 0 });

/**
 * Sends one batch over a fresh connection and checks the answers. Throws, naming the frame, when an
 * invalid frame is not answered with the error its parse predicts, when a write goes unanswered, or
 * when the server answers anything with `internal`.
 */
export async function fuzzBatch(
  url: string,
  token: string,
  frames: string[],
  tally: FuzzTally,
): Promise<void> {
  if (frames.length > FRAMES_PER_CONNECTION)
    throw new Error(`at most ${FRAMES_PER_CONNECTION} frames per batch`);
  const client = await TestClient.connect(url, token);
  try {
    const expectedErrors: { code: ErrorCode; frame: string }[] = [];
    const writes: { broadcastId: string; frame: string }[] = [];
    for (const text of frames) {
      const parsed = parseClientFrame(text);
      if (!parsed.ok) expectedErrors.push({ code: parsed.code, frame: text });
      else if ('broadcastId' in parsed.frame)
        writes.push({ broadcastId: parsed.frame.broadcastId, frame: text });
      client.send(text);
    }
    const marker = Math.random();
    client.send({ type: 'ping', t: marker });
    const describe = (frame: string) => JSON.stringify(frame).slice(0, 300);
    for (const expected of expectedErrors) {
      const error = (await client
        .next((f) => f.type === 'error' && PARSE_CODES.has(f.code), 10_000)
        .catch((err: Error) => {
          throw new Error(`no error for the invalid frame ${describe(expected.frame)}: ${err.message}`);
        })) as Extract<Frame, { type: 'error' }>;
      if (error.code !== expected.code) {
        throw new Error(
          `frame ${describe(expected.frame)}: expected error ${expected.code}, got ${JSON.stringify(error)}`,
        );
      }
    }
    for (const write of writes) {
      await client
        .next(
          (f) =>
            (f.type === 'ack' || (f.type === 'error' && !PARSE_CODES.has(f.code))) &&
            f.broadcastId === write.broadcastId,
          10_000,
        )
        .catch((err: Error) => {
          throw new Error(`no answer to the valid write ${describe(write.frame)}: ${err.message}`);
        });
    }
    await client.next((f) => f.type === 'pong' && f.t === marker, 10_000);
    const internal = client.received.find((f) => f.type === 'error' && f.code === 'internal');
    if (internal) throw new Error(`the server failed internally: ${JSON.stringify(internal)}`);
    tally.frames += frames.length;
    tally.invalid += expectedErrors.length;
    tally.connections += 1;
    for (const f of client.received) {
      const kind = f.type === 'error' ? `error ${f.code}` : f.type;
      tally.answers[kind] = (tally.answers[kind] ?? 0) + 1;
    }
  } finally {
    await client.close();
  }
}

/**
 * A client of the other tenant subscribed to FUZZ_PAGES. `verify()` writes once on each page as a
 * barrier (whatever was queued for it earlier arrives first) and throws if it ever received a
 * frame that was not its own.
 */
export async function watchOtherTenant(url: string, token: string) {
  const client = await TestClient.connect(url, token);
  for (const page of FUZZ_PAGES) {
    client.send({ type: 'subscribe', page });
    await client.next('snapshot');
  }
  return {
    client,
    async verify(): Promise<void> {
      const own = new Set<string>();
      for (const page of FUZZ_PAGES) {
        const write = createChat({ page });
        own.add(write.broadcastId);
        client.send(write);
        await client.next((f) => f.type === 'new-text-chat' && f.broadcastId === write.broadcastId);
      }
      for (const f of client.received) {
        const fine =
          f.type === 'welcome' ||
          f.type === 'snapshot' ||
          (f.type === 'presence' && f.count === 1) ||
          // Its own state of the pages it subscribed to: not watched, nothing read.
          (f.type === 'watching' && !f.watch) ||
          (f.type === 'read-positions' && Object.keys(f.chats).length === 0) ||
          ((f.type === 'ack' || f.type === 'new-text-chat') && own.has(f.broadcastId));
        if (!fine) throw new Error(`the other tenant's observer received ${JSON.stringify(f).slice(0, 300)}`);
      }
    },
  };
}
