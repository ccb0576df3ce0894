import { cleanup, fireEvent, render, screen } from '@solidjs/testing-library';
import { createSignal } from 'solid-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { StatusT } from '@/lib/messaging';
import { useEnglishMessages } from '@/test/unit/i18n';
import { TopBar } from './TopBar';

const status = (state: StatusT['state'], queued = 0): StatusT => ({
  state,
  queued,
  me: null,
  tenant: null,
  role: null,
});

beforeEach(() => {
  fakeBrowser.reset();
  useEnglishMessages();
});

describe('TopBar', () => {
  it('shows viewers, discussions and a live connection', () => {
    render(() => (
      <TopBar
        viewers={2}
        discussions={1}
        orphans={0}
        status={status('live')}
        collapsed={false}
        onToggle={() => {}}
        onShowOrphans={() => {}}
        onShowList={() => {}}
      />
    ));
    expect(screen.getByTestId('viewers').textContent).toBe('2 viewers');
    expect(screen.getByTestId('discussion-count').textContent).toBe('1 discussion');
    expect(screen.getByTestId('connection-state').textContent).toBe('Live');
    expect(screen.queryByTestId('orphans-button')).toBeNull();
  });

  it('shows offline with the number of queued writes, and orphans', () => {
    render(() => (
      <TopBar
        viewers={1}
        discussions={3}
        orphans={1}
        status={status('offline', 2)}
        collapsed={false}
        onToggle={() => {}}
        onShowOrphans={() => {}}
        onShowList={() => {}}
      />
    ));
    expect(screen.getByTestId('connection-state').textContent).toBe('Offline · 2 queued');
    expect(screen.getByTestId('orphans-button').textContent).toBe('1 not found');
    // The last count it had is stale while offline: no number is shown rather than a wrong one.
    expect(screen.queryByTestId('viewers')).toBeNull();
  });

  it.each(['connecting', 'reconnecting', 'unconfigured', 'refused', 'idle'] as const)(
    'shows no viewer count while %s, never "0 viewers"',
    (state) => {
      render(() => (
        <TopBar
          viewers={null}
          discussions={0}
          orphans={0}
          status={status(state)}
          collapsed={false}
          onToggle={() => {}}
          onShowOrphans={() => {}}
          onShowList={() => {}}
        />
      ));
      expect(screen.queryByTestId('viewers')).toBeNull();
      expect(screen.getByTestId('topbar').textContent).not.toMatch(/viewer/);
    },
  );

  it('says plainly that the token no longer works and offers the options', () => {
    let opened = 0;
    render(() => (
      <TopBar
        viewers={2}
        discussions={1}
        orphans={0}
        status={{ ...status('refused'), detail: 'token-refused', unsent: 2 }}
        collapsed={false}
        onToggle={() => {}}
        onShowOrphans={() => {}}
        onShowList={() => {}}
        onOpenOptions={() => opened++}
      />
    ));
    expect(screen.getByTestId('connection-state').textContent).toBe(
      'Your token no longer works · 2 not sent',
    );
    expect(screen.queryByTestId('viewers')).toBeNull();
    fireEvent.click(screen.getByTestId('topbar-open-options'));
    expect(opened).toBe(1);
  });

  it('collapses to a single button that expands it again', () => {
    let toggled = 0;
    render(() => (
      <TopBar
        viewers={1}
        discussions={0}
        orphans={0}
        status={status('live')}
        collapsed={true}
        onToggle={() => toggled++}
        onShowOrphans={() => {}}
        onShowList={() => {}}
      />
    ));
    expect(screen.queryByTestId('viewers')).toBeNull();
    const toggle = screen.getByTestId('topbar-toggle');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(toggle.getAttribute('aria-label')).toBe('Show Collab Chat');
    // Words and a drawn icon, never a character that may render as an empty box.
    expect(toggle.textContent).toBe('Collab Chat');
    expect(toggle.querySelector('svg[aria-hidden="true"]')).not.toBeNull();
    expect(screen.queryByTestId('dock-toggle')).toBeNull();
    fireEvent.click(toggle);
    expect(toggled).toBe(1);
  });

  it('says "Hide" on its collapse control, not a close sign', () => {
    render(() => (
      <TopBar
        viewers={1}
        discussions={0}
        orphans={0}
        status={status('live')}
        collapsed={false}
        onToggle={() => {}}
        onShowOrphans={() => {}}
        onShowList={() => {}}
      />
    ));
    const toggle = screen.getByTestId('topbar-toggle');
    expect(toggle.textContent).toBe('Hide');
    expect(toggle.getAttribute('aria-label')).toBe('Hide Collab Chat');
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
  });

  it.each([
    ['right', 'Dock left', 'left'],
    ['left', 'Dock right', 'right'],
  ] as const)('docked %s, offers to dock on the other side', (dock, label, next) => {
    const chosen: string[] = [];
    render(() => (
      <TopBar
        viewers={1}
        discussions={0}
        orphans={0}
        status={status('live')}
        collapsed={false}
        dock={dock}
        onToggle={() => {}}
        onDock={(side) => chosen.push(side)}
        onShowOrphans={() => {}}
        onShowList={() => {}}
      />
    ));
    const button = screen.getByTestId('dock-toggle');
    expect(button.textContent).toBe(label);
    fireEvent.click(button);
    expect(chosen).toEqual([next]);
  });
  it('says how many discussions hold something new, and toggles watching the page as the server says', () => {
    const watched: boolean[] = [];
    const [watching, setWatching] = createSignal<boolean | null>(null);
    render(() => (
      <TopBar
        viewers={1}
        discussions={3}
        orphans={0}
        unread={2}
        watching={watching()}
        onWatch={(w) => watched.push(w)}
        status={status('live')}
        collapsed={false}
        onToggle={() => {}}
        onShowOrphans={() => {}}
        onShowList={() => {}}
      />
    ));
    expect(screen.getByTestId('unread-count').textContent).toBe('2 new');
    expect(screen.getByTestId('discussion-count').textContent).toBe('3 discussions');
    expect(screen.getByTestId('unread-count').title).toBe('Discussions with comments you have not read');
    const toggle = screen.getByTestId('watch-toggle') as HTMLButtonElement;
    // Unknown until the server says.
    expect(toggle.disabled).toBe(true);
    setWatching(false);
    expect(toggle.disabled).toBe(false);
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(toggle);
    expect(watched).toEqual([true]);
    // Pressed only once the server says so.
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    setWatching(true);
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(toggle);
    expect(watched).toEqual([true, false]);
  });
});

afterEach(cleanup);
