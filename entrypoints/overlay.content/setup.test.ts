// The content script's own wiring, on a happy-dom page: silent until the background hands it a frame,
// then a closed shadow root with the frame, the page it names (again after an SPA navigation), the
// discussions it anchors reported by id, and nothing left behind once the site is turned off or the
// extension is gone.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { PAGE_PORT_NAME } from '@/lib/messaging/names';
import { fakePort } from '@/test/unit/fake-port';
import { useEnglishMessages } from '@/test/unit/i18n';
import { setupOverlay } from './setup';

type Port = ReturnType<typeof fakePort>;
const TICKET = 'ticket-0123456789abcdef';
const host = () => document.querySelector('collab-chat-overlay') as HTMLElement | null;

let ports: Port[];
let gone: boolean;
/** Ports asked for after the extension went away (each refused). */
let refused: number;
const port = () => ports.at(-1)!;
const sent = () => ports.flatMap((p) => p.posted) as Array<{ kind: string; [key: string]: unknown }>;

beforeEach(() => {
  fakeBrowser.reset();
  useEnglishMessages();
  ports = [];
  gone = false;
  refused = 0;
  fakeBrowser.runtime.connect = ((info?: { name?: string }) => {
    if (gone) {
      refused++;
      throw new Error('Extension context invalidated.');
    }
    const opened = fakePort(info?.name ?? '');
    ports.push(opened);
    return opened;
  }) as typeof fakeBrowser.runtime.connect;
  // happy-dom loads no extension page and hit-tests nothing: the frame stays empty, and the page has
  // no fixed strips for the frame to keep clear of.
  fakeBrowser.runtime.getURL = ((path: string) => `about:blank?${path}`) as typeof fakeBrowser.runtime.getURL;
  document.elementsFromPoint = () => [];
  history.replaceState(null, '', '/article?utm_source=x');
  document.body.innerHTML =
    '<h1>The river</h1><p id="intro">The quick brown fox keeps flowing to the sea.</p>';
});

afterEach(async () => {
  // The extension goes away (as on an update): this copy stops for good and frees the page.
  const before = refused;
  gone = true;
  port().drop();
  await vi.waitFor(() => expect(refused).toBe(before + 1));
  expect(host()).toBeNull();
});

describe('setupOverlay', () => {
  it('stops for good once the extension is gone, so that a new copy can start', async () => {
    setupOverlay();
    port().receive({ kind: 'frame', ticket: TICKET });
    gone = true;
    port().drop();
    await vi.waitFor(() => expect(refused).toBe(1));
    expect(host()).toBeNull();
    // The next copy (the updated extension's) runs.
    gone = false;
    setupOverlay();
    expect(ports).toHaveLength(2);
  });

  it('opens the page port and says nothing, and adds nothing to the page, until it is given a frame', () => {
    setupOverlay();
    expect(ports.map((p) => p.name)).toEqual([PAGE_PORT_NAME]);
    expect(sent()).toEqual([]);
    expect(host()).toBeNull();
  });

  it('runs once per page: a second injection of the script does nothing', () => {
    setupOverlay();
    setupOverlay();
    expect(ports).toHaveLength(1);
  });

  it('given a frame: a closed shadow root in the page, and the page named without tracking parameters', () => {
    setupOverlay();
    port().receive({ kind: 'frame', ticket: TICKET });
    expect(host()).not.toBeNull();
    // Closed: the page's scripts get no handle on what is inside.
    expect(host()!.shadowRoot).toBeNull();
    expect(sent()).toEqual([{ kind: 'open', page: `${location.origin}/article` }]);
  });

  it('names the new page after an SPA navigation, and only when the URL really changed', async () => {
    setupOverlay();
    port().receive({ kind: 'frame', ticket: TICKET });
    history.pushState(null, '', '/other');
    window.dispatchEvent(new PopStateEvent('popstate'));
    expect(sent().at(-1)).toEqual({ kind: 'open', page: `${location.origin}/other` });
    // The same page again (a page firing events of its own) sends nothing new.
    window.dispatchEvent(new PopStateEvent('popstate'));
    expect(sent().filter((m) => m.kind === 'open')).toHaveLength(2);
  });

  it('anchors what the frame lists and reports the discussions it cannot place, by id only', async () => {
    setupOverlay();
    port().receive({ kind: 'frame', ticket: TICKET });
    port().receive({
      kind: 'anchors',
      anchors: [
        { id: 'chat-here-1', selectors: [{ type: 'TextQuoteSelector', exact: 'keeps flowing to the sea' }] },
        { id: 'chat-gone-1', selectors: [{ type: 'TextQuoteSelector', exact: 'a sentence never here' }] },
      ],
      activeId: null,
    });
    await vi.waitFor(() =>
      expect(
        sent()
          .filter((m) => m.kind === 'orphans')
          .at(-1),
      ).toEqual({
        kind: 'orphans',
        ids: ['chat-gone-1'],
        fuzzy: [],
      }),
    );
  });

  it('turned off: everything of ours leaves the page and nothing more is said', () => {
    setupOverlay();
    port().receive({ kind: 'frame', ticket: TICKET });
    port().receive({ kind: 'stop' });
    expect(host()).toBeNull();
    const before = sent().length;
    history.pushState(null, '', '/elsewhere');
    window.dispatchEvent(new PopStateEvent('popstate'));
    expect(sent()).toHaveLength(before);
  });
});
