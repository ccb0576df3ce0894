// The overlay's top bar: viewers now, discussions on the page, connection state; collapsible. A named
// region, so that screen readers list it among the landmarks.
import { Show } from 'solid-js';
import { i18n } from '#i18n';
import type { StatusT } from '@/lib/messaging';
import { connectionSummary, tokenRefused } from './status-label';

export interface TopBarProps {
  viewers: number | null;
  discussions: number;
  orphans: number;
  status: StatusT | null;
  collapsed: boolean;
  /** Which list is open, if any (the buttons that open them say so). */
  listOpen?: 'all' | 'orphans' | null;
  onToggle(): void;
  onShowOrphans(): void;
  onShowList(): void;
  /** Opens the options page (offered when the token no longer works). */
  onOpenOptions?(): void;
}

export function TopBar(props: TopBarProps) {
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
        <span aria-hidden="true">{props.collapsed ? '💬' : '×'}</span>
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
      </Show>
    </section>
  );
}
