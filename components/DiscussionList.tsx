// Every discussion of the page as a list of buttons; those whose quote is not on the page any more
// (orphans) are marked, so that none is silently lost. One Tab stop: the arrow keys, Home and End move
// between the items (roving tabindex), Enter or Space opens one. The list takes the focus when it
// opens, on `focusId` if it is there, else on its first item.
import { createSignal, createUniqueId, For, onMount, Show } from 'solid-js';
import { i18n } from '#i18n';
import type { DiscussionT } from '@/lib/protocol';

export interface DiscussionListProps {
  title: string;
  chats: DiscussionT[];
  orphanIds: ReadonlySet<string>;
  /** The item to focus when the list opens. */
  focusId?: string | null;
  onOpen(chatId: string): void;
  onClose(): void;
}

const quoteOf = (chat: DiscussionT) => {
  const quote = chat.selectors.find((s) => s.type === 'TextQuoteSelector');
  return quote?.type === 'TextQuoteSelector' ? quote.exact : chat.id;
};

export function DiscussionList(props: DiscussionListProps) {
  let list: HTMLUListElement | undefined;
  const [current, setCurrent] = createSignal<string | null>(null);
  const items = () => [...(list?.querySelectorAll<HTMLButtonElement>('button[data-chat-id]') ?? [])];
  /** The id that holds the list's one Tab stop: the current one while it exists, else the first. */
  const tabStop = () => {
    const ids = props.chats.map((c) => c.id);
    const id = current();
    return id !== null && ids.includes(id) ? id : (ids[0] ?? null);
  };
  const move = (to: HTMLButtonElement | undefined) => {
    if (!to) return;
    setCurrent(to.dataset.chatId ?? null);
    to.focus();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const all = items();
    const at = all.indexOf(event.target as HTMLButtonElement);
    if (at < 0) return;
    const to = {
      ArrowDown: all[(at + 1) % all.length],
      ArrowUp: all[(at - 1 + all.length) % all.length],
      Home: all[0],
      End: all[all.length - 1],
    }[event.key];
    if (!to) return;
    event.preventDefault();
    move(to);
  };
  let heading: HTMLHeadingElement | undefined;
  onMount(() => {
    const wanted = props.focusId ? items().find((b) => b.dataset.chatId === props.focusId) : undefined;
    // An empty list: its heading, which says what it is.
    queueMicrotask(() => (wanted || items()[0] ? move(wanted ?? items()[0]) : heading?.focus()));
  });
  const headingId = createUniqueId();
  return (
    <section class="cc-panel cc-list" data-testid="discussion-list" aria-labelledby={headingId}>
      <header class="cc-thread-head">
        <h2 ref={heading} id={headingId} tabindex="-1" data-testid="list-title">
          {props.title}
        </h2>
        <button
          type="button"
          class="cc-icon"
          data-testid="list-close"
          aria-label={i18n.t('closeList')}
          title={i18n.t('closeList')}
          onClick={() => props.onClose()}
        >
          <span aria-hidden="true">×</span>
        </button>
      </header>
      <Show when={props.chats.length > 0} fallback={<p class="cc-muted">{i18n.t('listEmpty')}</p>}>
        <ul ref={list} onKeyDown={onKeyDown}>
          <For each={props.chats}>
            {(chat) => (
              <li>
                <button
                  type="button"
                  class="cc-link"
                  data-testid={props.orphanIds.has(chat.id) ? 'orphan' : 'discussion-item'}
                  data-chat-id={chat.id}
                  tabindex={tabStop() === chat.id ? 0 : -1}
                  onFocus={() => setCurrent(chat.id)}
                  onClick={() => props.onOpen(chat.id)}
                >
                  “<bdi>{quoteOf(chat)}</bdi>” — <bdi>{chat.comments[0]?.author.name ?? ''}</bdi>
                  <Show when={props.orphanIds.has(chat.id)}>
                    {' '}
                    <span class="cc-muted">({i18n.t('notOnPage')})</span>
                  </Show>
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  );
}
