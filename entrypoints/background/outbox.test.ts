import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { WriteFrameT } from '@/lib/protocol';
import { outboxStorage } from '@/lib/storage';
import { Outbox, type OutboxStore } from './outbox';

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

  it('a write retried with the same broadcastId is kept once', async () => {
    const outbox = new Outbox(outboxStorage);
    await outbox.add(reply(1));
    await outbox.add(reply(1));
    expect(outbox.list()).toHaveLength(1);
  });

  it('writes made before the stored list was read go after it, in the order they were made', async () => {
    await outboxStorage.setValue([{ write: reply(1), queuedAt: 1 }]);
    let answer: (value: unknown) => void = () => {};
    const slow: OutboxStore = {
      getValue: () => new Promise((resolve) => (answer = resolve)).then(() => outboxStorage.getValue()),
      setValue: (value) => outboxStorage.setValue(value),
    };
    const outbox = new Outbox(slow, () => 2);
    const added = [outbox.add(reply(2)), outbox.add(reply(3))];
    answer(null);
    await Promise.all(added);
    await outbox.flushed();
    expect((await outboxStorage.getValue()).map((q) => q.write.broadcastId)).toEqual(['b-1', 'b-2', 'b-3']);
  });

  it('a failed save is reported, the write stays, and the next change is saved all the same', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    let refuse = true;
    const flaky: OutboxStore = {
      getValue: () => outboxStorage.getValue(),
      setValue: (value) =>
        refuse ? Promise.reject(new Error('QUOTA_BYTES quota exceeded')) : outboxStorage.setValue(value),
    };
    const outbox = new Outbox(flaky);
    await outbox.add(reply(1));
    expect(error).toHaveBeenCalledWith('Collab Chat: could not save queued writes', expect.any(Error));
    expect(outbox.waiting().map((q) => q.write.broadcastId)).toEqual(['b-1']);
    refuse = false;
    await outbox.add(reply(2));
    expect((await outboxStorage.getValue()).map((q) => q.write.broadcastId)).toEqual(['b-1', 'b-2']);
    error.mockRestore();
  });
});
