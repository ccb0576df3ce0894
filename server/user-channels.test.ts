import { describe, expect, it } from 'vitest';
import type { NotificationT } from '../lib/protocol';
import { MemoryBus } from './bus/memory';
import type { Bus, BusHandler, RoomKey } from './bus/types';
import type { NotificationList, Store } from './store/types';
import { UserChannels, type UserMember } from './user-channels';

const member = (tenantId: string, userId: string) => {
  const got: unknown[] = [];
  const m: UserMember = { tenantId, userId, deliver: (frame) => got.push(JSON.parse(frame)) };
  return { m, got };
};
const note = (seq: number): NotificationT => ({
  seq,
  kind: 'reply',
  page: 'https://example.com/a',
  chatId: 'chat-aaaa',
  actor: { id: 'u-ana', name: 'Ana' },
  at: seq,
  read: false,
});
const noStore = {} as Store;

describe('UserChannels', () => {
  it('sends a user frame to every connection of that user, and to no other user or tenant', async () => {
    const channels = new UserChannels(new MemoryBus(), noStore);
    const laptop = member('t1', 'u1');
    const phone = member('t1', 'u1');
    const other = member('t1', 'u2');
    const sameIdElsewhere = member('t2', 'u1');
    for (const x of [laptop, phone, other, sameIdElsewhere]) channels.join(x.m);
    await channels.publish('t1', 'u1', { type: 'watching', page: 'https://example.com/a', watch: true });
    expect(laptop.got).toEqual([{ type: 'watching', page: 'https://example.com/a', watch: true }]);
    expect(phone.got).toEqual(laptop.got);
    expect(other.got).toEqual([]);
    expect(sameIdElsewhere.got).toEqual([]);
    channels.leave(phone.m);
    channels.leave(laptop.m);
    await channels.publish('t1', 'u1', { type: 'watching', page: 'https://example.com/a', watch: false });
    expect(laptop.got).toHaveLength(1);
    expect(channels.size).toBe(2);
  });

  it('delivers notifications out of order but never twice', async () => {
    const channels = new UserChannels(new MemoryBus(), noStore);
    const bob = member('t1', 'u1');
    channels.join(bob.m);
    for (const seq of [2, 1, 2, 3, 1]) {
      await channels.publish('t1', 'u1', { type: 'notification', notification: note(seq) });
    }
    expect(bob.got.map((f) => (f as { notification: NotificationT }).notification.seq)).toEqual([2, 1, 3]);
  });

  it('reads what the bus lost from the store when the bus says frames may be missing', async () => {
    let missed: () => void = () => {};
    const inner = new MemoryBus();
    const bus: Bus = {
      publish: (room: RoomKey, frame: string) => inner.publish(room, frame),
      subscribe: (room: RoomKey, handler: BusHandler) => inner.subscribe(room, handler),
      onMissed(handler) {
        missed = handler;
        return () => {};
      },
      close: () => inner.close(),
    };
    const asked: (number | null)[] = [];
    const store = {
      async notificationsSince(_t: string, _u: string, after: number | null): Promise<NotificationList> {
        asked.push(after);
        return { notifications: [note(2), note(3)], unread: 2, latest: 3, more: false };
      },
    } as unknown as Store;
    const channels = new UserChannels(bus, store);
    const bob = member('t1', 'u1');
    channels.join(bob.m);
    await channels.publish('t1', 'u1', { type: 'notification', notification: note(1) });
    missed();
    await expect.poll(() => bob.got.length).toBe(3);
    expect(asked).toEqual([1]);
    // The frame the bus did deliver late is not delivered again.
    await channels.publish('t1', 'u1', { type: 'notification', notification: note(3) });
    expect(bob.got).toHaveLength(3);
  });
});
