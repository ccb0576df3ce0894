import { cleanup, fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { TeamReplyT } from '@/lib/messaging';
import { useEnglishMessages } from '@/test/unit/i18n';
import { TeamView, type TeamViewDeps } from './TeamView';

const summary = (id: string, title: string | null, at: number) => ({
  id,
  page: `https://example.com/${id}`,
  title,
  quote: `quote of ${id}`,
  creator: { id: 'u1', name: 'Ada' },
  createdAt: at,
  lastActivityAt: at,
  commentCount: 2,
  preview: `<b>opening</b> of ${id}`,
});

beforeEach(() => {
  fakeBrowser.reset();
  useEnglishMessages();
});
afterEach(cleanup);

describe('TeamView', () => {
  it('lists the team’s discussions as links to their pages, text shown as text, and pages on', async () => {
    const asked: Record<string, string>[] = [];
    const deps: TeamViewDeps = {
      openOptions: () => {},
      async ask(path, params): Promise<TeamReplyT> {
        asked.push({ path, ...params });
        if (params.cursor === 'c1')
          return { ok: true, body: { discussions: [summary('c', null, 1)], next: null } };
        return {
          ok: true,
          body: { discussions: [summary('a', 'Alpha', 3), summary('b', 'Beta', 2)], next: 'c1' },
        };
      },
    };
    render(() => <TeamView deps={deps} />);
    await waitFor(() =>
      expect(screen.getAllByRole('link').map((a) => a.textContent)).toEqual(['Alpha', 'Beta']),
    );
    expect(screen.getByText('Alpha').closest('a')!.getAttribute('href')).toBe(
      'https://example.com/a#cc-chat=a',
    );
    expect(screen.getByText('<b>opening</b> of a')).toBeTruthy();
    expect(document.querySelector('b')).toBeNull();
    fireEvent.click(screen.getByText('Show more'));
    await waitFor(() => expect(screen.getAllByRole('link')).toHaveLength(3));
    expect(screen.getAllByRole('link')[2]!.textContent).toBe('https://example.com/c');
    fireEvent.click(screen.getByLabelText('Started by me'));
    await waitFor(() => expect(asked.at(-1)).toMatchObject({ path: 'discussions', mine: '1' }));
  });

  it('filters by mentions of me and by open or resolved, and says who resolved a discussion', async () => {
    const asked: Record<string, string>[] = [];
    const deps: TeamViewDeps = {
      openOptions: () => {},
      async ask(path, params): Promise<TeamReplyT> {
        asked.push({ path, ...params });
        const resolved = {
          ...summary('r', 'Settled', 2),
          resolved: { by: { id: 'u2', name: 'Bea' }, at: 2 },
        };
        return { ok: true, body: { discussions: [summary('o', 'Still open', 3), resolved], next: null } };
      },
    };
    render(() => <TeamView deps={deps} />);
    await waitFor(() => expect(screen.getAllByRole('link')).toHaveLength(2));
    expect(screen.getAllByTestId('team-resolved').map((e) => e.textContent)).toEqual([
      'Resolved by \u2068Bea\u2069',
    ]);
    expect(screen.getByText('Settled').closest('li')!.textContent).toContain('Resolved by');
    fireEvent.click(screen.getByLabelText('Mentions me'));
    await waitFor(() => expect(asked.at(-1)).toMatchObject({ path: 'discussions', mentions: 'me' }));
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'open' } });
    await waitFor(() =>
      expect(asked.at(-1)).toMatchObject({ path: 'discussions', mentions: 'me', state: 'open' }),
    );
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: '' } });
    await waitFor(() => expect(asked.at(-1)!.state).toBeUndefined());
  });

  it('searches as the person types, keeps only the latest answer, and marks the matched words', async () => {
    const unanswered: { params: Record<string, string>; resolve: (r: TeamReplyT) => void }[] = [];
    const deps: TeamViewDeps = {
      openOptions: () => {},
      debounceMs: 0,
      ask: (path, params) =>
        path === 'discussions'
          ? Promise.resolve({ ok: true, body: { discussions: [], next: null } })
          : new Promise((resolve) => unanswered.push({ params, resolve })),
    };
    const hit = (q: string) => ({
      chatId: q,
      page: `https://example.com/${q}`,
      title: null,
      quote: 'a quote',
      createdAt: 1,
      lastActivityAt: 1,
      quoteMarked: [{ text: 'a quote', hit: false }],
      titleMarked: null,
      comment: {
        id: 'm1',
        author: { id: 'u1', name: 'Bea' },
        at: 1,
        snippet: [
          { text: 'about ', hit: false },
          { text: q, hit: true },
        ],
      },
      score: 1,
    });
    render(() => <TeamView deps={deps} />);
    const box = screen.getByRole('searchbox');
    fireEvent.input(box, { target: { value: 'zeb' } });
    await waitFor(() => expect(unanswered).toHaveLength(1));
    fireEvent.input(box, { target: { value: 'zebra' } });
    await waitFor(() => expect(unanswered).toHaveLength(2));
    expect(unanswered.map((p) => p.params.q)).toEqual(['zeb', 'zebra']);
    unanswered[1]!.resolve({ ok: true, body: { query: 'zebra', hits: [hit('zebra')] } });
    await waitFor(() => expect(document.querySelector('mark')?.textContent).toBe('zebra'));
    // The older answer comes late: it changes nothing.
    unanswered[0]!.resolve({ ok: true, body: { query: 'zeb', hits: [hit('zeb')] } });
    await new Promise((r) => setTimeout(r, 20));
    expect([...document.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['zebra']);
  });

  it('says what to do when it is not set up, with the way to the options', async () => {
    let opened = 0;
    render(() => (
      <TeamView
        deps={{
          openOptions: () => opened++,
          ask: async () => ({ ok: false, problem: 'not-set-up', error: 'x' }),
        }}
      />
    ));
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/Not set up/));
    fireEvent.click(screen.getByText('Options'));
    expect(opened).toBe(1);
  });
});
