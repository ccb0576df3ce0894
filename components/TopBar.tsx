// The overlay's top bar: viewers now, discussions on the page, connection state; collapsible.
import { Show } from 'solid-js';
import { i18n } from '#i18n';
import type { StatusT } from '@/lib/messaging';
import { connectionSummary } from './status-label';

export interface TopBarProps {
  viewers: number | null;
  discussions: number;
  orphans: number;
  status: StatusT | null;
  collapsed: boolean;
  onToggle(): void;
  onShowOrphans(): void;
  onShowList(): void;
}

export function TopBar(props: TopBarProps) {
  return (
    <div class="cc-topbar" classList={{ 'cc-collapsed': props.collapsed }} data-testid="topbar" role="region">
      <button
        type="button"
        class="cc-toggle"
        data-testid="topbar-toggle"
        aria-expanded={!props.collapsed}
        aria-label={props.collapsed ? i18n.t('expandBar') : i18n.t('collapseBar')}
        title={props.collapsed ? i18n.t('expandBar') : i18n.t('collapseBar')}
        onClick={() => props.onToggle()}
      >
        {props.collapsed ? '💬' : '×'}
      </button>
      <Show when={!props.collapsed}>
        <span class="cc-stat" data-testid="viewers" data-count={props.viewers ?? ''}>
          {i18n.t('viewers', props.viewers ?? 0)}
        </span>
        <button
          type="button"
          class="cc-link"
          data-testid="discussion-count"
          data-count={props.discussions}
          onClick={() => props.onShowList()}
        >
          {i18n.t('discussions', props.discussions)}
        </button>
        <Show when={props.orphans > 0}>
          <button
            type="button"
            class="cc-link"
            data-testid="orphans-button"
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
          role="status"
        >
          {connectionSummary(props.status)}
        </span>
      </Show>
    </div>
  );
}
