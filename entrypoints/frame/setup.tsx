// The discussion frame: an extension page that the content script frames into a tab. It is the only
// place that shows discussions (text, authors, the team) and makes writes, and a page cannot read or
// drive it: it is of the extension's origin, so the page's scripts can neither reach its DOM nor
// dispatch events into it. It listens to no `message` events: its only channel is its own runtime
// port to the background, opened with the ticket in its URL fragment.
import { createEffect, createMemo, createRoot, createSignal, onCleanup } from 'solid-js';
import { browser } from 'wxt/browser';
import { Overlay } from '@/components/Overlay';
import type { BackgroundToFrameT, FrameToBackgroundT } from '@/lib/messaging';
import { FRAME_PORT_PREFIX } from '@/lib/messaging/names';
import { PortClient } from '@/lib/messaging/port-client';
import {
  dockStorage,
  draftsStorage,
  firstUseHintStorage,
  seenStorage,
  themeStorage,
  topBarCollapsedStorage,
  type DockSide,
} from '@/lib/storage';
import { markSeen, type SeenMap } from '@/lib/unread';
import { createDraftBook } from '@/lib/frame/drafts';
import { createOverlayModel } from '@/lib/frame/model';
import { newToMe } from './reads';

export function setupFrame() {
  document.documentElement.lang = browser.i18n.getUILanguage();
  const ticket = location.hash.slice(1);
  const port: PortClient<BackgroundToFrameT, FrameToBackgroundT> = new PortClient({
    connect: () => browser.runtime.connect({ name: `${FRAME_PORT_PREFIX}${ticket}` }),
    onMessage: (message) => model.handle(message),
    onOpen: () => {
      for (const write of model.unackedWrites()) port.send({ kind: 'write', write });
      for (const write of model.undoableDeletes()) port.send({ kind: 'undoable-delete', write });
      model.reopened();
      sendAnchors();
      lastLayout = '';
      reportLayout();
    },
    setTimeout: (fn, ms) => void setTimeout(fn, ms),
  });
  const drafts = createDraftBook({ store: draftsStorage });
  const model = createOverlayModel({ send: (message) => port.send(message), drafts });
  // The tab is closing, reloading or leaving the page: deletions in their undo window stand (the
  // person asked for them) and are sent now, and unsaved keystrokes are saved.
  const leave = () => model.leave();
  window.addEventListener('pagehide', leave);
  // The frame is the extension's own document: only the person's input reaches it.
  const acted = (event: Event) => event.isTrusted && model.personActed();
  document.addEventListener('pointerdown', acted, true);
  document.addEventListener('keydown', acted, true);
  const [theme, setTheme] = createSignal<'system' | 'light' | 'dark'>('system');
  void themeStorage.getValue().then(setTheme);
  void topBarCollapsedStorage.getValue().then((c) => model.setCollapsed(c));
  // Which side of the window, chosen from the bar, the same for every tab of this browser.
  const [dock, setDock] = createSignal<DockSide>('right');
  void dockStorage.getValue().then(setDock);
  // What this user has seen of each discussion, shared by every tab of this browser.
  const [seen, setSeen] = createSignal<SeenMap>({});
  void seenStorage.getValue().then(setSeen);
  // The first frame seen with the bar open (the first site turned on) says how to start a discussion,
  // once: it is marked shown as it appears in a tab in front (the other tabs of a site just turned on
  // get their frame in the background), and stays until dismissed or a discussion is started.
  const [hint, setHint] = createSignal(false);
  const offerHint = () => {
    if (document.visibilityState !== 'visible') return;
    document.removeEventListener('visibilitychange', offerHint);
    void Promise.all([firstUseHintStorage.getValue(), topBarCollapsedStorage.getValue()]).then(
      ([shown, collapsed]) => {
        if (shown || collapsed) return;
        setHint(true);
        void firstUseHintStorage.setValue(true);
      },
    );
  };
  document.addEventListener('visibilitychange', offerHint);
  offerHint();
  const unwatch = [
    themeStorage.watch((value) => setTheme(value)),
    topBarCollapsedStorage.watch((value) => model.setCollapsed(value)),
    dockStorage.watch((value) => setDock(value ?? 'right')),
    seenStorage.watch((value) => setSeen(value ?? {})),
  ];

  const sendAnchors = () => port.send({ kind: 'anchors', ...model.anchors() });
  let lastLayout = '';
  /**
   * Asks the content script for a frame just as large as what is shown, on its docked side. The height
   * is what the content needs unclamped (a long thread asks for more than the viewport; the content
   * script clamps the frame, and the thread's comments scroll inside it), so the size does not feed
   * back on itself. `bar` is the strip down to the top bar's bottom edge, which the content script keeps
   * clear of the page's sticky headers.
   */
  const reportLayout = () => {
    const root = document.querySelector<HTMLElement>('.cc-root');
    if (!root) return;
    const style = getComputedStyle(root);
    const children = [...root.children] as HTMLElement[];
    // What the inner scrollers (a long thread's comments) hide is wanted height too.
    const hidden = [...root.querySelectorAll<HTMLElement>('.cc-scroll')].reduce(
      (sum, el) => sum + el.scrollHeight - el.clientHeight,
      0,
    );
    const height =
      children.reduce((sum, el) => sum + el.scrollHeight + el.offsetHeight - el.clientHeight, 0) +
      hidden +
      parseFloat(style.rowGap || '0') * Math.max(0, children.length - 1) +
      parseFloat(style.paddingTop) +
      parseFloat(style.paddingBottom);
    const topBar = root.querySelector<HTMLElement>('[data-testid="topbar"]');
    const bar = topBar ? topBar.getBoundingClientRect().bottom + parseFloat(style.paddingBottom) : height;
    const layout = {
      width: Math.ceil(root.getBoundingClientRect().width),
      height: Math.ceil(height),
      dock: dock(),
      bar: Math.ceil(bar),
    };
    const key = JSON.stringify(layout);
    if (key === lastLayout) return;
    lastLayout = key;
    port.send({ kind: 'layout', layout });
  };

  const me = () => model.state.status?.me?.id ?? null;
  const unread = createRoot(() =>
    createMemo(() => newToMe(model.state.discussions, me(), model.state.reads, seen())),
  );
  createRoot(() => {
    // An open thread is seen, up to its newest comment, also as comments arrive while it is open.
    createEffect(() => {
      const user = me();
      const discussion = model.state.discussions.find((c) => c.id === model.state.openDiscussionId);
      // Opened by the page's address (which the page can forge): read once the person acts in it.
      if (!user || !discussion || model.state.openedByLink) return;
      // Read for every browser of the person: the server keeps the position.
      model.markRead(discussion.id);
      const next = markSeen(seen(), user, discussion);
      if (!next) return;
      setSeen(next);
      void seenStorage.setValue(next);
    });
    createEffect(() => {
      // What the page highlights follows the discussions shown and the open one.
      void model.state.discussions.map((c) => c.id).join();
      // Resolved ones are painted dimmed.
      void model.state.discussions.map((c) => !!c.resolved).join();
      void model.state.openDiscussionId;
      sendAnchors();
    });
  });
  port.start();

  return (
    <Overlay
      model={model}
      unread={unread()}
      theme={theme()}
      dock={dock()}
      hint={hint()}
      onDismissHint={() => setHint(false)}
      onToggleCollapsed={() => void topBarCollapsedStorage.setValue(!model.state.collapsed)}
      onDock={(side) => void dockStorage.setValue(side)}
      ref={(root: HTMLElement) => {
        // Sizes change with what is shown (the observer) and with what a panel holds (the mutations).
        const observer = new ResizeObserver(reportLayout);
        observer.observe(root);
        const classes = new MutationObserver(reportLayout);
        classes.observe(root, { attributes: true, childList: true, subtree: true, characterData: true });
        onCleanup(() => {
          observer.disconnect();
          classes.disconnect();
          unwatch.forEach((u) => u());
          document.removeEventListener('visibilitychange', offerHint);
          window.removeEventListener('pagehide', leave);
          drafts.dispose();
          port.stop();
        });
      }}
    />
  );
}
