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
import { draftsStorage, seenStorage, themeStorage, topBarCollapsedStorage } from '@/lib/storage';
import { markSeen, unreadIds, type SeenMap } from '@/lib/unread';
import { createDraftBook } from './drafts';
import { createOverlayModel } from './model';

export function setupFrame() {
  document.documentElement.lang = browser.i18n.getUILanguage();
  const ticket = location.hash.slice(1);
  const port: PortClient<BackgroundToFrameT, FrameToBackgroundT> = new PortClient({
    connect: () => browser.runtime.connect({ name: `${FRAME_PORT_PREFIX}${ticket}` }),
    onMessage: (message) => model.handle(message),
    onOpen: () => {
      for (const write of model.pendingWrites()) port.send({ kind: 'write', write });
      for (const write of model.deletesInWindow()) port.send({ kind: 'pending-delete', write });
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
  const [theme, setTheme] = createSignal<'system' | 'light' | 'dark'>('system');
  void themeStorage.getValue().then(setTheme);
  void topBarCollapsedStorage.getValue().then((c) => model.setCollapsed(c));
  // What this user has seen of each discussion, shared by every tab of this browser.
  const [seen, setSeen] = createSignal<SeenMap>({});
  void seenStorage.getValue().then(setSeen);
  const unwatch = [
    themeStorage.watch((value) => setTheme(value)),
    topBarCollapsedStorage.watch((value) => model.setCollapsed(value)),
    seenStorage.watch((value) => setSeen(value ?? {})),
  ];

  const sendAnchors = () => port.send({ kind: 'anchors', ...model.anchors() });
  let lastLayout = '';
  /**
   * Asks the content script for a frame just as large as what is shown. The height is what the content
   * needs unclamped (a long thread asks for more than the viewport; the content script clamps the
   * frame, and the panel scrolls inside it), so the size does not feed back on itself.
   */
  const reportLayout = () => {
    const root = document.querySelector<HTMLElement>('.cc-root');
    if (!root) return;
    const style = getComputedStyle(root);
    const children = [...root.children] as HTMLElement[];
    const height =
      children.reduce((sum, el) => sum + el.scrollHeight + el.offsetHeight - el.clientHeight, 0) +
      parseFloat(style.rowGap || '0') * Math.max(0, children.length - 1) +
      parseFloat(style.paddingTop) +
      parseFloat(style.paddingBottom);
    const layout = { width: Math.ceil(root.getBoundingClientRect().width), height: Math.ceil(height) };
    const key = JSON.stringify(layout);
    if (key === lastLayout) return;
    lastLayout = key;
    port.send({ kind: 'layout', layout });
  };

  const me = () => model.state.status?.me?.id ?? null;
  const unread = createRoot(() => createMemo(() => unreadIds(model.state.chats, me(), seen())));
  createRoot(() => {
    // An open thread is seen, up to its newest comment, also as comments arrive while it is open.
    createEffect(() => {
      const user = me();
      const chat = model.state.chats.find((c) => c.id === model.state.openChatId);
      if (!user || !chat) return;
      const next = markSeen(seen(), user, chat);
      if (!next) return;
      setSeen(next);
      void seenStorage.setValue(next);
    });
    createEffect(() => {
      // What the page highlights follows the discussions shown and the open one.
      void model.state.chats.map((c) => c.id).join();
      void model.state.openChatId;
      sendAnchors();
    });
  });
  port.start();

  return (
    <Overlay
      model={model}
      unread={unread()}
      theme={theme()}
      onToggleCollapsed={() => void topBarCollapsedStorage.setValue(!model.state.collapsed)}
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
          window.removeEventListener('pagehide', leave);
          drafts.dispose();
          port.stop();
        });
      }}
    />
  );
}
