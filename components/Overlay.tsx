// The whole discussion UI of a tab, rendered in the discussion frame (an extension page framed into
// the tab, out of the page's reach): top bar, composer, thread panel, orphan list and notices.
import { createMemo, For, Show } from 'solid-js';
import { i18n } from '#i18n';
import type { OverlayModel } from '@/entrypoints/frame/model';
import type { Theme } from '@/lib/storage';
import { Composer } from './Composer';
import { DiscussionList } from './DiscussionList';
import { ThreadPanel } from './ThreadPanel';
import { TopBar } from './TopBar';

export interface OverlayProps {
  model: OverlayModel;
  theme: Theme;
  onToggleCollapsed(): void;
  /** The root element, for the frame to measure. */
  ref?: (root: HTMLElement) => void;
}

export function Overlay(props: OverlayProps) {
  const state = () => props.model.state;
  const openChat = createMemo(() => state().chats.find((c) => c.id === state().openChatId) ?? null);
  const orphans = createMemo(() => {
    const ids = new Set(state().orphanIds);
    return state().chats.filter((c) => ids.has(c.id));
  });
  const pending = createMemo(() => new Set(state().pending));
  return (
    <div ref={(el) => props.ref?.(el)} class="cc-root" data-theme={props.theme}>
      <TopBar
        viewers={state().viewers}
        discussions={state().chats.length}
        orphans={orphans().length}
        status={state().status}
        collapsed={state().collapsed}
        onToggle={() => props.onToggleCollapsed()}
        onShowOrphans={() => props.model.showList('orphans')}
        onShowList={() => props.model.showList('all')}
      />
      <Show when={state().composing}>
        {(draft) => (
          <Composer
            quote={draft().quote}
            onSubmit={(text) => props.model.submitDiscussion(text)}
            onCancel={() => props.model.cancelCompose()}
          />
        )}
      </Show>
      <Show when={openChat()}>
        {(chat) => (
          <ThreadPanel
            chat={chat()}
            me={state().status?.me ?? null}
            role={state().status?.role ?? null}
            pending={pending()}
            placement={
              state().orphanIds.includes(chat().id)
                ? 'orphan'
                : state().fuzzyIds.includes(chat().id)
                  ? 'changed'
                  : null
            }
            onReply={(text) => props.model.reply(chat().id, text)}
            onEdit={(commentId, text) => props.model.edit(chat().id, commentId, text)}
            onDeleteComment={(commentId) => props.model.deleteComment(chat().id, commentId)}
            onDeleteChat={() => props.model.deleteChat(chat().id)}
            onClose={() => props.model.openChat(null)}
          />
        )}
      </Show>
      <Show when={state().list}>
        {(list) => (
          <DiscussionList
            title={list() === 'orphans' ? i18n.t('orphansTitle') : i18n.t('listTitle')}
            chats={list() === 'orphans' ? orphans() : state().chats}
            orphanIds={new Set(state().orphanIds)}
            onOpen={(id) => props.model.openChat(id)}
            onClose={() => props.model.showList(null)}
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
              aria-label={i18n.t('dismiss')}
              onClick={() => props.model.notify(null)}
            >
              ×
            </button>
          </div>
        )}
      </For>
    </div>
  );
}
