// A TCP proxy on 127.0.0.1 that stands for one user's network: the test cuts it (every open
// connection is destroyed and new ones are refused, as when a laptop loses its network) and restores
// it. The listening port never changes, so the browser behind it keeps the same server URL; the
// target port can change (a restarted server). It can also stall the open connections: they stay
// open and every byte either way is dropped, as over a path that went silent (a sleeping laptop, a
// NAT that forgot the flow), while new connections go through.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  /** Each open connection's two ends, for stalling them. */
  private readonly pairs = new Set<[Socket, Socket]>();
  private cut = false;

  private constructor(
    private readonly server: Server,
    private targetPort: number,
  ) {}

  /** Listens on a free port of 127.0.0.1 and forwards to `targetPort` on 127.0.0.1. */
  static async start(targetPort: number): Promise<TcpProxy> {
    // The instance needs the server and the server's handler needs the instance.
    const holder: { proxy?: TcpProxy } = {};
    const server = createServer((client) => holder.proxy!.accept(client));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    holder.proxy = new TcpProxy(server, targetPort);
    return holder.proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The network goes away: open connections are reset, new ones refused until `restore()`. */
  cutAll(): void {
    this.cut = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.cut = false;
  }

  /**
   * The open connections go silent: nothing is closed, nothing more is delivered either way (bytes
   * are read and dropped). Connections made afterwards are forwarded as usual. Returns how many
   * connections were stalled.
   */
  stallOpen(): number {
    let stalled = 0;
    for (const pair of this.pairs) {
      const [client, upstream] = pair;
      if (client.destroyed || upstream.destroyed) continue;
      client.unpipe(upstream);
      upstream.unpipe(client);
      for (const end of pair) end.on('data', () => {}).resume();
      this.pairs.delete(pair);
      stalled++;
    }
    return stalled;
  }

  /** Points new connections at another port (open ones keep their old peer). */
  retarget(port: number): void {
    this.targetPort = port;
  }

  /** How many client connections are open through the proxy right now. */
  get openConnections(): number {
    return [...this.sockets].filter((s) => !s.destroyed).length / 2;
  }

  close(): Promise<void> {
    this.cutAll();
    return new Promise((ok) => this.server.close(() => ok()));
  }

  private accept(client: Socket): void {
    if (this.cut) {
      // A reset rather than a clean close, as an unreachable network looks to the browser.
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(this.targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    client.once('close', () => this.pairs.delete(pair));
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(from);
      from.pipe(to);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        this.sockets.delete(from);
        to.destroy();
      });
    }
  }
}
