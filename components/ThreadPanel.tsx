// One discussion: its quote and comments (author, time), reply, edit and delete of one's own comments,
// and deleting the discussion for its creator or an admin. Comment text is rendered as text only.
import { createSignal, For, Show } from 'solid-js';
import { i18n } from '#i18n';
import { isolate } from '@/lib/bidi';
import type { CommentT, DiscussionT, PersonT, RoleT } from '@/lib/protocol';
import { LIMITS } from '@/lib/protocol/limits';

export interface ThreadPanelProps {
  chat: DiscussionT;
  me: PersonT | null;
  role: RoleT | null;
  /** Ids of comments (and the discussion) still waiting for the server. */
  pending: ReadonlySet<string>;
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
  const sendReply = (event: Event) => {
    event.preventDefault();
    if (!reply().trim()) return;
    if (props.onReply(reply()) !== false) setReply('');
  };
  const saveEdit = (event: Event, commentId: string) => {
    event.preventDefault();
    if (!draft().trim()) return;
    if (props.onEdit(commentId, draft()) !== false) setEditing(null);
  };
  const shortQuote = () => {
    const q = quoteOf(props.chat);
    return q.length > 60 ? `${q.slice(0, 57)}…` : q;
  };
  return (
    <section
      class="cc-panel cc-thread"
      data-testid="thread"
      data-chat-id={props.chat.id}
      aria-label={i18n.t('discussionLabel', [isolate(shortQuote())])}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && editing() === null) props.onClose();
      }}
    >
      <header class="cc-thread-head">
        <blockquote class="cc-quote" dir="auto" data-testid="thread-quote">
          {quoteOf(props.chat)}
        </blockquote>
        <button
          type="button"
          class="cc-icon"
          data-testid="thread-close"
          aria-label={i18n.t('close')}
          title={i18n.t('close')}
          onClick={() => props.onClose()}
        >
          ×
        </button>
      </header>
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
                <Show when={props.pending.has(comment.id)}>
                  {' '}
                  <span class="cc-muted" data-testid="comment-pending">
                    {i18n.t('sending')}
                  </span>
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
                    ref={(el) => queueMicrotask(() => el.focus())}
                    maxLength={LIMITS.commentChars}
                    value={draft()}
                    onInput={(e) => setDraft(e.currentTarget.value)}
                    onKeyDown={(e) => {
                      if (e.key === 'Escape') setEditing(null);
                    }}
                  />
                  <div class="cc-actions">
                    <button type="button" onClick={() => setEditing(null)}>
                      {i18n.t('cancel')}
                    </button>
                    <button type="submit" class="cc-primary" data-testid="edit-save">
                      {i18n.t('save')}
                    </button>
                  </div>
                </form>
              </Show>
              <Show when={mine(comment) && editing() !== comment.id}>
                <div class="cc-actions cc-small">
                  <button
                    type="button"
                    data-testid="edit-comment"
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
                    onClick={() => props.onDeleteComment(comment.id)}
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
          aria-label={i18n.t('replyPlaceholder')}
          placeholder={i18n.t('replyPlaceholder')}
          maxLength={LIMITS.commentChars}
          value={reply()}
          onInput={(e) => setReply(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) sendReply(e);
          }}
        />
        <div class="cc-actions">
          <Show when={canDeleteChat(props.chat, props.me, props.role)}>
            <button
              type="button"
              class="cc-danger"
              data-testid="delete-discussion"
              onClick={() => props.onDeleteChat()}
            >
              {i18n.t('deleteDiscussion')}
            </button>
          </Show>
          <button type="submit" class="cc-primary" data-testid="reply-submit" disabled={!reply().trim()}>
            {i18n.t('reply')}
          </button>
        </div>
      </form>
    </section>
  );
}
