import { cleanup, fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TeamReplyT } from '@/lib/messaging';
import { useEnglishMessages } from '@/test/unit/i18n';
import { OwnData, type OwnDataAction, type OwnDataDeps } from './OwnData';

function deps(replies: Partial<Record<OwnDataAction, TeamReplyT>>) {
  const asked: OwnDataAction[] = [];
  const saved: { name: string; text: string }[] = [];
  const d: OwnDataDeps = {
    ask: async (action) => {
      asked.push(action);
      return replies[action] ?? { ok: true, body: { requestedAt: null } };
    },
    save: (name, text) => void saved.push({ name, text }),
  };
  return { d, asked, saved };
}

beforeEach(() => useEnglishMessages());
afterEach(cleanup);

describe('OwnData', () => {
  it('downloads the export as a JSON file and says what it holds', async () => {
    const body = {
      format: 'collab-chat-own-data',
      comments: [{ text: 'a' }, { text: 'b' }],
      discussionsStarted: [{}],
    };
    const { d, saved } = deps({ export: { ok: true, body } });
    render(() => <OwnData deps={d} />);
    fireEvent.click(screen.getByRole('button', { name: 'Download my data' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]!.name).toMatch(/^collab-chat-my-data-\d{4}-\d{2}-\d{2}\.json$/);
    expect(JSON.parse(saved[0]!.text)).toEqual(body);
    expect(screen.getByRole('status').textContent).toMatch(/2 comments, 1 discussions you started/);
  });

  it('says why an export failed and saves nothing', async () => {
    const { d, saved } = deps({ export: { ok: false, problem: 'unreachable', error: 'x' } });
    render(() => <OwnData deps={d} />);
    fireEvent.click(screen.getByRole('button', { name: 'Download my data' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/cannot be reached/));
    expect(saved).toEqual([]);
  });

  it('asks for erasure only after a confirmation; Cancel asks nothing', async () => {
    const { d, asked } = deps({
      'request-erasure': { ok: true, body: { requestedAt: Date.UTC(2026, 0, 2) } },
    });
    render(() => <OwnData deps={d} />);
    const ask = await screen.findByRole('button', { name: 'Ask for erasure…' });
    await waitFor(() => expect((ask as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(ask);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(asked).not.toContain('request-erasure');
    fireEvent.click(screen.getByRole('button', { name: 'Ask for erasure…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Ask for erasure' }));
    await waitFor(() => expect(screen.getByText(/You asked for erasure on/)).toBeTruthy());
    expect(asked).toEqual(['erasure-status', 'request-erasure']);
    expect(screen.queryByRole('button', { name: 'Ask for erasure…' })).toBeNull();
  });

  it('shows a request already made', async () => {
    const { d } = deps({ 'erasure-status': { ok: true, body: { requestedAt: Date.UTC(2026, 0, 2) } } });
    render(() => <OwnData deps={d} />);
    expect(await screen.findByText(/You asked for erasure on/)).toBeTruthy();
  });
});
