// One discussion: its quote and comments (author, time), reply, edit of one's own comments, delete of
// one's own (and, for an admin, anyone's) comments, and deleting the discussion for its creator or an
// admin, as the server allows. Comment text is rendered as text only. The reply and edit boxes are
// drafts (`lib/drafts`): they come back when the thread is opened again, and an edit whose comment
// was deleted meanwhile is kept, with ways to copy it, post it as a reply or discard it.
// However long the thread, its heading, quote and close button stay at the top and the reply box at
// the bottom: only the comments scroll.
// When it opens (or shows another discussion) its heading, which names the discussion, takes the
// focus; buttons say whose comment they act on.
// Any member resolves or reopens it; a resolved one says by whom and when. Mentions (`@[user-id]`)
// show as the member's current name; the reply and edit boxes suggest members after `@`.
import { shownName } from '@/lib/people';
import {
  createEffect,
  createMemo,
  createSignal,
  createUniqueId,
  For,
  on,
  onCleanup,
  onMount,
  Show,
} from 'solid-js';
import { i18n } from '#i18n';
import { createDraftBook, memoryDraftStore, type DraftBook } from '@/lib/frame/drafts';
import { isolate } from '@/lib/bidi';
import { editDraftKey, editDraftsOf, replyDraftKey } from '@/lib/drafts';
import { toDisplay, toStored, type Member } from '@/lib/mentions';
import { clock, exactTime, relativeTime } from '@/lib/time';
import type { CommentT, DiscussionT, PersonT, RoleT } from '@/lib/protocol';
import { LIMITS } from '@/lib/protocol/limits';
import { CommentText } from './CommentText';
import { CopyButton } from './CopyButton';
import { MentionField } from './MentionField';
import type { UnackedMark } from '@/lib/frame/model';
import { isSendKey, SEND_SHORTCUTS, sendHint } from './send-key';
import { RelativeTime } from './RelativeTime';
import { WriteMark } from './WriteMark';

export interface ThreadPanelProps {
  discussion: DiscussionT;
  me: PersonT | null;
  role: RoleT | null;
  /** Ids of comments (and the discussion) whose write the server has not acknowledged (unacked). */
  unacked: ReadonlySet<string>;
  /** Where each of those stands (sending, waiting, held, failed); without it they read "sending…". */
  marks?: Readonly<Record<string, UnackedMark>>;
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
  onDeleteDiscussion(): void;
  onClose(): void;
  /** The person's unsent text (in memory when absent). */
  drafts?: DraftBook;
  /** Ids of comments (and the discussion) deleted here and waiting out their undo window. */
  deleting?: ReadonlySet<string>;
  /** The team's members (null until listed): mentions are shown and suggested from them. */
  members?: readonly Member[] | null;
  /** The members are wanted (the person typed `@`). */
  onWantMembers?(): void;
  /** Resolves (`true`) or reopens (`false`) the discussion; absent: not offered. */
  onResolve?(resolved: boolean): void;
  /** The link to this discussion (lib/links), offered by "Copy link". */
  link?: string;
}

function quoteOf(discussion: DiscussionT): string {
  const q = discussion.selectors.find((s) => s.type === 'TextQuoteSelector');
  return q?.type === 'TextQuoteSelector' ? q.exact : '';
}

export function canDeleteDiscussion(
  discussion: DiscussionT,
  me: PersonT | null,
  role: RoleT | null,
): boolean {
  if (!me) return false;
  return role === 'admin' || discussion.comments[0]?.author.id === me.id;
}

/** The server lets a comment's author and an admin delete it. */
export function canDeleteComment(comment: CommentT, me: PersonT | null, role: RoleT | null): boolean {
  if (!me) return false;
  return role === 'admin' || comment.author.id === me.id;
}

export function ThreadPanel(props: ThreadPanelProps) {
  // The panel lives as long as the frame's drafts do: the book is read once.
  const book = props.drafts ?? createDraftBook({ store: memoryDraftStore() });
  const reply = () => book.text(replyDraftKey(props.discussion.id));
  const setReply = (text: string) => book.set(replyDraftKey(props.discussion.id), text);
  const [editing, setEditing] = createSignal<string | null>(null);
  const [draft, setDraft] = createSignal('');
  const mine = (c: CommentT) => props.me !== null && c.author.id === props.me.id;
  const deleting = (commentId: string) => props.deleting?.has(commentId) ?? false;
  const markOf = (id: string) => props.marks?.[id];
  /** A comment whose write will not go by itself: its own actions replace Edit and Delete. */
  const unsent = (id: string) => {
    const state = markOf(id)?.state;
    return state === 'held' || state === 'failed';
  };
  const id = createUniqueId();
  const memberMap = createMemo(() => new Map((props.members ?? []).map((m) => [m.id, m])));
  /** Members picked in the reply and edit boxes: which of two people of one name was meant. */
  let replyPicks: Member[] = [];
  let editPicks: Member[] = [];
  const stored = (text: string, picks: Member[]) => toStored(text, props.members ?? [], picks);
  /** A comment's text as its edit box shows it (mentions as `@Name`). */
  const editable = (comment: CommentT) => toDisplay(comment.text, memberMap());
  const now = clock();
  let panel: HTMLElement | undefined;
  let heading: HTMLHeadingElement | undefined;
  /** Edits of comments that were deleted (by someone else) while unsent: comment id → key. */
  const lostEdits = createMemo(() =>
    [...editDraftsOf(book.all(), props.discussion.id)].filter(
      ([commentId]) => !props.discussion.comments.some((c) => c.id === commentId),
    ),
  );
  let comments: HTMLOListElement | undefined;
  const [overflowing, setOverflowing] = createSignal(false);
  onMount(() => {
    // While the frame grows to a thread just opened, the list overflows for a moment. A list that
    // holds the focus stays focusable until the focus leaves it: taking the tab stop away from the
    // focused element would drop the person's focus to nowhere.
    const measure = () => {
      if (!comments) return;
      const overflows = comments.scrollHeight > comments.clientHeight + 1;
      if (overflows || document.activeElement !== comments) setOverflowing(overflows);
    };
    const observer = new ResizeObserver(measure);
    observer.observe(comments!);
    const changes = new MutationObserver(measure);
    changes.observe(comments!, { childList: true, subtree: true, characterData: true });
    comments!.addEventListener('blur', measure);
    onCleanup(() => {
      observer.disconnect();
      changes.disconnect();
      comments?.removeEventListener('blur', measure);
    });
  });
  createEffect(
    on(
      () => props.discussion.id,
      (discussionId) => {
        setEditing(null);
        queueMicrotask(() => heading?.focus());
        // An edit left unsent is open again as it was left.
        void book.loaded.then(() => {
          if (props.discussion.id !== discussionId || editing() !== null) return;
          for (const [commentId, key] of editDraftsOf(book.all(), discussionId)) {
            const comment = props.discussion.comments.find((c) => c.id === commentId);
            if (comment && mine(comment)) {
              setDraft(book.text(key));
              setEditing(commentId);
              return;
            }
          }
        });
      },
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
  const who = (c: CommentT) => isolate(shownName(c.author.name));
  const sendReply = (event: Event) => {
    event.preventDefault();
    if (!reply().trim()) return;
    if (props.onReply(stored(reply(), replyPicks)) !== false) {
      replyPicks = [];
      void book.clear(replyDraftKey(props.discussion.id));
    }
  };
  const saveEdit = (event: Event, commentId: string) => {
    event.preventDefault();
    if (!draft().trim()) return;
    if (props.onEdit(commentId, stored(draft(), editPicks)) !== false) {
      void book.clear(editDraftKey(props.discussion.id, commentId));
      setEditing(null);
      focusEditButton(commentId);
    }
  };
  const cancelEdit = (commentId: string) => {
    void book.clear(editDraftKey(props.discussion.id, commentId));
    setEditing(null);
    focusEditButton(commentId);
  };
  const shortQuote = () => {
    const q = quoteOf(props.discussion);
    return q.length > 60 ? `${q.slice(0, 57)}…` : q;
  };
  return (
    <section
      ref={panel}
      class="cc-panel cc-thread"
      data-testid="thread"
      data-discussion-id={props.discussion.id}
      data-deleting={deleting(props.discussion.id) ? 'true' : undefined}
      aria-labelledby={`${id}-title`}
    >
      <header class="cc-thread-head">
        <div class="cc-thread-title">
          <h2 ref={heading} id={`${id}-title`} tabindex="-1" data-testid="thread-title">
            <span class="cc-sr-only">{i18n.t('discussionLabel', [isolate(shortQuote())])}. </span>
            {i18n.t('startedBy', [
              isolate(shownName(props.discussion.comments[0]?.author.name ?? '')),
            ])} · {i18n.t('commentCount', props.discussion.comments.length)}
          </h2>
          <blockquote class="cc-quote" dir="auto" data-testid="thread-quote">
            {quoteOf(props.discussion)}
          </blockquote>
        </div>
        <Show when={props.link}>
          {(link) => (
            <CopyButton
              text={link}
              field={() => undefined}
              testId="thread-copy-link"
              words={{
                label: i18n.t('copyLink'),
                copied: i18n.t('linkCopied'),
                failed: i18n.t('linkCopyFailed'),
              }}
            />
          )}
        </Show>
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
      <Show when={props.discussion.resolved}>
        {(resolved) => (
          <p class="cc-resolution" data-testid="thread-resolved">
            <time dateTime={new Date(resolved().at).toISOString()} title={exactTime(resolved().at)}>
              {i18n.t('resolvedBy', [
                isolate(shownName(resolved().by.name)),
                relativeTime(resolved().at, now()),
              ])}
            </time>
          </p>
        )}
      </Show>
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
      <Show when={deleting(props.discussion.id)}>
        <p class="cc-muted cc-deleting-note" role="status" data-testid="thread-deleting">
          {i18n.t('discussionUndoableDeletion')}
        </p>
      </Show>
      <ol
        ref={comments}
        class="cc-comments cc-scroll"
        data-testid="thread-comments"
        aria-label={i18n.t('commentsLabel')}
        // A list that scrolls is reachable with the keyboard, to scroll it; one that fits is not.
        tabindex={overflowing() ? 0 : undefined}
      >
        <For each={props.discussion.comments}>
          {(comment) => (
            <li
              class="cc-comment"
              classList={{ 'cc-deleting': deleting(comment.id) }}
              data-testid="comment"
              data-comment-id={comment.id}
              data-deleting={deleting(comment.id) ? 'true' : undefined}
            >
              <div class="cc-meta">
                <strong data-testid="comment-author">
                  <bdi>{shownName(comment.author.name)}</bdi>
                </strong>{' '}
                <RelativeTime at={comment.at} testId="comment-time" />
                <Show when={comment.editedAt !== undefined}>
                  {' '}
                  <span class="cc-muted">{i18n.t('edited')}</span>
                </Show>
                <Show when={deleting(comment.id)}>
                  {' '}
                  <span class="cc-muted" data-testid="comment-deleting">
                    {i18n.t('undoableDeletion')}
                  </span>
                </Show>
                <Show when={props.unacked.has(comment.id) && !unsent(comment.id)}>
                  {' '}
                  <Show
                    when={markOf(comment.id)}
                    fallback={
                      <span class="cc-muted" data-testid="comment-unacked">
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
                    <CommentText text={comment.text} members={memberMap()} loading={props.members == null} />
                  </p>
                }
              >
                <form onSubmit={(e) => saveEdit(e, comment.id)}>
                  <MentionField
                    testId="edit-input"
                    label={i18n.t('editFieldLabel', [who(comment)])}
                    describedBy={`${id}-edit-hint`}
                    ref={(el) => queueMicrotask(() => el.focus())}
                    maxLength={LIMITS.commentChars}
                    value={draft()}
                    members={props.members ?? null}
                    me={props.me?.id ?? null}
                    onWantMembers={() => props.onWantMembers?.()}
                    onPick={(m) => (editPicks = [...editPicks, m])}
                    onInput={(text) => {
                      setDraft(text);
                      // Kept while it differs from what is posted.
                      book.set(
                        editDraftKey(props.discussion.id, comment.id),
                        text === editable(comment).text ? '' : text,
                      );
                    }}
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
              <Show
                when={
                  canDeleteComment(comment, props.me, props.role) &&
                  editing() !== comment.id &&
                  !deleting(comment.id) &&
                  !unsent(comment.id)
                }
              >
                <div class="cc-actions cc-small">
                  <Show when={mine(comment)}>
                    <button
                      type="button"
                      data-testid="edit-comment"
                      aria-label={i18n.t('editCommentOf', [who(comment)])}
                      onClick={() => {
                        const shown = editable(comment);
                        editPicks = shown.picked;
                        setDraft(book.text(editDraftKey(props.discussion.id, comment.id)) || shown.text);
                        setEditing(comment.id);
                      }}
                    >
                      {i18n.t('edit')}
                    </button>
                  </Show>
                  <button
                    type="button"
                    data-testid="delete-comment"
                    aria-label={i18n.t('deleteCommentOf', [who(comment)])}
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
      <For each={lostEdits()}>
        {([commentId, key]) => {
          let field: HTMLTextAreaElement | undefined;
          return (
            <div class="cc-lost" role="group" data-testid="lost-edit" data-comment-id={commentId}>
              <p role="alert">
                <strong>{i18n.t('lostEditTitle')}</strong> {i18n.t('lostEditExplain')}
              </p>
              <textarea
                ref={field}
                data-testid="lost-edit-text"
                dir="auto"
                aria-label={i18n.t('lostFieldLabel')}
                maxLength={LIMITS.commentChars}
                value={book.text(key)}
                onInput={(e) => book.set(key, e.currentTarget.value)}
              />
              <div class="cc-actions">
                <CopyButton text={() => book.text(key)} field={() => field} testId="lost-edit-copy" />
                <button type="button" data-testid="lost-edit-discard" onClick={() => void book.clear(key)}>
                  {i18n.t('discard')}
                </button>
                <button
                  type="button"
                  class="cc-primary"
                  data-testid="lost-edit-post"
                  onClick={() => {
                    if (props.onReply(stored(book.text(key), [])) !== false) void book.clear(key);
                  }}
                >
                  {i18n.t('postAsReply')}
                </button>
              </div>
            </div>
          );
        }}
      </For>
      <form class="cc-reply" onSubmit={sendReply}>
        <MentionField
          testId="reply-input"
          label={i18n.t('replyFieldLabel', [isolate(shortQuote())])}
          describedBy={`${id}-reply-hint`}
          placeholder={i18n.t('replyPlaceholder')}
          maxLength={LIMITS.commentChars}
          value={reply()}
          members={props.members ?? null}
          me={props.me?.id ?? null}
          onWantMembers={() => props.onWantMembers?.()}
          onPick={(m) => (replyPicks = [...replyPicks, m])}
          onInput={(text) => setReply(text)}
          onKeyDown={(e) => {
            if (isSendKey(e)) sendReply(e);
          }}
        />
        <p class="cc-hint" id={`${id}-reply-hint`} data-testid="reply-hint">
          {sendHint('reply')}
        </p>
        <div class="cc-actions">
          <Show
            when={
              canDeleteDiscussion(props.discussion, props.me, props.role) && !deleting(props.discussion.id)
            }
          >
            <button
              type="button"
              class="cc-danger"
              data-testid="delete-discussion"
              aria-label={i18n.t('deleteDiscussionOf', [isolate(shortQuote())])}
              onClick={() => props.onDeleteDiscussion()}
            >
              {i18n.t('deleteDiscussion')}
            </button>
          </Show>
          <Show when={props.onResolve && !deleting(props.discussion.id)}>
            <button
              type="button"
              data-testid={props.discussion.resolved ? 'reopen-discussion' : 'resolve-discussion'}
              onClick={() => props.onResolve?.(!props.discussion.resolved)}
            >
              {props.discussion.resolved ? i18n.t('reopen') : i18n.t('resolve')}
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
