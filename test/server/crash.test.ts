// Fault injection: `kill -9` of a real server process (bin/collab-chat-server.js serve) in the middle
// of a burst of pipelined writes. After a restart on the same SQLite file: every acked write is there
// with its seq, no write is half applied (each is there with its event, seq and change, or not at
// all), seqs are gap-free, retries of the unacked writes are applied once, and clients that resync
// with `since` reach the store's state.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  applyEvent,
  applyReplay,
  emptyPageState,
  fromSnapshot,
  type DiscussionEventT,
  type PageState,
} from '../../lib/protocol';
import { issueToken } from '../../server/auth';
import { openStore } from '../../server/store/open';
import { TestClient, type Frame } from '../helpers/client';
import { addComment, createChat, quotesOnly } from '../helpers/frames';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PAGES = ['https://example.com/crash/one', 'https://example.com/crash/two'];
/** Writes each connection keeps in flight, so some are always unacked when the server dies. */
const WINDOW = 8;
const WRITES_PER_CONNECTION = 80;
const KILL_AFTER_ACKS = 120;

interface Served {
  child: ChildProcess;
  url: string;
}

function serve(db: string): Promise<Served> {
  const child = spawn(process.execPath, ['bin/collab-chat-server.js', 'serve', '--port', '0', '--db', db], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', DATABASE_URL: '', REDIS_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${out}`)), 20_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (ws:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ child, url: m[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}: ${out}`));
    });
  });
}

/** A client's state of a page, rebuilt from the frames it received, by the client rules. */
function stateFrom(frames: Frame[], page: string): PageState {
  let state: PageState | null = null;
  for (const f of frames) {
    if (f.type === 'snapshot' && f.page === page) state = fromSnapshot(f);
    else if (
      state &&
      'seq' in f &&
      'page' in f &&
      f.page === page &&
      f.type !== 'ack' &&
      f.type !== 'replay'
    ) {
      expect(applyEvent(state, f as DiscussionEventT)).not.toBe('gap');
    }
  }
  return state ?? emptyPageState();
}

describe('kill -9 during a burst of writes', () => {
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('keeps every acked write, half-applies none, and lets clients resync to the same state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'collab-chat-crash-'));
    dirs.push(dir);
    const db = join(dir, 'crash.db');
    const seed = await openStore(db);
    const tenant = await seed.createTenant('Crash team');
    const tokens: string[] = [];
    for (const name of ['Ana', 'Ben']) {
      const user = await seed.createUser(tenant.id, name);
      tokens.push((await issueToken(seed, { tenantId: tenant.id, userId: user.id, role: 'member' })).secret);
    }
    await seed.close();

    let served = await serve(db);
    children.push(served.child);
    const clients = await Promise.all([0, 1, 0, 1].map((i) => TestClient.connect(served.url, tokens[i]!)));
    for (const c of clients) {
      for (const page of PAGES) {
        c.send({ type: 'subscribe', page });
        await c.next((f) => f.type === 'snapshot' && f.page === page);
      }
    }
    const first = createChat({ page: PAGES[0] });
    clients[0]!.send(first);
    await clients[0]!.next('ack');

    const sent = new Map<string, ReturnType<typeof addComment> | ReturnType<typeof createChat>>();
    // A client whose connection stops delivering (it never reads): its writes are committed but
    // their acks never reach it, as when a network dies between the commit and the ack.
    let deafTcp: Socket | undefined;
    const deaf = await TestClient.connect(served.url, tokens[0]!, { onSocket: (s) => (deafTcp = s) });
    deafTcp!.pause();
    for (let i = 0; i < 40; i++) {
      const w = addComment(first.chatId, { page: PAGES[0], text: `deaf-${i}` });
      sent.set(w.broadcastId, w);
      deaf.send(w);
    }
    const acked = new Map<string, { page: string; seq: number }>();
    let killed = false;
    const exited = new Promise((r) => served.child.once('exit', r));
    const takeAck = async (c: TestClient) => {
      const ack = await c.next('ack', 15_000).catch(() => null);
      if (!ack) return false;
      acked.set(ack.broadcastId, { page: ack.page, seq: ack.seq });
      if (!killed && acked.size >= KILL_AFTER_ACKS) {
        killed = true;
        served.child.kill('SIGKILL');
      }
      return true;
    };
    const pump = async (c: TestClient, n: number) => {
      let inFlight = 0;
      for (let i = 0; i < WRITES_PER_CONNECTION && !killed; i++) {
        const w =
          i % 3 === 0
            ? createChat({ page: PAGES[1], text: `c${n}-${i}` })
            : addComment(first.chatId, { page: PAGES[0], text: `c${n}-${i}` });
        sent.set(w.broadcastId, w);
        c.send(w);
        inFlight += 1;
        while (inFlight >= WINDOW) {
          if (!(await takeAck(c))) return;
          inFlight -= 1;
        }
      }
      while (await takeAck(c));
    };
    await Promise.all(clients.map((c, n) => pump(c, n)));
    await exited;
    expect(killed).toBe(true);
    deaf.ws.terminate();
    const unacked = [...sent.keys()].filter((id) => !acked.has(id));
    expect(unacked.length).toBeGreaterThan(0);

    // The file as the dead server left it.
    const store = await openStore(db);
    const events = new Map<string, DiscussionEventT>();
    for (const page of PAGES) {
      const log = await store.eventsSince(tenant.id, page, 0, 10_000);
      expect(log).not.toBeNull();
      expect(log!.events.map((e) => e.seq)).toEqual(log!.events.map((_, i) => i + 1));
      const replayed = emptyPageState();
      expect(applyReplay(replayed, log!)).not.toBe('gap');
      const snap = await store.snapshot(tenant.id, page);
      // Each change is in the document exactly when its event is in the log.
      expect(replayed).toEqual({ seq: snap.seq, discussions: snap.discussions });
      for (const e of log!.events) {
        expect(events.has(e.broadcastId)).toBe(false);
        events.set(e.broadcastId, e);
      }
    }
    for (const [id, ack] of acked) expect(events.get(id), `acked ${id}`).toMatchObject(ack);
    for (const id of events.keys()) expect(sent.has(id) || id === first.broadcastId).toBe(true);
    await store.close();
    // The deaf client's writes were stored, but it never saw their acks: the ack-lost case.
    expect(unacked.filter((id) => events.has(id)).length).toBeGreaterThan(0);

    // Restart; every client resyncs from what it had, and retries what it has no ack for.
    served = await serve(db);
    children.push(served.child);
    const before = clients.map((c) => PAGES.map((page) => stateFrom(c.received, page)));
    const back = await Promise.all([0, 1, 0, 1].map((i) => TestClient.connect(served.url, tokens[i]!)));
    for (const [n, c] of back.entries()) {
      for (const [p, page] of PAGES.entries()) {
        c.send({ type: 'subscribe', page, since: before[n]![p]!.seq });
        const answer = await c.next((f) => (f.type === 'replay' || f.type === 'snapshot') && f.page === page);
        const state = before[n]![p]!;
        if (answer.type === 'replay') expect(applyReplay(state, answer)).not.toBe('gap');
        else if (answer.type === 'snapshot') Object.assign(state, fromSnapshot(answer));
      }
    }
    const retrier = back[0]!;
    for (const id of unacked) {
      retrier.send(sent.get(id));
      const ack = await retrier.next((f) => f.type === 'ack' && f.broadcastId === id);
      // Stored before the crash: acked with its original seq, not applied again.
      const stored = events.get(id);
      if (stored && ack.type === 'ack') expect(ack.seq).toBe(stored.seq);
    }
    const restarted = await openStore(db);
    try {
      for (const [p, page] of PAGES.entries()) {
        const snap = await restarted.snapshot(tenant.id, page);
        for (const [n, c] of back.entries()) {
          // Live events of the retries reach every client; apply them by the rules.
          const state = before[n]![p]!;
          while (state.seq < snap.seq) {
            const e = (await c.next(
              (f) => 'seq' in f && f.page === page && f.type !== 'ack',
            )) as DiscussionEventT;
            applyEvent(state, e);
          }
          expect({ ...state, discussions: quotesOnly(state.discussions) }).toEqual({
            seq: snap.seq,
            discussions: quotesOnly(snap.discussions),
          });
        }
      }
      // Every write sent is now stored exactly once.
      const all = [
        ...(await restarted.eventsSince(tenant.id, PAGES[0]!, 0, 10_000))!.events,
        ...(await restarted.eventsSince(tenant.id, PAGES[1]!, 0, 10_000))!.events,
      ].map((e) => e.broadcastId);
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort()).toEqual([...sent.keys(), first.broadcastId].sort());
    } finally {
      await restarted.close();
      await Promise.all(back.map((c) => c.close()));
      served.child.kill('SIGTERM');
      await new Promise((r) => served.child.once('exit', r));
    }
  });
});
