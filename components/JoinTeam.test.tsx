import { cleanup, fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JoinReplyT } from '@/lib/messaging';
import { useEnglishMessages } from '@/test/unit/i18n';
import { JoinTeam, type JoinTeamDeps } from './JoinTeam';

const LINK = 'https://chat.example.com/invite#cci_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

function deps(reply: JoinReplyT | Error, kept: string | null = null) {
  const calls: { link: string; name: string }[] = [];
  const joined: string[] = [];
  const d: JoinTeamDeps = {
    redeem: async (link, name) => {
      calls.push({ link, name });
      if (reply instanceof Error) throw reply;
      return reply;
    },
    joined: (message) => void joined.push(message),
    takeJoinedMessage: () => kept,
  };
  return { d, calls, joined };
}

const fill = (link: string, name: string) => {
  fireEvent.input(screen.getByTestId('invite-link'), { target: { value: link } });
  fireEvent.input(screen.getByTestId('invite-name'), { target: { value: name } });
  fireEvent.click(screen.getByTestId('join-submit'));
};

beforeEach(() => useEnglishMessages());
afterEach(cleanup);

describe('JoinTeam', () => {
  it('asks the background to redeem the pasted link with the name, then says who joined where', async () => {
    const { d, calls, joined } = deps({
      ok: true,
      user: { id: 'u', name: 'Dana' },
      tenant: { id: 't', name: 'Acme' },
      role: 'member',
      check: {
        result: 'connected',
        user: { id: 'u', name: 'Dana' },
        tenant: { id: 't', name: 'Acme' },
        role: 'member',
      },
    });
    render(() => <JoinTeam deps={d} />);
    fill(LINK, 'Dana');
    await waitFor(() => expect(screen.getByTestId('join-status').dataset.result).toBe('joined'));
    expect(calls).toEqual([{ link: LINK, name: 'Dana' }]);
    expect(screen.getByTestId('join-status').textContent).toBe(
      'Joined: you are \u2068Dana\u2069 in \u2068Acme\u2069. The server and your new token are saved.',
    );
    expect(joined).toHaveLength(1);
  });

  it.each([
    ['invite-expired', /expired/],
    ['invite-used-up', /used as many times/],
    ['invite-revoked', /withdrew/],
    ['invite-unknown', /does not know/],
    ['invalid-link', /not an invite link/],
    ['rate-limited', /Too many attempts/],
  ] as const)('says %s in its own words and keeps what was typed', async (problem, words) => {
    const { d, joined } = deps({ ok: false, problem });
    render(() => <JoinTeam deps={d} />);
    fill(LINK, 'Dana');
    await waitFor(() => expect(screen.getByTestId('join-status').dataset.result).toBe(problem));
    expect(screen.getByTestId('join-status').textContent).toMatch(words);
    expect((screen.getByTestId('invite-link') as HTMLInputElement).value).toBe(LINK);
    expect((screen.getByTestId('invite-name') as HTMLInputElement).value).toBe('Dana');
    expect(joined).toEqual([]);
  });

  it('says so when the background does not answer', async () => {
    const { d } = deps(new Error('no receiver'));
    render(() => <JoinTeam deps={d} />);
    fill(LINK, 'Dana');
    await waitFor(() => expect(screen.getByTestId('join-status').dataset.result).toBe('failed'));
    expect(screen.getByTestId('join-status').textContent).toMatch(/did not answer/);
  });

  it('shows the message a join left before the page reloaded', () => {
    const { d } = deps({ ok: false, problem: 'failed' }, 'Joined: you are Dana in Acme.');
    render(() => <JoinTeam deps={d} />);
    expect(screen.getByTestId('join-status').textContent).toBe('Joined: you are Dana in Acme.');
  });
});
