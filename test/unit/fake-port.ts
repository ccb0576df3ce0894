// A pair-less stand-in for a runtime Port: records what is posted and lets a test play the other end.
import type { Browser } from 'wxt/browser';

type Listener<T extends unknown[]> = (...args: T) => void;

function event<T extends unknown[]>() {
  const listeners = new Set<Listener<T>>();
  return {
    addListener: (l: Listener<T>) => void listeners.add(l),
    removeListener: (l: Listener<T>) => void listeners.delete(l),
    hasListener: (l: Listener<T>) => listeners.has(l),
    fire: (...args: T) => listeners.forEach((l) => l(...args)),
  };
}

export interface FakeSender {
  url?: string;
  frameId?: number;
  id?: string;
}

export function fakePort(name: string, tabId?: number, from: FakeSender = {}) {
  const onMessage = event<[unknown, unknown]>();
  const onDisconnect = event<[unknown]>();
  const posted: unknown[] = [];
  let disconnected = false;
  const port = {
    name,
    sender: tabId === undefined ? undefined : { frameId: 0, ...from, tab: { id: tabId } },
    posted,
    get disconnected() {
      return disconnected;
    },
    postMessage: (message: unknown) => {
      if (disconnected) throw new Error('Attempting to use a disconnected port object');
      posted.push(message);
    },
    disconnect: () => {
      disconnected = true;
    },
    onMessage,
    onDisconnect,
    /** The other end sends a message. */
    receive: (message: unknown) => onMessage.fire(message, port),
    /** The other end goes away. */
    drop: () => {
      disconnected = true;
      onDisconnect.fire(port);
    },
  };
  return port as typeof port & Browser.runtime.Port;
}
