// One load-generator process: holds a share of the benchmark's client sockets for one server kind
// (ours, the bare `ws` floor or Socket.IO), writes events on command and counts what arrives. In
// `measure` mode receivers only scan frames for markers (the same cheap work for every server); in
// `storm` mode each client keeps its page state by seq the way the extension does and reconnects
// with backoff and `since`.
import WebSocket from 'ws';
import { retryAfterOf } from '../../lib/protocol';
import { backoffDelay } from '../../lib/reconnect';
import { emit, serveRpc } from '../ipc';
import { emptyHistogram, record, type Histogram } from '../stats';
import { createChat, hello, markedComment, newTextChatEvent, nowMicros, scanMarks } from '../payload';

export type ServerKind = 'ours' | 'ws' | 'socketio';

export interface InitArgs {
  kind: ServerKind;
  port: number;
  page: string;
  /** Our server only: tokens handed out round-robin. */
  tokens: string[];
  mode: 'measure' | 'storm';
  /** Source addresses are 127.0.0.<first>…<first + count - 1> to spread ephemeral ports. */
  sourceAddresses: number;
}

export interface WorkerReport {
  deliveries: number;
  frames: number;
  latency: Histogram;
  closed: number;
  errors: Record<string, number>;
}

export interface StormCheck {
  clients: number;
  lost: number;
  duplicated: number;
  /** Events received again at or below the client's seq and ignored, as the rules say. */
  ignoredRepeats: number;
  gapsResynced: number;
  snapshots: number;
  replays: number;
}

interface AckedWrite {
  chatId: string;
  seq: number;
}

class LoadClient {
  socket: WebSocket | null = null;
  ready = false;
  /** Set while the benchmark closes sockets on purpose, so no reconnect follows. */
  closing = false;
  attempts = 0;
  /** Connections made; the first is 1. */
  epoch = 0;
  epochAtArm = 0;
  // storm state: the page as this client holds it
  seq = 0;
  chats = new Set<string>();
  resyncedAt = 0;
  /** Unacknowledged writes by broadcastId, resent on every reconnect. */
  readonly outbox = new Map<string, { text: string; chatId: string }>();
  constructor(
    readonly index: number,
    readonly token: string,
    readonly writer: boolean,
  ) {}
}

class Worker {
  private readonly clients: LoadClient[] = [];
  private tracking = false;
  private deliveries = 0;
  private frames = 0;
  private latency = emptyHistogram();
  private closed = 0;
  private readonly errors: Record<string, number> = {};
  /** Events sent by this worker's writers → the writing client (its echo is not a delivery to "others"). */
  private readonly sentHere = new Map<number, number>();
  private readonly received = new Map<number, number>();
  private nextWriter = 0;
  private readyCount = 0;
  // storm
  private readonly acked: AckedWrite[] = [];
  private duplicated = 0;
  private ignoredRepeats = 0;
  private gapsResynced = 0;
  private snapshots = 0;
  private replays = 0;
  private reconnectUntil = 0;

  constructor(private readonly args: InitArgs) {}

  private url(): string {
    const base = `ws://127.0.0.1:${this.args.port}`;
    return this.args.kind === 'socketio' ? `${base}/socket.io/?EIO=4&transport=websocket` : base;
  }

  private countError(what: string): void {
    this.errors[what] = (this.errors[what] ?? 0) + 1;
  }

  async connect(count: number, writers: number, concurrency: number, timeoutMs: number) {
    const start = this.clients.length;
    for (let i = 0; i < count; i++) {
      const token = this.args.tokens[(start + i) % Math.max(1, this.args.tokens.length)] ?? '';
      this.clients.push(new LoadClient(start + i, token, start + i < writers));
    }
    const todo = this.clients.slice(start);
    const deadline = Date.now() + timeoutMs;
    let failed = 0;
    let next = 0;
    const lane = async () => {
      while (next < todo.length && Date.now() < deadline) {
        const client = todo[next++] as LoadClient;
        if (!(await this.open(client, deadline))) failed++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, lane));
    return { ready: this.readyCount, failed: failed + (todo.length - next) };
  }

  /** Opens one client and resolves true once it is subscribed. */
  private open(client: LoadClient, deadline: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.dial(client, onReady, () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
  }

  private dial(client: LoadClient, onReady?: () => void, onFail?: () => void): void {
    const source = `127.0.0.${1 + (client.index % this.args.sourceAddresses)}`;
    const socket = new WebSocket(this.url(), {
      perMessageDeflate: false,
      localAddress: source,
      handshakeTimeout: 10_000,
    });
    client.socket = socket;
    client.epoch++;
    let wasReady = false;
    const becomeReady = () => {
      if (client.ready) return;
      client.ready = true;
      wasReady = true;
      this.readyCount++;
      client.attempts = 0;
      onReady?.();
    };
    socket.on('error', (err) =>
      this.countError(`socket: ${(err as NodeJS.ErrnoException).code ?? err.message}`),
    );
    socket.on('open', () => {
      if (this.args.kind === 'ws') becomeReady();
      else if (this.args.kind === 'ours') socket.send(JSON.stringify(hello(client.token)));
    });
    socket.on('close', (code: number, reason: Buffer) => {
      if (client.ready) this.readyCount--;
      client.ready = false;
      if (wasReady) this.closed++;
      else onFail?.();
      if (this.args.mode === 'storm' && !client.closing && Date.now() < this.reconnectUntil) {
        // The extension's policy (lib/reconnect): the server's retry-after when it gives one, else
        // full-jitter backoff.
        const asked = retryAfterOf(reason.toString());
        if (asked !== null) this.countError(`close ${code} with retry-after`);
        const delay = asked ?? backoffDelay(client.attempts++);
        setTimeout(() => this.dial(client), delay);
      }
    });
    socket.on('message', (data: Buffer) => {
      if (this.args.kind === 'socketio') this.onSocketIo(client, socket, data, becomeReady);
      else if (this.args.kind === 'ours') this.onOurs(client, socket, data, becomeReady);
      else this.onMarks(client, data);
    });
  }

  private onSocketIo(client: LoadClient, socket: WebSocket, data: Buffer, becomeReady: () => void): void {
    const first = data[0];
    if (first === 0x32 /* '2' ping */ && data.length === 1) return void socket.send('3');
    if (first === 0x30 /* '0' open */) return void socket.send('40');
    if (first === 0x34 && data[1] === 0x30 /* '40' connected */) {
      return void socket.send(`420${JSON.stringify(['join', this.args.page])}`);
    }
    if (first === 0x34 && data[1] === 0x33 /* '43' ack */) return becomeReady();
    this.onMarks(client, data);
  }

  private onOurs(client: LoadClient, socket: WebSocket, data: Buffer, becomeReady: () => void): void {
    if (client.ready && this.args.mode === 'measure') return this.onMarks(client, data);
    let frame: { type?: string; [k: string]: unknown };
    try {
      frame = JSON.parse(data.toString('utf8')) as typeof frame;
    } catch {
      return this.countError('bad json from server');
    }
    switch (frame.type) {
      case 'welcome': {
        const since = this.args.mode === 'storm' && client.epoch > 1 ? { since: client.seq } : {};
        socket.send(JSON.stringify({ type: 'subscribe', page: this.args.page, ...since }));
        return;
      }
      case 'snapshot':
      case 'replay': {
        if (this.args.mode === 'storm') this.resync(client, frame);
        const first = !client.ready;
        becomeReady();
        if (first && client.epoch > 1) {
          // The first resync after the kill; later ones (after a gap) do not move it.
          if (client.resyncedAt === 0) client.resyncedAt = nowMicros();
          for (const write of client.outbox.values()) socket.send(write.text);
        }
        return;
      }
      case 'ack': {
        const write = client.outbox.get(String(frame.broadcastId));
        client.outbox.delete(String(frame.broadcastId));
        if (write) this.acked.push({ chatId: write.chatId, seq: Number(frame.seq) });
        return;
      }
      case 'error': {
        this.countError(`error frame: ${String(frame.code)}`);
        if (frame.broadcastId) client.outbox.delete(String(frame.broadcastId));
        return;
      }
      case 'presence':
      case 'pong':
        return;
      default:
        if (this.args.mode === 'storm' && client.ready) return this.live(client, frame);
        return this.onMarks(client, data);
    }
  }

  // ---------------------------------------------------------------- measure mode

  private onMarks(client: LoadClient, data: Buffer): void {
    if (!this.tracking) return;
    this.frames++;
    const now = nowMicros();
    scanMarks(data, (event, sent) => {
      this.deliveries++;
      const sender = this.sentHere.get(event);
      if (sender === client.index) return;
      record(this.latency, now - sent);
      const got = (this.received.get(event) ?? 0) + 1;
      const expected = this.readyCount - (sender === undefined ? 0 : 1);
      if (got >= expected) {
        this.received.delete(event);
        emit({ event: 'done', id: event, lastUs: now - sent });
      } else this.received.set(event, got);
    });
  }

  private writerFor(): LoadClient {
    const writers = this.clients.filter((c) => c.writer && c.ready);
    if (writers.length === 0) throw new Error('no connected writer in this load worker');
    return writers[this.nextWriter++ % writers.length] as LoadClient;
  }

  fire(event: number): void {
    const client = this.writerFor();
    const sent = nowMicros();
    this.sentHere.set(event, client.index);
    const text = markedComment(event, sent);
    let frame: string;
    if (this.args.kind === 'ours') frame = JSON.stringify(createChat(this.args.page, text));
    else if (this.args.kind === 'ws') frame = JSON.stringify(newTextChatEvent(this.args.page, event, text));
    else
      frame = `42${JSON.stringify(['write', this.args.page, newTextChatEvent(this.args.page, event, text)])}`;
    client.socket?.send(frame);
  }

  /** Writes events first, first + stride, … at `ratePerSec` for `durationMs`. */
  pace(ratePerSec: number, durationMs: number, first: number, stride: number): Promise<{ sent: number }> {
    const total = Math.floor((ratePerSec * durationMs) / 1000);
    const start = performance.now();
    let sent = 0;
    return new Promise((resolve) => {
      const tick = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - start) * ratePerSec) / 1000));
        while (sent < due) this.fire(first + stride * sent++);
        if (sent >= total || performance.now() - start > durationMs + 5000) {
          clearInterval(tick);
          resolve({ sent });
        }
      }, 2);
    });
  }

  track(on: boolean): void {
    this.tracking = on;
    if (on) {
      this.deliveries = 0;
      this.frames = 0;
      this.latency = emptyHistogram();
      this.closed = 0;
      this.received.clear();
      this.sentHere.clear();
    }
  }

  report(): WorkerReport {
    return {
      deliveries: this.deliveries,
      frames: this.frames,
      latency: this.latency,
      closed: this.closed,
      errors: this.errors,
    };
  }

  async close(): Promise<void> {
    this.reconnectUntil = 0;
    const closing = this.clients.map(
      (c) =>
        new Promise<void>((resolve) => {
          c.closing = true;
          const s = c.socket;
          if (!s || s.readyState === WebSocket.CLOSED) return resolve();
          s.once('close', () => resolve());
          s.terminate();
        }),
    );
    await Promise.all(closing);
    this.clients.length = 0;
    this.readyCount = 0;
  }

  // ---------------------------------------------------------------- storm mode

  private resync(client: LoadClient, frame: { type?: string; [k: string]: unknown }): void {
    if (frame.type === 'snapshot') {
      this.snapshots++;
      client.chats = new Set((frame.chats as { id: string }[]).map((c) => c.id));
      client.seq = Number(frame.seq);
    } else {
      this.replays++;
      for (const event of frame.events as { type: string; [k: string]: unknown }[]) this.apply(client, event);
    }
  }

  private live(client: LoadClient, frame: { type?: string; [k: string]: unknown }): void {
    const events = frame.type === 'batch' ? (frame.events as { type: string }[]) : [frame];
    for (const event of events) {
      if (event.type === 'presence') continue;
      if (this.apply(client, event as { type: string; [k: string]: unknown }) === 'gap') {
        this.gapsResynced++;
        client.ready = false;
        this.readyCount--;
        client.socket?.send(JSON.stringify({ type: 'subscribe', page: this.args.page, since: client.seq }));
        return;
      }
    }
  }

  private apply(
    client: LoadClient,
    event: { type: string; [k: string]: unknown },
  ): 'applied' | 'repeat' | 'gap' {
    const seq = Number(event.seq);
    if (seq <= client.seq) {
      this.ignoredRepeats++;
      return 'repeat';
    }
    if (seq > client.seq + 1) return 'gap';
    client.seq = seq;
    if (event.type === 'new-text-chat') {
      const id = (event.chat as { id: string }).id;
      if (client.chats.has(id)) this.duplicated++;
      client.chats.add(id);
    }
    return 'applied';
  }

  stormArm(untilMs: number): void {
    this.reconnectUntil = Date.now() + untilMs;
    for (const c of this.clients) c.epochAtArm = c.epoch;
    this.acked.length = 0;
  }

  /** Queues writes in the writers' outboxes at `ratePerSec` for `durationMs`; sends those that can go now. */
  stormWrite(ratePerSec: number, durationMs: number): Promise<{ queued: number }> {
    const total = Math.floor((ratePerSec * durationMs) / 1000);
    const writers = this.clients.filter((c) => c.writer);
    const start = performance.now();
    let queued = 0;
    return new Promise((resolve) => {
      const tick = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - start) * ratePerSec) / 1000));
        while (queued < due) {
          const client = writers[queued % writers.length] as LoadClient;
          const write = createChat(this.args.page, markedComment(queued, nowMicros()));
          const text = JSON.stringify(write);
          client.outbox.set(write.broadcastId, { text, chatId: write.chatId });
          if (client.ready) client.socket?.send(text);
          queued++;
        }
        if (queued >= total) {
          clearInterval(tick);
          resolve({ queued });
        }
      }, 5);
    });
  }

  stormStatus(sinceMicros: number) {
    let resynced = 0;
    let maxSeq = 0;
    let minSeq = Number.MAX_SAFE_INTEGER;
    let lastResyncAt = 0;
    let pending = 0;
    for (const c of this.clients) {
      if (c.ready && c.resyncedAt >= sinceMicros) resynced++;
      lastResyncAt = Math.max(lastResyncAt, c.resyncedAt);
      maxSeq = Math.max(maxSeq, c.seq);
      minSeq = Math.min(minSeq, c.seq);
      pending += c.outbox.size;
    }
    return {
      clients: this.clients.length,
      ready: this.readyCount,
      resynced,
      maxSeq,
      minSeq,
      lastResyncAt,
      pending,
    };
  }

  /** When each client resynced (µs, 0 if it has not) and how many dials it took after the kill. */
  stormTimeline(): { resyncedAt: number[]; dials: number[] } {
    return {
      resyncedAt: this.clients.map((c) => c.resyncedAt),
      dials: this.clients.map((c) => c.epoch - c.epochAtArm),
    };
  }

  stormAcked(): AckedWrite[] {
    return this.acked;
  }

  stormCheck(ackedChatIds: string[]): StormCheck {
    let lost = 0;
    for (const c of this.clients) for (const id of ackedChatIds) if (!c.chats.has(id)) lost++;
    return {
      clients: this.clients.length,
      lost,
      duplicated: this.duplicated,
      ignoredRepeats: this.ignoredRepeats,
      gapsResynced: this.gapsResynced,
      snapshots: this.snapshots,
      replays: this.replays,
    };
  }
}

let worker: Worker | null = null;
const need = (): Worker => {
  if (!worker) throw new Error('init first');
  return worker;
};
serveRpc({
  init: (args: InitArgs) => {
    worker = new Worker(args);
  },
  connect: (a: { count: number; writers: number; concurrency: number; timeoutMs: number }) =>
    need().connect(a.count, a.writers, a.concurrency, a.timeoutMs),
  fire: (a: { event: number }) => need().fire(a.event),
  pace: (a: { ratePerSec: number; durationMs: number; first: number; stride: number }) =>
    need().pace(a.ratePerSec, a.durationMs, a.first, a.stride),
  track: (a: { on: boolean }) => need().track(a.on),
  report: () => need().report(),
  close: () => need().close(),
  'storm-arm': (a: { untilMs: number }) => need().stormArm(a.untilMs),
  'storm-write': (a: { ratePerSec: number; durationMs: number }) =>
    need().stormWrite(a.ratePerSec, a.durationMs),
  'storm-status': (a: { sinceMicros: number }) => need().stormStatus(a.sinceMicros),
  'storm-acked': () => need().stormAcked(),
  'storm-timeline': () => need().stormTimeline(),
  'storm-check': (a: { acked: string[] }) => need().stormCheck(a.acked),
});
