import { createRoot } from 'solid-js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { draftsStorage } from '@/lib/storage';
import { createDraftBook } from './drafts';

beforeEach(() => {
  fakeBrowser.reset();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const book = () => createRoot(() => createDraftBook({ store: draftsStorage, saveDelayMs: 300 }));

describe('the frame’s drafts', () => {
  it('shows what is typed at once and saves it to extension storage once typing pauses', async () => {
    const drafts = book();
    await drafts.loaded;
    drafts.set('reply c1', 'Half a thought');
    expect(drafts.text('reply c1')).toBe('Half a thought');
    expect(await draftsStorage.getValue()).toEqual({});
    await vi.advanceTimersByTimeAsync(300);
    expect((await draftsStorage.getValue())['reply c1']?.text).toBe('Half a thought');
  });

  it('brings back what another frame saved (a reload, another tab)', async () => {
    await draftsStorage.setValue({ 'reply c1': { text: 'from before', at: Date.now() } });
    const drafts = book();
    await drafts.loaded;
    expect(drafts.text('reply c1')).toBe('from before');
  });

  it('clears a sent draft from storage at once, and keeps the drafts of other tabs', async () => {
    const drafts = book();
    await drafts.loaded;
    drafts.set('reply c1', 'mine');
    await drafts.flush();
    // Another tab saves its own draft meanwhile.
    const stored = await draftsStorage.getValue();
    await draftsStorage.setValue({ ...stored, 'reply c2': { text: 'theirs', at: Date.now() } });
    await drafts.clear('reply c1');
    expect(Object.keys(await draftsStorage.getValue())).toEqual(['reply c2']);
    expect(drafts.text('reply c2')).toBe('theirs');
  });

  it('moves a draft to another key (a deleted discussion’s reply to its passage)', async () => {
    const drafts = book();
    await drafts.loaded;
    drafts.set('reply c1', 'keep me');
    await drafts.move('reply c1', 'new page anchor');
    expect(drafts.text('new page anchor')).toBe('keep me');
    expect(drafts.text('reply c1')).toBe('');
    expect(Object.keys(await draftsStorage.getValue())).toEqual(['new page anchor']);
  });
});
