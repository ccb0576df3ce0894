// What replaces the thread of a discussion someone else deleted while this person had unsent text in
// it: a notice of what happened, the text (editable, kept on this browser under the same passage),
// and Copy text, Discard and "Post as a new discussion" on the same text while the page still holds it.
import { Show } from 'solid-js';
import { i18n } from '#i18n';
import type { DraftBook } from '@/lib/frame/drafts';
import type { LostDraft } from '@/lib/frame/model';
import { LIMITS } from '@/lib/protocol/limits';
import { CopyButton } from './CopyButton';

export interface LostDraftPanelProps {
  lost: LostDraft;
  drafts: DraftBook;
  onPost(text: string): void;
  onDiscard(): void;
  onClose(): void;
}

export function LostDraftPanel(props: LostDraftPanelProps) {
  let field: HTMLTextAreaElement | undefined;
  const text = () => props.drafts.text(props.lost.key);
  return (
    <section class="cc-panel cc-thread cc-lost" data-testid="lost-draft" aria-labelledby="cc-lost-title">
      <header class="cc-thread-head">
        <div class="cc-thread-title">
          <h2 id="cc-lost-title" tabindex="-1" ref={(el) => queueMicrotask(() => el.focus())}>
            {i18n.t('lostTitle')}
          </h2>
          <blockquote class="cc-quote" dir="auto" data-testid="lost-quote">
            {props.lost.quote}
          </blockquote>
        </div>
        <button
          type="button"
          class="cc-icon"
          data-testid="lost-close"
          aria-label={i18n.t('closeLost')}
          title={i18n.t('closeLost')}
          onClick={() => props.onClose()}
        >
          <span aria-hidden="true">×</span>
        </button>
      </header>
      <p role="alert" data-testid="lost-notice">
        {i18n.t('lostExplain')}
      </p>
      <textarea
        ref={field}
        data-testid="lost-text"
        dir="auto"
        aria-label={i18n.t('lostFieldLabel')}
        maxLength={LIMITS.commentChars}
        value={text()}
        onInput={(e) => props.drafts.set(props.lost.key, e.currentTarget.value)}
      />
      <Show when={!props.lost.anchored}>
        <p class="cc-muted" data-testid="lost-orphan">
          {i18n.t('lostOrphan')}
        </p>
      </Show>
      <div class="cc-actions">
        <CopyButton text={text} field={() => field} testId="lost-copy" />
        <button type="button" data-testid="lost-discard" onClick={() => props.onDiscard()}>
          {i18n.t('discard')}
        </button>
        <Show when={props.lost.anchored}>
          <button
            type="button"
            class="cc-primary"
            data-testid="lost-post"
            disabled={!text().trim()}
            onClick={() => props.onPost(text())}
          >
            {i18n.t('postAsNew')}
          </button>
        </Show>
      </div>
    </section>
  );
}
