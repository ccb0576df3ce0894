import { cleanup, fireEvent, render, screen } from '@solidjs/testing-library';
import { createSignal } from 'solid-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { DiscussionT } from '@/lib/protocol';
import { useEnglishMessages } from '@/test/unit/i18n';
import { byState, DiscussionList, type StateFilter } from './DiscussionList';

const ana = { id: 'u-ana', name: 'Ana' };
const discussion = (id: string, resolved: boolean): DiscussionT => ({
  id,
  selectors: [{ type: 'TextQuoteSelector', exact: `quote ${id}` }],
  comments: [{ id: `${id}-c`, author: ana, text: 't', at: 1_700_000_000_000 }],
  ...(resolved && { resolved: { by: ana, at: 1_700_000_100_000 } }),
});
const discussions = [discussion('chat-open', false), discussion('chat-done', true)];

beforeEach(() => {
  fakeBrowser.reset();
  useEnglishMessages();
});
afterEach(cleanup);

describe('DiscussionList: resolved discussions', () => {
  it('keeps by state: all, open, resolved', () => {
    expect(byState(discussions, 'all').map((c) => c.id)).toEqual(['chat-open', 'chat-done']);
    expect(byState(discussions, 'open').map((c) => c.id)).toEqual(['chat-open']);
    expect(byState(discussions, 'resolved').map((c) => c.id)).toEqual(['chat-done']);
  });

  it('marks resolved items and filters them with pressed buttons the caller keeps', () => {
    const [filter, setFilter] = createSignal<StateFilter>('all');
    render(() => (
      <DiscussionList
        title="Discussions"
        discussions={discussions}
        orphanIds={new Set()}
        stateFilter={filter()}
        onStateFilter={setFilter}
        onOpen={() => {}}
        onClose={() => {}}
      />
    ));
    const ids = () => screen.queryAllByTestId('discussion-item').map((b) => b.dataset.discussionId);
    expect(ids()).toEqual(['chat-open', 'chat-done']);
    expect(screen.getAllByTestId('resolved-marker').map((m) => m.textContent)).toEqual(['resolved']);
    expect(screen.getByTestId('list-state-all').getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('group', { name: 'State' })).toBeTruthy();
    fireEvent.click(screen.getByTestId('list-state-open'));
    expect(filter()).toBe('open');
    expect(ids()).toEqual(['chat-open']);
    expect(screen.getByTestId('list-state-open').getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(screen.getByTestId('list-state-resolved'));
    expect(ids()).toEqual(['chat-done']);
  });

  it('offers no state filter where the caller keeps none (the list of orphans)', () => {
    render(() => (
      <DiscussionList
        title="Not found"
        discussions={discussions}
        orphanIds={new Set()}
        onOpen={() => {}}
        onClose={() => {}}
      />
    ));
    expect(screen.queryByTestId('list-state-open')).toBeNull();
  });
});
