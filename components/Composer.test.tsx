import { cleanup, fireEvent, render, screen } from '@solidjs/testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { useEnglishMessages } from '@/test/unit/i18n';
import { Composer } from './Composer';

beforeEach(() => {
  fakeBrowser.reset();
  useEnglishMessages();
});
afterEach(cleanup);

describe('Composer', () => {
  it('shows the quote and posts the text', () => {
    const posted: string[] = [];
    render(() => (
      <Composer quote="quick brown fox" onSubmit={(t) => void posted.push(t)} onCancel={() => {}} />
    ));
    expect(screen.getByText('quick brown fox')).toBeTruthy();
    const submit = screen.getByTestId('composer-submit') as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    fireEvent.input(screen.getByTestId('composer-input'), { target: { value: 'a thought' } });
    fireEvent.click(submit);
    expect(posted).toEqual(['a thought']);
  });

  it('posts with Ctrl+Enter or ⌘+Enter and says so next to the field', () => {
    const posted: string[] = [];
    render(() => <Composer quote="q" onSubmit={(t) => void posted.push(t)} onCancel={() => {}} />);
    const input = screen.getByTestId('composer-input');
    fireEvent.input(input, { target: { value: 'one' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(posted).toEqual([]);
    fireEvent.keyDown(input, { key: 'Enter', ctrlKey: true });
    fireEvent.input(input, { target: { value: 'two' } });
    fireEvent.keyDown(input, { key: 'Enter', metaKey: true });
    expect(posted).toEqual(['one', 'two']);
    expect(screen.getByTestId('composer-hint').textContent).toMatch(/^(Ctrl|⌘)\+Enter to post$/);
    expect(input.getAttribute('aria-describedby')).toContain(screen.getByTestId('composer-hint').id);
    expect(screen.getByTestId('composer-submit').getAttribute('aria-keyshortcuts')).toBe(
      'Control+Enter Meta+Enter',
    );
  });

  it('suggests members after @, picked with the arrow keys and Enter, and posts their token', () => {
    const posted: string[] = [];
    const wanted: string[] = [];
    const members = [
      { id: 'usr_ana', name: 'Ana' },
      { id: 'usr_bruno', name: 'Bruno' },
      { id: 'usr_bruna', name: 'Bruna' },
      { id: 'usr_brenda', name: 'Brenda', removed: true as const },
    ];
    render(() => (
      <Composer
        quote="q"
        members={members}
        me="usr_ana"
        onWantMembers={() => wanted.push('members')}
        onSubmit={(t) => void posted.push(t)}
        onCancel={() => {}}
      />
    ));
    const input = screen.getByTestId('composer-input') as HTMLTextAreaElement;
    expect(input.getAttribute('role')).toBe('combobox');
    expect(input.getAttribute('aria-expanded')).toBe('false');
    input.value = 'Ask @Bru';
    input.setSelectionRange(8, 8);
    fireEvent.input(input);
    const options = () => screen.queryAllByTestId('mention-option');
    expect(options().map((o) => o.textContent)).toEqual(['Bruna', 'Bruno']);
    expect(input.getAttribute('aria-expanded')).toBe('true');
    expect(input.getAttribute('aria-activedescendant')).toBe(options()[0]!.id);
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(options()[1]!.getAttribute('aria-selected')).toBe('true');
    expect(input.getAttribute('aria-activedescendant')).toBe(options()[1]!.id);
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(input.value).toBe('Ask @Bruno ');
    expect(options()).toEqual([]);
    input.value = 'Ask @Bruno now';
    fireEvent.input(input);
    fireEvent.keyDown(input, { key: 'Enter', ctrlKey: true });
    expect(posted).toEqual(['Ask @[usr_bruno] now']);
    // The members were known: nothing asked.
    expect(wanted).toEqual([]);
  });

  it('asks for the members at the first @, closes the suggestions with Escape and picks with a click', () => {
    const wanted: string[] = [];
    const posted: string[] = [];
    const { unmount } = render(() => (
      <Composer
        quote="q"
        members={null}
        onWantMembers={() => wanted.push('members')}
        onSubmit={(t) => void posted.push(t)}
        onCancel={() => {}}
      />
    ));
    const input = screen.getByTestId('composer-input') as HTMLTextAreaElement;
    input.value = '@';
    input.setSelectionRange(1, 1);
    fireEvent.input(input);
    expect(wanted).toEqual(['members']);
    unmount();

    render(() => (
      <Composer
        quote="q"
        members={[{ id: 'usr_bruno', name: 'Bruno' }]}
        onSubmit={(t) => void posted.push(t)}
        onCancel={() => {}}
      />
    ));
    const field = screen.getByTestId('composer-input') as HTMLTextAreaElement;
    field.value = '@b';
    field.setSelectionRange(2, 2);
    fireEvent.input(field);
    const escape = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true });
    field.dispatchEvent(escape);
    // Escape closed the suggestions only: the panel around it did not hear it.
    expect(escape.defaultPrevented).toBe(true);
    expect(screen.queryAllByTestId('mention-option')).toEqual([]);
    fireEvent.input(field);
    fireEvent.click(screen.getByTestId('mention-option'));
    expect(field.value).toBe('@Bruno ');
    fireEvent.click(screen.getByTestId('composer-submit'));
    expect(posted).toEqual(['@[usr_bruno] ']);
  });
});
