// Model-based test: seeded random sequences of writes (allowed and forbidden), disconnects (clean and
// abrupt) and returns with `subscribe since`, from three users on two pages, checked against a
// plain in-memory model of the rules. Every answer must be the one the model predicts, and in the
// end every client (following lib/protocol/page-state.ts) holds the model's state and the store's.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  applyEvent,
  applyReplay,
  fromSnapshot,
  type DiscussionEventT,
  type DiscussionT,
  type PageState,
  type ServerFrameT,
} from '../../lib/protocol';
import { TestClient } from '../helpers/client';
import {
  addComment,
  createChat,
  deleteChat,
  deleteComment,
  editComment,
  quotesOnly,
} from '../helpers/frames';
import { startTestServer, type TestServer, type TestUserName } from '../helpers/server';

const PAGES = ['https://example.com/model/one', 'https://example.com/model/two'];
const USERS: TestUserName[] = ['alice', 'bob', 'admin'];

// ---------------------------------------------------------------- the model

interface ModelComment {
  id: string;
  author: TestUserName;
  text: string;
}
interface ModelChat {
  id: string;
  page: string;
  comments: ModelComment[];
}
type Answer = 'ack' | 'forbidden' | 'not-found' | 'conflict';

/** The rules as a person would state them, with no code shared with the server. */
class Model {
  readonly seq = new Map<string, number>(PAGES.map((p) => [p, 0]));
  /** Every live discussion of the tenant, in creation order. */
  readonly chats: ModelChat[] = [];

  view(page: string) {
    return this.chats
      .filter((c) => c.page === page)
      .map((c) => ({
        id: c.id,
        comments: c.comments.map((m) => ({ id: m.id, author: m.author, text: m.text })),
      }));
  }

  apply(who: TestUserName, w: Write): Answer {
    const chat = this.chats.find((c) => c.id === w.chatId);
    const isAdmin = who === 'admin';
    if (w.op === 'create') {
      if (chat) return 'conflict';
      this.chats.push({
        id: w.chatId,
        page: w.page,
        comments: [{ id: w.commentId, author: who, text: w.text }],
      });
    } else {
      if (!chat || chat.page !== w.page) return 'not-found';
      const i = chat.comments.findIndex((c) => c.id === w.commentId);
      const comment = chat.comments[i];
      switch (w.op) {
        case 'add':
          if (comment) return 'conflict';
          chat.comments.push({ id: w.commentId, author: who, text: w.text });
          break;
        case 'edit':
          if (!comment) return 'not-found';
          if (comment.author !== who) return 'forbidden';
          comment.text = w.text;
          break;
        case 'delete-comment':
          if (!comment) return 'not-found';
          if (comment.author !== who && !isAdmin) return 'forbidden';
          chat.comments.splice(i, 1);
          break;
        case 'delete-chat': {
          const creator = chat.comments[0]?.author;
          if (creator !== undefined && creator !== who && !isAdmin) return 'forbidden';
          this.chats.splice(this.chats.indexOf(chat), 1);
          break;
        }
      }
    }
    this.seq.set(w.page, this.seq.get(w.page)! + 1);
    return 'ack';
  }
}

const normalise = (chats: DiscussionT[], names: Map<string, TestUserName>) =>
  chats.map((c) => ({
    id: c.id,
    comments: c.comments.map((m) => ({ id: m.id, author: names.get(m.author.id), text: m.text })),
  }));

// ---------------------------------------------------------------- commands

interface Write {
  op: 'create' | 'add' | 'edit' | 'delete-comment' | 'delete-chat';
  page: string;
  chatId: string;
  commentId: string;
  text: string;
}

type Command =
  | { kind: 'write'; who: number; op: Write['op']; page: number; chat: number; comment: number; text: string }
  | { kind: 'drop'; who: number; abrupt: boolean }
  | { kind: 'return'; who: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('write' as const),
      who: fc.nat(USERS.length - 1),
      op: fc.constantFrom('create', 'create', 'add', 'add', 'edit', 'delete-comment', 'delete-chat'),
      page: fc.nat(PAGES.length - 1),
      chat: fc.nat(),
      comment: fc.nat(),
      text: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== ''),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('drop' as const),
      who: fc.nat(USERS.length - 1),
      abrupt: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('return' as const), who: fc.nat(USERS.length - 1) }),
  },
);

// ---------------------------------------------------------------- a client that follows the rules

class ModelClient {
  conn: TestClient | null = null;
  readonly states = new Map<string, PageState>();
  private readonly resyncing = new Set<string>();
  private waiters: { check: () => boolean; resolve: () => void }[] = [];

  constructor(
    readonly who: TestUserName,
    private readonly t: TestServer,
  ) {}

  async connect(): Promise<void> {
    const conn = await TestClient.connect(this.t.url, this.t.tokens[this.who]);
    this.conn = conn;
    this.resyncing.clear();
    conn.listen((f) => {
      this.onFrame(conn, f);
      this.waiters = this.waiters.filter((w) => !(w.check() && (w.resolve(), true)));
    });
    for (const page of PAGES) this.subscribe(conn, page);
  }

  async drop(abrupt: boolean): Promise<void> {
    const conn = this.conn!;
    this.conn = null;
    if (abrupt) conn.ws.terminate();
    await conn.close();
  }

  /** Resolves once `check` holds after some frame (or at once). */
  until(check: () => boolean, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.who}: ${what} did not happen`)), 10_000);
      this.waiters.push({
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  private subscribe(conn: TestClient, page: string): void {
    const state = this.states.get(page);
    this.resyncing.add(page);
    conn.send({ type: 'subscribe', page, ...(state ? { since: state.seq } : {}) });
  }

  private onFrame(conn: TestClient, f: ServerFrameT): void {
    if (conn !== this.conn) return;
    if (f.type === 'snapshot') {
      this.states.set(f.page, fromSnapshot(f));
      this.resyncing.delete(f.page);
    } else if (f.type === 'replay') {
      this.resyncing.delete(f.page);
      if (applyReplay(this.states.get(f.page)!, f) === 'gap') this.subscribe(conn, f.page);
    } else if (
      f.type === 'new-text-chat' ||
      f.type === 'updated-text-chat' ||
      f.type === 'deleted-text-chat'
    ) {
      const state = this.states.get(f.page);
      if (!state) return;
      if (applyEvent(state, f as DiscussionEventT) === 'gap' && !this.resyncing.has(f.page))
        this.subscribe(conn, f.page);
    }
  }
}

// ---------------------------------------------------------------- the test

describe('model-based: random writes, drops and returns from several clients', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(async () => {
    await t.close();
  });

  it.each([1, 2, 3, 4])(
    'seed %i: every answer is the model’s and every client ends in the model’s state',
    async (seed) => {
      const [commands] = fc.sample(fc.array(command, { minLength: 200, maxLength: 200 }), {
        numRuns: 1,
        seed,
      });
      const model = new Model();
      const names = new Map(USERS.map((u) => [t.users[u].id, u]));
      const clients = USERS.map((u) => new ModelClient(u, t));
      for (const c of clients) await c.connect();
      let counter = 0;
      /** What the run covered, so that a generator change cannot quietly make it trivial. */
      const covered: Record<string, number> = {};
      const cover = (what: string) => (covered[what] = (covered[what] ?? 0) + 1);

      try {
        for (const cmd of commands!) {
          const client = clients[cmd.who]!;
          if (cmd.kind === 'drop') {
            if (client.conn) {
              await client.drop(cmd.abrupt);
              cover(cmd.abrupt ? 'abrupt drop' : 'clean drop');
            }
            continue;
          }
          if (cmd.kind === 'return') {
            if (!client.conn) await client.connect();
            continue;
          }
          if (!client.conn) continue;
          // Ids are picked among those the model knows, plus one that does not exist.
          const page = PAGES[cmd.page]!;
          const chats = model.chats;
          const chat =
            cmd.op === 'create' && cmd.chat % 4 !== 0 ? undefined : chats[cmd.chat % (chats.length + 1)];
          const chatId =
            cmd.op === 'create' && !chat
              ? `discussion-${seed}-${++counter}`
              : (chat?.id ?? 'discussion-none-0');
          const comments = chat?.comments ?? [];
          const existing = comments[cmd.comment % (comments.length + 1)];
          const commentId =
            cmd.op === 'add' || cmd.op === 'create'
              ? cmd.comment % 5 === 0 && existing
                ? existing.id
                : `comment-${seed}-${++counter}`
              : (existing?.id ?? 'comment-none-0');
          const w: Write = { op: cmd.op, page, chatId, commentId, text: cmd.text };
          const frame =
            w.op === 'create'
              ? createChat({ page, chatId, commentId, text: w.text })
              : w.op === 'add'
                ? addComment(chatId, { page, commentId, text: w.text })
                : w.op === 'edit'
                  ? editComment(chatId, commentId, w.text, page)
                  : w.op === 'delete-comment'
                    ? deleteComment(chatId, commentId, page)
                    : deleteChat(chatId, page);
          const expected = model.apply(client.who, w);
          client.conn.send(frame);
          const answer = await client.conn.next(
            (f) => (f.type === 'ack' || f.type === 'error') && f.broadcastId === frame.broadcastId,
          );
          const got = answer.type === 'ack' ? 'ack' : (answer as { code: Answer }).code;
          expect(got, `${client.who} ${w.op} ${chatId}/${commentId} on ${page}`).toBe(expected);
          if (answer.type === 'ack') expect(answer.seq).toBe(model.seq.get(page));
          cover(got);
        }

        for (const c of clients) if (!c.conn) await c.connect();
        for (const page of PAGES) {
          const stored = await t.server.store.snapshot(t.tenants.a.id, page);
          expect(stored.seq).toBe(model.seq.get(page));
          expect(normalise(stored.discussions, names)).toEqual(model.view(page));
          for (const c of clients) {
            await c.until(
              () => c.states.get(page)?.seq === stored.seq,
              `reaching seq ${stored.seq} on ${page}`,
            );
            expect(quotesOnly(c.states.get(page)!.discussions)).toEqual(quotesOnly(stored.discussions));
          }
        }
      } finally {
        await Promise.all(clients.map((c) => c.conn?.close()));
      }
    },
  );
});
