import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { badgeText, EMPTY_INBOX, INBOX_LIMIT, type InboxState } from '@/lib/inbox';
import type { ClientFrameT, NotificationT } from '@/lib/protocol';
import { inboxStorage } from '@/lib/storage';
import { NotificationCenter } from './notifications';

const ana = { id: 'usr_ana00000', name: 'Ana' };
const note = (seq: number, read = false): NotificationT => ({
  seq,
  kind: 'mention',
  page: 'https://example.com/a',
  chatId: 'chat-aaaaaaaa',
  commentId: `comment-${String(seq).padStart(4, '0')}`,
  actor: ana,
  at: 1_764_120_000_000 + seq,
  read,
  excerpt: `hello @[usr_bruno000] ${seq}`,
});

const made: NotificationCenter[] = [];

function center(options: { live?: boolean } = {}) {
  const sent: ClientFrameT[] = [];
  const fresh: number[][] = [];
  const changes: InboxState[] = [];
  let live = options.live ?? true;
  const c = new NotificationCenter({
    storage: inboxStorage,
    send: (frame) => {
      if (!live) return false;
      sent.push(frame);
      return true;
    },
    onChange: (state) => changes.push(state),
    onFresh: (list) => fresh.push(list.map((n) => n.seq)),
  });
  made.push(c);
  return { c, sent, fresh, changes, setLive: (on: boolean) => (live = on) };
}

beforeEach(() => {
  fakeBrowser.reset();
});
// A center's last writes land before the next test's storage is reset.
afterEach(async () => {
  await Promise.all(made.splice(0).map((c) => c.settled()));
});

describe('NotificationCenter', () => {
  it('fills an empty inbox without browser notifications, then shows each new one once', async () => {
    const { c, sent, fresh } = center();
    await c.welcome('usr_bruno000');
    expect(sent).toEqual([{ type: 'notifications-since' }]);
    c.frame({ type: 'notifications', notifications: [note(1, true), note(2)], unread: 1, latest: 2 });
    expect(fresh).toEqual([]);
    expect(c.inbox.items.map((n) => n.seq)).toEqual([2, 1]);
    expect(c.inbox.unread).toBe(1);
    c.frame({ type: 'notification', notification: note(3) });
    // The same one again (live and in a catch-up): not counted twice.
    c.frame({ type: 'notification', notification: note(3) });
    expect(fresh).toEqual([[3]]);
    expect(c.inbox.unread).toBe(2);
    expect(badgeText(c.inbox.unread)).toBe('2');
  });

  it('catches up from the last seq seen after a restart, asking again while more remain', async () => {
    await inboxStorage.setValue({
      ...EMPTY_INBOX,
      user: 'usr_bruno000',
      items: [note(5)],
      unread: 1,
      latest: 5,
    });
    const { c, sent, fresh } = center();
    await c.welcome('usr_bruno000');
    expect(sent).toEqual([{ type: 'notifications-since', after: 5 }]);
    c.frame({ type: 'notifications', notifications: [note(6)], unread: 3, latest: 8, more: true });
    expect(sent.at(-1)).toEqual({ type: 'notifications-since', after: 6 });
    c.frame({ type: 'notifications', notifications: [note(7), note(8)], unread: 4, latest: 8 });
    expect(fresh).toEqual([[6], [7, 8]]);
    expect(c.inbox.unread).toBe(4);
    expect(c.inbox.latest).toBe(8);
    await c.settled();
    expect((await inboxStorage.getValue()).latest).toBe(8);
  });

  it('takes the newest afresh when some held as unread were read on another device', async () => {
    await inboxStorage.setValue({
      ...EMPTY_INBOX,
      user: 'usr_bruno000',
      items: [note(2), note(1)],
      unread: 2,
      latest: 2,
    });
    const { c, sent } = center();
    await c.welcome('usr_bruno000');
    c.frame({ type: 'notifications', notifications: [], unread: 0, latest: 2 });
    expect(sent.at(-1)).toEqual({ type: 'notifications-since' });
    c.frame({ type: 'notifications', notifications: [note(1, true), note(2, true)], unread: 0, latest: 2 });
    expect(c.inbox.items.every((n) => n.read)).toBe(true);
  });

  it('after catching up, takes the newest afresh: what the server no longer holds leaves the inbox', async () => {
    await inboxStorage.setValue({
      ...EMPTY_INBOX,
      user: 'usr_bruno000',
      items: [{ ...note(3), excerpt: 'ERASED words' }, { ...note(2), excerpt: 'deleted since' }, note(1)],
      unread: 3,
      latest: 3,
    });
    const { c, sent, fresh } = center();
    await c.welcome('usr_bruno000');
    c.frame({ type: 'notifications', notifications: [note(4)], unread: 3, latest: 4 });
    expect(fresh).toEqual([[4]]);
    expect(sent.at(-1)).toEqual({ type: 'notifications-since' });
    // The server erased seq 3 (its actor was erased) and seq 2's comment is gone (no excerpt).
    c.frame({ type: 'notifications', notifications: [note(1), note(2), note(4)], unread: 3, latest: 4 });
    expect(c.inbox.items.map((n) => n.seq)).toEqual([4, 2, 1]);
    expect(JSON.stringify(c.inbox.items)).not.toMatch(/ERASED|deleted since/);
    expect(fresh).toEqual([[4]]);
  });

  it("another user's token starts an empty inbox", async () => {
    await inboxStorage.setValue({
      ...EMPTY_INBOX,
      user: 'usr_other000',
      items: [note(9)],
      unread: 1,
      latest: 9,
    });
    const { c, sent } = center();
    await c.welcome('usr_bruno000');
    expect(c.inbox.items).toEqual([]);
    expect(sent).toEqual([{ type: 'notifications-since' }]);
  });

  it('marks read here at once, tells the server, and queues the mark while offline', async () => {
    const { c, sent, setLive } = center();
    await c.welcome('usr_bruno000');
    c.frame({ type: 'notifications', notifications: [note(1), note(2), note(3)], unread: 3, latest: 3 });
    expect(c.open(2)?.chatId).toBe('chat-aaaaaaaa');
    expect(sent.at(-1)).toEqual({ type: 'mark-notifications-read', seqs: [2] });
    expect(c.inbox.unread).toBe(2);
    c.disconnected();
    setLive(false);
    c.markAllRead();
    expect(c.inbox.unread).toBe(0);
    expect(c.inbox.unsentReads).toEqual({ seqs: [], upTo: 3 });
    setLive(true);
    sent.length = 0;
    await c.welcome('usr_bruno000');
    expect(sent).toEqual([
      { type: 'mark-notifications-read', upTo: 3 },
      { type: 'notifications-since', after: 3 },
    ]);
    expect(c.inbox.unsentReads).toBeUndefined();
  });

  it('follows reads made on other connections, with the server’s count', async () => {
    const { c } = center();
    await c.welcome('usr_bruno000');
    c.frame({ type: 'notifications', notifications: [note(1), note(2)], unread: 2, latest: 2 });
    c.frame({ type: 'notifications-read', seqs: [2], unread: 1 });
    expect(c.inbox.items.map((n) => n.read)).toEqual([true, false]);
    expect(c.inbox.unread).toBe(1);
  });

  it('keeps the newest only', async () => {
    const { c } = center();
    await c.welcome('usr_bruno000');
    const many = Array.from({ length: INBOX_LIMIT + 20 }, (_, i) => note(i + 1));
    c.frame({ type: 'notifications', notifications: many, unread: many.length, latest: many.length });
    expect(c.inbox.items).toHaveLength(INBOX_LIMIT);
    expect(c.inbox.items[0]!.seq).toBe(INBOX_LIMIT + 20);
    expect(c.inbox.unread).toBe(INBOX_LIMIT + 20);
  });
});

describe('badgeText', () => {
  it.each([
    [0, ''],
    [1, '1'],
    [99, '99'],
    [100, '99+'],
  ])('%i → %j', (unread, text) => expect(badgeText(unread)).toBe(text));
});
