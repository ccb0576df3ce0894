// The deletions made here that wait out their undo window: what goes, the seconds left, and Undo,
// which keeps it. Nothing has been sent while a row shows. The countdown is for the eyes only: a
// status region that spoke every second would drown everything else out.
import { createSignal, For, onCleanup, Show } from 'solid-js';
import { i18n } from '#i18n';
import type { UndoableDelete } from '@/lib/frame/undoable-deletes';
import { isolate } from '@/lib/bidi';

export interface UndoBarProps {
  deletes: readonly UndoableDelete[];
  /** A short name of what a deletion removes, for the Undo button's label. */
  describe(deletion: UndoableDelete): string;
  onUndo(broadcastId: string): void;
  now?: () => number;
}

/** Whole seconds left until `due`, at least 1 while it waits. */
export function secondsLeft(due: number, now: number): number {
  return Math.max(1, Math.ceil((due - now) / 1000));
}

function Countdown(props: { due: number; now: () => number }) {
  const [now, setNow] = createSignal(props.now());
  const timer = setInterval(() => setNow(props.now()), 250);
  onCleanup(() => clearInterval(timer));
  return (
    <span class="cc-muted" aria-hidden="true" data-testid="undo-countdown">
      {i18n.t('undoCountdown', [String(secondsLeft(props.due, now()))])}
    </span>
  );
}

export function UndoBar(props: UndoBarProps) {
  const now = () => (props.now ?? Date.now)();
  return (
    <Show when={props.deletes.length > 0}>
      <div class="cc-undo-bar" role="status" data-testid="undo-bar">
        <For each={props.deletes}>
          {(item) => (
            <div class="cc-notice cc-undo" data-testid="undo-item" data-kind={item.write.type}>
              <span>
                {item.write.type === 'delete-chat' ? i18n.t('deletingDiscussion') : i18n.t('deletingComment')}{' '}
                <span class="cc-sr-only">{i18n.t('undoHint')}</span>
                <Countdown due={item.due} now={now} />
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
