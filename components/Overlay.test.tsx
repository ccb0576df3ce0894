import { cleanup, fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { createRoot } from 'solid-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createOverlayModel } from '@/lib/frame/model';
import type { FrameToBackgroundT, StatusT } from '@/lib/messaging';
import type { DiscussionT } from '@/lib/protocol';
import { useEnglishMessages } from '@/test/unit/i18n';
import { Overlay } from './Overlay';

const page = 'https://example.com/a';
const status: StatusT = {
  state: 'live',
  queued: 0,
  me: { id: 'u-alice', name: 'Alice' },
  tenant: { id: 't', name: 'T' },
  role: 'member',
};
const discussion = (id: string, quote: string, author = { id: 'u-bob', name: 'Bob' }): DiscussionT => ({
  id,
  selectors: [{ type: 'TextQuoteSelector', exact: quote }],
  comments: [{ id: `${id}-c`, author, text: `about ${quote}`, at: 1 }],
});
const DISCUSSION_IDS = ['aaaaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbbbb', 'cccccccccccccccccccccc'];

function setup() {
  const sent: FrameToBackgroundT[] = [];
  const model = createRoot(() => createOverlayModel({ send: (m) => sent.push(m) }));
  model.handle({ kind: 'page', page });
  model.handle({ kind: 'status', status });
  model.handle({
    kind: 'state',
    page,
    discussions: [
      discussion(DISCUSSION_IDS[0]!, 'one'),
      discussion(DISCUSSION_IDS[1]!, 'two'),
      discussion(DISCUSSION_IDS[2]!, 'three'),
    ],
    synced: true,
  });
  render(() => <Overlay model={model} theme="light" onToggleCollapsed={() => {}} />);
  const escape = () => fireEvent.keyDown(document.activeElement ?? document.body, { key: 'Escape' });
  return { model, sent, escape };
}
const focused = () => document.activeElement?.getAttribute('data-testid');

beforeEach(() => {
  fakeBrowser.reset();
  useEnglishMessages();
});
afterEach(cleanup);

describe('Overlay: keyboard and focus', () => {
  it('focuses the composer opened from the page; Escape closes it and gives the focus back to the page', async () => {
    const { model, sent, escape } = setup();
    model.handle({
      kind: 'compose',
      selection: { quote: 'q', selectors: [{ type: 'TextQuoteSelector', exact: 'q' }] },
    });
    await waitFor(() => expect(focused()).toBe('composer-input'));
    escape();
    expect(screen.queryByTestId('composer')).toBeNull();
    expect(sent.at(-1)).toEqual({ kind: 'release-focus' });
  });

  it('walks the list with the arrow keys, opens a thread on its heading and comes back to the item with Escape', async () => {
    const { sent, escape } = setup();
    fireEvent.click(screen.getByTestId('discussion-count'));
    await waitFor(() =>
      expect(document.activeElement?.getAttribute('data-discussion-id')).toBe(DISCUSSION_IDS[0]),
    );
    const items = screen.getAllByTestId('discussion-item');
    expect(items.map((b) => b.tabIndex)).toEqual([0, -1, -1]);
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement?.getAttribute('data-discussion-id')).toBe(DISCUSSION_IDS[1]);
    fireEvent.keyDown(document.activeElement!, { key: 'End' });
    expect(document.activeElement?.getAttribute('data-discussion-id')).toBe(DISCUSSION_IDS[2]);
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement?.getAttribute('data-discussion-id')).toBe(DISCUSSION_IDS[0]);
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    expect(document.activeElement?.getAttribute('data-discussion-id')).toBe(DISCUSSION_IDS[2]);
    fireEvent.click(document.activeElement!);
    await waitFor(() => expect(focused()).toBe('thread-title'));
    expect(document.activeElement?.textContent).toBe(
      'Discussion on “\u2068three\u2069”. Started by \u2068Bob\u2069 · 1 comment',
    );
    escape();
    await waitFor(() =>
      expect(document.activeElement?.getAttribute('data-discussion-id')).toBe(DISCUSSION_IDS[2]),
    );
    escape();
    await waitFor(() => expect(focused()).toBe('discussion-count'));
    expect(screen.queryByTestId('discussion-list')).toBeNull();
    // Opened from the frame: the focus stays in the frame.
    expect(sent.filter((m) => m.kind === 'release-focus')).toEqual([]);
  });

  it('Escape in an edit ends the edit only, back on its Edit button', async () => {
    const { model, escape } = setup();
    model.handle({
      kind: 'state',
      page,
      discussions: [discussion(DISCUSSION_IDS[0]!, 'one', { id: 'u-alice', name: 'Alice' })],
      synced: true,
    });
    model.handle({ kind: 'open-discussion', id: DISCUSSION_IDS[0]! });
    fireEvent.click(await screen.findByTestId('edit-comment'));
    await waitFor(() => expect(focused()).toBe('edit-input'));
    escape();
    await waitFor(() => expect(focused()).toBe('edit-comment'));
    expect(screen.getByTestId('thread')).toBeTruthy();
    expect(screen.getByTestId('edit-comment').getAttribute('aria-label')).toBe(
      'Edit \u2068Alice\u2069’s comment',
    );
    expect(screen.getByTestId('delete-comment').getAttribute('aria-label')).toBe(
      'Delete \u2068Alice\u2069’s comment',
    );
  });

  it('announces others’ new discussions, new comments in the open thread and connection changes', () => {
    const { model } = setup();
    const said = () => screen.getByTestId('announcer').textContent;
    model.handle({ kind: 'open-discussion', id: DISCUSSION_IDS[0]! });
    model.handle({
      kind: 'event',
      event: {
        type: 'updated-text-chat',
        page,
        seq: 4,
        broadcastId: 'b1',
        chatId: DISCUSSION_IDS[0]!,
        change: {
          op: 'add-comment',
          comment: { id: 'r1', author: { id: 'u-bob', name: 'Bob' }, text: 'yes', at: 2 },
        },
      },
    });
    expect(said()).toBe('\u2068Bob\u2069 replied: yes');
    model.handle({
      kind: 'event',
      event: {
        type: 'new-text-chat',
        page,
        seq: 5,
        broadcastId: 'b2',
        chat: discussion('dddddddddddddddddddddd', 'four'),
      },
    });
    expect(said()).toBe('\u2068Bob\u2069 started a discussion on “\u2068four\u2069”');
    model.handle({ kind: 'status', status: { ...status, state: 'reconnecting' } });
    expect(said()).toBe('Connection: Reconnecting…');
  });

  it('says why a shortcut pressed on the page did nothing', () => {
    const { model } = setup();
    model.handle({ kind: 'hint', hint: 'no-selection' });
    expect(screen.getByTestId('notice').textContent).toContain('Select some text on the page first');
  });
});

describe('Overlay: docking', () => {
  it('lays out on its docked side and offers the other one from the bar', () => {
    const model = createRoot(() => createOverlayModel({ send: () => {} }));
    const chosen: string[] = [];
    render(() => (
      <Overlay
        model={model}
        theme="light"
        dock="left"
        onToggleCollapsed={() => {}}
        onDock={(side) => chosen.push(side)}
      />
    ));
    expect(document.querySelector('.cc-root')?.getAttribute('data-dock')).toBe('left');
    fireEvent.click(screen.getByTestId('dock-toggle'));
    expect(chosen).toEqual(['right']);
  });
});

describe('the first-use hint', () => {
  it('says how to start a discussion under the bar until dismissed', () => {
    const model = createRoot(() => createOverlayModel({ send: () => {} }));
    let dismissed = 0;
    render(() => (
      <Overlay
        model={model}
        theme="light"
        hint={dismissed === 0}
        onDismissHint={() => dismissed++}
        onToggleCollapsed={() => {}}
      />
    ));
    expect(screen.getByTestId('first-use-hint').textContent).toContain(
      'To start a discussion, select some text on this page, then choose “Discuss this”.',
    );
    fireEvent.click(screen.getByTestId('dismiss-hint'));
    expect(dismissed).toBe(1);
  });

  it('is not shown while the bar is collapsed', () => {
    const model = createRoot(() => createOverlayModel({ send: () => {} }));
    model.setCollapsed(true);
    render(() => <Overlay model={model} theme="light" hint onToggleCollapsed={() => {}} />);
    expect(screen.queryByTestId('first-use-hint')).toBeNull();
  });
});

describe('Overlay: discussions whose text left the page', () => {
  it('lists them as not found; opened, one says its text is gone and the page is asked to reveal nothing', async () => {
    const { model, sent } = setup();
    model.handle({ kind: 'orphans', ids: [DISCUSSION_IDS[1]!], fuzzy: [] });
    expect(screen.getByTestId('orphans-button').textContent).toBe('1 not found');
    fireEvent.click(screen.getByTestId('orphans-button'));
    const orphans = screen.getAllByTestId('orphan');
    expect(orphans).toHaveLength(1);
    fireEvent.click(orphans[0]!);
    await waitFor(() =>
      expect(screen.getByTestId('thread-placement').textContent).toBe(
        'The quoted text is no longer on this page.',
      ),
    );
    expect(screen.getByTestId('thread-quote').textContent).toBe('two');
    // The page is not asked to reveal a passage it could not place.
    expect(sent.filter((m) => m.kind === 'reveal')).toEqual([]);
  });

  it('a discussion found again leaves the list of those not found', () => {
    const { model } = setup();
    model.handle({ kind: 'orphans', ids: [DISCUSSION_IDS[1]!], fuzzy: [] });
    model.handle({ kind: 'orphans', ids: [], fuzzy: [] });
    expect(screen.queryByTestId('orphans-button')).toBeNull();
  });
});
