// The "Writing a client" loop of docs/protocol.md, run as written against a real server: two of
// them stay in step through writes, a dropped connection, writes made while it was down (resent
// from the outbox) and a gap; both end with exactly what the server stores.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContext, runInContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { addSnapshotPage, applyChange, type DiscussionT } from '../../lib/protocol';
import { commitWrite } from '../../server/ops';
import { TestClient } from '../helpers/client';
import { addComment, createChat, PAGE, quotesOnly } from '../helpers/frames';
import { startTestServer, type TestServer } from '../helpers/server';
import { until } from '../helpers/services';

const doc = readFileSync(join(__dirname, '../../docs/protocol.md'), 'utf8');
const section = doc.slice(doc.indexOf('## Writing a client'));
const code = section.slice(
  section.indexOf('```js\n') + 6,
  section.indexOf('\n```', section.indexOf('```js')),
);

interface DocClient {
  connect(url: string, token: string): void;
  subscribe(page: string): void;
  write(frame: object): void;
  pages: Map<string, { seq: number; chats: DiscussionT[] } | null>;
  outbox: Map<string, object>;
  /** The sockets it opened, newest last (to cut its connection from outside). */
  sockets: WebSocket[];
}

/** Runs the doc's code in a context of its own, with a browser's globals. */
function docClient(): DocClient {
  const sockets: WebSocket[] = [];
  class TrackedWebSocket extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
      // A browser reports a failed connection as an event (then close); ws would throw without this.
      this.on('error', () => {});
    }
  }
  // Timers stop with the test, or its reconnect loop would outlive the server.
  const later = (fn: () => void, ms: number) => (stopped ? undefined : setTimeout(fn, ms));
  const context = createContext({
    WebSocket: TrackedWebSocket,
    crypto,
    setTimeout: later,
    JSON,
    Math,
    applyChange,
  });
  const api = runInContext(`${code}\n;({ connect, subscribe, write, pages, outbox })`, context) as Omit<
    DocClient,
    'sockets'
  >;
  return { ...api, sockets };
}

let stopped = false;

describe('the client loop of docs/protocol.md', () => {
  let t: TestServer;
  let clients: DocClient[];
  beforeEach(async () => {
    t = await startTestServer();
    clients = [];
    stopped = false;
  });
  afterEach(async () => {
    stopped = true;
    for (const c of clients) for (const s of c.sockets) s.terminate();
    await t.close();
  });

  async function stored() {
    const check = await TestClient.connect(t.url, t.tokens.admin);
    check.send({ type: 'subscribe', page: PAGE });
    let snap = await check.next('snapshot');
    const chats: DiscussionT[] = [];
    addSnapshotPage(chats, snap.chats);
    while (snap.more) {
      snap = await check.next('snapshot');
      addSnapshotPage(chats, snap.chats);
    }
    await check.close();
    return { seq: snap.seq, chats };
  }

  it('keeps two clients in step through writes, a dropped connection and an outbox', async () => {
    // A page whose snapshot comes in several parts, with a thread split between two of them.
    const admin = { user: { id: t.users.admin.id, name: 'Admin' }, role: 'admin' as const };
    const long = createChat({ text: 'a long thread' });
    const seed = [
      long,
      ...Array.from({ length: 40 }, (_, i) => addComment(long.chatId, { text: `${i} ${'x'.repeat(3990)}` })),
    ];
    for (let i = 0; i < 20; i++) seed.push(createChat({ text: 'y'.repeat(3000) }));
    for (const w of seed)
      expect((await commitWrite(t.server.store, t.tenants.a.id, w, admin)).status).toBe('applied');

    const alice = docClient();
    const bob = docClient();
    clients = [alice, bob];
    for (const [c, token] of [
      [alice, t.tokens.alice],
      [bob, t.tokens.bob],
    ] as const) {
      c.subscribe(PAGE);
      c.connect(t.url, token);
    }
    await until('both snapshots', () => !!alice.pages.get(PAGE) && !!bob.pages.get(PAGE));
    expect(alice.pages.get(PAGE)).toEqual(await stored());
    expect(alice.pages.get(PAGE)!.chats[0]!.comments).toHaveLength(41);

    const chat = createChat();
    const { broadcastId: _b, type: _t, ...fields } = chat;
    alice.write({ type: 'create-chat', ...fields });
    await until('bob sees the discussion', () => bob.pages.get(PAGE)!.chats.length === 22);
    await until('alice is acked', () => alice.outbox.size === 0);

    // Alice's connection drops; she writes meanwhile, and so does Bob.
    // The socket cut, not the newest: her reconnect may already have opened another.
    const cut = alice.sockets.at(-1)!;
    cut.terminate();
    await until('alice is offline', () => cut.readyState === WebSocket.CLOSED);
    const { broadcastId: _c, type: _u, ...reply } = addComment(chat.chatId, { text: 'written offline' });
    alice.write({ type: 'add-comment', ...reply });
    const { broadcastId: _d, type: _v, ...other } = addComment(chat.chatId, { text: 'from bob' });
    bob.write({ type: 'add-comment', ...other });

    // She reconnects by herself, resyncs and resends; both converge on what the server stores.
    await until('alice reconnected and was acked', () => alice.sockets.length > 1 && alice.outbox.size === 0);
    const db = await stored();
    expect(db.chats.at(-1)!.comments.map((c) => c.text)).toEqual(
      expect.arrayContaining(['written offline', 'from bob']),
    );
    // A discussion that came live holds its quote; its hints come with the next snapshot.
    const held = (state: { seq: number; chats: DiscussionT[] }) =>
      JSON.stringify({ seq: state.seq, chats: quotesOnly(state.chats) });
    await until('both hold what the server stores', () =>
      [alice, bob].every((c) => held(c.pages.get(PAGE)!) === held(db)),
    );
  });
});
