// A scripted stand-in for the browser's WebSocket, for background unit tests: records what the
// extension sends and lets the test play the server.
import { toWire, type ClientFrameT, type ServerFrameT } from '@/lib/protocol';
import type { SocketLike } from '@/entrypoints/background/connection';

export class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: ClientFrameT[] = [];
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  closedByClient = false;

  constructor(readonly url: string) {}

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('socket not open');
    this.sent.push(JSON.parse(data) as ClientFrameT);
  }

  close(): void {
    this.closedByClient = true;
    this.readyState = 3;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** Plays a frame from the server, sent in its wire form (each page gets an alias, authors are named). */
  receive(frame: ServerFrameT): void {
    this.onmessage?.({ data: JSON.stringify(toWire(frame, (page) => this.aliasOf(page))) });
  }

  private readonly aliases = new Map<string, number>();

  private aliasOf(page: string): number {
    let alias = this.aliases.get(page);
    if (alias === undefined) this.aliases.set(page, (alias = this.aliases.size + 1));
    return alias;
  }

  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  sentOf<T extends ClientFrameT['type']>(type: T): Extract<ClientFrameT, { type: T }>[] {
    return this.sent.filter((f): f is Extract<ClientFrameT, { type: T }> => f.type === type);
  }
}

/** Collects every socket a connection creates. */
export function socketFactory(): {
  sockets: FakeSocket[];
  create: (url: string) => FakeSocket;
  last(): FakeSocket;
} {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    create: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    last: () => {
      const s = sockets.at(-1);
      if (!s) throw new Error('no socket was created');
      return s;
    },
  };
}
