import { afterEach, describe as suite, expect, it } from 'vitest';
import { Anchorer, describe, TextIndex, type AnchorChange, type AnchorerWindow } from '.';

/** A window whose clock only moves when the test says so (timers included). */
function fakeWindow() {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const fired: number[] = [];
  const win: AnchorerWindow & { advance(ms: number): void; pending(): number; fired: number[] } = {
    fired,
    performance: { now: () => now },
    setTimeout(fn, ms = 0) {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(id) {
      timers.delete(id);
    },
    MutationObserver: window.MutationObserver,
    // Yields between slices go through a message, so they do not wait for the fake clock.
    MessageChannel: globalThis.MessageChannel,
    advance(ms) {
      const target = now + ms;
      for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at <= target) {
          timers.delete(id);
          now = t.at;
          fired.push(now);
          t.fn();
        }
      }
      now = target;
    },
    pending: () => timers.size,
  };
  return win;
}

function root(html: string): HTMLElement {
  document.body.innerHTML = `<main>${html}</main><div id="overlay-host"></div>`;
  return document.querySelector('main')!;
}

/** MutationObserver callbacks run as microtasks; let them. */
const mutationsDelivered = () => new Promise<void>((r) => window.setTimeout(r, 0));

let anchorer: Anchorer | undefined;
afterEach(() => anchorer?.dispose());

suite('Anchorer', () => {
  it('anchors, orphans a deleted quote and brings it back when the text returns', async () => {
    const main = root('<p>Alpha paragraph.</p><p>The quoted sentence lives here.</p>');
    const win = fakeWindow();
    const changes: AnchorChange[] = [];
    anchorer = new Anchorer({ root: main, window: win, debounceMs: 100 });
    anchorer.subscribe((c) => changes.push(...c));
    anchorer.start();
    const index = TextIndex.build(main);
    const at = index.text.indexOf('quoted sentence');
    await anchorer.add('d1', describe(index.toRange(at, at + 15)!, main));
    expect(anchorer.rangeOf('d1')!.toString()).toBe('quoted sentence');
    expect(changes.map((c) => [c.previous, c.status])).toEqual([['pending', 'anchored']]);

    const removed = main.children[1]!;
    removed.remove();
    await mutationsDelivered();
    expect(win.pending()).toBe(1); // debounced, not yet run
    win.advance(100);
    await anchorer.whenIdle();
    expect(anchorer.status('d1')).toBe('orphan');
    expect(anchorer.orphans().map((o) => o.id)).toEqual(['d1']);

    main.append(removed);
    await mutationsDelivered();
    win.advance(100);
    await anchorer.whenIdle();
    expect(anchorer.status('d1')).toBe('anchored');
    expect(anchorer.rangeOf('d1')!.toString()).toBe('quoted sentence');
    expect(changes.map((c) => [c.previous, c.status])).toEqual([
      ['pending', 'anchored'],
      ['anchored', 'orphan'],
      ['orphan', 'anchored'],
    ]);
    expect(anchorer.orphans()).toEqual([]);
  });

  it('ignores mutations inside the overlay host', async () => {
    const main = root('<p>Text.</p>');
    const win = fakeWindow();
    const host = document.getElementById('overlay-host')!;
    main.append(host);
    anchorer = new Anchorer({ root: main, window: win, ignore: (n) => n === host });
    anchorer.start();
    host.textContent = 'overlay content changes all the time';
    await mutationsDelivered();
    expect(win.pending()).toBe(0);
    main.firstElementChild!.textContent = 'Page text changed.';
    await mutationsDelivered();
    expect(win.pending()).toBe(1);
  });

  it('re-anchors no later than maxWaitMs on a page that never stops changing', async () => {
    const main = root('<p>tick</p>');
    const win = fakeWindow();
    anchorer = new Anchorer({ root: main, window: win, debounceMs: 100, maxWaitMs: 300 });
    await anchorer.add('d1', describe(TextIndex.build(main).toRange(0, 4)!, main));
    anchorer.start();
    main.insertAdjacentHTML('afterbegin', '<p>first orphan trigger</p>');
    main.querySelector('p:last-child')!.textContent = 'tock';
    for (let i = 0; i < 5; i++) {
      await mutationsDelivered();
      win.advance(80);
      main.firstElementChild!.textContent = `change ${i}`;
    }
    await mutationsDelivered();
    // The first run started at t=300 (the max wait), though changes came every 80 ms.
    expect(win.fired[0]).toBe(300);
    win.advance(1000);
    await anchorer.whenIdle();
    expect(anchorer.status('d1')).toBe('orphan');
  });

  it('anchors a page that renders its content late', async () => {
    const main = root('<div id="app">Loading…</div>');
    const win = fakeWindow();
    anchorer = new Anchorer({ root: main, window: win, debounceMs: 50 });
    const selectors = [
      { type: 'TextQuoteSelector' as const, exact: 'rendered by the app', prefix: 'was ', suffix: ' later' },
    ];
    anchorer.start();
    await anchorer.add('late', selectors);
    expect(anchorer.status('late')).toBe('orphan');
    main.querySelector('#app')!.innerHTML =
      '<article><p>This text was rendered by the app later on.</p></article>';
    await mutationsDelivered();
    win.advance(50);
    await anchorer.whenIdle();
    expect(anchorer.rangeOf('late')!.toString()).toBe('rendered by the app');
  });

  it('replaceAll forgets discussions that are gone and keeps the rest', async () => {
    const main = root('<p>one two three</p>');
    anchorer = new Anchorer({ root: main, window: fakeWindow() });
    const q = (exact: string) => [{ type: 'TextQuoteSelector' as const, exact }];
    await anchorer.replaceAll([
      { id: 'a', selectors: q('one') },
      { id: 'b', selectors: q('three') },
    ]);
    await anchorer.replaceAll([{ id: 'b', selectors: q('three') }]);
    expect(anchorer.status('a')).toBeUndefined();
    expect(anchorer.rangeOf('b')!.toString()).toBe('three');
  });
  it('shares one index per batch, and a change elsewhere searches for nothing', async () => {
    const main = root(
      '<p id="clock">12:00:00</p><p>First quoted passage sits here.</p><p>Second quoted passage too.</p>',
    );
    const win = fakeWindow();
    anchorer = new Anchorer({ root: main, window: win, debounceMs: 50 });
    anchorer.start();
    const index = TextIndex.build(main);
    const sel = (words: string) => {
      const at = index.text.indexOf(words);
      return describe(index.toRange(at, at + words.length)!, main, { index });
    };
    await anchorer.replaceAll([
      { id: 'a', selectors: sel('First quoted passage') },
      { id: 'b', selectors: sel('Second quoted passage') },
    ]);
    expect(anchorer.stats).toMatchObject({ indexBuilds: 1, searches: 2 });
    // The same selectors again (a new copy from a message): no work at all.
    await anchorer.replaceAll([
      { id: 'a', selectors: sel('First quoted passage') },
      { id: 'b', selectors: sel('Second quoted passage') },
    ]);
    expect(anchorer.stats).toMatchObject({ indexBuilds: 1, searches: 2 });

    // A clock ticking beside the quotes touches neither of them.
    for (let i = 1; i <= 3; i++) {
      main.querySelector('#clock')!.textContent = `12:00:0${i}`;
      await mutationsDelivered();
      win.advance(50);
      await anchorer.whenIdle();
    }
    expect(anchorer.stats).toMatchObject({ indexBuilds: 1, searches: 2 });
    expect(anchorer.rangeOf('a')!.toString()).toBe('First quoted passage');

    // An edit inside one quote re-anchors that one alone, on one new index.
    const second = main.querySelectorAll('p')[2]!.firstChild as Text;
    second.replaceData('Second q'.length, 2, 'ou');
    await mutationsDelivered();
    win.advance(50);
    await anchorer.whenIdle();
    expect(anchorer.stats).toMatchObject({ indexBuilds: 2, searches: 3 });
    expect(anchorer.rangeOf('b')!.toString()).toBe('Second qouted passage');
    expect(anchorer.matchOf('b')!.method).toBe('fuzzy');
  });

  it('retries an orphan only when new text holds its words', async () => {
    const main = root('<p id="clock">12:00:00</p><p>Nothing else.</p>');
    const win = fakeWindow();
    anchorer = new Anchorer({ root: main, window: win, debounceMs: 50 });
    anchorer.start();
    const selectors = [
      { type: 'TextQuoteSelector' as const, exact: 'the missing sentence', prefix: 'Here is ', suffix: '.' },
    ];
    await anchorer.add('gone', selectors);
    expect(anchorer.status('gone')).toBe('orphan');
    const searches = anchorer.stats.searches;
    main.querySelector('#clock')!.textContent = '12:00:01';
    await mutationsDelivered();
    win.advance(50);
    await anchorer.whenIdle();
    expect(anchorer.stats.searches).toBe(searches);
    main.insertAdjacentHTML('beforeend', '<p>Here is the missing sentence.</p>');
    await mutationsDelivered();
    win.advance(50);
    await anchorer.whenIdle();
    expect(anchorer.stats.searches).toBe(searches + 1);
    expect(anchorer.rangeOf('gone')!.toString()).toBe('the missing sentence');
  });

  it('keeps an anchor on its passage when an exact copy appears elsewhere', async () => {
    const main = root('<p>Intro.</p><p>The council decided: the bridge was closed in March.</p>');
    const win = fakeWindow();
    anchorer = new Anchorer({ root: main, window: win, debounceMs: 50 });
    anchorer.start();
    const index = TextIndex.build(main);
    const at = index.text.indexOf('the bridge was closed');
    await anchorer.add('d', describe(index.toRange(at, at + 21)!, main, { index }));
    const original = anchorer.rangeOf('d')!.startContainer;
    main.firstElementChild!.insertAdjacentHTML('afterend', '<p>Note: the bridge was closed again.</p>');
    await mutationsDelivered();
    win.advance(50);
    await anchorer.whenIdle();
    expect(anchorer.rangeOf('d')!.startContainer).toBe(original);
  });

  it('indexes and watches text in an open shadow root', async () => {
    const main = root('<p>Light text.</p><div id="widget"></div>');
    const shadow = main.querySelector('#widget')!.attachShadow({ mode: 'open' });
    shadow.innerHTML = '<p>Text rendered inside a web component.</p>';
    const win = fakeWindow();
    anchorer = new Anchorer({ root: main, window: win, debounceMs: 50 });
    anchorer.start();
    const index = TextIndex.build(main);
    expect(index.text).toBe('Light text. Text rendered inside a web component.');
    const at = index.text.indexOf('inside a web component');
    await anchorer.add('w', describe(index.toRange(at, at + 22)!, main, { index }));
    expect(anchorer.rangeOf('w')!.toString()).toBe('inside a web component');
    shadow.firstElementChild!.remove();
    await mutationsDelivered();
    win.advance(50);
    await anchorer.whenIdle();
    expect(anchorer.status('w')).toBe('orphan');
  });
});
