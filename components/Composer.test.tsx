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
});
