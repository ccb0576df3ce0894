import { describe, expect, it } from 'vitest';
import type { BackgroundToFrameT } from '@/lib/messaging';
import type { ClientFrameT } from '@/lib/protocol';
import { UserState } from './user-state';

const page = 'https://example.com/a';

function setup() {
  const sent: ClientFrameT[] = [];
  const delivered: Array<[number, BackgroundToFrameT]> = [];
  let live = true;
  const tabs = new Map<string, number[]>([[page, [1, 2]]]);
  const state = new UserState({
    send: (frame) => (live ? (sent.push(frame), true) : false),
    deliver: (tabId, message) => delivered.push([tabId, message]),
    tabsOf: (p) => tabs.get(p) ?? [],
  });
  return { state, sent, delivered, tabs, setLive: (v: boolean) => (live = v) };
}

describe('UserState', () => {
  it('answers the tabs that asked for the members, asking again once live if it could not', () => {
    const { state, sent, delivered, setLive } = setup();
    setLive(false);
    state.listMembers(1);
    expect(sent).toEqual([]);
    setLive(true);
    state.live();
    expect(sent).toEqual([{ type: 'list-members' }]);
    state.onFrame({ type: 'members', members: [{ id: 'u-bob', name: 'Bob' }] });
    expect(delivered).toEqual([[1, { kind: 'members', members: [{ id: 'u-bob', name: 'Bob' }] }]]);
    state.live();
    expect(sent).toHaveLength(1);
  });

  it('relays watching to the tabs of its page, remembers it for a new frame, forgets it with the page', () => {
    const { state, sent, delivered } = setup();
    state.watch(page, true);
    expect(sent).toEqual([{ type: 'watch', page, watch: true }]);
    state.onFrame({ type: 'watching', page, watch: true });
    state.onFrame({ type: 'watching', page: 'https://example.com/none', watch: true });
    expect(delivered).toEqual([
      [1, { kind: 'watching', page, watch: true }],
      [2, { kind: 'watching', page, watch: true }],
    ]);
    delivered.length = 0;
    state.show(3, page);
    expect(delivered).toEqual([[3, { kind: 'watching', page, watch: true }]]);
    state.forget(page);
    delivered.length = 0;
    state.show(3, page);
    expect(delivered).toEqual([]);
  });

  it('merges read positions (never back), tells every tab at once, and sends what waited once live', () => {
    const { state, sent, delivered, setLive } = setup();
    setLive(false);
    state.markRead(page, 'chat-aaaa', 50);
    expect(delivered.map(([tab, m]) => [tab, m.kind === 'read-positions' && m.positions])).toEqual([
      [1, { 'chat-aaaa': 50 }],
      [2, { 'chat-aaaa': 50 }],
    ]);
    setLive(true);
    state.live();
    expect(sent).toEqual([{ type: 'mark-read', page, chatId: 'chat-aaaa', at: 50 }]);
    state.onFrame({ type: 'read-positions', page, chats: { 'chat-aaaa': 40, 'chat-bbbb': 7 } });
    delivered.length = 0;
    state.show(9, page);
    expect(delivered).toEqual([
      [9, { kind: 'read-positions', page, positions: { 'chat-aaaa': 50, 'chat-bbbb': 7 } }],
    ]);
  });
});
