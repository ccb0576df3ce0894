import { cleanup, fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { TestConnectionResultT } from '@/lib/messaging';
import { serverUrlStorage } from '@/lib/storage';
import { useEnglishMessages } from '@/test/unit/i18n';
import { describeTestResult, Options } from './Options';

/** The token's store, in memory. */
const vault = { saved: '', get: async () => vault.saved, set: async (t: string) => void (vault.saved = t) };

beforeEach(() => {
  vault.saved = '';
  fakeBrowser.reset();
  useEnglishMessages();
});
afterEach(cleanup);

describe('Options', () => {
  it('saves the server URL and token', async () => {
    render(() => <Options deps={{ token: vault, testConnection: async () => ({ result: 'insecure' }) }} />);
    fireEvent.input(await screen.findByTestId('server-url'), {
      target: { value: ' wss://chat.example.com ' },
    });
    fireEvent.input(screen.getByTestId('token'), { target: { value: 'tok-1' } });
    fireEvent.click(screen.getByTestId('save-settings'));
    await waitFor(() => expect(screen.queryByTestId('save-status')?.textContent).toBe('Saved.'));
    expect(await serverUrlStorage.getValue()).toBe('wss://chat.example.com');
    expect(vault.saved).toBe('tok-1');
  });

  it('refuses to save a plain ws:// URL to another machine, saying why', async () => {
    render(() => <Options deps={{ token: vault, testConnection: async () => ({ result: 'insecure' }) }} />);
    fireEvent.input(await screen.findByTestId('server-url'), { target: { value: 'ws://chat.example.com' } });
    fireEvent.click(screen.getByTestId('save-settings'));
    await waitFor(() =>
      expect(screen.queryByTestId('test-result')?.getAttribute('data-result')).toBe('insecure'),
    );
    expect(await serverUrlStorage.getValue()).toBe('');
  });

  it('tests the connection with the values typed, and says the outcome in words', async () => {
    const asked: Array<[string, string]> = [];
    render(() => (
      <Options
        deps={{
          token: vault,
          testConnection: async (url, token) => {
            asked.push([url, token]);
            return {
              result: 'connected',
              user: { id: 'u', name: 'Alice' },
              tenant: { id: 't', name: 'Acme' },
              role: 'member',
            };
          },
        }}
      />
    ));
    fireEvent.input(await screen.findByTestId('server-url'), { target: { value: 'ws://127.0.0.1:1234' } });
    fireEvent.input(screen.getByTestId('token'), { target: { value: 'tok' } });
    fireEvent.click(screen.getByTestId('test-connection'));
    await waitFor(() =>
      expect(screen.getByTestId('test-result').textContent).toBe(
        'Connected as \u2068Alice\u2069 of \u2068Acme\u2069.',
      ),
    );
    expect(asked).toEqual([['ws://127.0.0.1:1234', 'tok']]);
  });

  it.each<[TestConnectionResultT, string]>([
    [{ result: 'token-refused' }, 'The server refused the token. Check it, or ask your admin for a new one.'],
    [
      { result: 'unreachable', detail: 'connection refused' },
      'The server is unreachable (connection refused). Check the URL and that the server is running.',
    ],
    [{ result: 'insecure' }, 'Plain ws:// is refused for a server that is not on this machine. Use wss://.'],
  ])('describes %o', (result, text) => {
    expect(describeTestResult(result)).toBe(text);
  });
});
