// "Copy text" for text the person may otherwise lose (`copy-text.ts`); when the browser refuses both
// ways it says so and leaves the text selected in its field, to copy by hand.
import { createSignal, Show } from 'solid-js';
import { i18n } from '#i18n';
import { copyText } from './copy-text';

export interface CopyButtonProps {
  text: () => string;
  /** The field that shows the text, selected when the Clipboard API is refused. */
  field: () => HTMLTextAreaElement | undefined;
  testId: string;
  /** The button's words and what it says after (default: copying a person's text). */
  words?: { label: string; copied: string; failed: string };
}

export function CopyButton(props: CopyButtonProps) {
  const [result, setResult] = createSignal<boolean | null>(null);
  return (
    <>
      <button
        type="button"
        data-testid={props.testId}
        onClick={() =>
          void copyText(props.text()).then((copied) => {
            // Refused: the text is left selected in its field, to copy by hand.
            if (!copied) props.field()?.select();
            setResult(copied);
          })
        }
      >
        {props.words?.label ?? i18n.t('copyText')}
      </button>
      <Show when={result() !== null}>
        <span class="cc-muted" role="status" data-testid={`${props.testId}-result`}>
          {result()
            ? (props.words?.copied ?? i18n.t('copied'))
            : (props.words?.failed ?? i18n.t('copyFailed'))}
        </span>
      </Show>
    </>
  );
}
