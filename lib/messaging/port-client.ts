// A tab's end of a runtime port to the background (the content script's page port, the discussion
// frame's frame port). The port drops whenever the background worker stops; it is reopened with a
// short backoff, and `onOpen` resends what matters (the page, unanswered writes) so the (possibly
// restarted) background can rebuild. No zod here: the content script must stay small.
import type { Browser } from 'wxt/browser';

type Port = Browser.runtime.Port;

export interface PortClientDeps<In> {
  connect(): Port;
  onMessage(message: In): void;
  onOpen(): void;
  setTimeout(fn: () => void, ms: number): void;
  /** The extension is gone (updated, reloaded or removed): no port can be opened any more. */
  onGone?(): void;
}

export class PortClient<In extends { kind: string }, Out> {
  private port: Port | null = null;
  private stopped = false;
  private attempt = 0;

  constructor(private readonly deps: PortClientDeps<In>) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  send(message: Out): void {
    if (!this.port) return;
    try {
      this.port.postMessage(message);
    } catch {
      // The port died under us; onDisconnect reopens it and onOpen resends what matters.
    }
  }

  stop(): void {
    this.stopped = true;
    const port = this.port;
    this.port = null;
    port?.disconnect();
  }

  private open(): void {
    let port: Port;
    try {
      port = this.deps.connect();
    } catch {
      // The extension was reloaded or removed: this end is orphaned for good.
      this.stopped = true;
      this.deps.onGone?.();
      return;
    }
    this.port = port;
    port.onMessage.addListener((raw: unknown) => {
      // Only this extension's background can post on this port, and it validates every message with
      // its schema before posting; this end checks the shape's tag only, to keep zod out of the
      // content script.
      if (typeof raw !== 'object' || raw === null || typeof (raw as { kind?: unknown }).kind !== 'string')
        return;
      this.attempt = 0;
      this.deps.onMessage(raw as In);
    });
    port.onDisconnect.addListener(() => {
      if (this.port !== port) return;
      this.port = null;
      if (this.stopped) return;
      const delay = Math.min(5000, 100 * 2 ** this.attempt++);
      this.deps.setTimeout(() => {
        if (!this.stopped) this.open();
      }, delay);
    });
    this.deps.onOpen();
  }
}
