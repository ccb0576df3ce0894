// The options page's list of keyboard shortcuts: each command of the manifest with the keys the browser
// has given it now, and how to change them where the browser allows: Chrome only on its own shortcuts
// page, Firefox also from here (`commands.update`).
import { createResource, createSignal, For, Show } from 'solid-js';
import { i18n } from '#i18n';
import { isSendKey } from './send-key';

export interface ShortcutEntry {
  name?: string;
  description?: string;
  shortcut?: string;
}

export interface ShortcutsDeps {
  list(): Promise<ShortcutEntry[]>;
  /** Opens the browser's own page for changing shortcuts, when it has one we may open. */
  openBrowserSettings?: () => Promise<void>;
  /** Which browser page that is, in words, when it cannot be opened for the person. */
  settingsPage?: string;
  /** Firefox: sets or resets a command's keys from here. */
  update?: (name: string, shortcut: string) => Promise<void>;
  reset?: (name: string) => Promise<void>;
}

export function Shortcuts(props: { deps: ShortcutsDeps; firefox?: boolean }) {
  const [commands, { refetch }] = createResource(() => props.deps.list());
  const [editing, setEditing] = createSignal<string | null>(null);
  const [draft, setDraft] = createSignal('');
  const [problem, setProblem] = createSignal<string | null>(null);
  const save = async (name: string) => {
    try {
      await props.deps.update!(name, draft().trim());
      setEditing(null);
      setProblem(null);
      void refetch();
    } catch (error) {
      setProblem(i18n.t('optionsShortcutInvalid', [error instanceof Error ? error.message : String(error)]));
    }
  };
  return (
    <fieldset data-testid="shortcuts">
      <legend>{i18n.t('optionsShortcuts')}</legend>
      <p>{i18n.t('optionsShortcutsIntro')}</p>
      <table class="cc-shortcuts">
        <tbody>
          <For each={(commands() ?? []).filter((c) => c.name && !c.name.startsWith('_'))}>
            {(command) => (
              <tr data-testid="shortcut" data-command={command.name}>
                <th scope="row">{command.description}</th>
                <td>
                  <Show
                    when={editing() === command.name}
                    fallback={
                      <kbd data-testid="shortcut-keys">
                        {command.shortcut || i18n.t('optionsShortcutNone')}
                      </kbd>
                    }
                  >
                    <form
                      class="cc-row"
                      onSubmit={(e) => {
                        e.preventDefault();
                        void save(command.name!);
                      }}
                    >
                      <input
                        type="text"
                        data-testid="shortcut-input"
                        aria-label={i18n.t('optionsShortcutEdit', [command.description ?? ''])}
                        aria-describedby="cc-shortcut-hint"
                        value={draft()}
                        ref={(el) => queueMicrotask(() => el.focus())}
                        onInput={(e) => setDraft(e.currentTarget.value)}
                        onKeyDown={(e) => {
                          if (e.key === 'Escape') setEditing(null);
                          if (isSendKey(e)) void save(command.name!);
                        }}
                      />
                      <button type="submit">{i18n.t('optionsShortcutSet')}</button>
                    </form>
                  </Show>
                </td>
                <Show when={props.deps.update && editing() !== command.name}>
                  <td>
                    <button
                      type="button"
                      data-testid="shortcut-edit"
                      aria-label={i18n.t('optionsShortcutEdit', [command.description ?? ''])}
                      onClick={() => {
                        setDraft(command.shortcut ?? '');
                        setProblem(null);
                        setEditing(command.name!);
                      }}
                    >
                      {i18n.t('edit')}
                    </button>{' '}
                    <button
                      type="button"
                      onClick={() => void props.deps.reset?.(command.name!).then(() => void refetch())}
                    >
                      {i18n.t('optionsShortcutReset')}
                    </button>
                  </td>
                </Show>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <Show when={editing()}>
        <small id="cc-shortcut-hint">{i18n.t('optionsShortcutHint')}</small>
      </Show>
      <Show when={problem()}>
        <p role="alert" data-testid="shortcut-problem" class="cc-problem">
          {problem()}
        </p>
      </Show>
      <Show when={props.deps.openBrowserSettings}>
        {(open) => (
          <button type="button" data-testid="shortcut-settings" onClick={() => void open()()}>
            {props.firefox ? i18n.t('optionsShortcutsChangeFirefox') : i18n.t('optionsShortcutsChangeChrome')}
          </button>
        )}
      </Show>
      <Show when={!props.deps.openBrowserSettings && props.deps.settingsPage}>
        <p>{i18n.t('optionsShortcutsWhere', [props.deps.settingsPage!])}</p>
      </Show>
      <p class="cc-muted">{i18n.t('optionsShortcutsInFrame', ['Ctrl/⌘+Enter'])}</p>
    </fieldset>
  );
}
