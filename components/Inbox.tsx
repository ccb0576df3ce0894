// The popup's inbox: the person's notifications, newest first, unread ones marked, each saying who did
// what, the start of the comment, where and when; a click opens the discussion (and marks it read),
// "Mark all read" marks them all. What it shows is the background's inbox (`inboxStorage`).
import { For, Show } from 'solid-js';
import { i18n } from '#i18n';
import type { InboxState } from '@/lib/inbox';
import { notificationExcerpt, notificationHeadline, notificationPlace } from '@/lib/inbox-text';
import type { PersonT } from '@/lib/protocol';
import { RelativeTime } from './RelativeTime';

export interface InboxProps {
  state: InboxState;
  me: PersonT | null;
  onOpen(seq: number): void;
  onMarkAllRead(): void;
}

export function Inbox(props: InboxProps) {
  return (
    <section class="cc-inbox" aria-labelledby="cc-inbox-title" data-testid="inbox">
      <div class="cc-inbox-head">
        <h2 id="cc-inbox-title">
          {i18n.t('inboxTitle')}
          <Show when={props.state.unread > 0}>
            {' '}
            <span class="cc-inbox-count" data-testid="inbox-unread">
              {props.state.unread}
            </span>
          </Show>
        </h2>
        <button
          type="button"
          data-testid="inbox-mark-all-read"
          disabled={props.state.items.every((n) => n.read) && props.state.unread === 0}
          onClick={() => props.onMarkAllRead()}
        >
          {i18n.t('inboxMarkAllRead')}
        </button>
      </div>
      <Show
        when={props.state.items.length > 0}
        fallback={
          <p class="cc-muted" data-testid="inbox-empty">
            {i18n.t('inboxEmpty')}
          </p>
        }
      >
        <ul class="cc-inbox-list">
          <For each={props.state.items}>
            {(n) => (
              <li>
                <button
                  type="button"
                  class="cc-inbox-item"
                  classList={{ 'cc-unread': !n.read }}
                  data-testid="inbox-item"
                  data-seq={n.seq}
                  data-unread={n.read ? 'false' : 'true'}
                  onClick={() => props.onOpen(n.seq)}
                >
                  <Show when={!n.read}>
                    <span class="cc-inbox-dot" aria-hidden="true" />
                    <span class="cc-sr-only">{i18n.t('inboxUnread')}: </span>
                  </Show>
                  <strong data-testid="inbox-headline">{notificationHeadline(n)}</strong>
                  <Show when={notificationExcerpt(n, props.me)}>
                    {(text) => (
                      <span class="cc-inbox-excerpt" dir="auto" data-testid="inbox-excerpt">
                        {text()}
                      </span>
                    )}
                  </Show>
                  <small>
                    {i18n.t('inboxOn', [notificationPlace(n)])} · <RelativeTime at={n.at} />
                  </small>
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  );
}
