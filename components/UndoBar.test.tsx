import { cleanup, fireEvent, render, screen } from '@solidjs/testing-library';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { useEnglishMessages } from '@/test/unit/i18n';
import { secondsLeft, UndoBar } from './UndoBar';

const page = 'https://example.com/a';

beforeEach(() => {
  fakeBrowser.reset();
  useEnglishMessages();
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('UndoBar', () => {
  it('counts the seconds left down for the eyes, names what Undo keeps, and undoes', async () => {
    const undone: string[] = [];
    const due = Date.now() + 5_000;
    render(() => (
      <UndoBar
        deletes={[
          { write: { type: 'delete-comment', broadcastId: 'b1', page, chatId: 'c', commentId: 'm' }, due },
        ]}
        describe={() => 'a reply'}
        onUndo={(id) => undone.push(id)}
      />
    ));
    const countdown = screen.getByTestId('undo-countdown');
    expect(countdown.textContent).toBe('Removed for everyone in 5 s.');
    expect(countdown.getAttribute('aria-hidden')).toBe('true');
    await vi.advanceTimersByTimeAsync(1_250);
    expect(screen.getByTestId('undo-countdown').textContent).toBe('Removed for everyone in 4 s.');
    const undo = screen.getByTestId('undo-delete');
    expect(undo.getAttribute('aria-label')).toBe('Undo deleting “\u2068a reply\u2069”');
    fireEvent.click(undo);
    expect(undone).toEqual(['b1']);
  });

  it('shows nothing with nothing waiting', () => {
    render(() => <UndoBar deletes={[]} describe={() => ''} onUndo={() => {}} />);
    expect(screen.queryByTestId('undo-bar')).toBeNull();
  });

  it.each([
    [5_000, 5],
    [4_001, 5],
    [4_000, 4],
    [10, 1],
    [-50, 1],
  ])('%i ms left reads as %i s', (left, seconds) => {
    expect(secondsLeft(1_000_000 + left, 1_000_000)).toBe(seconds);
  });
});
