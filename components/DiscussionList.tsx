// Every discussion of the page as a list of buttons; those whose quote is not on the page any more
// (orphans) are marked, so that none is silently lost. Each item says how many comments it holds and
// whether it holds some the person has not seen, and when it was last active (relative, the exact time
// on hover), and whether it is resolved. Filters above the list: all, mine (started or replied to),
// not on this page; and by state: all, open, resolved (chosen by the caller, which keeps it while the
// frame lives). One Tab stop for the items: the arrow keys, Home and End move between
// them (roving tabindex), Enter or Space opens one. The list takes the focus when it opens, on
// `focusId` if it is there, else on its first item.
import { shownName } from '@/lib/people';
import { createSignal, createUniqueId, For, onMount, Show } from 'solid-js';
import { i18n } from '#i18n';
import type { UnackedMark } from '@/lib/frame/model';
import type { DiscussionT } from '@/lib/protocol';
import { isMine } from '@/lib/unread';
import { lastActivity } from '@/lib/time';
import { RelativeTime } from './RelativeTime';

export type ListFilter = 'all' | 'mine' | 'orphans';
/** Which discussions by their state: every one, open ones, resolved ones. */
export type StateFilter = 'all' | 'open' | 'resolved';

/** The discussions a state filter keeps. */
export function byState<T extends { resolved?: unknown }>(
  discussions: readonly T[],
  filter: StateFilter,
): T[] {
  if (filter === 'open') return discussions.filter((c) => !c.resolved);
  if (filter === 'resolved') return discussions.filter((c) => !!c.resolved);
  return [...discussions];
}

export interface DiscussionListProps {
  title: string;
  discussions: DiscussionT[];
  orphanIds: ReadonlySet<string>;
  /** Discussions with comments of others the person has not seen. */
  unreadIds?: ReadonlySet<string>;
  /** The person's user id (for "mine"), null while unknown. */
  me?: string | null;
  /** Whether to offer the filters (the list of orphans alone has none). */
  filters?: boolean;
  /** The person's discussions the server has not taken yet (by discussion id). */
  marks?: Readonly<Record<string, UnackedMark>>;
  /** The item to focus when the list opens. */
  focusId?: string | null;
  /** The state filter (all when absent), and its change. */
  stateFilter?: StateFilter;
  onStateFilter?(filter: StateFilter): void;
  onOpen(discussionId: string): void;
  onClose(): void;
}

const quoteOf = (discussion: DiscussionT) => {
  const quote = discussion.selectors.find((s) => s.type === 'TextQuoteSelector');
  return quote?.type === 'TextQuoteSelector' ? quote.exact : discussion.id;
};

export function DiscussionList(props: DiscussionListProps) {
  let list: HTMLUListElement | undefined;
  const [current, setCurrent] = createSignal<string | null>(null);
  const [filter, setFilter] = createSignal<ListFilter>('all');
  const shown = () => {
    const f = filter();
    const discussions = byState(props.discussions, props.stateFilter ?? 'all');
    if (f === 'mine') return discussions.filter((c) => isMine(c, props.me ?? null));
    if (f === 'orphans') return discussions.filter((c) => props.orphanIds.has(c.id));
    return discussions;
  };
  const stateFilters: { id: StateFilter; label: () => string }[] = [
    { id: 'all', label: () => i18n.t('stateFilterAll') },
    { id: 'open', label: () => i18n.t('stateFilterOpen') },
    { id: 'resolved', label: () => i18n.t('stateFilterResolved') },
  ];
  const filters: { id: ListFilter; label: () => string }[] = [
    { id: 'all', label: () => i18n.t('filterAll') },
    { id: 'mine', label: () => i18n.t('filterMine') },
    { id: 'orphans', label: () => i18n.t('filterOrphans') },
  ];
  /**
   * Whether the discussion, or a comment of the person in it, has not reached the server: "not sent"
   * (held or failed) before "waiting"; a write on its way right now is not worth a marker.
   */
  const unsentOf = (discussion: DiscussionT): 'waiting' | 'held' | 'failed' | null => {
    const states = [discussion.id, ...discussion.comments.map((c) => c.id)].map(
      (id) => props.marks?.[id]?.state,
    );
    return (
      states.find((s) => s === 'failed' || s === 'held') ?? (states.includes('waiting') ? 'waiting' : null)
    );
  };
  const items = () => [...(list?.querySelectorAll<HTMLButtonElement>('button[data-discussion-id]') ?? [])];
  /** The id that holds the list's one Tab stop: the current one while it exists, else the first. */
  const tabStop = () => {
    const ids = shown().map((c) => c.id);
    const id = current();
    return id !== null && ids.includes(id) ? id : (ids[0] ?? null);
  };
  const move = (to: HTMLButtonElement | undefined) => {
    if (!to) return;
    setCurrent(to.dataset.discussionId ?? null);
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
    const wanted = props.focusId ? items().find((b) => b.dataset.discussionId === props.focusId) : undefined;
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
      <Show when={props.filters !== false && props.discussions.length > 0}>
        <div class="cc-filters" role="group" aria-label={i18n.t('filterLabel')}>
          <For each={filters}>
            {(f) => (
              <button
                type="button"
                class="cc-filter"
                data-testid={`list-filter-${f.id}`}
                aria-pressed={filter() === f.id}
                onClick={() => setFilter(f.id)}
              >
                {f.label()}
              </button>
            )}
          </For>
        </div>
        <Show when={props.onStateFilter}>
          <div class="cc-filters" role="group" aria-label={i18n.t('stateFilterLabel')}>
            <For each={stateFilters}>
              {(f) => (
                <button
                  type="button"
                  class="cc-filter"
                  data-testid={`list-state-${f.id}`}
                  aria-pressed={(props.stateFilter ?? 'all') === f.id}
                  onClick={() => props.onStateFilter?.(f.id)}
                >
                  {f.label()}
                </button>
              )}
            </For>
          </div>
        </Show>
      </Show>
      <Show
        when={shown().length > 0}
        fallback={
          <p class="cc-muted" data-testid="list-empty">
            {props.discussions.length > 0 ? i18n.t('filterEmpty') : i18n.t('listEmpty')}
          </p>
        }
      >
        <ul ref={list} onKeyDown={onKeyDown}>
          <For each={shown()}>
            {(discussion) => (
              <li>
                <button
                  type="button"
                  class="cc-link"
                  data-testid={props.orphanIds.has(discussion.id) ? 'orphan' : 'discussion-item'}
                  data-discussion-id={discussion.id}
                  data-resolved={discussion.resolved ? 'true' : undefined}
                  classList={{ 'cc-resolved': !!discussion.resolved }}
                  tabindex={tabStop() === discussion.id ? 0 : -1}
                  onFocus={() => setCurrent(discussion.id)}
                  onClick={() => props.onOpen(discussion.id)}
                >
                  <span class="cc-item-title">
                    “<bdi>{quoteOf(discussion)}</bdi>” —{' '}
                    <bdi>{discussion.comments[0] ? shownName(discussion.comments[0].author.name) : ''}</bdi>
                  </span>
                  <span class="cc-item-meta">
                    <Show when={discussion.resolved}>
                      <span class="cc-resolved-badge" data-testid="resolved-marker">
                        {i18n.t('resolvedBadge')}
                      </span>{' '}
                    </Show>
                    <Show when={props.unreadIds?.has(discussion.id)}>
                      <span class="cc-new" data-testid="unread-marker">
                        {i18n.t('newBadge')}
                      </span>{' '}
                    </Show>
                    <Show when={unsentOf(discussion)}>
                      {(state) => (
                        <>
                          <span class="cc-new" data-testid="item-unsent" data-state={state()}>
                            {state() === 'waiting' ? i18n.t('listWaiting') : i18n.t('listNotSent')}
                          </span>{' '}
                        </>
                      )}
                    </Show>
                    <span data-testid="item-comment-count">
                      {i18n.t('commentCount', discussion.comments.length)}
                    </span>
                    <Show when={discussion.comments.length > 0}>
                      {' · '}
                      <RelativeTime
                        at={lastActivity(discussion)}
                        testId="item-last-activity"
                        words="lastActivity"
                      />
                    </Show>
                    <Show when={props.orphanIds.has(discussion.id)}>
                      {' · '}
                      <span>{i18n.t('notOnPage')}</span>
                    </Show>
                  </span>
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  );
}
