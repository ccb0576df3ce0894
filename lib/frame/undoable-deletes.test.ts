import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UndoableDeletes, UNDO_WINDOW_MS, type DeleteWrite, type UndoableDelete } from './undoable-deletes';

const page = 'https://example.com/a';
const delComment = (id: string, commentId = 'm1'): DeleteWrite => ({
  type: 'delete-comment',
  broadcastId: id,
  page,
  chatId: 'c1',
  commentId,
});
const delDiscussion = (id: string): DeleteWrite => ({
  type: 'delete-chat',
  broadcastId: id,
  page,
  chatId: 'c1',
});

function setup() {
  const sent: DeleteWrite[] = [];
  const changes: UndoableDelete[][] = [];
  const deletes = new UndoableDeletes({ send: (w) => sent.push(w), onChange: (p) => changes.push(p) });
  return { sent, changes, deletes };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('deletions waiting out their undo window', () => {
  it(`sends nothing for ${UNDO_WINDOW_MS} ms, then the deletion`, () => {
    const { sent, deletes } = setup();
    deletes.schedule(delComment('b1'));
    expect(deletes.list().map((p) => p.due)).toEqual([Date.now() + UNDO_WINDOW_MS]);
    vi.advanceTimersByTime(UNDO_WINDOW_MS - 1);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent.map((w) => w.broadcastId)).toEqual(['b1']);
    expect(deletes.list()).toEqual([]);
  });

  it('sends nothing at all when undone within the window', () => {
    const { sent, deletes, changes } = setup();
    deletes.schedule(delDiscussion('b1'));
    vi.advanceTimersByTime(UNDO_WINDOW_MS - 100);
    expect(deletes.undo('b1')).toBe(true);
    vi.advanceTimersByTime(UNDO_WINDOW_MS * 3);
    expect(sent).toEqual([]);
    expect(changes.map((c) => c.length)).toEqual([1, 0]);
    expect(deletes.undo('b1')).toBe(false);
  });

  it('keeps each deletion’s own window, and undoing one leaves the others', () => {
    const { sent, deletes } = setup();
    deletes.schedule(delComment('b1', 'm1'));
    vi.advanceTimersByTime(2000);
    deletes.schedule(delComment('b2', 'm2'));
    deletes.undo('b1');
    vi.advanceTimersByTime(UNDO_WINDOW_MS - 2000);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(2000);
    expect(sent.map((w) => w.broadcastId)).toEqual(['b2']);
  });

  it('ignores a second deletion of the same thing while the first waits', () => {
    const { sent, deletes } = setup();
    deletes.schedule(delComment('b1'));
    deletes.schedule(delComment('b2'));
    expect(deletes.list()).toHaveLength(1);
    vi.advanceTimersByTime(UNDO_WINDOW_MS);
    expect(sent.map((w) => w.broadcastId)).toEqual(['b1']);
  });

  it('sends every waiting deletion at once when the frame goes away, and never twice', () => {
    const { sent, deletes } = setup();
    deletes.schedule(delComment('b1'));
    deletes.schedule(delDiscussion('b2'));
    deletes.flush();
    expect(sent.map((w) => w.broadcastId)).toEqual(['b1', 'b2']);
    vi.advanceTimersByTime(UNDO_WINDOW_MS * 2);
    expect(sent).toHaveLength(2);
  });
});
