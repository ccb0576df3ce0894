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

  it('cancels with Escape', () => {
    let cancelled = false;
    render(() => <Composer quote="q" onSubmit={() => {}} onCancel={() => (cancelled = true)} />);
    fireEvent.keyDown(screen.getByTestId('composer-input'), { key: 'Escape' });
    expect(cancelled).toBe(true);
  });
});
