// Every discussion of the page as a keyboard-reachable list; those whose quote is not on the page any
// more (orphans) are marked, so that none is silently lost.
import { For, Show } from 'solid-js';
import { i18n } from '#i18n';
import type { DiscussionT } from '@/lib/protocol';

export interface DiscussionListProps {
  title: string;
  chats: DiscussionT[];
  orphanIds: ReadonlySet<string>;
  onOpen(chatId: string): void;
  onClose(): void;
}

export function DiscussionList(props: DiscussionListProps) {
  return (
    <section class="cc-panel cc-list" data-testid="discussion-list" aria-label={props.title}>
      <header class="cc-thread-head">
        <h2>{props.title}</h2>
        <button type="button" class="cc-icon" aria-label={i18n.t('close')} onClick={() => props.onClose()}>
          ×
        </button>
      </header>
      <ul>
        <For each={props.chats}>
          {(chat) => {
            const quote = chat.selectors.find((s) => s.type === 'TextQuoteSelector');
            return (
              <li>
                <button
                  type="button"
                  class="cc-link"
                  data-testid={props.orphanIds.has(chat.id) ? 'orphan' : 'discussion-item'}
                  onClick={() => props.onOpen(chat.id)}
                >
                  “<bdi>{quote?.type === 'TextQuoteSelector' ? quote.exact : chat.id}</bdi>” —{' '}
                  <bdi>{chat.comments[0]?.author.name ?? ''}</bdi>
                  <Show when={props.orphanIds.has(chat.id)}>
                    {' '}
                    <span class="cc-muted">({i18n.t('notOnPage')})</span>
                  </Show>
                </button>
              </li>
            );
          }}
        </For>
      </ul>
    </section>
  );
}
