// The whole discussion UI of a tab, rendered in the discussion frame (an extension page framed into
// the tab, out of the page's reach): top bar, composer, thread panel, orphan list and notices.
// It owns the keyboard focus inside the frame: what opens takes the focus, and closing gives it back
// to what opened it (a control of the frame, or the page, through the background).
import { createMemo, For, onCleanup, onMount, Show } from 'solid-js';
import { i18n } from '#i18n';
import type { OverlayModel } from '@/lib/frame/model';
import type { DockSide, Theme } from '@/lib/storage';
import { Composer } from './Composer';
import { DiscussionList } from './DiscussionList';
import { LostDraftPanel } from './LostDraft';
import { ThreadPanel } from './ThreadPanel';
import { discussionLink, quoteOfSelectors } from '@/lib/links';
import type { DiscussionT } from '@/lib/protocol';
import { tokenRefused } from '@/lib/status-label';
import { TopBar } from './TopBar';
import { UndoBar } from './UndoBar';

export interface OverlayProps {
  model: OverlayModel;
  /** Discussions with comments of others the person has not seen (kept on this browser). */
  unread?: ReadonlySet<string>;
  theme: Theme;
  /** The side of the window the overlay keeps to (the content script places the frame there). */
  dock?: DockSide;
  onToggleCollapsed(): void;
  onDock?(side: DockSide): void;
  /** Whether to show the first-use hint (how to start a discussion) under the top bar. */
  hint?: boolean;
  onDismissHint?(): void;
  /** The root element, for the frame to measure. */
  ref?: (root: HTMLElement) => void;
}

/** Once rendered, focuses the first of `selectors` that matches an element under `root`. */
function focusLater(root: () => HTMLElement | undefined, ...selectors: string[]): void {
  queueMicrotask(() => {
    for (const selector of selectors) {
      const el = root()?.querySelector<HTMLElement>(selector);
      if (el) return el.focus();
    }
  });
}

/** The link "Copy link" gives for a discussion of the page (none before the page is known). */
function linkTo(page: string | null, discussion: DiscussionT): string | undefined {
  return page ? discussionLink(page, discussion.id, quoteOfSelectors(discussion.selectors)) : undefined;
}

export function Overlay(props: OverlayProps) {
  const state = () => props.model.state;
  const openDiscussion = createMemo(
    () => state().discussions.find((c) => c.id === state().openDiscussionId) ?? null,
  );
  const orphans = createMemo(() => {
    const ids = new Set(state().orphanIds);
    return state().discussions.filter((c) => ids.has(c.id));
  });
  const unacked = createMemo(() => new Set(state().unacked));
  /** Ids of what waits out an undo window: comments, and discussions. */
  const deleting = createMemo(
    () =>
      new Set(
        state().deleting.map((d) => (d.write.type === 'delete-comment' ? d.write.commentId : d.write.chatId)),
      ),
  );
  const describeDeletion = (d: OverlayModel['state']['deleting'][number]) => {
    const discussion = state().discussions.find((c) => c.id === d.write.chatId);
    if (d.write.type === 'delete-comment') {
      const commentId = d.write.commentId;
      const text = props.model.words(discussion?.comments.find((c) => c.id === commentId)?.text ?? '');
      return text.length > 40 ? `${text.slice(0, 37)}…` : text;
    }
    const q = discussion?.selectors.find((s) => s.type === 'TextQuoteSelector');
    const exact = q?.type === 'TextQuoteSelector' ? q.exact : '';
    return exact.length > 40 ? `${exact.slice(0, 37)}…` : exact;
  };
  /** After a delete, the focus goes to its Undo (the newest), so that it is one key away. */
  const focusUndo = () =>
    focusLater(() => root, '[data-testid="undo-item"]:last-child [data-testid="undo-delete"]');
  let root: HTMLElement | undefined;

  /** The frame control that opened what is open (null: the page did, or nothing is open). */
  let opener: { testId: string } | null = null;
  /** A thread opened from a list goes back to that list, on the item it was opened from. */
  let backToList: { list: 'all' | 'orphans'; discussionId: string } | null = null;
  /** The list item to focus when the list opens (else its first). */
  let listFocus: string | null = null;

  const openFromFrame = (testId: string, open: () => void) => {
    opener = { testId };
    backToList = null;
    listFocus = null;
    open();
  };
  /** Closes what is open and puts the focus back where it was before it opened. */
  const close = () => {
    const back = backToList;
    backToList = null;
    if (back && (state().openDiscussionId ?? back.discussionId) === back.discussionId) {
      const fromPage = state().fromPage;
      listFocus = back.discussionId;
      props.model.showList(back.list, fromPage);
      return;
    }
    const fromPage = state().fromPage;
    props.model.closeAll();
    // The control that opened it, else the discussions button (the orphans one may be gone by now).
    if (!fromPage)
      focusLater(
        () => root,
        `[data-testid="${opener?.testId ?? 'discussion-count'}"]`,
        '[data-testid="discussion-count"]',
        '[data-testid="topbar-toggle"]',
      );
    opener = null;
  };

  // Escape closes the innermost open thing; fields that use Escape themselves (an edit in progress)
  // mark the event handled. With nothing open, the focus goes back to the page.
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    event.preventDefault();
    if (state().lost) {
      props.model.closeLost();
      close();
    } else if (state().composing || state().openDiscussionId || state().list) close();
    else if (state().notice) props.model.notify(null);
    else props.model.releaseFocus();
  };
  onMount(() => {
    // On the window, so that it runs after the handlers of the fields (delegated to the document).
    window.addEventListener('keydown', onKeyDown);
    onCleanup(() => window.removeEventListener('keydown', onKeyDown));
  });

  return (
    <div
      ref={(el) => {
        root = el;
        props.ref?.(el);
      }}
      class="cc-root"
      data-theme={props.theme}
      data-dock={props.dock ?? 'right'}
    >
      <TopBar
        viewers={state().viewers}
        discussions={state().discussions.length}
        orphans={orphans().length}
        status={state().status}
        collapsed={state().collapsed}
        dock={props.dock ?? 'right'}
        onDock={(side) => props.onDock?.(side)}
        listOpen={state().list}
        unread={props.unread?.size ?? 0}
        watching={state().watching}
        onWatch={(watch) => props.model.setWatching(watch)}
        onToggle={() => props.onToggleCollapsed()}
        onOpenOptions={() => props.model.openOptions()}
        onShowOrphans={() =>
          state().list === 'orphans'
            ? close()
            : openFromFrame('orphans-button', () => props.model.showList('orphans'))
        }
        onShowList={() =>
          state().list === 'all'
            ? close()
            : openFromFrame('discussion-count', () => props.model.showList('all'))
        }
      />
      <Show when={props.hint && !state().collapsed && !state().composing}>
        <div class="cc-hint" role="note" data-testid="first-use-hint">
          <span>{i18n.t('firstUseHint', [i18n.t('startDiscussion')])}</span>
          <button type="button" data-testid="dismiss-hint" onClick={() => props.onDismissHint?.()}>
            {i18n.t('dismissHint')}
          </button>
        </div>
      </Show>
      <Show when={state().composing}>
        {(draft) => (
          <Composer
            quote={draft().quote}
            drafts={props.model.drafts}
            draftKey={props.model.composerDraftKey() ?? ''}
            members={state().members}
            me={state().status?.me?.id ?? null}
            onWantMembers={() => props.model.wantMembers()}
            onSubmit={(text) => props.model.submitDiscussion(text)}
            onCancel={() => close()}
          />
        )}
      </Show>
      <Show when={openDiscussion()}>
        {(discussion) => (
          <ThreadPanel
            discussion={discussion()}
            me={state().status?.me ?? null}
            role={state().status?.role ?? null}
            unacked={unacked()}
            drafts={props.model.drafts}
            deleting={deleting()}
            members={state().members}
            onWantMembers={() => props.model.wantMembers()}
            onResolve={(resolved) => props.model.resolveDiscussion(discussion().id, resolved)}
            marks={state().marks}
            canResend={state().status?.state === 'live'}
            tokenRefused={tokenRefused(state().status)}
            onDiscard={(id) => props.model.discard(id)}
            onResend={(id) => props.model.resend(id)}
            onOpenOptions={() => props.model.openOptions()}
            link={linkTo(state().page, discussion())}
            placement={
              state().orphanIds.includes(discussion().id)
                ? 'orphan'
                : state().fuzzyIds.includes(discussion().id)
                  ? 'changed'
                  : null
            }
            onReply={(text) => props.model.reply(discussion().id, text)}
            onEdit={(commentId, text) => props.model.edit(discussion().id, commentId, text)}
            onDeleteComment={(commentId) => {
              props.model.deleteComment(discussion().id, commentId);
              focusUndo();
            }}
            onDeleteDiscussion={() => {
              // The thread stays open, marked, until the undo window ends.
              props.model.deleteDiscussion(discussion().id);
              focusUndo();
            }}
            onClose={() => close()}
          />
        )}
      </Show>
      <Show when={state().lost}>
        {(lost) => (
          <LostDraftPanel
            lost={lost()}
            drafts={props.model.drafts}
            onPost={(text) => props.model.postLost(text)}
            onDiscard={() => {
              props.model.discardLost();
              close();
            }}
            onClose={() => {
              props.model.closeLost();
              close();
            }}
          />
        )}
      </Show>
      <UndoBar
        deletes={state().deleting}
        describe={describeDeletion}
        onUndo={(id) => props.model.undoDelete(id)}
      />
      <Show when={state().list}>
        {(list) => (
          <DiscussionList
            title={list() === 'orphans' ? i18n.t('orphansTitle') : i18n.t('listTitle')}
            discussions={list() === 'orphans' ? orphans() : state().discussions}
            orphanIds={new Set(state().orphanIds)}
            marks={state().marks}
            unreadIds={props.unread}
            me={state().status?.me?.id ?? null}
            filters={list() === 'all'}
            stateFilter={list() === 'all' ? state().stateFilter : 'all'}
            onStateFilter={list() === 'all' ? (f) => props.model.setStateFilter(f) : undefined}
            focusId={listFocus}
            onOpen={(id) => {
              backToList = { list: list(), discussionId: id };
              props.model.openDiscussion(id, state().fromPage);
              // The page scrolls to the passage and flashes it, so the person sees where it is.
              if (!state().orphanIds.includes(id)) props.model.reveal(id);
            }}
            onClose={() => close()}
          />
        )}
      </Show>
      <For each={state().notice ? [state().notice!] : []}>
        {(notice) => (
          <div class="cc-notice" role="alert" data-testid="notice">
            <span>{notice}</span>
            <button
              type="button"
              class="cc-icon"
              aria-label={i18n.t('dismissNotice')}
              onClick={() => props.model.notify(null)}
            >
              ×
            </button>
          </div>
        )}
      </For>
      {/* What screen readers are told as it happens: new discussions and comments of others, and the
          connection. Present from the start, so that assistive technology watches it. */}
      <div class="cc-sr-only" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">
        <For each={[state().announcement]}>{(a) => <span>{a.text}</span>}</For>
      </div>
    </div>
  );
}
