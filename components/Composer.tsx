// The composer of a new discussion: the selected quote and a text field, which takes the focus when the
// composer opens; Ctrl/⌘+Enter posts (said next to the field), Escape cancels (handled by the overlay).
import { createSignal, createUniqueId } from 'solid-js';
import { i18n } from '#i18n';
import { LIMITS } from '@/lib/protocol/limits';
import { isSendKey, SEND_SHORTCUTS, sendHint } from './send-key';

export interface ComposerProps {
  quote: string;
  /** Returns false when the text was not taken (it then stays in the field). */
  onSubmit(text: string): boolean | void;
  onCancel(): void;
}

export function Composer(props: ComposerProps) {
  const [text, setText] = createSignal('');
  const id = createUniqueId();
  const submit = (event: Event) => {
    event.preventDefault();
    if (!text().trim()) return;
    if (props.onSubmit(text()) !== false) setText('');
  };
  return (
    <form
      class="cc-panel cc-composer"
      data-testid="composer"
      aria-label={i18n.t('composerLabel')}
      onSubmit={submit}
    >
      <blockquote class="cc-quote" dir="auto" data-testid="composer-quote" id={`${id}-quote`}>
        {props.quote}
      </blockquote>
      <textarea
        ref={(el) => queueMicrotask(() => el.focus())}
        data-testid="composer-input"
        dir="auto"
        aria-label={i18n.t('composerFieldLabel')}
        aria-describedby={`${id}-quote ${id}-hint`}
        placeholder={i18n.t('composerPlaceholder')}
        maxLength={LIMITS.commentChars}
        value={text()}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (isSendKey(e)) submit(e);
        }}
      />
      <p class="cc-hint" id={`${id}-hint`} data-testid="composer-hint">
        {sendHint('post')}
      </p>
      <div class="cc-actions">
        <button type="button" data-testid="composer-cancel" onClick={() => props.onCancel()}>
          {i18n.t('cancel')}
        </button>
        <button
          type="submit"
          class="cc-primary"
          data-testid="composer-submit"
          aria-keyshortcuts={SEND_SHORTCUTS}
          disabled={!text().trim()}
        >
          {i18n.t('post')}
        </button>
      </div>
    </form>
  );
}
