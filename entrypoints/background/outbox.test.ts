import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { WriteFrameT } from '@/lib/protocol';
import { outboxStorage } from '@/lib/storage';
import { Outbox } from './outbox';

const page = 'https://example.com/a';
const reply = (n: number): WriteFrameT => ({
  type: 'add-comment',
  broadcastId: `b-${n}`,
  page,
  chatId: 'chat-aaaa',
  commentId: `c-${n}`,
  text: `reply ${n}`,
});
const alice = { id: 'u-alice', name: 'Alice' };

beforeEach(() => {
  fakeBrowser.reset();
});

describe('Outbox', () => {
  it('keeps every write until acked or discarded, whatever its state, across a restart', async () => {
    const outbox = new Outbox(outboxStorage, () => 7);
    await outbox.add(reply(1), { by: alice });
    await outbox.add(reply(2), { by: alice });
    await outbox.add(reply(3));
    outbox.fail('b-2', 'not-found', 'no such discussion');
    expect(outbox.holdAll()).toBe(2);
    expect(outbox.size).toBe(0);
    expect(outbox.unsent).toBe(3);
    // Nothing waits to be sent: no page needs to stay subscribed for it.
    expect(outbox.pages()).toEqual([]);
    expect(outbox.of(page).map((q) => q.write.broadcastId)).toEqual(['b-1', 'b-2', 'b-3']);
    await outbox.flushed();

    const restarted = new Outbox(outboxStorage);
    await restarted.ready;
    expect(restarted.list()).toEqual([
      { write: reply(1), queuedAt: 7, by: alice, held: true },
      {
        write: reply(2),
        queuedAt: 7,
        by: alice,
        failed: { code: 'not-found', message: 'no such discussion' },
      },
      { write: reply(3), queuedAt: 7, held: true },
    ]);
    // A failed write is never released to be sent again; a held one is.
    expect(restarted.release('b-2')).toBeUndefined();
    expect(restarted.release('b-1')).toEqual({ write: reply(1), queuedAt: 7, by: alice });
    expect(restarted.waiting().map((q) => q.write.broadcastId)).toEqual(['b-1']);
    expect(restarted.pages()).toEqual([page]);
    restarted.remove('b-2');
    await restarted.flushed();
    expect((await outboxStorage.getValue()).map((q) => q.write.broadcastId)).toEqual(['b-1', 'b-3']);
  });
});
