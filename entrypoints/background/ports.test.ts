import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { TAB_PORT_NAME } from '@/lib/messaging';
import { outboxStorage, serverUrlStorage, legacyTokenStorage } from '@/lib/storage';
import { fakePort } from '@/test/unit/fake-port';
import { socketFactory } from '@/test/unit/fake-socket';
import { Outbox } from './outbox';
import { TabPorts } from './ports';
import { Session } from './session';

const page = 'https://example.com/a';

function setup() {
  const ports = new TabPorts();
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
  return { ports, session };
}

beforeEach(async () => {
  fakeBrowser.reset();
  await serverUrlStorage.setValue('ws://127.0.0.1:9999');
  await legacyTokenStorage.setValue('tok');
});

describe('TabPorts', () => {
  it('keeps one port per tab and forgets the tab when its port disconnects', () => {
    const { ports, session } = setup();
    const port = fakePort(TAB_PORT_NAME, 4);
    ports.accept(port);
    port.receive({ kind: 'open', page });
    expect(session.tabs.pageOf(4)).toBe(page);
    expect(port.posted[0]).toMatchObject({ kind: 'status' });
    port.drop();
    expect(session.tabs.pageOf(4)).toBeNull();
    expect(session.tabs.pages()).toEqual([]);
  });

  it('lets a reopened port of the same tab replace the old one', () => {
    const { ports, session } = setup();
    const first = fakePort(TAB_PORT_NAME, 4);
    const second = fakePort(TAB_PORT_NAME, 4);
    ports.accept(first);
    first.receive({ kind: 'open', page });
    ports.accept(second);
    expect(first.disconnected).toBe(true);
    // The old port's late disconnect does not close the tab the new port now holds.
    first.drop();
    second.receive({ kind: 'open', page });
    expect(session.tabs.pageOf(4)).toBe(page);
  });

  it('ignores malformed messages and ports of other names or without a tab', () => {
    const { ports, session } = setup();
    const port = fakePort(TAB_PORT_NAME, 4);
    ports.accept(port);
    port.receive({ kind: 'open', page: 'javascript:alert(1)' });
    port.receive({ kind: 'nonsense' });
    expect(session.tabs.pages()).toEqual([]);
    const stranger = fakePort('other', 5);
    ports.accept(stranger);
    stranger.receive({ kind: 'open', page });
    expect(session.tabs.pages()).toEqual([]);
    const noTab = fakePort(TAB_PORT_NAME);
    ports.accept(noTab);
    expect(noTab.disconnected).toBe(true);
  });
});
