// A comment's text field that suggests the team's members after `@` (the composer, the reply box, an
// edit box). The ARIA combobox pattern on the textarea itself: while suggestions show, the arrow keys
// move among them (`aria-activedescendant`), Enter or Tab picks one, Escape closes them; a click picks
// one too. The field shows `@Name`; the caller turns the text into stored tokens with the picks
// (lib/mentions `toStored`). The members come from the server through the frame's model, asked for
// when the person first types `@`.
import { createMemo, createSignal, createUniqueId, For } from 'solid-js';
import { i18n } from '#i18n';
import { insertMention, mentionQuery, suggest, type Member, type MentionQuery } from '@/lib/mentions';

export interface MentionFieldProps {
  value: string;
  onInput(text: string): void;
  /** Keys the suggestions did not take (send shortcuts, Escape with nothing suggested). */
  onKeyDown?(event: KeyboardEvent): void;
  /** The team's members, null until listed. */
  members: readonly Member[] | null;
  /** The person typing (not suggested). */
  me: string | null;
  /** Asked when the person types `@` and the members are not known yet. */
  onWantMembers?(): void;
  /** A member was picked (kept by the caller to store the right token). */
  onPick?(member: Member): void;
  ref?: (el: HTMLTextAreaElement) => void;
  testId: string;
  label: string;
  describedBy?: string;
  placeholder?: string;
  maxLength?: number;
}

export function MentionField(props: MentionFieldProps) {
  let field: HTMLTextAreaElement | undefined;
  const id = createUniqueId();
  const [query, setQuery] = createSignal<MentionQuery | null>(null);
  const [active, setActive] = createSignal(0);
  const suggestions = createMemo(() => {
    const q = query();
    return q ? suggest(props.members ?? [], q.query, { exclude: props.me }) : [];
  });
  const open = () => suggestions().length > 0;
  /** Reads the mention being typed at the caret (after typing, a click or a caret move). */
  const update = () => {
    if (!field) return;
    const caret = field.selectionStart ?? field.value.length;
    const q = field.selectionStart === field.selectionEnd ? mentionQuery(field.value, caret) : null;
    const before = query();
    if (q?.start !== before?.start || q?.query !== before?.query) setActive(0);
    setQuery(q);
    if (q && props.members === null) props.onWantMembers?.();
  };
  const pick = (member: Member) => {
    const q = query();
    if (!q || !field) return;
    const caret = field.selectionStart ?? field.value.length;
    const next = insertMention(field.value, q, caret, member.name);
    props.onPick?.(member);
    props.onInput(next.text);
    // The field's value follows the prop; the caret goes after the inserted name.
    field.value = next.text;
    field.setSelectionRange(next.caret, next.caret);
    setQuery(null);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (open() && !event.isComposing) {
      const n = suggestions().length;
      const move = { ArrowDown: 1, ArrowUp: -1 }[event.key];
      if (move !== undefined && !event.altKey && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        setActive((a) => (a + move + n) % n);
        return;
      }
      const plain = !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey;
      if ((event.key === 'Enter' || event.key === 'Tab') && plain) {
        event.preventDefault();
        const member = suggestions()[Math.min(active(), n - 1)];
        if (member) pick(member);
        return;
      }
      if (event.key === 'Escape') {
        // Closes the suggestions only, not the panel around the field.
        event.preventDefault();
        setQuery(null);
        return;
      }
    }
    props.onKeyDown?.(event);
  };
  const optionId = (i: number) => `${id}-option-${i}`;
  return (
    <div class="cc-mention-field">
      <textarea
        ref={(el) => {
          field = el;
          props.ref?.(el);
        }}
        data-testid={props.testId}
        dir="auto"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open()}
        aria-controls={`${id}-listbox`}
        aria-activedescendant={open() ? optionId(Math.min(active(), suggestions().length - 1)) : undefined}
        aria-label={props.label}
        aria-describedby={props.describedBy}
        placeholder={props.placeholder}
        maxLength={props.maxLength}
        value={props.value}
        onInput={(e) => {
          props.onInput(e.currentTarget.value);
          update();
        }}
        onKeyDown={onKeyDown}
        onKeyUp={(e) => {
          if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) update();
        }}
        onClick={update}
        onBlur={() => setQuery(null)}
      />
      <ul
        id={`${id}-listbox`}
        class="cc-mentions"
        role="listbox"
        aria-label={i18n.t('mentionSuggestions')}
        data-testid="mention-suggestions"
        hidden={!open()}
      >
        <For each={suggestions()}>
          {(member, i) => (
            <li
              id={optionId(i())}
              role="option"
              class="cc-mention-option"
              data-testid="mention-option"
              data-user-id={member.id}
              aria-selected={i() === active()}
              // The field keeps the focus (and its caret) while the pointer picks.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => pick(member)}
            >
              <bdi>{member.name}</bdi>
            </li>
          )}
        </For>
      </ul>
    </div>
  );
}
