// The composer of a new discussion: the selected quote and a text field.
import { createSignal } from 'solid-js';
import { i18n } from '#i18n';
import { LIMITS } from '@/lib/protocol/limits';

export interface ComposerProps {
  quote: string;
  /** Returns false when the text was not taken (it then stays in the field). */
  onSubmit(text: string): boolean | void;
  onCancel(): void;
}

export function Composer(props: ComposerProps) {
  const [text, setText] = createSignal('');
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
      <blockquote class="cc-quote" dir="auto" data-testid="composer-quote">
        {props.quote}
      </blockquote>
      <textarea
        ref={(el) => queueMicrotask(() => el.focus())}
        data-testid="composer-input"
        dir="auto"
        placeholder={i18n.t('composerPlaceholder')}
        maxLength={LIMITS.commentChars}
        value={text()}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') props.onCancel();
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e);
        }}
      />
      <div class="cc-actions">
        <button type="button" data-testid="composer-cancel" onClick={() => props.onCancel()}>
          {i18n.t('cancel')}
        </button>
        <button type="submit" class="cc-primary" data-testid="composer-submit" disabled={!text().trim()}>
          {i18n.t('post')}
        </button>
      </div>
    </form>
  );
}
