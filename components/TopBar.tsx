// The overlay's top bar: viewers now, discussions on the page (and how many hold what the person has
// not read, on any of their browsers), whether they watch the page (a toggle that shows the server's
// word), connection state; it collapses to one
// small labelled button, and moves to the other side of the window. A named region, so that screen
// readers list it among the landmarks. Its controls say what they do in words (an emoji or a "×"
// can render as an empty box, or read as "close").
import { Show } from 'solid-js';
import { i18n } from '#i18n';
import type { StatusT } from '@/lib/messaging';
import { connectionSummary, tokenRefused } from '@/lib/status-label';

export interface TopBarProps {
  viewers: number | null;
  discussions: number;
  orphans: number;
  status: StatusT | null;
  collapsed: boolean;
  /** The side of the window the overlay keeps to. */
  dock?: 'left' | 'right';
  /** Which list is open, if any (the buttons that open them say so). */
  listOpen?: 'all' | 'orphans' | null;
  onToggle(): void;
  /** Moves the overlay to the other side of the window. */
  onDock?(side: 'left' | 'right'): void;
  onShowOrphans(): void;
  onShowList(): void;
  /** Opens the options page (offered when the token no longer works). */
  onOpenOptions?(): void;
  /** Discussions with comments the person has not read. */
  unread?: number;
  /** Whether the person watches the page, as the server said (null: not known yet). */
  watching?: boolean | null;
  /** Starts or stops watching; absent: the toggle is not offered. */
  onWatch?(watch: boolean): void;
}

export function TopBar(props: TopBarProps) {
  const dockedLeft = () => props.dock === 'left';
  return (
    <section
      class="cc-topbar"
      classList={{ 'cc-collapsed': props.collapsed }}
      data-testid="topbar"
      aria-label={i18n.t('topBarLabel')}
    >
      <button
        type="button"
        class="cc-toggle"
        data-testid="topbar-toggle"
        aria-expanded={!props.collapsed}
        aria-label={props.collapsed ? i18n.t('expandBar') : i18n.t('collapseBar')}
        title={props.collapsed ? i18n.t('expandBar') : i18n.t('collapseBar')}
        onClick={() => props.onToggle()}
      >
        <Show when={props.collapsed} fallback={i18n.t('collapseBarShort')}>
          <svg class="cc-logo" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
            <path
              fill="currentColor"
              d="M2 2.5A1.5 1.5 0 0 1 3.5 1h9A1.5 1.5 0 0 1 14 2.5v7a1.5 1.5 0 0 1-1.5 1.5H7l-3.2 2.8A.5.5 0 0 1 3 13.4V11h.5A1.5 1.5 0 0 1 2 9.5z"
            />
          </svg>
          <span>{i18n.t('barName')}</span>
        </Show>
      </button>
      <Show when={!props.collapsed}>
        {/* Only a live connection knows who is here: otherwise no number at all, never a stale one. */}
        <Show when={props.status?.state === 'live' && props.viewers !== null}>
          <span class="cc-stat" data-testid="viewers" data-count={props.viewers ?? ''}>
            {i18n.t('viewers', props.viewers ?? 0)}
          </span>
        </Show>
        <button
          type="button"
          class="cc-link"
          data-testid="discussion-count"
          data-count={props.discussions}
          aria-expanded={props.listOpen === 'all'}
          onClick={() => props.onShowList()}
        >
          {i18n.t('discussions', props.discussions)}
        </button>
        <Show when={(props.unread ?? 0) > 0}>
          <span
            class="cc-new"
            data-testid="unread-count"
            data-count={props.unread}
            title={i18n.t('unreadCountHint')}
          >
            {i18n.t('unreadCount', props.unread ?? 0)}
          </span>
        </Show>
        <Show when={props.onWatch}>
          <button
            type="button"
            class="cc-link cc-watch"
            data-testid="watch-toggle"
            aria-pressed={props.watching === true}
            // Until the server says, and while it cannot be asked, the state is unknown.
            disabled={props.watching == null || props.status?.state !== 'live'}
            title={i18n.t('watchPageHint')}
            onClick={() => props.onWatch?.(!props.watching)}
          >
            <span aria-hidden="true" class="cc-watch-mark">
              {props.watching ? '✓ ' : ''}
            </span>
            {i18n.t('watchPage')}
          </button>
        </Show>
        <Show when={props.orphans > 0}>
          <button
            type="button"
            class="cc-link"
            data-testid="orphans-button"
            aria-expanded={props.listOpen === 'orphans'}
            onClick={() => props.onShowOrphans()}
          >
            {i18n.t('orphansButton', props.orphans)}
          </button>
        </Show>
        <span
          class="cc-state"
          data-testid="connection-state"
          data-state={props.status?.state ?? 'connecting'}
          data-queued={props.status?.queued ?? 0}
        >
          {connectionSummary(props.status)}
        </span>
        <Show when={tokenRefused(props.status)}>
          <button
            type="button"
            class="cc-link"
            data-testid="topbar-open-options"
            title={i18n.t('tokenRefusedNotice')}
            onClick={() => props.onOpenOptions?.()}
          >
            {i18n.t('openOptions')}
          </button>
        </Show>
        <button
          type="button"
          class="cc-link"
          data-testid="dock-toggle"
          title={dockedLeft() ? i18n.t('dockRightHint') : i18n.t('dockLeftHint')}
          onClick={() => props.onDock?.(dockedLeft() ? 'right' : 'left')}
        >
          {dockedLeft() ? i18n.t('dockRight') : i18n.t('dockLeft')}
        </button>
      </Show>
    </section>
  );
}
