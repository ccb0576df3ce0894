// The hub with a store whose reads are held back, to show the subscribe-before-snapshot rule:
// live events that arrive while a snapshot is being read are queued, and those the snapshot
// already holds are dropped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerFrameT } from '../lib/protocol';
import { createChat, PAGE } from '../test/helpers/frames';
import { MemoryBus } from './bus/memory';
import { Hub, type Subscriber } from './hub';
import { commitWrite, type Actor } from './ops';
import { MemoryPresence } from './presence/memory';
import { openSqliteStore, type SqliteStore } from './store/sqlite';

const actor: Actor = { user: { id: 'u1', name: 'Ana' }, role: 'member' };
const tenantId = 'ten-a';

class Recorder implements Subscriber {
  readonly frames: ServerFrameT[] = [];
  constructor(
    readonly tenantId: string,
    readonly userId: string,
  ) {}
  deliver(frame: string) {
    this.frames.push(JSON.parse(frame) as ServerFrameT);
  }
  subscribeFailed(page: string, message: string) {
    this.frames.push({ type: 'error', code: 'internal', message, page });
  }
}

describe('Hub', () => {
  let dir: string;
  let store: SqliteStore;
  let bus: MemoryBus;
  let hub: Hub;
  let release: () => void;
  let held: Promise<void>;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'collab-chat-hub-'));
    store = openSqliteStore(join(dir, 'hub.db'));
    const snapshot = store.snapshot.bind(store);
    held = new Promise((resolve) => (release = resolve));
    store.snapshot = async (...args) => {
      await held;
      return snapshot(...args);
    };
    bus = new MemoryBus();
    hub = new Hub(store, bus, new MemoryPresence(), 500);
  });
  afterEach(async () => {
    hub.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function write() {
    const result = await commitWrite(store, tenantId, createChat(), actor);
    if (result.status !== 'applied') throw new Error(result.status);
    await bus.publish({ tenantId, page: PAGE }, JSON.stringify(result.event));
    return result.event.seq;
  }

  it('queues events during the snapshot read and drops those the snapshot holds', async () => {
    await write();
    const sub = new Recorder(tenantId, 'u1');
    const subscribed = hub.subscribe(sub, PAGE);
    // Committed and published after registration but before the (held) read: in the snapshot.
    await write();
    expect(sub.frames).toEqual([]);
    release();
    // Published while the read is still finishing would be queued; this one comes after it.
    await subscribed;
    await write();
    expect(sub.frames.map((f) => [f.type, 'seq' in f ? f.seq : null])).toEqual([
      ['snapshot', 2],
      ['presence', null],
      ['new-text-chat', 3],
    ]);
  });

  it('delivers queued events newer than the snapshot after it, in order', async () => {
    const sub = new Recorder(tenantId, 'u1');
    const subscribed = hub.subscribe(sub, PAGE);
    // Two writes land while the snapshot is held: the snapshot holds both, so their queued
    // copies are dropped. A frame with a later seq queued meanwhile (as from another node whose
    // commit the read did not see) follows the snapshot.
    await write();
    await write();
    const second = (await store.eventsSince(tenantId, PAGE, 1, 10))!.events[0]!;
    await bus.publish({ tenantId, page: PAGE }, JSON.stringify({ ...second, seq: 3 }));
    release();
    await subscribed;
    expect(sub.frames.map((f) => [f.type, 'seq' in f ? f.seq : null])).toEqual([
      ['snapshot', 2],
      ['new-text-chat', 3],
      ['presence', null],
    ]);
  });

  it('answers only the latest of two subscribes of the same page', async () => {
    const sub = new Recorder(tenantId, 'u1');
    const first = hub.subscribe(sub, PAGE);
    const second = hub.subscribe(sub, PAGE);
    release();
    await Promise.all([first, second]);
    expect(sub.frames.filter((f) => f.type === 'snapshot')).toHaveLength(1);
  });

  it('sends nothing to a subscriber that left while its snapshot was read', async () => {
    const sub = new Recorder(tenantId, 'u1');
    const subscribed = hub.subscribe(sub, PAGE);
    expect(hub.unsubscribe(sub, PAGE)).toBe(true);
    release();
    await subscribed;
    await write();
    expect(sub.frames).toEqual([]);
    expect(hub.localUsers({ tenantId, page: PAGE })).toBe(0);
  });
});
