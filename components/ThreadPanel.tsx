// One discussion: its quote and comments (author, time), reply, edit and delete of one's own comments,
// and deleting the discussion for its creator or an admin. Comment text is rendered as text only.
// When it opens (or shows another discussion) its heading, which names the discussion, takes the
// focus; buttons say whose comment they act on.
import { createEffect, createSignal, createUniqueId, For, on, Show } from 'solid-js';
import { i18n } from '#i18n';
import { isolate } from '@/lib/bidi';
import type { CommentT, DiscussionT, PersonT, RoleT } from '@/lib/protocol';
import { LIMITS } from '@/lib/protocol/limits';
import type { PendingMark } from '@/entrypoints/frame/model';
import { isSendKey, SEND_SHORTCUTS, sendHint } from './send-key';
import { WriteMark } from './WriteMark';

export interface ThreadPanelProps {
  chat: DiscussionT;
  me: PersonT | null;
  role: RoleT | null;
  /** Ids of comments (and the discussion) still waiting for the server. */
  pending: ReadonlySet<string>;
  /** Where each of those stands (sending, waiting, held, failed); without it they read "sending…". */
  marks?: Readonly<Record<string, PendingMark>>;
  /** A held write can be sent again now. */
  canResend?: boolean;
  /** The server refused the token: the thread says so, and how to get a working one. */
  tokenRefused?: boolean;
  onDiscard?(broadcastId: string): void;
  onResend?(broadcastId: string): void;
  onOpenOptions?(): void;
  /** The page no longer holds the quoted text ('orphan'), or holds it edited ('changed'). */
  placement?: 'orphan' | 'changed' | null;
  /** Return false when the text was not taken: it then stays in the field. */
  onReply(text: string): boolean | void;
  onEdit(commentId: string, text: string): boolean | void;
  onDeleteComment(commentId: string): void;
  onDeleteChat(): void;
  onClose(): void;
}

function quoteOf(chat: DiscussionT): string {
  const q = chat.selectors.find((s) => s.type === 'TextQuoteSelector');
  return q?.type === 'TextQuoteSelector' ? q.exact : '';
}

export function canDeleteChat(chat: DiscussionT, me: PersonT | null, role: RoleT | null): boolean {
  if (!me) return false;
  return role === 'admin' || chat.comments[0]?.author.id === me.id;
}

export function ThreadPanel(props: ThreadPanelProps) {
  const [reply, setReply] = createSignal('');
  const [editing, setEditing] = createSignal<string | null>(null);
  const [draft, setDraft] = createSignal('');
  const mine = (c: CommentT) => props.me !== null && c.author.id === props.me.id;
  const markOf = (id: string) => props.marks?.[id];
  /** A comment whose write will not go by itself: its own actions replace Edit and Delete. */
  const unsent = (id: string) => {
    const state = markOf(id)?.state;
    return state === 'held' || state === 'failed';
  };
  const id = createUniqueId();
  let panel: HTMLElement | undefined;
  let heading: HTMLHeadingElement | undefined;
  createEffect(
    on(
      () => props.chat.id,
      () => queueMicrotask(() => heading?.focus()),
    ),
  );
  /** Back to the Edit button of a comment once its edit is over (the field is gone). */
  const focusEditButton = (commentId: string) =>
    queueMicrotask(() =>
      panel
        ?.querySelector<HTMLElement>(
          `[data-comment-id="${CSS.escape(commentId)}"] [data-testid="edit-comment"]`,
        )
        ?.focus(),
    );
  const who = (c: CommentT) => isolate(c.author.name);
  const sendReply = (event: Event) => {
    event.preventDefault();
    if (!reply().trim()) return;
    if (props.onReply(reply()) !== false) setReply('');
  };
  const saveEdit = (event: Event, commentId: string) => {
    event.preventDefault();
    if (!draft().trim()) return;
    if (props.onEdit(commentId, draft()) !== false) {
      setEditing(null);
      focusEditButton(commentId);
    }
  };
  const cancelEdit = (commentId: string) => {
    setEditing(null);
    focusEditButton(commentId);
  };
  const shortQuote = () => {
    const q = quoteOf(props.chat);
    return q.length > 60 ? `${q.slice(0, 57)}…` : q;
  };
  return (
    <section
      ref={panel}
      class="cc-panel cc-thread"
      data-testid="thread"
      data-chat-id={props.chat.id}
      aria-labelledby={`${id}-title`}
    >
      <header class="cc-thread-head">
        <div class="cc-thread-title">
          <h2 ref={heading} id={`${id}-title`} tabindex="-1" data-testid="thread-title">
            <span class="cc-sr-only">{i18n.t('discussionLabel', [isolate(shortQuote())])}. </span>
            {i18n.t('startedBy', [isolate(props.chat.comments[0]?.author.name ?? '')])} ·{' '}
            {i18n.t('commentCount', props.chat.comments.length)}
          </h2>
          <blockquote class="cc-quote" dir="auto" data-testid="thread-quote">
            {quoteOf(props.chat)}
          </blockquote>
        </div>
        <button
          type="button"
          class="cc-icon"
          data-testid="thread-close"
          aria-label={i18n.t('closeDiscussion')}
          title={i18n.t('closeDiscussion')}
          onClick={() => props.onClose()}
        >
          <span aria-hidden="true">×</span>
        </button>
      </header>
      <Show when={props.tokenRefused}>
        <div class="cc-token-refused" role="alert" data-testid="thread-token-refused">
          <p>{i18n.t('tokenRefusedNotice')}</p>
          <button type="button" data-testid="thread-open-options" onClick={() => props.onOpenOptions?.()}>
            {i18n.t('openOptions')}
          </button>
        </div>
      </Show>
      <Show when={props.placement}>
        {(placement) => (
          <p
            class="cc-muted cc-placement"
            role="status"
            data-testid="thread-placement"
            data-placement={placement()}
          >
            {placement() === 'orphan' ? i18n.t('quoteOrphaned') : i18n.t('quoteChanged')}
          </p>
        )}
      </Show>
      <ol class="cc-comments">
        <For each={props.chat.comments}>
          {(comment) => (
            <li class="cc-comment" data-testid="comment" data-comment-id={comment.id}>
              <div class="cc-meta">
                <strong data-testid="comment-author">
                  <bdi>{comment.author.name}</bdi>
                </strong>{' '}
                <time dateTime={new Date(comment.at).toISOString()}>
                  {new Date(comment.at).toLocaleString()}
                </time>
                <Show when={comment.editedAt !== undefined}>
                  {' '}
                  <span class="cc-muted">{i18n.t('edited')}</span>
                </Show>
                <Show when={props.pending.has(comment.id) && !unsent(comment.id)}>
                  {' '}
                  <Show
                    when={markOf(comment.id)}
                    fallback={
                      <span class="cc-muted" data-testid="comment-pending">
                        {i18n.t('sending')}
                      </span>
                    }
                  >
                    {(mark) => (
                      <WriteMark mark={mark()} canResend={false} onDiscard={() => {}} onResend={() => {}} />
                    )}
                  </Show>
                </Show>
              </div>
              <Show
                when={editing() === comment.id}
                fallback={
                  <p class="cc-text" dir="auto" data-testid="comment-text">
                    {comment.text}
                  </p>
                }
              >
                <form onSubmit={(e) => saveEdit(e, comment.id)}>
                  <textarea
                    data-testid="edit-input"
                    dir="auto"
                    aria-label={i18n.t('editFieldLabel', [who(comment)])}
                    aria-describedby={`${id}-edit-hint`}
                    ref={(el) => queueMicrotask(() => el.focus())}
                    maxLength={LIMITS.commentChars}
                    value={draft()}
                    onInput={(e) => setDraft(e.currentTarget.value)}
                    onKeyDown={(e) => {
                      if (isSendKey(e)) saveEdit(e, comment.id);
                      // The edit is the innermost open thing: Escape ends it, not the thread.
                      if (e.key === 'Escape') {
                        e.preventDefault();
                        cancelEdit(comment.id);
                      }
                    }}
                  />
                  <p class="cc-hint" id={`${id}-edit-hint`}>
                    {sendHint('save')}
                  </p>
                  <div class="cc-actions">
                    <button type="button" data-testid="edit-cancel" onClick={() => cancelEdit(comment.id)}>
                      {i18n.t('cancel')}
                    </button>
                    <button
                      type="submit"
                      class="cc-primary"
                      data-testid="edit-save"
                      aria-keyshortcuts={SEND_SHORTCUTS}
                    >
                      {i18n.t('save')}
                    </button>
                  </div>
                </form>
              </Show>
              <Show when={unsent(comment.id) && markOf(comment.id)}>
                {(mark) => (
                  <WriteMark
                    mark={mark()}
                    canResend={props.canResend ?? false}
                    onDiscard={(id) => props.onDiscard?.(id)}
                    onResend={(id) => props.onResend?.(id)}
                  />
                )}
              </Show>
              <Show when={mine(comment) && editing() !== comment.id && !unsent(comment.id)}>
                <div class="cc-actions cc-small">
                  <button
                    type="button"
                    data-testid="edit-comment"
                    aria-label={i18n.t('editCommentOf', [who(comment)])}
                    onClick={() => {
                      setDraft(comment.text);
                      setEditing(comment.id);
                    }}
                  >
                    {i18n.t('edit')}
                  </button>
                  <button
                    type="button"
                    data-testid="delete-comment"
                    aria-label={i18n.t('deleteCommentOf', [who(comment)])}
                    onClick={() => {
                      props.onDeleteComment(comment.id);
                      queueMicrotask(() => heading?.focus());
                    }}
                  >
                    {i18n.t('delete')}
                  </button>
                </div>
              </Show>
            </li>
          )}
        </For>
      </ol>
      <form class="cc-reply" onSubmit={sendReply}>
        <textarea
          data-testid="reply-input"
          dir="auto"
          aria-label={i18n.t('replyFieldLabel', [isolate(shortQuote())])}
          aria-describedby={`${id}-reply-hint`}
          placeholder={i18n.t('replyPlaceholder')}
          maxLength={LIMITS.commentChars}
          value={reply()}
          onInput={(e) => setReply(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (isSendKey(e)) sendReply(e);
          }}
        />
        <p class="cc-hint" id={`${id}-reply-hint`} data-testid="reply-hint">
          {sendHint('reply')}
        </p>
        <div class="cc-actions">
          <Show when={canDeleteChat(props.chat, props.me, props.role)}>
            <button
              type="button"
              class="cc-danger"
              data-testid="delete-discussion"
              aria-label={i18n.t('deleteDiscussionOf', [isolate(shortQuote())])}
              onClick={() => props.onDeleteChat()}
            >
              {i18n.t('deleteDiscussion')}
            </button>
          </Show>
          <button
            type="submit"
            class="cc-primary"
            data-testid="reply-submit"
            aria-keyshortcuts={SEND_SHORTCUTS}
            disabled={!reply().trim()}
          >
            {i18n.t('reply')}
          </button>
        </div>
      </form>
    </section>
  );
}
