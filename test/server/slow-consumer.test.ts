// A client that stops reading is closed with 4408 once its unsent data passes the bound, instead
// of the server buffering without limit; the others on the page carry on, and the dropped client
// resyncs when it returns.
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOSE } from '../../lib/protocol';
import { MemoryBus } from '../../server/bus/memory';
import { commitWrite } from '../../server/ops';
import { TestClient } from '../helpers/client';
import { createChat, PAGE } from '../helpers/frames';
import { startTestServer, type TestServer } from '../helpers/server';

describe('slow consumer', () => {
  let t: TestServer;
  let bus: MemoryBus;
  beforeEach(async () => {
    bus = new MemoryBus();
    t = await startTestServer({ maxBufferedBytes: 256 * 1024 }, { bus });
  });
  afterEach(async () => {
    await t.close();
    await bus.close();
  });

  it('closes a socket that does not read with 4408 and drops it from presence', async () => {
    const alice = await TestClient.connect(t.url, t.tokens.alice);
    alice.send({ type: 'subscribe', page: PAGE });
    await alice.next('snapshot');
    await alice.next((f) => f.type === 'presence' && f.count === 1);
    let tcp: Socket | undefined;
    const bob = await TestClient.connect(t.url, t.tokens.bob, { onSocket: (s) => (tcp = s) });
    bob.send({ type: 'subscribe', page: PAGE });
    await bob.next('snapshot');
    await alice.next((f) => f.type === 'presence' && f.count === 2);

    tcp!.pause();
    // A real 4 KB event, fanned out as the bus would deliver a stream of them (more than the
    // kernel's socket buffers hold), faster than the paused client reads.
    const write = createChat({ text: 'x'.repeat(4000) });
    const result = await commitWrite(t.server.store, t.tenants.a.id, write, {
      user: { id: t.users.alice.id, name: 'Alice' },
      role: 'member',
    });
    if (result.status !== 'applied') throw new Error(result.status);
    // Each copy carries the next seq: the hub's sequencer drops a seq it has already delivered.
    const frameAt = (i: number) => JSON.stringify({ ...result.event, seq: result.event.seq + i });
    let dropped = false;
    const presence = alice
      .next((f) => f.type === 'presence' && f.count === 1, 15_000)
      .then((f) => {
        dropped = true;
        return f;
      });
    let published = 0;
    for (let i = 0; i < 20_000 && !dropped; i++) {
      await bus.publish({ tenantId: t.tenants.a.id, page: PAGE }, frameAt(i));
      published += 1;
      // Let the event loop run so that alice, who reads, keeps up; bob does not read.
      if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await presence).toMatchObject({ page: PAGE });
    tcp!.resume();
    const closed = await bob.closed;
    expect(closed.code).toBe(CLOSE.slowConsumer);
    expect(closed.reason).toMatch(/not reading fast enough/);

    // The reader was not held back: it got every frame fanned out, in order, none dropped.
    for (let i = 0; i < published; i++) {
      const f = await alice.next((f) => f.type === 'new-text-chat' && f.broadcastId === write.broadcastId);
      expect(f).toMatchObject({ seq: result.event.seq + i });
    }
    // The server let go of the slow socket, and the slow client resyncs when it comes back.
    expect(t.server.stats()).toMatchObject({ subscriptions: 1, authenticated: 1 });
    const back = await TestClient.connect(t.url, t.tokens.bob);
    back.send({ type: 'subscribe', page: PAGE, since: 0 });
    const replay = await back.next('replay');
    expect(replay.events).toEqual([result.event]);
    expect(replay.seq).toBe((await t.server.store.snapshot(t.tenants.a.id, PAGE)).seq);
    await back.close();
    await alice.close();
  });
});
