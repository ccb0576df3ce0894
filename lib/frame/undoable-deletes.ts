// Undoable deletions: those waiting out their undo window. A delete is not sent when clicked: for `UNDO_WINDOW_MS`
// the item is shown as about to go and nothing leaves the frame; Undo drops it, the end of the window
// sends it. When the frame goes away during the window (tab closed, page reloaded or left) the person's
// intent stands and the deletions are sent at once (`flush`).
import type { WriteFrameT } from '@/lib/protocol';

export const UNDO_WINDOW_MS = 5_000;

export type DeleteWrite = Extract<WriteFrameT, { type: 'delete-comment' | 'delete-chat' }>;

export interface UndoableDelete {
  write: DeleteWrite;
  /** When it will be sent. */
  due: number;
}

export interface UndoableDeletesDeps {
  /** Sends a deletion whose window is over (or that is flushed). */
  send(write: DeleteWrite): void;
  /** The list changed (scheduled, undone, sent). */
  onChange(undoable: UndoableDelete[]): void;
  now?: () => number;
  windowMs?: number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

export class UndoableDeletes {
  private readonly items = new Map<string, UndoableDelete & { timer: unknown }>();
  private readonly now: () => number;
  private readonly windowMs: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly deps: UndoableDeletesDeps) {
    this.now = deps.now ?? Date.now;
    this.windowMs = deps.windowMs ?? UNDO_WINDOW_MS;
    this.setTimer = deps.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = deps.clearTimeout ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  /** Starts the window of a deletion; a second deletion of the same thing is ignored (false). */
  schedule(write: DeleteWrite): boolean {
    if (this.list().some((p) => sameTarget(p.write, write))) return false;
    const timer = this.setTimer(() => this.fire(write.broadcastId), this.windowMs);
    this.items.set(write.broadcastId, { write, due: this.now() + this.windowMs, timer });
    this.changed();
    return true;
  }

  /** Undo: the deletion is dropped and nothing is sent. Returns whether it was still waiting. */
  undo(broadcastId: string): boolean {
    const item = this.items.get(broadcastId);
    if (!item) return false;
    this.clearTimer(item.timer);
    this.items.delete(broadcastId);
    this.changed();
    return true;
  }

  /** Sends every waiting deletion now (the frame is going away). */
  flush(): void {
    for (const id of [...this.items.keys()]) this.fire(id);
  }

  list(): UndoableDelete[] {
    return [...this.items.values()].map(({ write, due }) => ({ write, due }));
  }

  private fire(broadcastId: string): void {
    const item = this.items.get(broadcastId);
    if (!item) return;
    this.clearTimer(item.timer);
    this.items.delete(broadcastId);
    this.deps.send(item.write);
    this.changed();
  }

  private changed(): void {
    this.deps.onChange(this.list());
  }
}

function sameTarget(a: DeleteWrite, b: DeleteWrite): boolean {
  if (a.page !== b.page || a.chatId !== b.chatId || a.type !== b.type) return false;
  return a.type === 'delete-chat' || (b.type === 'delete-comment' && a.commentId === b.commentId);
}
