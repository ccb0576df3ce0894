// Property tests of the protocol boundary. parseClientFrame on its own: never throws, always ok or
// a known error code. A real server under 10,000 random and mutated frames: every invalid frame is
// answered with its error, every write is answered, nothing crosses to the other tenant (an
// observer of tenant B on the same URLs sees only its own frames), nothing pollutes prototypes,
// and the server still answers at the end. `npm run fuzz` runs the same check for a million frames.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageKeyFromUrl } from '../../lib/page-key/normalise';
import { ERROR_CODES, parseClientFrame } from '../../lib/protocol';
import {
  emptyTally,
  FRAMES_PER_CONNECTION,
  FUZZ_PAGES,
  fuzzBatch,
  fuzzFrame,
  validFrame,
  watchOtherTenant,
} from '../helpers/fuzz';
import { TestClient } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';

describe('parseClientFrame (property)', () => {
  it('never throws and answers ok or a known error code, for any text', () => {
    fc.assert(
      fc.property(fc.oneof(fuzzFrame, fc.string({ unit: 'binary' }), fc.json()), (text) => {
        const result = parseClientFrame(text);
        if (result.ok) expect(result.frame.type).toEqual(expect.any(String));
        else expect(ERROR_CODES).toContain(result.code);
      }),
      { numRuns: 5000 },
    );
  });

  it('accepts every valid frame unchanged', () => {
    fc.assert(
      fc.property(validFrame, (frame) => {
        const result = parseClientFrame(JSON.stringify(frame));
        // Unchanged but for the page, which the server normalises into its page key.
        const page = 'page' in frame ? { page: pageKeyFromUrl(frame.page as string) } : {};
        expect(result).toEqual({ ok: true, frame: { ...frame, ...page } });
      }),
      { numRuns: 2000 },
    );
  });
});

describe('server under fuzzed frames', () => {
  const CONNECTIONS = Math.ceil(10_000 / FRAMES_PER_CONNECTION);
  let t: TestServer;
  let other: Awaited<ReturnType<typeof watchOtherTenant>>;
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

  beforeAll(async () => {
    t = await startTestServer();
    other = await watchOtherTenant(t.url, t.tokens.eve);
  });
  afterAll(async () => {
    await other.client.close();
    await t.close();
  });

  it(`answers ${CONNECTIONS * FRAMES_PER_CONNECTION} frames correctly and leaks nothing to another tenant`, async () => {
    const tally = emptyTally();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fuzzFrame, { minLength: FRAMES_PER_CONNECTION, maxLength: FRAMES_PER_CONNECTION }),
        (frames) => fuzzBatch(t.url, t.tokens.alice, frames, tally),
      ),
      { numRuns: CONNECTIONS, endOnFailure: true },
    );
    expect(tally.frames).toBeGreaterThanOrEqual(10_000);
    expect(tally.invalid).toBeGreaterThan(tally.frames / 2);
    expect(tally.answers.ack).toBeGreaterThan(0);

    // Nothing of tenant A reached tenant B's observer on the same URLs.
    await other.verify();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Still alive and holding only the observer's subscriptions: the fuzz connections left nothing.
    const alive = await TestClient.connect(t.url, t.tokens.bob);
    alive.send({ type: 'ping', t: 1 });
    expect(await alive.next('pong')).toEqual({ type: 'pong', t: 1 });
    await alive.close();
    expect(t.server.stats()).toMatchObject({ subscriptions: FUZZ_PAGES.length, unansweredSubscriptions: 0 });
  });
});
