import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { FRAME_PORT_PREFIX, PAGE_PORT_NAME } from '@/lib/messaging';
import type { WriteFrameT } from '@/lib/protocol';
import { legacyTokenStorage, outboxStorage, serverUrlStorage } from '@/lib/storage';
import { fakePort } from '@/test/unit/fake-port';
import { socketFactory } from '@/test/unit/fake-socket';
import { Outbox } from './outbox';
import { TabPorts } from './ports';
import { Session } from './session';

const page = 'https://example.com/a';
const EXT = 'chrome-extension://abc';
const selectors = [{ type: 'TextQuoteSelector' as const, exact: 'quote' }];

function setup(saved: Record<string, string> = {}, off: string[] = []) {
  let next = 0;
  const stored: Array<Record<string, string>> = [];
  const ports = new TabPorts({
    tickets: { load: async () => saved, save: async (t) => void stored.push(t) },
    isSiteOn: async (origin) => !off.includes(origin),
    isOwnPage: (sender) => (sender.url ?? '').startsWith(`${EXT}/`),
    newTicket: () => `ticket-${String(++next).padStart(16, '0')}`,
  });
  const sockets = socketFactory();
  const session = new Session({
    createSocket: sockets.create,
    loadSettings: async () => ({
      serverUrl: await serverUrlStorage.getValue(),
      token: await legacyTokenStorage.getValue(),
    }),
    outbox: new Outbox(outboxStorage),
    deliver: (tabId, message) => ports.deliver(tabId, message),
  });
  ports.attach(session);
  return { ports, session, stored };
}

const settle = () => new Promise((ok) => setTimeout(ok, 0));
const pagePort = (tabId: number, url = page) => fakePort(PAGE_PORT_NAME, tabId, { url });
const framePort = (tabId: number, ticket: string, url = `${EXT}/frame.html`) =>
  fakePort(`${FRAME_PORT_PREFIX}${ticket}`, tabId, { url, frameId: 3 });

/** A tab whose content script and frame are both connected, the frame with the right ticket. */
async function openTab(ports: TabPorts, tabId: number) {
  const content = pagePort(tabId);
  ports.accept(content);
  await settle();
  const ticket = (content.posted.find((m) => (m as { kind: string }).kind === 'frame') as { ticket: string })
    .ticket;
  const frame = framePort(tabId, ticket);
  ports.accept(frame);
  await settle();
  return { content, frame, ticket };
}

beforeEach(async () => {
  fakeBrowser.reset();
  await serverUrlStorage.setValue('ws://127.0.0.1:9999');
  await legacyTokenStorage.setValue('tok');
});

describe('TabPorts', () => {
  it('gives the content script a frame ticket and the frame everything about the page', async () => {
    const { ports, session, stored } = setup();
    const { content, frame, ticket } = await openTab(ports, 4);
    expect(stored.at(-1)).toEqual({ '4': ticket });
    content.receive({ kind: 'open', page });
    expect(session.tabs.pageOf(4)).toBe(page);
    expect(frame.posted).toContainEqual({ kind: 'page', page });
    expect(frame.posted.some((m) => (m as { kind: string }).kind === 'status')).toBe(true);
    // Nothing about discussions, the team or the person ever goes to the content script.
    expect(content.posted.map((m) => (m as { kind: string }).kind)).toEqual(['frame']);
    content.drop();
    expect(session.tabs.pageOf(4)).toBeNull();
    expect(session.tabs.pages()).toEqual([]);
  });

  it('relays keyboard commands to an active tab, and the focus and list requests between page and frame', async () => {
    const { ports } = setup({}, ['https://off.example']);
    const { content, frame } = await openTab(ports, 4);
    expect(ports.command(4, 'next-highlight')).toBe(true);
    expect(content.posted.at(-1)).toEqual({ kind: 'command', command: 'next-highlight' });
    content.receive({ kind: 'toggle-list' });
    content.receive({ kind: 'hint', hint: 'no-selection' });
    expect(frame.posted.slice(-2)).toEqual([{ kind: 'toggle-list' }, { kind: 'hint', hint: 'no-selection' }]);
    frame.receive({ kind: 'release-focus' });
    expect(content.posted.at(-1)).toEqual({ kind: 'release-focus' });
    // No overlay (no tab, or a site that is off): nothing to relay to.
    expect(ports.command(9, 'toggle-list')).toBe(false);
    const off = pagePort(5, 'https://off.example/x');
    ports.accept(off);
    await settle();
    expect(ports.command(5, 'toggle-list')).toBe(false);
    expect(off.posted).toEqual([]);
  });

  it('refuses a frame without its tab ticket, and a frame that is not an extension page', async () => {
    const { ports, session } = setup();
    const { content } = await openTab(ports, 4);
    content.receive({ kind: 'open', page });
    const forged = framePort(4, 'ticket-9999999999999999');
    ports.accept(forged);
    await settle();
    expect(forged.disconnected).toBe(true);
    const pageFrame = framePort(4, 'ticket-0000000000000001', 'https://example.com/frame.html');
    ports.accept(pageFrame);
    expect(pageFrame.disconnected).toBe(true);
    const otherTab = framePort(5, 'ticket-0000000000000001');
    ports.accept(otherTab);
    await settle();
    expect(otherTab.disconnected).toBe(true);
    expect(session.tabs.pages()).toEqual([page]);
  });

  it('takes writes from the frame only; the content script cannot write', async () => {
    const { ports, session } = setup();
    const { content, frame } = await openTab(ports, 4);
    content.receive({ kind: 'open', page });
    const write: WriteFrameT = {
      type: 'create-chat',
      broadcastId: '7d7e3f5e-5a40-4a8e-9a0e-6f1f4b8f5a11',
      page,
      chatId: 'chat-0001',
      commentId: 'comment-0001',
      selectors,
      text: 'forged',
    };
    content.receive({
      kind: 'write',
      write: { ...write, broadcastId: '0d1b6c4e-7a2f-4c1e-8a3b-2e4f6a8c0b1d' },
    });
    frame.receive({ kind: 'write', write });
    await vi.waitFor(() => expect(session.status().queued).toBe(1));
    expect(session['outbox'].list().map((q) => q.write.broadcastId)).toEqual([write.broadcastId]);
  });

  it('takes members, watch and mark-read from the frame only, for the page its tab shows', async () => {
    const { ports, session } = setup();
    const { content, frame } = await openTab(ports, 4);
    const watch = vi.spyOn(session.userState, 'watch');
    const markRead = vi.spyOn(session.userState, 'markRead');
    const members = vi.spyOn(session.userState, 'listMembers');
    // No page yet: nothing to watch or read.
    frame.receive({ kind: 'watch', watch: true });
    expect(watch).not.toHaveBeenCalled();
    content.receive({ kind: 'open', page });
    content.receive({ kind: 'watch', watch: true });
    content.receive({ kind: 'mark-read', discussionId: 'chat-0001', at: 5 });
    content.receive({ kind: 'list-members' });
    expect([watch, markRead, members].map((s) => s.mock.calls.length)).toEqual([0, 0, 0]);
    frame.receive({ kind: 'watch', watch: true });
    frame.receive({ kind: 'mark-read', discussionId: 'chat-0001', at: 5 });
    frame.receive({ kind: 'list-members' });
    expect(watch).toHaveBeenCalledWith(page, true);
    expect(markRead).toHaveBeenCalledWith(page, 'chat-0001', 5);
    expect(members).toHaveBeenCalledWith(4);
  });

  it('sends a deletion held in its undo window when the frame goes away, and not one undone or already sent', async () => {
    const { ports, session } = setup();
    const { content, frame } = await openTab(ports, 4);
    content.receive({ kind: 'open', page });
    const del = (broadcastId: string, commentId: string): WriteFrameT => ({
      type: 'delete-comment',
      broadcastId,
      page,
      chatId: 'chat-0001',
      commentId,
    });
    const held = del('1a1b6c4e-7a2f-4c1e-8a3b-2e4f6a8c0b11', 'comment-0001');
    const undone = del('2a1b6c4e-7a2f-4c1e-8a3b-2e4f6a8c0b12', 'comment-0002');
    const sent = del('3a1b6c4e-7a2f-4c1e-8a3b-2e4f6a8c0b13', 'comment-0003');
    for (const write of [held, undone, sent]) frame.receive({ kind: 'undoable-delete', write });
    frame.receive({ kind: 'cancel-delete', broadcastId: undone.broadcastId });
    frame.receive({ kind: 'write', write: sent });
    await vi.waitFor(() => expect(session.status().queued).toBe(1));
    frame.drop();
    await vi.waitFor(() => expect(session.status().queued).toBe(2));
    expect(session['outbox'].list().map((q) => q.write.broadcastId)).toEqual([
      sent.broadcastId,
      held.broadcastId,
    ]);
  });

  it('takes discard, resend and open-options from the frame only', async () => {
    let opened = 0;
    const { ports, session } = setup();
    (ports as unknown as { deps: { openOptions(): void } }).deps.openOptions = () => opened++;
    const { content, frame } = await openTab(ports, 4);
    content.receive({ kind: 'open', page });
    const write: WriteFrameT = {
      type: 'add-comment',
      broadcastId: '0d1b6c4e-7a2f-4c1e-8a3b-2e4f6a8c0b1e',
      page,
      chatId: 'chat-0001',
      commentId: 'comment-0009',
      text: '\u0001'.repeat(3000),
    };
    // Too large to send: kept as failed.
    frame.receive({ kind: 'write', write });
    await vi.waitFor(() => expect(session.status().unsent).toBe(1));
    content.receive({ kind: 'discard', broadcastId: write.broadcastId });
    content.receive({ kind: 'open-options' });
    await settle();
    expect(session.status().unsent).toBe(1);
    expect(opened).toBe(0);
    frame.receive({ kind: 'open-options' });
    frame.receive({ kind: 'discard', broadcastId: write.broadcastId });
    expect(opened).toBe(1);
    expect(session.status().unsent).toBeUndefined();
    expect(frame.posted.at(-1)).toMatchObject({ kind: 'status' });
    expect(frame.posted.findLast((m) => (m as { kind: string }).kind === 'outbox')).toEqual({
      kind: 'outbox',
      page,
      writes: [],
    });
  });

  it('relays between the two ends only what each may know', async () => {
    const { ports } = setup();
    const { content, frame } = await openTab(ports, 4);
    content.receive({ kind: 'open', page });
    content.receive({ kind: 'compose', selection: { selectors, quote: 'quote' } });
    content.receive({ kind: 'open-discussion', id: 'chat-0001' });
    content.receive({ kind: 'orphans', ids: ['chat-0002'], fuzzy: ['chat-0003'] });
    expect(frame.posted).toContainEqual({ kind: 'compose', selection: { selectors, quote: 'quote' } });
    expect(frame.posted).toContainEqual({ kind: 'open-discussion', id: 'chat-0001' });
    expect(frame.posted).toContainEqual({ kind: 'orphans', ids: ['chat-0002'], fuzzy: ['chat-0003'] });
    // Extra fields are dropped by the schema: text smuggled into an anchor list never reaches the page.
    frame.receive({
      kind: 'anchors',
      anchors: [{ id: 'chat-0001', selectors, comments: [{ text: 'secret' }] }],
      activeId: 'chat-0001',
    });
    frame.receive({ kind: 'layout', layout: { width: 300, height: 80 } });
    expect(content.posted).toContainEqual({
      kind: 'anchors',
      anchors: [{ id: 'chat-0001', selectors }],
      activeId: 'chat-0001',
    });
    expect(content.posted).toContainEqual({ kind: 'layout', layout: { width: 300, height: 80 } });
    expect(JSON.stringify(content.posted)).not.toContain('secret');
  });

  it('refuses a page key of another origin than the document the content script runs in', async () => {
    const { ports, session } = setup();
    const { content } = await openTab(ports, 4);
    content.receive({ kind: 'open', page: 'https://bank.example/accounts' });
    expect(session.tabs.pages()).toEqual([]);
    content.receive({ kind: 'open', page: 'https://example.com/b?x=1' });
    expect(session.tabs.pages()).toEqual(['https://example.com/b?x=1']);
  });

  it('lets a reopened port of the same tab replace the old one', async () => {
    const { ports, session } = setup();
    const first = pagePort(4);
    const second = pagePort(4);
    ports.accept(first);
    await settle();
    first.receive({ kind: 'open', page });
    ports.accept(second);
    await settle();
    expect(first.disconnected).toBe(true);
    // The old port's late disconnect does not close the tab the new port now holds.
    first.drop();
    second.receive({ kind: 'open', page });
    expect(session.tabs.pageOf(4)).toBe(page);
  });

  it('keeps tickets across a restarted background', async () => {
    const { ports } = setup({ '4': 'ticket-aaaaaaaaaaaaaaaa' });
    const content = pagePort(4);
    ports.accept(content);
    await settle();
    expect(content.posted).toContainEqual({ kind: 'frame', ticket: 'ticket-aaaaaaaaaaaaaaaa' });
    const frame = framePort(4, 'ticket-aaaaaaaaaaaaaaaa');
    ports.accept(frame);
    await settle();
    expect(frame.disconnected).toBe(false);
  });

  it('removes the overlay from the open tabs of a site turned off, and brings it back', async () => {
    const off: string[] = [];
    const { ports, session } = setup({}, off);
    const { content } = await openTab(ports, 4);
    content.receive({ kind: 'open', page });
    const other = pagePort(5, 'https://other.example/x');
    ports.accept(other);
    await settle();
    off.push('https://example.com');
    await ports.recheckSites();
    expect(content.posted).toContainEqual({ kind: 'stop' });
    expect(session.tabs.pages()).toEqual([]);
    expect(other.posted).not.toContainEqual({ kind: 'stop' });
    // Silent while off: what it sends is ignored.
    content.receive({ kind: 'open', page });
    expect(session.tabs.pages()).toEqual([]);
    off.pop();
    content.posted.length = 0;
    await ports.recheckSites();
    expect(content.posted.map((m) => (m as { kind: string }).kind)).toEqual(['frame']);
    content.receive({ kind: 'open', page });
    expect(session.tabs.pages()).toEqual([page]);
  });

  it('gives a content script on a site that is off nothing, and listens to nothing it says', async () => {
    const { ports, session } = setup({}, ['https://example.com']);
    const content = pagePort(4);
    ports.accept(content);
    content.receive({ kind: 'open', page });
    await settle();
    content.receive({ kind: 'open', page });
    expect(content.posted).toEqual([]);
    expect(session.tabs.pages()).toEqual([]);
  });

  it('ignores malformed messages, ports of other names, subframes and ports without a tab', async () => {
    const { ports, session } = setup();
    const { content } = await openTab(ports, 4);
    content.receive({ kind: 'open', page: 'javascript:alert(1)' });
    content.receive({ kind: 'nonsense' });
    expect(session.tabs.pages()).toEqual([]);
    const stranger = fakePort('other', 5, { url: page });
    ports.accept(stranger);
    stranger.receive({ kind: 'open', page });
    await settle();
    expect(session.tabs.pages()).toEqual([]);
    const subframe = fakePort(PAGE_PORT_NAME, 6, { url: page, frameId: 2 });
    ports.accept(subframe);
    expect(subframe.disconnected).toBe(true);
    const noTab = fakePort(PAGE_PORT_NAME);
    ports.accept(noTab);
    expect(noTab.disconnected).toBe(true);
  });
});
