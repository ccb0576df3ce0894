// The composer of a new discussion: the selected quote and a text field, which takes the focus when the
// composer opens; Ctrl/⌘+Enter posts (said next to the field), Escape cancels (handled by the overlay).
// Its text is a draft of the page and passage (`lib/drafts`): cancelling or reloading keeps it, and
// selecting the same text again brings it back. Typing `@` suggests the team's members (MentionField);
// what is posted carries their `@[user-id]` tokens.
import { createUniqueId, Show } from 'solid-js';
import { i18n } from '#i18n';
import { createDraftBook, memoryDraftStore, type DraftBook } from '@/lib/frame/drafts';
import { toStored, type Member } from '@/lib/mentions';
import { LIMITS } from '@/lib/protocol/limits';
import { MentionField } from './MentionField';
import { isSendKey, SEND_SHORTCUTS, sendHint } from './send-key';

export interface ComposerProps {
  quote: string;
  /** Returns false when the text was not taken (it then stays in the field). */
  onSubmit(text: string): boolean | void;
  onCancel(): void;
  /** The person's unsent text (in memory when absent), and the key of this passage's draft. */
  drafts?: DraftBook;
  draftKey?: string;
  /** The team's members (null until listed), to suggest after `@`. */
  members?: readonly Member[] | null;
  /** The person writing (not suggested). */
  me?: string | null;
  onWantMembers?(): void;
}

export function Composer(props: ComposerProps) {
  const book = props.drafts ?? createDraftBook({ store: memoryDraftStore() });
  const key = () => props.draftKey ?? 'new';
  const text = () => book.text(key());
  const setText = (value: string) => book.set(key(), value);
  const id = createUniqueId();
  /** Members picked from the suggestions: which of two people of one name was meant. */
  let picks: Member[] = [];
  const submit = (event: Event) => {
    event.preventDefault();
    if (!text().trim()) return;
    if (props.onSubmit(toStored(text(), props.members ?? [], picks)) !== false) {
      picks = [];
      void book.clear(key());
    }
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
      <MentionField
        ref={(el) =>
          queueMicrotask(() => {
            el.focus();
            // A draft brought back: the caret goes to its end.
            el.setSelectionRange(el.value.length, el.value.length);
          })
        }
        testId="composer-input"
        label={i18n.t('composerFieldLabel')}
        describedBy={`${id}-quote ${id}-hint`}
        placeholder={i18n.t('composerPlaceholder')}
        maxLength={LIMITS.commentChars}
        value={text()}
        members={props.members ?? null}
        me={props.me ?? null}
        onWantMembers={() => props.onWantMembers?.()}
        onPick={(m) => (picks = [...picks, m])}
        onInput={(value) => setText(value)}
        onKeyDown={(e) => {
          if (isSendKey(e)) submit(e);
        }}
      />
      <p class="cc-hint" id={`${id}-hint`} data-testid="composer-hint">
        {sendHint('post')}
      </p>
      <Show when={text().trim()}>
        <p class="cc-hint" data-testid="draft-kept">
          {i18n.t('draftKept')}
        </p>
      </Show>
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
