// "Copy text" for text the person may otherwise lose: the Clipboard API where the frame may use it,
// else the selection and the copy command; when neither works it says how to copy by hand (the text
// stays visible and selected).
import { createSignal, Show } from 'solid-js';
import { i18n } from '#i18n';

export interface CopyButtonProps {
  text: () => string;
  /** The field that shows the text, selected when the Clipboard API is refused. */
  field: () => HTMLTextAreaElement | undefined;
  testId: string;
}

export async function copyText(text: string, field: HTMLTextAreaElement | undefined): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (!field) return false;
    field.focus();
    field.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

export function CopyButton(props: CopyButtonProps) {
  const [result, setResult] = createSignal<boolean | null>(null);
  return (
    <>
      <button
        type="button"
        data-testid={props.testId}
        onClick={() => void copyText(props.text(), props.field()).then(setResult)}
      >
        {i18n.t('copyText')}
      </button>
      <Show when={result() !== null}>
        <span class="cc-muted" role="status" data-testid={`${props.testId}-result`}>
          {result() ? i18n.t('copied') : i18n.t('copyFailed')}
        </span>
      </Show>
    </>
  );
}
