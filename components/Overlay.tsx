// The whole in-page overlay, rendered in the content script's shadow root: top bar, selection prompt,
// composer, thread panel, orphan list and notices.
import { createMemo, For, Show } from 'solid-js';
import { i18n } from '#i18n';
import type { OverlayModel } from '@/entrypoints/overlay.content/model';
import type { Theme } from '@/lib/storage';
import { Composer } from './Composer';
import { DiscussionList } from './DiscussionList';
import { ThreadPanel } from './ThreadPanel';
import { TopBar } from './TopBar';

export interface OverlayProps {
  model: OverlayModel;
  theme: Theme;
  onToggleCollapsed(): void;
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
    <div class="cc-root" data-theme={props.theme}>
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
      <Show when={state().prompt}>
        {(prompt) => (
          <button
            type="button"
            class="cc-prompt cc-primary"
            data-testid="start-discussion"
            style={{ left: `${prompt().x}px`, top: `${prompt().y}px` }}
            // Keeps the page's selection while the button is pressed.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => props.model.compose()}
          >
            {i18n.t('startDiscussion')}
          </button>
        )}
      </Show>
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
