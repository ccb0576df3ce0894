// Where one of the person's writes stands, beside what it wrote: "Sending…", "Waiting to send", or,
// for a write that will not go by itself (held: the token no longer works; failed: refused for good),
// the reason in plain words with a way to copy the text, discard it, and send a held one again.
import { createSignal, Show } from 'solid-js';
import { i18n } from '#i18n';
import type { UnackedMark } from '@/lib/frame/model';
import { copyText } from './copy-text';

export interface WriteMarkProps {
  mark: UnackedMark;
  /** Whether a held write can be sent again now (the connection is live with a working token). */
  canResend: boolean;
  onDiscard(broadcastId: string): void;
  onResend(broadcastId: string): void;
}

export function WriteMark(props: WriteMarkProps) {
  const [copied, setCopied] = createSignal<boolean | null>(null);
  const unsent = () => props.mark.state === 'held' || props.mark.state === 'failed';
  return (
    <Show
      when={unsent()}
      fallback={
        <span class="cc-muted" data-testid="comment-unacked" data-state={props.mark.state}>
          {props.mark.state === 'sending' ? i18n.t('sending') : i18n.t('waitingToSend')}
        </span>
      }
    >
      <div class="cc-unsent" role="status" data-testid="comment-unsent" data-state={props.mark.state}>
        <p data-testid="unsent-reason">{i18n.t('markNotSent', [props.mark.reason ?? ''])}</p>
        <div class="cc-actions cc-small">
          <Show when={props.mark.text !== undefined}>
            <button
              type="button"
              data-testid="copy-unsent"
              onClick={() => void copyText(props.mark.text!).then(setCopied)}
            >
              {i18n.t('copyText')}
            </button>
          </Show>
          <Show when={props.mark.state === 'held' && props.canResend}>
            <button
              type="button"
              class="cc-primary"
              data-testid="resend-unsent"
              onClick={() => props.onResend(props.mark.broadcastId)}
            >
              {i18n.t('sendAgain')}
            </button>
          </Show>
          <button
            type="button"
            data-testid="discard-unsent"
            onClick={() => props.onDiscard(props.mark.broadcastId)}
          >
            {i18n.t('discard')}
          </button>
        </div>
        <Show when={copied() !== null}>
          <p class="cc-muted" data-testid="copy-result" role="status">
            {copied() ? i18n.t('copied') : i18n.t('copyFailed')}
          </p>
        </Show>
      </div>
    </Show>
  );
}
