// The deletions made here that wait out their undo window: what goes, and Undo, which keeps it. Nothing
// has been sent while a row shows.
import { For, Show } from 'solid-js';
import { i18n } from '#i18n';
import type { PendingDelete } from '@/entrypoints/frame/pending-deletes';
import { isolate } from '@/lib/bidi';

export interface UndoBarProps {
  pending: readonly PendingDelete[];
  /** A short name of what a deletion removes, for the Undo button's label. */
  describe(pending: PendingDelete): string;
  onUndo(broadcastId: string): void;
}

export function UndoBar(props: UndoBarProps) {
  return (
    <Show when={props.pending.length > 0}>
      <div class="cc-undo-bar" role="status" data-testid="undo-bar">
        <For each={props.pending}>
          {(item) => (
            <div class="cc-notice cc-undo" data-testid="undo-item" data-kind={item.write.type}>
              <span>
                {item.write.type === 'delete-chat' ? i18n.t('deletingDiscussion') : i18n.t('deletingComment')}{' '}
                <span class="cc-muted">{i18n.t('undoHint')}</span>
              </span>
              <button
                type="button"
                data-testid="undo-delete"
                aria-label={i18n.t('undoDeleteOf', [isolate(props.describe(item))])}
                onClick={() => props.onUndo(item.write.broadcastId)}
              >
                {i18n.t('undo')}
              </button>
            </div>
          )}
        </For>
      </div>
    </Show>
  );
}
