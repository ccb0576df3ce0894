// Request/answer over the IPC channel of a forked child (load workers and benchmark servers), with
// a deadline on every request so that no step of the benchmark can wait forever.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface RpcRequest {
  rpc: number;
  cmd: string;
  args: unknown;
}
export type RpcAnswer =
  { rpc: number; ok: true; result: unknown } | { rpc: number; ok: false; error: string };
/** Unsolicited messages a child sends (e.g. "event k fully delivered"). */
export interface ChildEvent {
  event: string;
  [key: string]: unknown;
}

export type Handler = (args: never) => unknown;

/** Child side: answers requests from the parent with the named handlers. */
export function serveRpc(handlers: Record<string, Handler>): void {
  process.on('message', (msg: RpcRequest) => {
    if (typeof msg !== 'object' || msg === null || typeof msg.rpc !== 'number') return;
    const handler = handlers[msg.cmd];
    const reply = (answer: RpcAnswer) => process.send?.(answer);
    if (!handler) {
      reply({ rpc: msg.rpc, ok: false, error: `unknown command ${msg.cmd}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(msg.args as never))
      .then(
        (result) => reply({ rpc: msg.rpc, ok: true, result: result ?? null }),
        (err: unknown) =>
          reply({ rpc: msg.rpc, ok: false, error: err instanceof Error ? err.message : String(err) }),
      );
  });
  // The parent going away must not leave load behind.
  process.on('disconnect', () => process.exit(0));
}

export function emit(event: ChildEvent): void {
  process.send?.(event);
}

/** Parent side: a forked TypeScript child with typed-enough calls. */
export class Child {
  readonly process: ChildProcess;
  private next = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  private readonly listeners = new Set<(e: ChildEvent) => void>();
  private exited = false;

  constructor(
    readonly name: string,
    script: string,
    options: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {},
  ) {
    const path = script.startsWith('/') ? script : fileURLToPath(new URL(script, import.meta.url));
    this.process = fork(path, [], {
      execArgv: ['--import', 'tsx', ...(options.nodeArgs ?? [])],
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.process.on('message', (raw: unknown) => {
      if (typeof raw !== 'object' || raw === null) return;
      if ('rpc' in raw) {
        const msg = raw as RpcAnswer;
        const p = this.pending.get(msg.rpc);
        if (!p) return;
        this.pending.delete(msg.rpc);
        clearTimeout(p.timer);
        if (msg.ok) p.resolve(msg.result);
        else p.reject(new Error(`${this.name}: ${msg.error}`));
      } else if ('event' in raw) {
        for (const l of this.listeners) l(raw as ChildEvent);
      }
    });
    this.process.on('exit', (code, signal) => {
      this.exited = true;
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error(`${this.name} exited (${signal ?? code}) while answering`));
        this.pending.delete(id);
      }
    });
  }

  call<T>(cmd: string, args: unknown = {}, timeoutMs = 60_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited`));
    const rpc = this.next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rpc);
        reject(new Error(`${this.name}: ${cmd} took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(rpc, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.process.send({ rpc, cmd, args } satisfies RpcRequest);
    });
  }

  on(listener: (e: ChildEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the child has exited, killing it after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.process.kill(signal);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await done;
    clearTimeout(timer);
  }
}
