import { createRoot } from 'solid-js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { FrameToBackgroundT, StatusT } from '@/lib/messaging';
import type { DiscussionEventT } from '@/lib/protocol';
import { useEnglishMessages } from '@/test/unit/i18n';
import { newDiscussionDraftKey, replyDraftKey } from '@/lib/drafts';
import { createOverlayModel } from './model';
import { UNDO_WINDOW_MS } from './undoable-deletes';

const page = 'https://example.com/a';
const status: StatusT = {
  state: 'live',
  queued: 0,
  me: { id: 'u-alice', name: 'Alice' },
  tenant: { id: 't', name: 'T' },
  role: 'member',
};

function setup() {
  const sent: FrameToBackgroundT[] = [];
  const model = createRoot(() => createOverlayModel({ send: (m) => sent.push(m), now: () => 42 }));
  model.handle({ kind: 'page', page });
  model.handle({ kind: 'status', status });
  model.handle({ kind: 'state', page, discussions: [], synced: true });
  model.handle({
    kind: 'compose',
    selection: { quote: 'quote', selectors: [{ type: 'TextQuoteSelector', exact: 'quote' }] },
  });
  model.submitDiscussion('hello');
  const write = sent.find((m) => m.kind === 'write')!;
  if (write.kind !== 'write' || write.write.type !== 'create-chat')
    throw new Error('expected a create-chat write');
  return { model, sent, write: write.write };
}

beforeEach(() => {
  fakeBrowser.reset();
  useEnglishMessages();
});

describe('overlay model', () => {
  it('shows a new discussion at once, with a broadcastId made in the tab', () => {
    const { model, write } = setup();
    expect(write.broadcastId).toMatch(/^[0-9a-f-]{36}$/);
    expect(model.state.discussions.map((c) => c.comments[0]!.text)).toEqual(['hello']);
    expect(model.state.discussions[0]!.comments[0]!.author).toEqual(status.me);
    expect(model.state.openDiscussionId).toBe(write.chatId);
    expect(model.state.unacked).toContain(write.commentId);
  });

  it('never shows its own change twice when the echo arrives', () => {
    const { model, write } = setup();
    const echo: DiscussionEventT = {
      type: 'new-text-chat',
      page,
      seq: 1,
      broadcastId: write.broadcastId,
      chat: {
        id: write.chatId,
        selectors: write.selectors,
        comments: [{ id: write.commentId, author: status.me!, text: 'hello', at: 50 }],
      },
    };
    model.handle({ kind: 'ack', broadcastId: write.broadcastId });
    model.handle({ kind: 'event', event: echo });
    expect(model.state.discussions).toHaveLength(1);
    expect(model.state.discussions[0]!.comments).toHaveLength(1);
    expect(model.state.unacked).toEqual([]);
  });

  it('rolls back a refused write that the outbox does not keep, with the reason in plain words', () => {
    const { model, write } = setup();
    model.handle({
      kind: 'refused',
      broadcastId: write.broadcastId,
      code: 'forbidden',
      message: 'not allowed',
    });
    expect(model.state.discussions).toEqual([]);
    expect(model.state.notice).toBe('Your change was not saved: you are not allowed to do this.');
    expect(model.state.openDiscussionId).toBeNull();
  });

  it('resends unanswered writes when the port reopens, and not answered ones', () => {
    const { model, write } = setup();
    expect(model.unackedWrites()).toEqual([write]);
    model.handle({ kind: 'ack', broadcastId: write.broadcastId });
    expect(model.unackedWrites()).toEqual([]);
  });

  it('keeps a text too large to send, with a message, and sends nothing', () => {
    const { model, sent } = setup();
    const discussionId = model.state.discussions[0]!.id;
    expect(model.reply(discussionId, '\u0001'.repeat(3000))).toBe(false);
    expect(sent).toHaveLength(1);
    expect(model.state.notice).toBe('This is too long to send. Shorten it and try again.');
  });

  it('ignores messages about another page after an SPA navigation', () => {
    const { model } = setup();
    model.setPage('https://example.com/b');
    model.handle({ kind: 'presence', page, count: 5 });
    expect(model.state.viewers).toBeNull();
    expect(model.state.discussions).toEqual([]);
  });

  it('lists for the page only ids and selectors, never text', () => {
    const { model, write } = setup();
    const { anchors, activeId } = model.anchors();
    expect(anchors).toEqual([{ id: write.chatId, selectors: write.selectors }]);
    expect(activeId).toBe(write.chatId);
    expect(JSON.stringify(anchors)).not.toContain('hello');
  });

  it('opens a discussion the page asks for only when it is one of the page', () => {
    const { model, write } = setup();
    model.openDiscussion(null);
    model.handle({ kind: 'open-discussion', id: 'not-here' });
    expect(model.state.openDiscussionId).toBeNull();
    model.handle({ kind: 'open-discussion', id: write.chatId });
    expect(model.state.openDiscussionId).toBe(write.chatId);
  });

  it('marks a thread the page’s address opened as the person’s only once they act in it', () => {
    const { model, write } = setup();
    model.openDiscussion(null);
    model.handle({ kind: 'open-discussion', id: write.chatId, link: true });
    expect(model.state.openDiscussionId).toBe(write.chatId);
    expect(model.state.openedByLink).toBe(true);
    model.personActed();
    expect(model.state.openedByLink).toBe(false);
    // A click on its highlight is the person's own.
    model.handle({ kind: 'open-discussion', id: write.chatId, link: true });
    model.handle({ kind: 'open-discussion', id: write.chatId });
    expect(model.state.openedByLink).toBe(false);
  });

  it('shows the orphans the page reports and forgets them with the page', () => {
    const { model, write } = setup();
    model.handle({ kind: 'orphans', ids: [write.chatId] });
    expect(model.state.orphanIds).toEqual([write.chatId]);
    expect(model.state.fuzzyIds).toEqual([]);
    model.handle({ kind: 'page', page: 'https://example.com/b' });
    expect(model.state.orphanIds).toEqual([]);
  });

  it('keeps the discussions the page placed on edited text', () => {
    const { model, write } = setup();
    model.handle({ kind: 'orphans', ids: [], fuzzy: [write.chatId] });
    expect(model.state.fuzzyIds).toEqual([write.chatId]);
    model.handle({ kind: 'orphans', ids: [write.chatId], fuzzy: [] });
    expect(model.state).toMatchObject({ orphanIds: [write.chatId], fuzzyIds: [] });
  });

  describe('deleting, with an undo window', () => {
    beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
    afterEach(() => void vi.useRealTimers());

    const confirmed = () => {
      const { model, sent, write } = setup();
      model.handle({ kind: 'ack', broadcastId: write.broadcastId });
      sent.length = 0;
      return { model, sent, write };
    };

    it('shows the discussion as going, sends nothing within the window, and nothing after Undo', () => {
      const { model, sent, write } = confirmed();
      model.deleteDiscussion(write.chatId);
      expect(model.state.deleting.map((d) => d.write.type)).toEqual(['delete-chat']);
      expect(model.state.discussions).toHaveLength(1);
      const id = model.state.deleting[0]!.write.broadcastId;
      vi.advanceTimersByTime(UNDO_WINDOW_MS - 1);
      model.undoDelete(id);
      vi.advanceTimersByTime(UNDO_WINDOW_MS);
      // Held by the background (sent if the tab closes), then dropped; never written.
      expect(sent.map((m) => m.kind)).toEqual(['undoable-delete', 'cancel-delete']);
      expect(model.state.deleting).toEqual([]);
      expect(model.state.discussions).toHaveLength(1);
    });

    it('sends the deletion when the window ends, or at once when the frame goes away', () => {
      const { model, sent, write } = confirmed();
      const writes = () => sent.flatMap((m) => (m.kind === 'write' ? [m.write.type] : []));
      model.deleteComment(write.chatId, write.commentId);
      expect(sent.map((m) => m.kind)).toEqual(['undoable-delete']);
      vi.advanceTimersByTime(UNDO_WINDOW_MS);
      expect(writes()).toEqual(['delete-comment']);
      sent.length = 0;
      model.deleteDiscussion(write.chatId);
      model.leave();
      expect(writes()).toEqual(['delete-chat']);
    });
  });

  it('keeps a reply typed in a discussion someone else deleted, and posts it as a new discussion', async () => {
    const { model, sent, write } = setup();
    model.handle({ kind: 'ack', broadcastId: write.broadcastId });
    model.drafts.set(replyDraftKey(write.chatId), 'my unsent reply');
    model.handle({
      kind: 'event',
      event: { type: 'deleted-text-chat', page, seq: 2, broadcastId: 'someone-else', chatId: write.chatId },
    });
    expect(model.state.discussions).toEqual([]);
    const lost = model.state.lost!;
    expect(lost).toMatchObject({ quote: 'quote', anchored: true });
    expect(lost.key).toBe(newDiscussionDraftKey(page, write.selectors));
    expect(model.drafts.text(lost.key)).toBe('my unsent reply');
    expect(model.drafts.text(replyDraftKey(write.chatId))).toBe('');
    sent.length = 0;
    expect(model.postLost(model.drafts.text(lost.key))).toBe(true);
    const post = sent.find((m) => m.kind === 'write');
    expect(post?.kind === 'write' && post.write).toMatchObject({
      type: 'create-chat',
      text: 'my unsent reply',
      selectors: write.selectors,
    });
    expect(model.state.lost).toBeNull();
    expect(model.drafts.text(lost.key)).toBe('');
  });

  it('keeps a draft where it is when only a cached copy of the page lacks its discussion', () => {
    const { model, write } = setup();
    model.handle({ kind: 'ack', broadcastId: write.broadcastId });
    model.drafts.set(replyDraftKey(write.chatId), 'still typing');
    model.handle({ kind: 'state', page, discussions: [], synced: false });
    expect(model.state.lost).toBeNull();
    expect(model.drafts.text(replyDraftKey(write.chatId))).toBe('still typing');
  });

  it('says nothing when a discussion without a draft goes', () => {
    const { model, write } = setup();
    model.handle({ kind: 'ack', broadcastId: write.broadcastId });
    model.handle({
      kind: 'event',
      event: { type: 'deleted-text-chat', page, seq: 2, broadcastId: 'someone-else', chatId: write.chatId },
    });
    expect(model.state.lost).toBeNull();
  });
});

describe('overlay model: the outbox shown in place', () => {
  const alice = { id: 'u-alice', name: 'Alice' };
  const discussion = {
    id: 'chat-aaaa',
    selectors: [{ type: 'TextQuoteSelector' as const, exact: 'quote' }],
    comments: [{ id: 'c-first', author: { id: 'u-bob', name: 'Bob' }, text: 'first', at: 1 }],
  };
  const replyWrite = {
    type: 'add-comment' as const,
    broadcastId: 'b-reply',
    page,
    chatId: 'chat-aaaa',
    commentId: 'c-reply',
    text: 'written offline',
  };
  const createWrite = {
    type: 'create-chat' as const,
    broadcastId: 'b-create',
    page,
    chatId: 'chat-new',
    commentId: 'c-new',
    selectors: [{ type: 'TextQuoteSelector' as const, exact: 'other' }],
    text: 'a new discussion offline',
  };
  /** A tab opened (or reloaded) while the connection is down: the background's cache and outbox. */
  function reloaded(state: StatusT['state'] = 'reconnecting') {
    const sent: FrameToBackgroundT[] = [];
    const model = createRoot(() => createOverlayModel({ send: (m) => sent.push(m), now: () => 42 }));
    model.handle({ kind: 'status', status: { ...status, state } });
    model.handle({ kind: 'page', page });
    model.handle({ kind: 'state', page, discussions: [discussion], synced: false });
    model.handle({
      kind: 'outbox',
      page,
      writes: [
        { write: replyWrite, queuedAt: 10, by: alice, state: 'waiting' },
        { write: createWrite, queuedAt: 11, by: alice, state: 'waiting' },
      ],
    });
    return { model, sent };
  }

  it('shows writes queued before a reload, under their author, marked as waiting until live', () => {
    const { model } = reloaded();
    expect(model.state.discussions.map((c) => c.id)).toEqual(['chat-aaaa', 'chat-new']);
    expect(model.state.discussions[0]!.comments.map((c) => [c.author.name, c.text])).toEqual([
      ['Bob', 'first'],
      ['Alice', 'written offline'],
    ]);
    expect(model.state.marks['c-reply']).toMatchObject({ state: 'waiting', broadcastId: 'b-reply' });
    expect(model.state.marks['chat-new']).toMatchObject({
      state: 'waiting',
      text: 'a new discussion offline',
    });
    model.handle({ kind: 'status', status });
    expect(model.state.marks['c-reply']?.state).toBe('sending');
  });

  it('settles them once acked and echoed, without showing them twice', () => {
    const { model } = reloaded('live');
    model.handle({ kind: 'ack', broadcastId: 'b-reply' });
    model.handle({
      kind: 'outbox',
      page,
      writes: [{ write: createWrite, queuedAt: 11, by: alice, state: 'waiting' }],
    });
    model.handle({
      kind: 'event',
      event: {
        type: 'updated-text-chat',
        page,
        seq: 2,
        broadcastId: 'b-reply',
        chatId: 'chat-aaaa',
        change: {
          op: 'add-comment',
          comment: { id: 'c-reply', author: alice, text: 'written offline', at: 50 },
        },
      },
    });
    expect(model.state.discussions[0]!.comments.map((c) => c.id)).toEqual(['c-first', 'c-reply']);
    expect(model.state.marks['c-reply']).toBeUndefined();
    expect(model.state.marks['chat-new']?.state).toBe('sending');
  });

  it('keeps a write refused for good in place, marked with the reason, until discarded', () => {
    const { model, sent } = reloaded('live');
    model.handle({
      kind: 'outbox',
      page,
      writes: [
        {
          write: replyWrite,
          queuedAt: 10,
          by: alice,
          state: 'failed',
          code: 'not-found',
          message: 'no such discussion',
        },
        { write: createWrite, queuedAt: 11, by: alice, state: 'held' },
      ],
    });
    model.handle({
      kind: 'refused',
      broadcastId: 'b-reply',
      code: 'not-found',
      message: 'no such discussion',
    });
    expect(model.state.discussions[0]!.comments.map((c) => c.text)).toEqual(['first', 'written offline']);
    expect(model.state.marks['c-reply']).toMatchObject({
      state: 'failed',
      reason: 'the discussion or comment no longer exists',
      text: 'written offline',
    });
    expect(model.state.marks['c-new']).toMatchObject({ state: 'held', reason: 'your token no longer works' });
    expect(model.state.notice).toBe('Your change was not saved: the discussion or comment no longer exists.');
    model.discard('b-reply');
    expect(sent.at(-1)).toEqual({ kind: 'discard', broadcastId: 'b-reply' });
    expect(model.state.discussions[0]!.comments.map((c) => c.text)).toEqual(['first']);
    model.resend('b-create');
    expect(sent.at(-1)).toEqual({ kind: 'resend', broadcastId: 'b-create' });
  });

  it('takes back a write that left the outbox without an ack (discarded in another tab)', () => {
    const { model } = reloaded();
    model.handle({
      kind: 'outbox',
      page,
      writes: [{ write: createWrite, queuedAt: 11, by: alice, state: 'waiting' }],
    });
    expect(model.state.discussions[0]!.comments.map((c) => c.id)).toEqual(['c-first']);
    expect(model.state.discussions.map((c) => c.id)).toEqual(['chat-aaaa', 'chat-new']);
  });

  it('writes under the last known name while the server cannot say who we are', () => {
    const sent: FrameToBackgroundT[] = [];
    const model = createRoot(() => createOverlayModel({ send: (m) => sent.push(m), now: () => 42 }));
    model.handle({
      kind: 'status',
      status: { ...status, state: 'refused', detail: 'token-refused', me: null },
    });
    model.handle({ kind: 'page', page });
    model.handle({ kind: 'state', page, discussions: [discussion], synced: true });
    model.handle({
      kind: 'outbox',
      page,
      writes: [{ write: replyWrite, queuedAt: 10, by: alice, state: 'held' }],
    });
    model.openDiscussion('chat-aaaa');
    model.reply('chat-aaaa', 'another one');
    expect(model.state.discussions[0]!.comments.map((c) => c.author.name)).toEqual(['Bob', 'Alice', 'Alice']);
  });
});

describe('overlay model: status', () => {
  it('replaces the status: a field the new one leaves out does not linger', () => {
    const { model } = setup();
    model.handle({ kind: 'status', status: { ...status, unsent: 1, trying: true } });
    model.handle({ kind: 'status', status });
    expect(model.state.status?.unsent).toBeUndefined();
    expect(model.state.status?.trying).toBeUndefined();
  });
});

describe('overlay model: viewers', () => {
  it('forgets the viewer count when the connection is not live, until the server tells it again', () => {
    const { model } = setup();
    model.handle({ kind: 'presence', page, count: 3 });
    expect(model.state.viewers).toBe(3);
    model.handle({ kind: 'status', status: { ...status, state: 'reconnecting' } });
    expect(model.state.viewers).toBeNull();
    model.handle({ kind: 'status', status });
    expect(model.state.viewers).toBeNull();
    model.handle({ kind: 'presence', page, count: 2 });
    expect(model.state.viewers).toBe(2);
  });

  it('asks for the members once for mentions it cannot name, and keeps what the server lists', () => {
    const sent: FrameToBackgroundT[] = [];
    const model = createRoot(() => createOverlayModel({ send: (m) => sent.push(m), now: () => 42 }));
    model.handle({ kind: 'page', page });
    model.handle({ kind: 'status', status });
    const asked = () => sent.filter((m) => m.kind === 'list-members').length;
    model.handle({ kind: 'state', page, discussions: [], synced: true });
    expect(asked()).toBe(0);
    const comment = { id: 'comment-1', author: status.me!, text: 'hi @[u-bob]', at: 5 };
    const discussion = {
      id: 'chat-aaaa',
      selectors: [{ type: 'TextQuoteSelector' as const, exact: 'q' }],
      comments: [comment],
    };
    model.handle({ kind: 'state', page, discussions: [discussion], synced: true });
    model.wantMembers();
    expect(asked()).toBe(1);
    model.handle({ kind: 'members', members: [{ id: 'u-bob', name: 'Bob' }] });
    expect(model.state.members).toEqual([{ id: 'u-bob', name: 'Bob' }]);
  });

  it('follows the server on watching and read positions of its page only, and marks what is read', () => {
    const { model, sent, write } = setup();
    expect(model.state.watching).toBeNull();
    model.handle({ kind: 'watching', page: 'https://example.com/other', watch: true });
    expect(model.state.watching).toBeNull();
    model.handle({ kind: 'watching', page, watch: true });
    expect(model.state.watching).toBe(true);
    model.setWatching(false);
    expect(sent.at(-1)).toEqual({ kind: 'watch', watch: false });
    // Its own discussion is unacked: nothing of it is marked read with this browser's clock.
    model.markRead(write.chatId);
    expect(sent.some((m) => m.kind === 'mark-read')).toBe(false);
    model.handle({ kind: 'ack', broadcastId: write.broadcastId });
    model.handle({
      kind: 'event',
      event: {
        type: 'updated-text-chat',
        page,
        seq: 1,
        broadcastId: crypto.randomUUID(),
        chatId: write.chatId,
        change: {
          op: 'add-comment',
          comment: { id: 'comment-b', author: { id: 'u-bob', name: 'Bob' }, text: 'x', at: 900 },
        },
      },
    });
    model.markRead(write.chatId);
    expect(sent.filter((m) => m.kind === 'mark-read')).toEqual([
      { kind: 'mark-read', discussionId: write.chatId, at: 900 },
    ]);
    model.markRead(write.chatId);
    expect(sent.filter((m) => m.kind === 'mark-read')).toHaveLength(1);
    // Another browser read further: kept; an older position changes nothing.
    model.handle({ kind: 'read-positions', page, positions: { [write.chatId]: 1000 } });
    model.handle({ kind: 'read-positions', page, positions: { [write.chatId]: 10 } });
    expect(model.state.reads).toEqual({ [write.chatId]: 1000 });
    // Another page: reset.
    model.handle({ kind: 'page', page: 'https://example.com/b' });
    expect(model.state.reads).toEqual({});
    expect(model.state.watching).toBeNull();
  });

  it('resolves and reopens at once, and tells the page which highlights to dim', () => {
    const { model, sent, write } = setup();
    expect(model.anchors().anchors[0]).not.toHaveProperty('resolved');
    expect(model.resolveDiscussion(write.chatId, true)).toBe(true);
    const resolve = sent.at(-1)!;
    expect(resolve.kind === 'write' && resolve.write).toMatchObject({
      type: 'resolve-chat',
      chatId: write.chatId,
      resolved: true,
    });
    expect(model.state.discussions[0]!.resolved).toEqual({ by: status.me, at: 42 });
    expect(model.anchors().anchors[0]!.resolved).toBe(true);
    model.resolveDiscussion(write.chatId, false);
    expect(model.state.discussions[0]!.resolved).toBeUndefined();
    model.setStateFilter('resolved');
    expect(model.state.stateFilter).toBe('resolved');
  });

  it('tells screen readers who resolved a discussion, and a reply’s mentions by name', () => {
    const { model, write } = setup();
    model.handle({ kind: 'ack', broadcastId: write.broadcastId });
    model.handle({ kind: 'members', members: [{ id: 'u-bob', name: 'Bob' }] });
    const bob = { id: 'u-bob', name: 'Bob' };
    model.handle({
      kind: 'event',
      event: {
        type: 'updated-text-chat',
        page,
        seq: 1,
        broadcastId: crypto.randomUUID(),
        chatId: write.chatId,
        change: { op: 'add-comment', comment: { id: 'comment-b', author: bob, text: 'ask @[u-bob]', at: 9 } },
      },
    });
    expect(model.state.announcement.text).toBe('\u2068Bob\u2069 replied: ask @Bob');
    model.handle({
      kind: 'event',
      event: {
        type: 'updated-text-chat',
        page,
        seq: 2,
        broadcastId: crypto.randomUUID(),
        chatId: write.chatId,
        change: { op: 'resolve', resolved: { by: bob, at: 10 } },
      },
    });
    expect(model.state.announcement.text).toBe(
      '\u2068Bob\u2069 resolved the discussion on “\u2068quote\u2069”',
    );
  });
});
