import { describe, expect, it } from 'vitest';
import type { BackgroundToFrameT, FrameToBackgroundT } from '@/lib/messaging';
import { fakePort } from '@/test/unit/fake-port';
import { PortClient } from './port-client';

function setup() {
  const ports: ReturnType<typeof fakePort>[] = [];
  const received: BackgroundToFrameT[] = [];
  const timers: Array<() => void> = [];
  let opens = 0;
  const client = new PortClient<BackgroundToFrameT, FrameToBackgroundT>({
    connect: () => {
      const p = fakePort('collab-chat/tab');
      ports.push(p);
      return p;
    },
    onMessage: (m) => received.push(m),
    onOpen: () => opens++,
    setTimeout: (fn) => void timers.push(fn),
  });
  return { client, ports, received, timers, opens: () => opens };
}

describe('PortClient', () => {
  it('reopens its port after the background drops it, and says so', () => {
    const { client, ports, timers, opens } = setup();
    client.start();
    expect(opens()).toBe(1);
    ports[0]!.drop();
    expect(timers).toHaveLength(1);
    timers[0]!();
    expect(ports).toHaveLength(2);
    expect(opens()).toBe(2);
    client.send({ kind: 'layout', layout: { width: 10, height: 80 } });
    expect(ports[1]!.posted).toEqual([{ kind: 'layout', layout: { width: 10, height: 80 } }]);
  });

  it('does not reopen after stop', () => {
    const { client, ports, timers } = setup();
    client.start();
    client.stop();
    ports[0]!.drop();
    expect(timers).toHaveLength(0);
  });

  it('passes on tagged messages only', () => {
    const { client, ports, received } = setup();
    client.start();
    ports[0]!.receive('junk');
    ports[0]!.receive({ kind: 'presence', page: 'https://a/', count: 2 });
    expect(received).toEqual([{ kind: 'presence', page: 'https://a/', count: 2 }]);
  });

  it('stops for good when the extension context is gone, and says so', () => {
    let gone = 0;
    const client = new PortClient<BackgroundToFrameT, FrameToBackgroundT>({
      connect: () => {
        throw new Error('Extension context invalidated.');
      },
      onMessage: () => {},
      onOpen: () => {
        throw new Error('must not be called');
      },
      setTimeout: () => {},
      onGone: () => gone++,
    });
    expect(() => client.start()).not.toThrow();
    expect(gone).toBe(1);
  });
});
