// The room sequencer: out-of-order events are put back in order, gaps are filled from the store,
// and a gap the store cannot fill asks for a resync.
import { describe, expect, it } from 'vitest';
import type { DiscussionEventT } from '../../lib/protocol';
import { RoomSequencer } from '../../server/bus/sequencer';
import { until } from '../helpers/services';

const PAGE = 'https://example.com/a';
const event = (seq: number): DiscussionEventT => ({
  type: 'deleted-text-chat',
  page: PAGE,
  seq,
  broadcastId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
  chatId: `chat-${String(seq).padStart(4, '0')}`,
});
const frame = (seq: number) => JSON.stringify(event(seq));

function setup(storeSeq: number, gapWaitMs = 10, replayLimit = 100) {
  const delivered: number[] = [];
  const store = { seq: storeSeq, reads: 0, fail: false };
  let resyncs = 0;
  const seq = new RoomSequencer({
    gapWaitMs,
    replayLimit,
    eventsSince: async (since, limit) => {
      store.reads++;
      if (store.fail) throw new Error('database down');
      if (since > store.seq || store.seq - since > limit) return null;
      return {
        seq: store.seq,
        events: Array.from({ length: store.seq - since }, (_, i) => event(since + i + 1)),
      };
    },
    deliver: (f) => delivered.push((JSON.parse(f) as { seq?: number }).seq ?? -1),
    resync: () => resyncs++,
    log: () => undefined,
  });
  return { seq, delivered, store, resyncs: () => resyncs };
}

describe('RoomSequencer', () => {
  it('delivers in seq order, drops what was delivered, and holds frames until it knows where it stands', async () => {
    const { seq, delivered, store } = setup(12);
    seq.push(frame(11)); // before start: held
    seq.start(10);
    seq.push(frame(13));
    seq.push(frame(12));
    seq.push(frame(12));
    seq.push(frame(9));
    seq.push(JSON.stringify({ type: 'presence', page: PAGE, count: 2 }));
    expect(delivered).toEqual([11, 12, 13, -1]);
    expect(store.reads).toBe(0);
    expect(seq.lastSeq).toBe(13);
  });

  it('fills a gap that stays open from the store, in order', async () => {
    const { seq, delivered, store } = setup(15);
    seq.start(10);
    seq.push(frame(14));
    seq.push(frame(11));
    expect(delivered).toEqual([11]);
    await until('the gap to be filled', () => delivered.length === 5);
    expect(delivered).toEqual([11, 12, 13, 14, 15]);
    expect(store.reads).toBe(1);
    seq.push(frame(13)); // arrives late: already delivered
    expect(delivered).toHaveLength(5);
  });

  it('catches up from the store after the bus reports missed frames', async () => {
    const { seq, delivered } = setup(3);
    seq.start(0);
    seq.push(frame(1));
    seq.catchUp();
    await until('the missed events', () => delivered.length === 3);
    expect(delivered).toEqual([1, 2, 3]);
  });

  it('retries when the store fails and asks for a resync when the gap is too big', async () => {
    const s = setup(500, 10, 50);
    s.store.fail = true;
    s.seq.start(0);
    s.seq.push(frame(500));
    await until('a failed read', () => s.store.reads >= 1);
    s.store.fail = false;
    await until('a resync', () => s.resyncs() === 1, 5000);
    expect(s.delivered).toEqual([]);
    expect(s.seq.lastSeq).toBeNull();
    s.seq.start(500);
    s.seq.push(frame(501));
    expect(s.delivered).toEqual([501]);
  });
});
