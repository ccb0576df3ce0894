// docs/protocol.md is executable: every JSON example parses with the wire schemas, every page-key
// vector is what lib/page-key computes, the dropped parameters are the code's list, the limits it
// names are the code's, and its error and close tables are the tables of lib/protocol/limits.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pageKeyFromUrl, TRACKING_PARAMS } from '../../lib/page-key/normalise';
import {
  CLIENT_FRAME_TYPES,
  ClientFrame,
  CLOSES,
  ERROR_CODES,
  ERRORS,
  LIMITS,
  PROTOCOL_VERSION,
  WireServerFrame,
} from '../../lib/protocol';

const doc = readFileSync(join(__dirname, '../../docs/protocol.md'), 'utf8');

/** The fenced blocks of one language, with the heading they sit under. */
function blocks(lang: string): Array<{ heading: string; text: string }> {
  const found: Array<{ heading: string; text: string }> = [];
  let heading = '';
  const lines = doc.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('#')) heading = line;
    if (line === '```' + lang) {
      const end = lines.indexOf('```', i + 1);
      found.push({ heading, text: lines.slice(i + 1, end).join('\n') });
      i = end;
    }
  }
  return found;
}

/** The rows of the table whose header row starts with `header`, as trimmed cells. */
function table(header: string): string[][] {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => l.replace(/\s+/g, ' ').startsWith(header));
  expect(start, `a table headed "${header}" in docs/protocol.md`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('|'); i++) {
    rows.push(
      lines[i]!.split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

const unquote = (cell: string) => cell.replace(/^`(.*)`$/, '$1');

describe('docs/protocol.md', () => {
  const examples = blocks('json');

  it('has examples of every frame type, both ways', () => {
    const types = new Set(examples.map((b) => (JSON.parse(b.text) as { type: string }).type));
    for (const type of [...CLIENT_FRAME_TYPES, ...WireServerFrame.options.map((o) => o.shape.type.value)]) {
      expect(types, `an example of ${type}`).toContain(type);
    }
  });

  it.each(examples.map((b, i) => [i + 1, b.heading, b.text]))(
    'example %i (under "%s") is a valid frame',
    (_n, _heading, text) => {
      const frame = JSON.parse(text) as { type: string };
      const schema = (CLIENT_FRAME_TYPES as string[]).includes(frame.type) ? ClientFrame : WireServerFrame;
      const parsed = schema.safeParse(frame);
      expect(parsed.error?.issues ?? []).toEqual([]);
      // Nothing in an example is dropped by the schema, and its page is already a page key.
      expect(parsed.data).toEqual(frame);
      if ('page' in frame) expect(pageKeyFromUrl(frame.page as string)).toBe(frame.page);
    },
  );

  it('gives page-key vectors that the code computes', () => {
    const rows = table('| URL sent | Page key |');
    expect(rows.length).toBeGreaterThan(10);
    for (const [sent, key] of rows) {
      const expected = key === 'refused' ? null : unquote(key!);
      expect(pageKeyFromUrl(unquote(sent!)), sent).toBe(expected);
      // Idempotent: a key is its own key.
      if (expected !== null) expect(pageKeyFromUrl(expected)).toBe(expected);
    }
  });

  it('lists exactly the query parameters the code drops', () => {
    const rule = doc.slice(doc.indexOf('starts with `utm_` or is one of:'), doc.indexOf('5. Sort'));
    const listed = [...rule.matchAll(/`([^`]+)`/g)].map((m) => m[1]).filter((p) => p !== 'utm_');
    expect(new Set(listed)).toEqual(new Set(TRACKING_PARAMS));
  });

  it('has the error table of lib/protocol/limits.ts', () => {
    const rows = table('| Code | Meaning |');
    expect(rows.map(([code]) => unquote(code!))).toEqual([...ERROR_CODES]);
    for (const [code, meaning] of rows)
      expect(meaning, code).toBe(ERRORS[unquote(code!) as keyof typeof ERRORS]);
  });

  it('has the close table of lib/protocol/limits.ts', () => {
    const rows = table('| Close | When | What the client should do |');
    expect(rows).toEqual(CLOSES.map((c) => [String(c.code), c.when, c.then]));
  });

  it('states the limits the code enforces', () => {
    const limits = Object.fromEntries(table('| Limit | Value |').map(([name, value]) => [name, value]));
    const kib = (bytes: number) => `${bytes / 1024} KiB`;
    const mib = (bytes: number) => `${bytes / 1024 / 1024} MiB`;
    expect(limits['Frame size, client → server']).toContain(kib(LIMITS.frameBytes));
    expect(limits['Comment text']).toContain(`${LIMITS.commentChars} code points`);
    expect(limits['Quote (`exact`)']).toContain(`1 to ${LIMITS.quoteChars} code points`);
    expect(limits['Quote (`exact`)']).toContain(`up to ${LIMITS.contextChars}`);
    expect(limits['XPath of a `RangeSelector`']).toContain(`${LIMITS.xpathChars} code points`);
    expect(limits['Selectors per anchor']).toMatch(new RegExp(`^${LIMITS.selectorsPerAnchor}:`));
    expect(limits['Page key']).toContain(`${LIMITS.pageKeyChars} characters`);
    expect(limits['Token in `hello`']).toContain(`${LIMITS.tokenChars} characters`);
    expect(limits['Frames before `welcome`']).toContain(`${LIMITS.framesBeforeWelcome} kept`);
    expect(limits['Subscriptions per connection']).toBe(String(LIMITS.subscriptionsPerConnection));
    expect(limits['Waiting subscribe/unsubscribe']).toContain(String(LIMITS.pageRequestsWaiting));
    expect(limits['Subscribe budget']).toContain(
      `per user ${mib(LIMITS.subscribeUserBurstBytes)} at once, ${mib(LIMITS.subscribeUserBytesPerSec)}/s; per tenant ${mib(LIMITS.subscribeTenantBurstBytes)}, ${mib(LIMITS.subscribeTenantBytesPerSec)}/s`,
    );
    expect(limits['Rate']).toContain(`${LIMITS.ratePerSec} frames/s, bursts of ${LIMITS.rateBurst}`);
    expect(limits['Rate']).toContain(`${LIMITS.rateStrikes} in a row`);
    expect(limits['Replay']).toContain(`${LIMITS.replayEvents} events`);
    expect(limits['Mentions per comment']).toContain(`${LIMITS.mentionsPerComment} distinct people`);
    expect(limits['Notifications per frame']).toContain(`${LIMITS.notificationsPerFrame} in a`);
    expect(limits['Notifications kept']).toContain(`last ${LIMITS.notificationsPerUser} per user`);
    expect(doc).toContain(`# Collab Chat wire protocol (version ${PROTOCOL_VERSION})`);
    expect(doc).toContain(`over **${LIMITS.frameCutoffBytes / 1024} KiB** is cut off`);
    expect(doc).toContain(`keeps up to **${LIMITS.framesBeforeWelcome}** frames`);
    expect(doc).toContain(`within **${LIMITS.helloTimeoutMs / 1000} s**`);
  });

  it('stands alone: it sends the reader to no source file', () => {
    expect(doc).not.toMatch(/see `?[\w/.-]+\.ts/i);
    expect(doc).not.toMatch(/frames\.ts/);
  });
});
