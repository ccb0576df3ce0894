// A client that drops and returns many times in a row (cleanly, abruptly, and in the middle of its
// subscribe) while another writes: on every connection the events follow the subscribe answer with
// no duplicate and no gap, nothing is lost in the end, and the server's rooms, subscriptions,
// connections and presence go back to their baseline.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  applyEvent,
  applyReplay,
  emptyPageState,
  fromSnapshot,
  type DiscussionEventT,
  type PageState,
} from '../../lib/protocol';
import type { ServerStats } from '../../server/app';
import { TestClient, type Frame } from '../helpers/client';
import { addComment, createChat, PAGE } from '../helpers/frames';
import { startTestServer, type TestServer } from '../helpers/server';

const ROUNDS = 30;

/** Waits for a condition the server reaches asynchronously (a socket's close being processed). */
async function eventually(check: () => boolean, what: () => string): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited > 10_000) throw new Error(`never happened: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Applies one connection's frames to the state; every event must be the next one. */
function applyConnection(state: PageState, frames: Frame[]): PageState {
  let answered = false;
  for (const f of frames) {
    if (f.type === 'snapshot') {
      state = fromSnapshot(f);
      answered = true;
    } else if (f.type === 'replay') {
      expect(applyReplay(state, f)).not.toBe('gap');
      expect(state.seq).toBe(f.seq);
      answered = true;
    } else if (
      f.type === 'new-text-chat' ||
      f.type === 'updated-text-chat' ||
      f.type === 'deleted-text-chat'
    ) {
      expect(answered, 'an event before the subscribe answer').toBe(true);
      expect(applyEvent(state, f as DiscussionEventT), `event seq ${f.seq} after ${state.seq}`).toBe(
        'applied',
      );
    }
  }
  return state;
}

describe('a client that drops and returns many times', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(async () => {
    await t.close();
  });

  it('gets no duplicates, loses nothing, and leaves no server resources behind', async () => {
    const alice = await TestClient.connect(t.url, t.tokens.alice);
    alice.send({ type: 'subscribe', page: PAGE });
    await alice.next('snapshot');
    const chat = createChat();
    alice.send(chat);
    await alice.next('ack');
    const baseline: ServerStats = t.server.stats();
    expect(baseline).toEqual({
      connections: 1,
      authenticated: 1,
      rooms: 1,
      subscriptions: 1,
      unansweredSubscriptions: 0,
    });

    let state = emptyPageState();
    let subscribed = false;
    for (let round = 0; round < ROUNDS; round++) {
      const bob = await TestClient.connect(t.url, t.tokens.bob);
      bob.send({ type: 'subscribe', page: PAGE, ...(subscribed ? { since: state.seq } : {}) });
      const how = round % 3;
      if (how !== 2) {
        await bob.next((f) => f.type === 'snapshot' || f.type === 'replay');
        subscribed = true;
        // Writes while bob is here...
        const w = addComment(chat.chatId, { text: `while here ${round}` });
        alice.send(w);
        await alice.next((f) => f.type === 'ack' && f.broadcastId === w.broadcastId);
        await bob.next((f) => f.type === 'updated-text-chat' && f.broadcastId === w.broadcastId);
      }
      // ...then bob goes: cleanly, abruptly, or abruptly before his subscribe was answered.
      if (how === 0) await bob.close();
      else {
        bob.ws.terminate();
        await bob.closed;
      }
      state = applyConnection(state, bob.received);
      // ...and writes while he is away.
      const away = addComment(chat.chatId, { text: `while away ${round}` });
      alice.send(away);
      await alice.next((f) => f.type === 'ack' && f.broadcastId === away.broadcastId);
    }

    const bob = await TestClient.connect(t.url, t.tokens.bob);
    bob.send({ type: 'subscribe', page: PAGE, since: state.seq });
    await bob.next('replay');
    await bob.close();
    state = applyConnection(state, bob.received);
    const stored = await t.server.store.snapshot(t.tenants.a.id, PAGE);
    expect(stored.seq).toBe(1 + 2 * ROUNDS - ROUNDS / 3);
    expect(state).toEqual({ seq: stored.seq, discussions: stored.discussions });

    await eventually(
      () => JSON.stringify(t.server.stats()) === JSON.stringify(baseline),
      () => `stats back to ${JSON.stringify(baseline)}, now ${JSON.stringify(t.server.stats())}`,
    );
    // Presence is back to alice alone: the last count she was told (before her pong) is 1.
    alice.send({ type: 'ping', t: 1 });
    await alice.next('pong');
    const counts = alice.received.filter((f) => f.type === 'presence').map((f) => f.count);
    expect(counts.at(-1)).toBe(1);
    expect(Math.max(...counts)).toBe(2);
    await alice.close();
    await eventually(
      () => t.server.stats().connections === 0 && t.server.stats().rooms === 0,
      () => `an empty server, now ${JSON.stringify(t.server.stats())}`,
    );
  });
});
