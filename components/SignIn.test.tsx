import { cleanup, fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignInReplyT, SignOutReplyT } from '@/lib/messaging';
import { useEnglishMessages } from '@/test/unit/i18n';
import { SignIn, type SignInDeps, type SignInOutcome } from './SignIn';

function deps(
  reply: SignInReplyT,
  options: { signedIn?: boolean; out?: SignOutReplyT; ended?: string } = {},
) {
  const asked: string[] = [];
  const done: SignInOutcome[] = [];
  const d: SignInDeps = {
    signIn: async (serverUrl) => {
      asked.push(serverUrl);
      return reply;
    },
    signOut: async () => options.out ?? { ok: true, server: 'revoked' },
    signedIn: async () => options.signedIn ?? false,
    sessionEnded: async () => options.ended ?? null,
    done: (outcome) => void done.push(outcome),
    takeOutcome: () => null,
  };
  return { d, asked, done };
}

beforeEach(() => useEnglishMessages());
afterEach(cleanup);

describe('SignIn', () => {
  it('cannot start without a server URL, signs in for the URL typed and says as whom', async () => {
    const { d, asked, done } = deps({
      ok: true,
      user: { id: 'u', name: 'Carol' },
      tenant: { id: 't', name: 'Acme' },
      role: 'member',
      check: {
        result: 'connected',
        user: { id: 'u', name: 'Carol' },
        tenant: { id: 't', name: 'Acme' },
        role: 'member',
      },
    });
    const { unmount } = render(() => <SignIn deps={d} serverUrl="" />);
    expect((screen.getByTestId('sso-sign-in') as HTMLButtonElement).disabled).toBe(true);
    unmount();
    render(() => <SignIn deps={d} serverUrl="wss://chat.example.com" />);
    fireEvent.click(screen.getByTestId('sso-sign-in'));
    await waitFor(() => expect(screen.getByTestId('sso-status').dataset.result).toBe('signed-in'));
    expect(asked).toEqual(['wss://chat.example.com']);
    expect(done).toEqual([
      {
        result: 'signed-in',
        text: 'Signed in: you are \u2068Carol\u2069 in \u2068Acme\u2069. The server and your session are saved.',
      },
    ]);
  });

  it.each([
    [{ ok: false, problem: 'not-configured' }, 'Single sign-on is not set up on this server.'],
    [{ ok: false, problem: 'cancelled' }, 'The sign-in window was closed before you signed in.'],
    [{ ok: false, problem: 'waiting', detail: 'x' }, 'Your request to join is waiting for an admin'],
    [
      { ok: false, problem: 'refused', detail: 'not allowed here' },
      'The server did not let you in: \u2068not allowed here\u2069',
    ],
  ] as [SignInReplyT, string][])(
    'says why a sign-in did not work and saves nothing: %o',
    async (reply, words) => {
      const { d, done } = deps(reply);
      render(() => <SignIn deps={d} serverUrl="wss://chat.example.com" />);
      fireEvent.click(screen.getByTestId('sso-sign-in'));
      await waitFor(() => expect(screen.getByTestId('sso-status').textContent).toContain(words));
      expect(done).toEqual([]);
      expect((screen.getByTestId('sso-sign-in') as HTMLButtonElement).disabled).toBe(false);
    },
  );

  it('offers Sign out when signed in, and says when the server could not be told', async () => {
    const { d, done } = deps(
      { ok: false, problem: 'failed' },
      { signedIn: true, out: { ok: true, server: 'unreachable' } },
    );
    render(() => <SignIn deps={d} serverUrl="wss://chat.example.com" />);
    await waitFor(() => screen.getByTestId('sso-sign-out'));
    fireEvent.click(screen.getByTestId('sso-sign-out'));
    await waitFor(() => expect(done).toHaveLength(1));
    expect(done[0]!.result).toBe('signed-out');
    expect(done[0]!.text).toMatch(/could not be reached to end the session/);
  });

  it('says why the last session ended, so the person knows to sign in again', async () => {
    const { d } = deps({ ok: false, problem: 'failed' }, { ended: 'this session has ended; sign in again' });
    render(() => <SignIn deps={d} serverUrl="wss://chat.example.com" />);
    await waitFor(() => expect(screen.getByTestId('sso-status').dataset.result).toBe('session-ended'));
    expect(screen.getByTestId('sso-status').textContent).toBe(
      'The server ended your signed-in session: \u2068this session has ended; sign in again\u2069',
    );
  });
});
