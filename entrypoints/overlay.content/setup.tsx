// The content script's life: it runs only on a site the user turned on (the background registers it
// for exactly those); it mounts the overlay in a shadow root, tracks the page key across SPA
// navigations, anchors and highlights discussions, and offers to discuss a text selection.
import { createEffect, createRoot, createSignal } from 'solid-js';
import { render } from 'solid-js/web';
import { browser } from 'wxt/browser';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { createShadowRootUi } from 'wxt/utils/content-script-ui/shadow-root';
import { i18n } from '#i18n';
import { Overlay } from '@/components/Overlay';
import { TAB_PORT_NAME } from '@/lib/messaging/names';
import { pageKeyOf, siteOf } from '@/lib/page-key';
import { LIMITS } from '@/lib/protocol/limits';
import { themeStorage, topBarCollapsedStorage } from '@/lib/storage';
import { anchor, describeSelection, Highlighter } from './anchoring';
import { createOverlayModel } from './model';
import { watchNavigation } from './navigation';
import { TabPortClient } from './tab-port';

const REANCHOR_DEBOUNCE_MS = 300;

export async function setupOverlay(ctx: ContentScriptContext): Promise<void> {
  if (!siteOf(location.href) || !ctx.isValid) return;
  const stop = await startOverlay(ctx);
  ctx.onInvalidated(stop);
}

async function startOverlay(ctx: ContentScriptContext): Promise<() => void> {
  const abort = new AbortController();
  const signal = abort.signal;
  const port: TabPortClient = new TabPortClient({
    connect: () => browser.runtime.connect({ name: TAB_PORT_NAME }),
    onMessage: (message) => model.handle(message),
    onOpen: () => {
      const page = model.state.page;
      if (page) port.send({ kind: 'open', page });
      for (const write of model.pendingWrites()) port.send({ kind: 'write', write });
    },
    setTimeout: (fn, ms) => ctx.setTimeout(fn, ms),
  });
  const model = createOverlayModel({ send: (message) => port.send(message) });
  model.setCollapsed(await topBarCollapsedStorage.getValue());
  const [theme, setTheme] = createSignal(await themeStorage.getValue());
  const unwatchTheme = themeStorage.watch((value) => setTheme(value));

  const ui = await createShadowRootUi(ctx, {
    name: 'collab-chat-overlay',
    position: 'inline',
    anchor: 'body',
    append: 'last',
    isolateEvents: true,
    onMount: (container) =>
      render(
        () => (
          <Overlay
            model={model}
            theme={theme()}
            onToggleCollapsed={() => {
              const next = !model.state.collapsed;
              model.setCollapsed(next);
              void topBarCollapsedStorage.setValue(next);
            }}
          />
        ),
        container,
      ),
    onRemove: (dispose) => dispose?.(),
  });
  ui.mount();
  const host = ui.shadowHost;
  // Where highlights are drawn as boxes in a browser without the CSS Custom Highlight API.
  const highlightLayer = document.createElement('div');
  highlightLayer.className = 'cc-highlight-layer';
  ui.uiContainer.prepend(highlightLayer);
  const highlighter = new Highlighter(window, highlightLayer, host);

  const updatePage = () => {
    const page = pageKeyOf(document, location.href);
    if (page === model.state.page) return;
    model.setPage(page);
    port.send(page ? { kind: 'open', page } : { kind: 'close' });
  };
  port.start();
  updatePage();
  watchNavigation(ctx, signal, updatePage);

  const reanchor = () => {
    const ranges = new Map<string, Range>();
    const orphans: string[] = [];
    for (const chat of model.state.chats) {
      const range = anchor(chat.selectors, document.body, host);
      if (range) ranges.set(chat.id, range);
      else orphans.push(chat.id);
    }
    highlighter.set(ranges, model.state.openChatId);
    model.setOrphans(orphans);
  };
  let reanchorTimer: number | undefined;
  const scheduleReanchor = () => {
    clearTimeout(reanchorTimer);
    reanchorTimer = ctx.setTimeout(reanchor, REANCHOR_DEBOUNCE_MS);
  };
  const disposeRoot = createRoot((dispose) => {
    createEffect(() => {
      // Re-anchor when the discussions or the open one change.
      void model.state.chats.map((c) => c.id).join();
      void model.state.openChatId;
      reanchor();
    });
    return dispose;
  });
  // Orphans are retried when the page's DOM changes (debounced).
  const observer = new MutationObserver((records) => {
    if (model.state.chats.length === 0) return;
    if (records.every((r) => host.contains(r.target))) return;
    scheduleReanchor();
  });
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });

  const fromOverlay = (event: Event) => event.composedPath().includes(host);
  const onSelectionEnd = (event: Event) => {
    if (fromOverlay(event)) return;
    ctx.setTimeout(() => {
      const selection = document.getSelection();
      if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
        model.setPrompt(null);
        return;
      }
      const range = selection.getRangeAt(0);
      if (host.contains(range.commonAncestorContainer)) return;
      const described = describeSelection(range, document.body, host);
      if (!described.ok) {
        model.setPrompt(null);
        if (described.reason === 'too-long')
          model.notify(i18n.t('selectionTooLong', [String(LIMITS.quoteChars)]));
        return;
      }
      const rect = range.getBoundingClientRect();
      model.setPrompt({
        selectors: described.selectors,
        quote: described.quote,
        x: Math.max(4, Math.min(rect.left, window.innerWidth - 140)),
        y: Math.min(rect.bottom + 6, window.innerHeight - 40),
      });
    }, 0);
  };
  document.addEventListener('mouseup', onSelectionEnd, { signal });
  document.addEventListener('keyup', onSelectionEnd, { signal });
  document.addEventListener(
    'click',
    (event) => {
      if (fromOverlay(event) || !document.getSelection()?.isCollapsed) return;
      const id = highlighter.hitTest(event.clientX, event.clientY, event.target as Node | null);
      if (id) model.openChat(id);
    },
    { signal },
  );

  return () => {
    abort.abort();
    observer.disconnect();
    clearTimeout(reanchorTimer);
    disposeRoot();
    unwatchTheme();
    port.stop();
    highlighter.clear();
    ui.remove();
  };
}
