// The content script: the extension's only code next to the page, which may be hostile. It holds no
// discussion text, author, team or token, and nothing it does can make a write. It
// - says which page the tab shows (from the browser's `location`; a canonical link only when
//   same-origin), again after SPA navigations;
// - frames the discussion UI (an extension page, `frame.html`) into a closed shadow root and sizes it;
// - highlights the discussions the frame lists (ids and selectors only), keeps them anchored as the
//   page changes, and reports which are orphans or placed on edited text (ids only);
// - offers "Discuss this" for a selection, and opens a highlight's thread on click, acting only on
//   events the browser marks as trusted (a page can dispatch look-alike events, never trusted ones);
// - carries out the keyboard commands the browser reports through the background (discuss the
//   selection, the list, next/previous highlight), moving the focus into the frame and back;
// - opens the thread a link names (`#cc-chat=<id>`, lib/links) once the page loads or its fragment
//   changes: only a discussion the frame lists, once it is anchored, by asking the frame to open it
//   (the page can forge the fragment, so this shows only what the member may see, in the frame, and
//   writes nothing).
// Everything else (showing, composing, replying, editing, deleting) happens inside the frame.
import { browser } from 'wxt/browser';
import { i18n } from '#i18n';
import type {
  AnchorTargetT,
  BackgroundToPageT,
  CommandName,
  FrameLayoutT,
  PageToBackgroundT,
  SelectionT,
} from '@/lib/messaging';
import type { SelectorT } from '@/lib/protocol';
import { FRAME_PAGE, PAGE_PORT_NAME } from '@/lib/messaging/names';
import { PortClient } from '@/lib/messaging/port-client';
import { originOf, pageKeyOf } from '@/lib/page-key';
import { pageTitle } from '@/lib/page-key/title';
import { linkedDiscussionId } from '@/lib/links';
import { LIMITS } from '@/lib/protocol/limits';
import { describeSelection, PageAnchors } from './anchoring';
import { documentOrder, FocusReturn, stepHighlight } from './keyboard';
import { watchNavigation } from './navigation';
import { besidePassage, blockOf, clearTop, dockedSpot, obstaclesUnder, type Box } from './placement';
import css from './style.css?inline';

const HOST_TAG = 'collab-chat-overlay';

/** A selection for the composer, with the page's title read now (data only, see pageTitle). */
function selectionOf(described: { selectors: SelectorT[]; quote: string }): SelectionT {
  const title = pageTitle(document);
  return { selectors: described.selectors, quote: described.quote, ...(title !== undefined && { title }) };
}

/** Set in this extension's isolated world (which the page cannot see) by the first copy that runs. */
const RUNNING = Symbol.for('collab-chat/overlay');

export function setupOverlay(): void {
  if (!originOf(location.href)) return;
  // Turning a site on injects the script into its open tabs; a tab that still runs it keeps that copy.
  const world = globalThis as { [RUNNING]?: boolean };
  if (world[RUNNING]) return;
  world[RUNNING] = true;
  const abort = new AbortController();
  const signal = abort.signal;
  let page: string | null = null;
  let ui: PageUi | null = null;

  const port = new PortClient<BackgroundToPageT, PageToBackgroundT>({
    connect: () => browser.runtime.connect({ name: PAGE_PORT_NAME }),
    onMessage: (message) => handle(message),
    // The content script says nothing until the background hands it a frame (its site is on).
    onOpen: () => {
      page = null;
    },
    setTimeout: (fn, ms) => void setTimeout(fn, ms),
    // The extension was updated or removed: this copy stops for good and takes everything with it.
    onGone: () => stop(),
  });

  let active = false;
  const updatePage = () => {
    if (!active) return;
    const next = pageKeyOf(document, location.href);
    if (next === page) return;
    // A link names a discussion of the page it was opened on, not of the next one.
    if (page !== null) ui?.openLinked(null);
    page = next;
    ui?.setAnchors([], null);
    port.send(next ? { kind: 'open', page: next } : { kind: 'close' });
  };

  /** The site was turned off: nothing of ours stays in the page; the port waits, silent. */
  const dormant = () => {
    active = false;
    page = null;
    ui?.remove();
    ui = null;
  };
  const stop = () => {
    dormant();
    abort.abort();
    port.stop();
    world[RUNNING] = false;
  };

  function handle(message: BackgroundToPageT): void {
    switch (message.kind) {
      case 'frame':
        if (!ui) {
          ui = mountUi((m) => port.send(m));
          ui.openLinked(linkedDiscussionId(location.hash));
        }
        ui.showFrame(message.ticket);
        active = true;
        page = null;
        updatePage();
        return;
      case 'anchors':
        ui?.setAnchors(message.anchors, message.activeId);
        return;
      case 'layout':
        ui?.layout(message.layout);
        return;
      case 'stop':
        dormant();
        return;
      case 'command':
        ui?.command(message.command);
        return;
      case 'release-focus':
        ui?.releaseFocus();
        return;
      case 'reveal':
        ui?.reveal(message.id);
        return;
    }
  }

  port.start();
  watchNavigation(signal, updatePage);
  window.addEventListener('hashchange', () => ui?.openLinked(linkedDiscussionId(location.hash)), { signal });
}

interface PageUi {
  showFrame(ticket: string): void;
  setAnchors(anchors: AnchorTargetT[], activeId: string | null): void;
  layout(layout: FrameLayoutT): void;
  /** A keyboard command the browser reported for this tab (never an event of the page). */
  command(command: CommandName): void;
  releaseFocus(): void;
  /** Scrolls a discussion's passage into view and flashes it. */
  reveal(id: string): void;
  /** Opens the thread of a link's discussion once the frame lists it and it is anchored (null: none). */
  openLinked(id: string | null): void;
  remove(): void;
}

/** Builds what the extension adds to the page: a closed shadow root with the frame, prompt and marks. */
function mountUi(send: (message: PageToBackgroundT) => void): PageUi {
  const abort = new AbortController();
  const signal = abort.signal;
  const host = document.createElement(HOST_TAG);
  // Closed: the page's scripts get no handle on what is inside (`host.shadowRoot` is null for them).
  const shadow = host.attachShadow({ mode: 'closed' });
  const style = document.createElement('style');
  style.textContent = css;
  const frame = document.createElement('iframe');
  frame.className = 'cc-frame';
  frame.title = i18n.t('frameTitle');
  frame.setAttribute('aria-label', i18n.t('frameTitle'));
  // "Copy link" in a thread writes to the clipboard from the frame (it reads nothing from it).
  frame.allow = 'clipboard-write';
  // Laid out but unseen until the frame says how large it is (a hidden frame could not measure).
  frame.style.visibility = 'hidden';
  const prompt = document.createElement('button');
  prompt.type = 'button';
  prompt.className = 'cc-prompt';
  prompt.textContent = i18n.t('startDiscussion');
  prompt.hidden = true;
  const highlightLayer = document.createElement('div');
  highlightLayer.className = 'cc-highlight-layer';
  const flashLayer = document.createElement('div');
  flashLayer.className = 'cc-highlight-layer';
  shadow.append(style, highlightLayer, flashLayer, prompt, frame);
  (document.body ?? document.documentElement).append(host);
  let ticket: string | null = null;
  let lastLayout: FrameLayoutT = { width: 420, height: 120 };
  /** Whether the frame has said how large it is (until then it is laid out, unseen). */
  let measured = false;
  let activeId: string | null = null;

  // ---------------------------------------------------------------- where the frame sits
  /** Newest placement asked for: an older one that finishes later is dropped. */
  let placing = 0;
  const place = async () => {
    const turn = ++placing;
    const width = Math.min(lastLayout.width, window.innerWidth);
    const dock = lastLayout.dock ?? 'right';
    const wanted = lastLayout.height;
    const bar = Math.min(lastLayout.bar ?? wanted, wanted);
    const docked = dockedSpot(dock, width, window.innerWidth);
    const stripAt = (x: number, top: number): Box => ({ left: x, top, right: x + width, bottom: top + bar });
    // Below the page's fixed and sticky strips under the bar, on the docked side.
    const dockedTop = clearTop(docked.y, bar, window.innerHeight, (top) =>
      obstaclesUnder(document, stripAt(docked.x, top), host),
    );
    let spot = { x: docked.x, y: dockedTop };
    const height = Math.min(wanted, window.innerHeight - dockedTop);
    frame.style.width = `${width}px`;
    frame.style.height = `${height}px`;
    const range = activeId ? anchors.rangeOf(activeId) : null;
    const passage = range?.getBoundingClientRect();
    if (range && passage && passage.bottom > 0 && passage.top < window.innerHeight && passage.height > 0) {
      const block = blockOf(range, window)?.getBoundingClientRect() ?? passage;
      const reference = {
        left: Math.min(block.left, passage.left),
        right: Math.max(block.right, passage.right),
        top: passage.top,
        bottom: passage.bottom,
      };
      const beside = await besidePassage(frame, passage, reference, dock, dockedTop, spot, host).catch(
        () => null,
      );
      if (turn !== placing) return;
      if (beside) {
        // Its bar, too, stays clear of the page's strips wherever it lands.
        const top = clearTop(beside.y, bar, window.innerHeight, (t) =>
          obstaclesUnder(document, stripAt(beside.x, t), host),
        );
        spot = { x: beside.x, y: Math.min(top, Math.max(0, window.innerHeight - height)) };
      }
    }
    if (turn !== placing) return;
    frame.style.left = `${spot.x}px`;
    frame.style.top = `${spot.y}px`;
    frame.style.visibility = !measured || width === 0 || height === 0 ? 'hidden' : 'visible';
  };
  // Scrolls, resizes and messages come in bursts: one placement per animation frame. A tab in the
  // background gets no animation frames; the timer places its frame all the same.
  let scheduled = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    const run = () => {
      if (!scheduled || signal.aborted) return;
      scheduled = false;
      void place();
      placePrompt();
    };
    requestAnimationFrame(run);
    setTimeout(run, 100);
  }
  window.addEventListener('resize', schedule, { signal });
  window.addEventListener('scroll', schedule, { signal, capture: true, passive: true });
  frame.style.width = `${lastLayout.width}px`;
  frame.style.height = `${lastLayout.height}px`;

  const anchors = new PageAnchors({
    window,
    root: document.body ?? document.documentElement,
    host,
    fallbackContainer: highlightLayer,
    onReport: ({ orphans, fuzzy }) => {
      send({ kind: 'orphans', ids: orphans, fuzzy });
      // The open discussion's passage may just have been found (or lost): the frame follows it.
      schedule();
    },
    onFrameClick: (id) => {
      send({ kind: 'open-discussion', id });
      focus.enterFrame();
    },
  });
  const focus = new FocusReturn(document, host, frame);

  // ---------------------------------------------------------------- the selection prompt
  let compose: PageToBackgroundT | null = null;
  let selectedRange: Range | null = null;
  const hidePrompt = () => {
    prompt.hidden = true;
    compose = null;
    selectedRange = null;
  };
  const placePrompt = () => {
    if (!selectedRange) return;
    const rect = selectedRange.getBoundingClientRect();
    const offscreen = rect.bottom < 0 || rect.top > window.innerHeight;
    prompt.hidden = offscreen;
    prompt.style.left = `${Math.max(4, Math.min(rect.left, window.innerWidth - 140))}px`;
    prompt.style.top = `${Math.min(rect.bottom + 6, window.innerHeight - 40)}px`;
  };
  const fromOverlay = (event: Event) => event.composedPath().includes(host);
  const onSelectionEnd = (event: Event) => {
    // A page can script a selection and dispatch a mouseup: only the person's own input counts.
    if (!event.isTrusted || fromOverlay(event)) return;
    setTimeout(() => {
      const current = document.getSelection();
      if (!current || current.isCollapsed || current.rangeCount === 0) return hidePrompt();
      const range = current.getRangeAt(0);
      if (host.contains(range.commonAncestorContainer)) return;
      const described = describeSelection(range, document.body, host);
      if (!described.ok && described.reason !== 'too-long') return hidePrompt();
      compose = described.ok ? { kind: 'compose', selection: selectionOf(described) } : null;
      // A selection too long to anchor says so where the button would be, and does nothing.
      prompt.textContent = compose
        ? i18n.t('startDiscussion')
        : i18n.t('selectionTooLong', [String(LIMITS.quoteChars)]);
      prompt.disabled = !compose;
      selectedRange = range.cloneRange();
      placePrompt();
    }, 0);
  };
  document.addEventListener('mouseup', onSelectionEnd, { signal, capture: true });
  document.addEventListener('keyup', onSelectionEnd, { signal, capture: true });
  // The prompt goes when its selection does (cleared, by the person or by the page; a new one starts by
  // collapsing the old). Only then: a browser may restate the same selection with other boundary
  // points as the focus moves, which must not take the prompt away from under the person's pointer.
  document.addEventListener(
    'selectionchange',
    () => {
      const current = document.getSelection();
      if (selectedRange && (!current || current.rangeCount === 0 || current.isCollapsed)) hidePrompt();
    },
    { signal },
  );
  // Keeps the page's selection while the button is pressed.
  prompt.addEventListener('mousedown', (e) => e.preventDefault(), { signal });
  prompt.addEventListener(
    'click',
    (event) => {
      if (!event.isTrusted || !compose) return;
      send(compose);
      hidePrompt();
      focus.enterFrame();
    },
    { signal },
  );
  document.addEventListener(
    'click',
    (event) => {
      if (!event.isTrusted || fromOverlay(event) || !document.getSelection()?.isCollapsed) return;
      const id = anchors.hitTest(event.clientX, event.clientY, event.target as Node | null);
      if (id) {
        send({ kind: 'open-discussion', id });
        focus.enterFrame();
      }
    },
    { signal, capture: true },
  );

  // ---------------------------------------------------------------- keyboard commands
  const discussSelection = () => {
    const current = document.getSelection();
    const range = current && !current.isCollapsed && current.rangeCount > 0 ? current.getRangeAt(0) : null;
    if (!range || host.contains(range.commonAncestorContainer))
      return send({ kind: 'hint', hint: 'no-selection' });
    const described = describeSelection(range, document.body, host);
    if (!described.ok)
      return send({
        kind: 'hint',
        hint: described.reason === 'too-long' ? 'selection-too-long' : 'no-selection',
      });
    hidePrompt();
    focus.enterFrame();
    send({ kind: 'compose', selection: selectionOf(described) });
  };
  /** Scrolls `range` to a third of the viewport when it is not wholly in view. */
  const bringIntoView = (range: Range) => {
    const rect = range.getBoundingClientRect();
    // At once rather than smoothly: no motion to opt out of, and the frame reads the passage out.
    if (rect.top < 0 || rect.bottom > window.innerHeight)
      window.scrollBy(0, rect.top - window.innerHeight / 3);
  };
  // A passage opened from the list flashes for a moment: boxes in the closed shadow root (the page
  // sees neither them nor which passage), gone after the flash or at the next scroll.
  let flashTimer: ReturnType<typeof setTimeout> | undefined;
  const clearFlash = () => {
    clearTimeout(flashTimer);
    flashLayer.replaceChildren();
  };
  window.addEventListener('scroll', clearFlash, { signal, capture: true, passive: true });
  const reveal = (id: string) => {
    const range = anchors.rangeOf(id);
    if (!range) return;
    clearFlash();
    bringIntoView(range);
    for (const rect of range.getClientRects()) {
      if (rect.width === 0 || rect.height === 0) continue;
      const box = document.createElement('div');
      box.className = 'cc-flash';
      Object.assign(box.style, {
        left: `${rect.left}px`,
        top: `${rect.top}px`,
        width: `${rect.width}px`,
        height: `${rect.height}px`,
      });
      flashLayer.append(box);
    }
    flashTimer = setTimeout(clearFlash, 1500);
  };

  // The last one visited: the walk goes on from there after its thread was closed.
  let visited: string | null = null;
  const visitHighlight = (direction: 'next' | 'previous') => {
    const anchored = anchors.ranges();
    const id = stepHighlight(documentOrder(anchored), activeId ?? visited, direction);
    if (!id) return send({ kind: 'hint', hint: 'no-highlights' });
    visited = id;
    bringIntoView(anchored.get(id)!);
    focus.enterFrame();
    send({ kind: 'open-discussion', id });
  };

  // ---------------------------------------------------------------- links to a discussion
  /** The discussion a link names, until the frame lists it (a snapshot may still be on its way). */
  let linked: string | null = null;
  let listed: readonly AnchorTargetT[] = [];
  const openLinkedIfListed = () => {
    const id = linked;
    if (!id || !listed.some((t) => t.id === id)) return;
    linked = null;
    // Its passage, if the page still holds it; an orphan's thread opens all the same and says so.
    if (anchors.rangeOf(id)) reveal(id);
    send({ kind: 'open-discussion', id, link: true });
  };

  return {
    openLinked(id) {
      linked = id;
      openLinkedIfListed();
    },
    command(command) {
      switch (command) {
        case 'discuss-selection':
          return discussSelection();
        case 'toggle-list':
          focus.enterFrame();
          return send({ kind: 'toggle-list' });
        case 'next-highlight':
          return visitHighlight('next');
        case 'previous-highlight':
          return visitHighlight('previous');
        case 'toggle-overlay':
          return; // a setting, changed by the background
      }
    },
    releaseFocus() {
      focus.leaveFrame();
    },
    reveal,
    showFrame(next) {
      if (next === ticket) return;
      ticket = next;
      frame.src = `${browser.runtime.getURL(FRAME_PAGE)}#${next}`;
    },
    setAnchors(next, active) {
      activeId = active;
      schedule();
      anchors
        .set(next, active)
        .then(() => {
          listed = next;
          openLinkedIfListed();
          schedule();
        })
        .catch((error: unknown) => {
          console.error('Collab Chat could not anchor discussions:', error);
        });
    },
    layout(next) {
      lastLayout = next;
      measured = true;
      schedule();
    },
    remove() {
      abort.abort();
      anchors.dispose();
      host.remove();
    },
  };
}
