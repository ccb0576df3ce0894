import { cleanup, fireEvent, render, screen } from '@solidjs/testing-library';
import { createSignal } from 'solid-js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { DiscussionT } from '@/lib/protocol';
import { useEnglishMessages } from '@/test/unit/i18n';
import { createDraftBook, memoryDraftStore } from '@/lib/frame/drafts';
import { editDraftKey, replyDraftKey } from '@/lib/drafts';
import { ThreadPanel } from './ThreadPanel';

const alice = { id: 'u-alice', name: 'Alice' };
const bob = { id: 'u-bob', name: 'Bob' };
const discussion: DiscussionT = {
  id: 'chat-aaaa',
  selectors: [{ type: 'TextQuoteSelector', exact: 'the quote' }],
  comments: [
    { id: 'comment-1', author: alice, text: '<img src=x onerror=alert(1)>', at: 1_700_000_000_000 },
    { id: 'comment-2', author: bob, text: 'a reply', at: 1_700_000_100_000, editedAt: 1_700_000_200_000 },
  ],
};

function renderPanel(
  me = bob,
  role: 'member' | 'admin' = 'member',
  placement: 'orphan' | 'changed' | null = null,
) {
  const calls: string[] = [];
  render(() => (
    <ThreadPanel
      discussion={discussion}
      me={me}
      role={role}
      placement={placement}
      unacked={new Set(['comment-2'])}
      onReply={(text) => void calls.push(`reply:${text}`)}
      onEdit={(id, text) => void calls.push(`edit:${id}:${text}`)}
      onDeleteComment={(id) => calls.push(`delete:${id}`)}
      onDeleteDiscussion={() => calls.push('delete-chat')}
      onClose={() => calls.push('close')}
    />
  ));
  return calls;
}

beforeEach(() => {
  fakeBrowser.reset();
  useEnglishMessages();
});

describe('ThreadPanel', () => {
  it('renders comment text as text, never as HTML', () => {
    renderPanel();
    const texts = screen.getAllByTestId('comment-text');
    expect(texts[0]!.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(texts[0]!.querySelector('img')).toBeNull();
    expect(screen.getAllByTestId('comment-author').map((e) => e.textContent)).toEqual(['Alice', 'Bob']);
    expect(screen.getByText('(edited)')).toBeTruthy();
    expect(screen.getByTestId('comment-unacked').textContent).toBe('sending…');
  });

  it('shows a former member (an empty name from the server) as "former member", never a blank', () => {
    const former = { id: 'u-gone', name: '' };
    render(() => (
      <ThreadPanel
        discussion={{
          ...discussion,
          comments: [{ ...discussion.comments[0]!, author: former }, discussion.comments[1]!],
        }}
        me={bob}
        role="member"
        placement={null}
        unacked={new Set()}
        onReply={() => {}}
        onEdit={() => {}}
        onDeleteComment={() => {}}
        onDeleteDiscussion={() => {}}
        onClose={() => {}}
      />
    ));
    expect(screen.getAllByTestId('comment-author').map((e) => e.textContent)).toEqual([
      'former member',
      'Bob',
    ]);
  });

  it('offers edit and delete only on your own comments, and no discussion delete to others', () => {
    renderPanel(bob);
    const comments = screen.getAllByTestId('comment');
    expect(comments[0]!.querySelector('[data-testid="edit-comment"]')).toBeNull();
    expect(comments[1]!.querySelector('[data-testid="edit-comment"]')).not.toBeNull();
    expect(screen.queryByTestId('delete-discussion')).toBeNull();
  });

  it('lets the creator and an admin delete the discussion', () => {
    const calls = renderPanel(alice);
    fireEvent.click(screen.getByTestId('delete-discussion'));
    expect(calls).toEqual(['delete-chat']);
  });

  it('lets an admin delete a discussion someone else started', () => {
    renderPanel({ id: 'u-admin', name: 'Admin' }, 'admin');
    expect(screen.getByTestId('delete-discussion')).toBeTruthy();
  });

  it('offers an admin Delete on everyone’s comments, as the server allows, and Edit on none of theirs', () => {
    const calls = renderPanel({ id: 'u-admin', name: 'Admin' }, 'admin');
    const comments = screen.getAllByTestId('comment');
    for (const c of comments) {
      expect(c.querySelector('[data-testid="delete-comment"]')).not.toBeNull();
      expect(c.querySelector('[data-testid="edit-comment"]')).toBeNull();
    }
    fireEvent.click(comments[0]!.querySelector('[data-testid="delete-comment"]')!);
    expect(calls).toEqual(['delete:comment-1']);
  });

  it('offers a member Delete on their own comments only', () => {
    renderPanel(bob);
    const comments = screen.getAllByTestId('comment');
    expect(comments[0]!.querySelector('[data-testid="delete-comment"]')).toBeNull();
    expect(comments[1]!.querySelector('[data-testid="delete-comment"]')).not.toBeNull();
  });

  it('sends a reply and an edit', async () => {
    const calls = renderPanel(bob);
    const input = screen.getByTestId('reply-input') as HTMLTextAreaElement;
    fireEvent.input(input, { target: { value: 'my answer' } });
    fireEvent.click(screen.getByTestId('reply-submit'));
    fireEvent.click(screen.getByTestId('edit-comment'));
    const edit = screen.getByTestId('edit-input') as HTMLTextAreaElement;
    expect(edit.value).toBe('a reply');
    fireEvent.input(edit, { target: { value: 'better reply' } });
    fireEvent.click(screen.getByTestId('edit-save'));
    expect(calls).toEqual(['reply:my answer', 'edit:comment-2:better reply']);
  });

  it('says when the quoted text is no longer on the page, or has changed, beside the quote', () => {
    renderPanel(bob, 'member', 'orphan');
    expect(screen.getByTestId('thread-placement').textContent).toBe(
      'The quoted text is no longer on this page.',
    );
    expect(screen.getByTestId('thread-quote').textContent).toBe('the quote');
    cleanup();
    renderPanel(bob, 'member', 'changed');
    expect(screen.getByTestId('thread-placement').textContent).toBe(
      'The quoted text has changed since this discussion started.',
    );
    cleanup();
    renderPanel();
    expect(screen.queryByTestId('thread-placement')).toBeNull();
  });

  it('brings back an unsent reply and edit, and keeps an edit whose comment was deleted', async () => {
    const drafts = createDraftBook({
      store: memoryDraftStore({
        [replyDraftKey(discussion.id)]: { text: 'half a reply', at: Date.now() },
        [editDraftKey(discussion.id, 'comment-2')]: { text: 'a better reply', at: Date.now() },
        [editDraftKey(discussion.id, 'comment-gone')]: { text: 'words of a deleted comment', at: Date.now() },
      }),
    });
    await drafts.loaded;
    const calls: string[] = [];
    render(() => (
      <ThreadPanel
        discussion={discussion}
        me={bob}
        role="member"
        unacked={new Set()}
        drafts={drafts}
        onReply={(text) => void calls.push(`reply:${text}`)}
        onEdit={() => {}}
        onDeleteComment={() => {}}
        onDeleteDiscussion={() => {}}
        onClose={() => {}}
      />
    ));
    expect((screen.getByTestId('reply-input') as HTMLTextAreaElement).value).toBe('half a reply');
    await vi.waitFor(() =>
      expect((screen.getByTestId('edit-input') as HTMLTextAreaElement).value).toBe('a better reply'),
    );
    const lost = screen.getByTestId('lost-edit');
    expect(lost.textContent).toContain('The comment you were editing was deleted.');
    expect((screen.getByTestId('lost-edit-text') as HTMLTextAreaElement).value).toBe(
      'words of a deleted comment',
    );
    fireEvent.click(screen.getByTestId('lost-edit-post'));
    expect(calls).toEqual(['reply:words of a deleted comment']);
    await vi.waitFor(() => expect(screen.queryByTestId('lost-edit')).toBeNull());
  });
});

afterEach(cleanup);

describe('ThreadPanel: writes not sent', () => {
  function renderMarked(state: 'waiting' | 'held' | 'failed', canResend: boolean, tokenRefused = false) {
    const calls: string[] = [];
    render(() => (
      <ThreadPanel
        discussion={discussion}
        me={bob}
        role="member"
        unacked={new Set(['comment-2'])}
        marks={{
          'comment-2': {
            state,
            broadcastId: 'b-2',
            text: 'a reply',
            ...(state !== 'waiting' && { reason: 'your token no longer works' }),
          },
        }}
        canResend={canResend}
        tokenRefused={tokenRefused}
        onDiscard={(id) => calls.push(`discard:${id}`)}
        onResend={(id) => calls.push(`resend:${id}`)}
        onOpenOptions={() => calls.push('options')}
        onReply={() => {}}
        onEdit={() => {}}
        onDeleteComment={() => {}}
        onDeleteDiscussion={() => {}}
        onClose={() => {}}
      />
    ));
    return calls;
  }

  it('says a queued comment waits, and keeps its own actions', () => {
    renderMarked('waiting', false);
    expect(screen.getByTestId('comment-unacked').textContent).toBe('Waiting to send');
    expect(screen.queryByTestId('comment-unsent')).toBeNull();
    expect(screen.getAllByTestId('edit-comment')).toHaveLength(1);
  });

  it('says why a held comment was not sent, offers copy and discard, and send again once it can', () => {
    const calls = renderMarked('held', true, true);
    expect(screen.getByTestId('unsent-reason').textContent).toBe('Not sent: your token no longer works.');
    expect(screen.queryByTestId('comment-unacked')).toBeNull();
    // Edit and delete would make more writes that cannot go: the unsent actions replace them.
    expect(screen.queryByTestId('edit-comment')).toBeNull();
    expect(screen.getByTestId('copy-unsent')).toBeTruthy();
    fireEvent.click(screen.getByTestId('resend-unsent'));
    fireEvent.click(screen.getByTestId('discard-unsent'));
    expect(screen.getByTestId('thread-token-refused').textContent).toMatch(/^Your token no longer works/);
    fireEvent.click(screen.getByTestId('thread-open-options'));
    expect(calls).toEqual(['resend:b-2', 'discard:b-2', 'options']);
  });

  it('offers no send again for a write refused for good', () => {
    renderMarked('failed', true);
    expect(screen.queryByTestId('resend-unsent')).toBeNull();
    expect(screen.getByTestId('discard-unsent')).toBeTruthy();
    expect(screen.queryByTestId('thread-token-refused')).toBeNull();
  });

  it('resolves and reopens for any member, and says who resolved it and when', () => {
    const resolves: boolean[] = [];
    const [current, setCurrent] = createSignal<DiscussionT>(discussion);
    render(() => (
      <ThreadPanel
        discussion={current()}
        me={bob}
        role="member"
        unacked={new Set()}
        onResolve={(r) => resolves.push(r)}
        onReply={() => {}}
        onEdit={() => {}}
        onDeleteComment={() => {}}
        onDeleteDiscussion={() => {}}
        onClose={() => {}}
      />
    ));
    expect(screen.queryByTestId('thread-resolved')).toBeNull();
    fireEvent.click(screen.getByTestId('resolve-discussion'));
    expect(resolves).toEqual([true]);
    setCurrent({ ...discussion, resolved: { by: alice, at: Date.now() - 3 * 60_000 } });
    expect(screen.getByTestId('thread-resolved').textContent).toBe(
      'Resolved by \u2068Alice\u2069, 3 minutes ago',
    );
    expect(screen.queryByTestId('resolve-discussion')).toBeNull();
    fireEvent.click(screen.getByTestId('reopen-discussion'));
    expect(resolves).toEqual([true, false]);
  });

  it('shows mentions as current names, text only, removed and unknown people in words', () => {
    const mentioning: DiscussionT = {
      ...discussion,
      comments: [
        {
          id: 'comment-9',
          author: alice,
          text: '@[u-bob] and @[u-carla] and @[u-nobody] <b>x</b>',
          at: 1_700_000_000_000,
        },
      ],
    };
    const [members, setMembers] = createSignal<{ id: string; name: string; removed?: true }[] | null>(null);
    render(() => (
      <ThreadPanel
        discussion={mentioning}
        me={alice}
        role="member"
        unacked={new Set()}
        members={members()}
        onReply={() => {}}
        onEdit={() => {}}
        onDeleteComment={() => {}}
        onDeleteDiscussion={() => {}}
        onClose={() => {}}
      />
    ));
    const text = () => screen.getByTestId('comment-text');
    // Not listed yet: nobody is called unknown.
    expect(text().textContent).toBe('@… and @… and @… <b>x</b>');
    setMembers([
      { id: 'u-alice', name: 'Alice' },
      { id: 'u-bob', name: 'Bobby' },
      { id: 'u-carla', name: 'Carla', removed: true },
    ]);
    expect(text().textContent).toBe('@Bobby and @Carla and @unknown member <b>x</b>');
    expect(text().querySelector('b')).toBeNull();
    const mentions = screen.getAllByTestId('mention');
    expect(mentions.map((m) => m.getAttribute('data-user-id'))).toEqual(['u-bob', 'u-carla', null]);
    expect(mentions[1]!.getAttribute('title')).toBe('No longer in the team');
  });

  it('edits a comment with mentions shown as names, and saves their tokens', () => {
    const calls: string[] = [];
    const own: DiscussionT = {
      ...discussion,
      comments: [{ id: 'comment-7', author: bob, text: 'ask @[u-alice]', at: 1_700_000_000_000 }],
    };
    render(() => (
      <ThreadPanel
        discussion={own}
        me={bob}
        role="member"
        unacked={new Set()}
        members={[alice, bob]}
        onReply={(t) => void calls.push(`reply:${t}`)}
        onEdit={(id, t) => void calls.push(`edit:${id}:${t}`)}
        onDeleteComment={() => {}}
        onDeleteDiscussion={() => {}}
        onClose={() => {}}
      />
    ));
    fireEvent.click(screen.getByTestId('edit-comment'));
    const field = screen.getByTestId('edit-input') as HTMLTextAreaElement;
    expect(field.value).toBe('ask @Alice');
    fireEvent.input(field, { target: { value: 'ask @Alice today' } });
    fireEvent.click(screen.getByTestId('edit-save'));
    expect(calls).toEqual(['edit:comment-7:ask @[u-alice] today']);
    fireEvent.input(screen.getByTestId('reply-input'), { target: { value: '@Alice done' } });
    fireEvent.click(screen.getByTestId('reply-submit'));
    expect(calls).toEqual(['edit:comment-7:ask @[u-alice] today', 'reply:@[u-alice] done']);
  });

  it('keeps a scrolling list that holds the focus focusable until the focus leaves it', async () => {
    const [shown, setShown] = createSignal(discussion);
    render(() => (
      <ThreadPanel
        discussion={shown()}
        me={bob}
        role="member"
        placement={null}
        unacked={new Set()}
        onReply={() => undefined}
        onEdit={() => undefined}
        onDeleteComment={() => undefined}
        onDeleteDiscussion={() => undefined}
        onClose={() => undefined}
      />
    ));
    const list = screen.getByTestId('thread-comments');
    let scrollHeight = 500;
    Object.defineProperty(list, 'scrollHeight', { get: () => scrollHeight });
    Object.defineProperty(list, 'clientHeight', { get: () => 100 });
    const comment = (n: number) => ({ id: `comment-${n}`, author: alice, text: `more ${n}`, at: n });
    setShown({ ...discussion, comments: [...discussion.comments, comment(3)] });
    await vi.waitFor(() => expect(list.getAttribute('tabindex')).toBe('0'));
    list.focus();
    expect(document.activeElement).toBe(list);
    // The frame grew to fit: the list no longer scrolls, but it holds the focus.
    scrollHeight = 100;
    const measured = new Promise((resolve) =>
      new MutationObserver(resolve).observe(list, { childList: true }),
    );
    list.append(document.createComment('a change the list watches'));
    await measured;
    expect(list.getAttribute('tabindex')).toBe('0');
    expect(document.activeElement).toBe(list);
    screen.getByTestId('reply-input').focus();
    await vi.waitFor(() => expect(list.getAttribute('tabindex')).toBeNull());
  });
});
