// Several real server processes on one throwaway PostgreSQL database and one Redis, seeded with a
// tenant A (alice, bob, carol) and a tenant B (eve); and a client that behaves like the extension's
// background for one or more pages: keeps each page's state by the protocol's rules, keeps unacked
// writes in an outbox, and on a dropped socket reconnects to another node, resubscribes with its
// last seq and resends the outbox.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import {
  applyEvent,
  applyReplay,
  fromSnapshot,
  PROTOCOL_VERSION,
  type DiscussionEventT,
  type ErrorFrameT,
  type PageState,
  type ServerFrameT,
  type WireServerFrameT,
  WireReader,
  type WriteFrameT,
} from '../../lib/protocol';
import { issueToken } from '../../server/auth';
import { openPostgresStore, type PostgresStore } from '../../server/store/postgres';
import { createTempDatabase, type TempDatabase, until } from './services';

export type ClusterUser = 'alice' | 'bob' | 'carol' | 'eve';

export interface ClusterNode {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote, for failure messages. */
  readonly output: string[];
  /** SIGKILL: the process dies at once, closing nothing. */
  kill(): Promise<void>;
  /** SIGTERM: a clean shutdown. */
  stop(): Promise<void>;
}

export interface Cluster {
  readonly db: TempDatabase;
  readonly redisUrl: string;
  /** A store on the cluster's database, for checking what is stored. */
  readonly store: PostgresStore;
  readonly nodes: ClusterNode[];
  tenants: { a: string; b: string };
  tokens: Record<ClusterUser, string>;
  /** Starts one more node (on its own Redis URL, e.g. through a proxy the test can cut). */
  addNode(redisUrl?: string): Promise<ClusterNode>;
  close(): Promise<void>;
}

export interface ClusterOptions {
  nodes: number;
  redisUrl: string;
  /** How long a node's presence outlives its last heartbeat (short in tests). */
  presenceTtlMs?: number;
  /** The Redis URL of the n-th initial node (0-based), when it differs from `redisUrl`. */
  redisUrlOf?: (index: number) => string | undefined;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const db = await createTempDatabase();
  const store = await openPostgresStore({ url: db.url, poolSize: 4 });
  const a = await store.createTenant('Tenant A');
  const b = await store.createTenant('Tenant B');
  const members: [ClusterUser, string][] = [
    ['alice', a.id],
    ['bob', a.id],
    ['carol', a.id],
    ['eve', b.id],
  ];
  const tokens = {} as Record<ClusterUser, string>;
  for (const [name, tenantId] of members) {
    const user = await store.createUser(tenantId, name);
    tokens[name] = (
      await issueToken(store, { tenantId, userId: user.id, role: 'member', label: name })
    ).secret;
  }

  const nodes: ClusterNode[] = [];
  let started = 0;
  const addNode = async (redisUrl = options.redisUrl) => {
    const node = await startNode(`node${++started}`, db.url, { ...options, redisUrl });
    nodes.push(node);
    return node;
  };
  try {
    const initial = await Promise.allSettled(
      Array.from({ length: options.nodes }, (_, i) =>
        startNode(`node${++started}`, db.url, {
          ...options,
          redisUrl: options.redisUrlOf?.(i) ?? options.redisUrl,
        }),
      ),
    );
    // In the order asked, so that nodes[i] is the i-th node.
    for (const r of initial) if (r.status === 'fulfilled') nodes.push(r.value);
    const failed = initial.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (err) {
    await Promise.all(nodes.map((n) => n.kill()));
    await store.close();
    await db.drop();
    throw err;
  }
  return {
    db,
    redisUrl: options.redisUrl,
    store,
    nodes,
    tenants: { a: a.id, b: b.id },
    tokens,
    addNode,
    async close() {
      await Promise.all(nodes.map((n) => n.stop()));
      await store.close();
      await db.drop();
    },
  };
}

async function startNode(name: string, dbUrl: string, options: ClusterOptions): Promise<ClusterNode> {
  const child = spawn(
    process.execPath,
    [
      'bin/collab-chat-server.js',
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--db',
      dbUrl,
      '--redis',
      options.redisUrl,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PRESENCE_TTL_MS: String(options.presenceTtlMs ?? 10_000),
        DATABASE_URL: '',
        REDIS_URL: '',
      },
    },
  );
  const output: string[] = [];
  let signalled = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      // A node that dies unasked is a bug: show why.
      if (!signalled) process.stderr.write(`${name} exited with ${code}:\n${output.slice(-40).join('\n')}\n`);
      resolve();
    }),
  );
  createInterface({ input: child.stderr! }).on('line', (l) => output.push(l));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (l) => {
      output.push(l);
      const m = /listening on (wss?:\/\/\S+)/.exec(l);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) =>
      reject(new Error(`${name} exited with ${code} before listening:\n${output.join('\n')}`)),
    );
  });
  const signal = async (sig: NodeJS.Signals) => {
    signalled = true;
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return { name, url, child, output, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}

/** A page as one client sees it. */
export interface FollowedPage {
  state: PageState | null;
  /** Live events that arrived with a seq past the next one (the server should never cause one). */
  gaps: number;
  /** Every event applied, in order of application (live or replayed). */
  applied: DiscussionEventT[];
  presence: number | null;
}

/** A client like the extension's background: state per page, outbox, reconnect elsewhere + resync. */
export class ClusterClient {
  readonly pages = new Map<string, FollowedPage>();
  readonly acks = new Map<string, number>();
  readonly errors: ErrorFrameT[] = [];
  /** Writes sent and not yet acked, in order; resent after every reconnect. */
  readonly outbox = new Map<string, WriteFrameT>();
  connections = 0;
  /** Writes sent again after an `internal` error. */
  retried = 0;
  private ws: WebSocket | null = null;
  private closed = false;
  private urlIndex: number;

  constructor(
    private readonly urls: () => string[],
    private readonly token: string,
    startAt = 0,
  ) {
    this.urlIndex = startAt;
  }

  /** Connects to the node at `startAt` and waits for the welcome. */
  static async connect(urls: () => string[], token: string, startAt = 0): Promise<ClusterClient> {
    const client = new ClusterClient(urls, token, startAt);
    await client.open();
    return client;
  }

  get url(): string {
    const urls = this.urls();
    return urls[this.urlIndex % urls.length]!;
  }

  subscribe(page: string): void {
    if (!this.pages.has(page)) this.pages.set(page, { state: null, gaps: 0, applied: [], presence: null });
    this.send({ type: 'subscribe', page });
  }

  unsubscribe(page: string): void {
    this.pages.delete(page);
    this.send({ type: 'unsubscribe', page });
  }

  write(write: WriteFrameT): void {
    this.outbox.set(write.broadcastId, write);
    this.send(write);
  }

  page(page: string): FollowedPage {
    const p = this.pages.get(page);
    if (!p) throw new Error(`not following ${page}`);
    return p;
  }

  async synced(page: string, seq: number, timeoutMs = 15_000): Promise<void> {
    await until(
      `${page} at seq ${seq} on a client of ${this.url}`,
      () => (this.page(page).state?.seq ?? -1) >= seq,
      timeoutMs,
    );
  }

  /** When the socket drops, stay away (a user who closed the tab). */
  stopReconnecting(): void {
    this.closed = true;
  }

  async close(): Promise<void> {
    this.closed = true;
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close(1000, 'test done');
    });
  }

  private send(frame: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private async open(): Promise<void> {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.on('error', () => undefined);
    const welcomed = new Promise<void>((resolve, reject) => {
      ws.once('close', (code) => reject(new Error(`closed with ${code} before welcome`)));
      // As the extension does: page frames come back with page keys and named authors.
      const reader = new WireReader({
        frame: (frame) => this.onFrame(frame),
        unknownAuthor: (page) => this.resync(page, true),
      });
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as WireServerFrameT;
        if (frame.type === 'welcome') resolve();
        reader.read(frame);
      });
    });
    ws.once('open', () =>
      ws.send(JSON.stringify({ type: 'hello', token: this.token, protocol: PROTOCOL_VERSION })),
    );
    ws.once('close', () => {
      if (this.ws === ws && !this.closed) void this.reconnect();
    });
    await welcomed;
    this.connections++;
    for (const [page, followed] of this.pages) {
      this.send(
        followed.state ? { type: 'subscribe', page, since: followed.state.seq } : { type: 'subscribe', page },
      );
    }
    for (const write of this.outbox.values()) this.send(write);
  }

  private async reconnect(): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      this.urlIndex++;
      try {
        await this.open();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 500)));
      }
    }
  }

  private onFrame(frame: ServerFrameT): void {
    switch (frame.type) {
      case 'batch':
        for (const f of frame.events) this.onFrame(f);
        return;
      case 'ack':
        this.acks.set(frame.broadcastId, frame.seq);
        this.outbox.delete(frame.broadcastId);
        return;
      case 'error': {
        // As the extension's outbox does: a write the server could not store is sent again.
        const retry = frame.code === 'internal' && frame.broadcastId && this.outbox.get(frame.broadcastId);
        if (retry) {
          this.retried++;
          setTimeout(() => this.send(retry), 100);
          return;
        }
        this.errors.push(frame);
        if (frame.broadcastId) this.outbox.delete(frame.broadcastId);
        return;
      }
      case 'snapshot': {
        const p = this.pages.get(frame.page);
        if (p) p.state = fromSnapshot(frame);
        return;
      }
      case 'replay': {
        const p = this.pages.get(frame.page);
        if (!p?.state) return;
        const before = p.state.seq;
        if (applyReplay(p.state, frame) === 'gap') this.resync(frame.page);
        p.applied.push(...frame.events.filter((e) => e.seq > before && e.seq <= p.state!.seq));
        return;
      }
      case 'presence': {
        const p = this.pages.get(frame.page);
        if (p) p.presence = frame.count;
        return;
      }
      case 'new-text-chat':
      case 'updated-text-chat':
      case 'deleted-text-chat': {
        const p = this.pages.get(frame.page);
        if (!p?.state) return;
        const r = applyEvent(p.state, frame);
        if (r === 'applied') p.applied.push(frame);
        if (r === 'gap') {
          p.gaps++;
          this.resync(frame.page);
        }
        return;
      }
      default:
        return;
    }
  }

  /** A gap: a replay from the last seq held; `fresh` (a frame that could not be read): a snapshot. */
  private resync(page: string, fresh = false): void {
    const p = this.pages.get(page);
    if (fresh) this.send({ type: 'subscribe', page });
    else if (p?.state) this.send({ type: 'subscribe', page, since: p.state.seq });
  }
}

let ids = 0;
const id = (prefix: string) => `${prefix}${randomUUID().slice(0, 8)}${String(++ids).padStart(6, '0')}`;

export const clusterWrites = {
  create: (page: string, text = 'first'): WriteFrameT & { type: 'create-chat' } => ({
    type: 'create-chat',
    broadcastId: randomUUID(),
    page,
    chatId: id('chat'),
    commentId: id('cmt'),
    selectors: [{ type: 'TextQuoteSelector', exact: 'some quoted text' }],
    text,
  }),
  add: (page: string, chatId: string, text: string): WriteFrameT & { type: 'add-comment' } => ({
    type: 'add-comment',
    broadcastId: randomUUID(),
    page,
    chatId,
    commentId: id('cmt'),
    text,
  }),
  edit: (page: string, chatId: string, commentId: string, text: string): WriteFrameT => ({
    type: 'edit-comment',
    broadcastId: randomUUID(),
    page,
    chatId,
    commentId,
    text,
  }),
  deleteComment: (page: string, chatId: string, commentId: string): WriteFrameT => ({
    type: 'delete-comment',
    broadcastId: randomUUID(),
    page,
    chatId,
    commentId,
  }),
  deleteChat: (page: string, chatId: string): WriteFrameT => ({
    type: 'delete-chat',
    broadcastId: randomUUID(),
    page,
    chatId,
  }),
};

/** Runs `collab-chat-server serve` with these flags and resolves when it exits, with its output. */
export async function serveUntilExit(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['bin/collab-chat-server.js', 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '' },
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output };
}
