import { cleanup, fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { useEnglishMessages } from '@/test/unit/i18n';
import { Shortcuts, type ShortcutEntry } from './Shortcuts';

beforeEach(() => {
  fakeBrowser.reset();
  useEnglishMessages();
});
afterEach(cleanup);

const commands = (): ShortcutEntry[] => [
  { name: '_execute_action', description: '', shortcut: '' },
  { name: 'discuss-selection', description: 'Discuss the selected text', shortcut: 'Alt+Shift+D' },
  { name: 'toggle-overlay', description: 'Show or hide the Collab Chat bar', shortcut: '' },
];

describe('Shortcuts', () => {
  it('lists each command with its keys, and opens the browser’s page to change them', async () => {
    let opened = 0;
    render(() => (
      <Shortcuts deps={{ list: async () => commands(), openBrowserSettings: async () => void opened++ }} />
    ));
    await waitFor(() => expect(screen.getAllByTestId('shortcut')).toHaveLength(2));
    expect(screen.getAllByTestId('shortcut-keys').map((k) => k.textContent)).toEqual([
      'Alt+Shift+D',
      'not set',
    ]);
    expect(screen.queryByTestId('shortcut-edit')).toBeNull();
    fireEvent.click(screen.getByTestId('shortcut-settings'));
    expect(opened).toBe(1);
  });

  it('changes keys from the page where the browser allows it, and says why it refused', async () => {
    const list = commands();
    const update = async (name: string, shortcut: string) => {
      if (!/^Alt\+Shift\+[A-Z]$/.test(shortcut)) throw new Error(`Invalid shortcut: ${shortcut}`);
      list.find((c) => c.name === name)!.shortcut = shortcut;
    };
    render(() => <Shortcuts firefox deps={{ list: async () => list.map((c) => ({ ...c })), update }} />);
    await waitFor(() => expect(screen.getAllByTestId('shortcut-edit')).toHaveLength(2));
    fireEvent.click(screen.getAllByTestId('shortcut-edit')[1]!);
    const input = await screen.findByTestId('shortcut-input');
    fireEvent.input(input, { target: { value: 'Q' } });
    fireEvent.submit(input.closest('form')!);
    await waitFor(() =>
      expect(screen.getByTestId('shortcut-problem').textContent).toBe(
        'Those keys cannot be used: Invalid shortcut: Q',
      ),
    );
    fireEvent.input(input, { target: { value: 'Alt+Shift+O' } });
    fireEvent.submit(input.closest('form')!);
    await waitFor(() =>
      expect(screen.getAllByTestId('shortcut-keys').map((k) => k.textContent)).toEqual([
        'Alt+Shift+D',
        'Alt+Shift+O',
      ]),
    );
    expect(screen.queryByTestId('shortcut-problem')).toBeNull();
  });
});
