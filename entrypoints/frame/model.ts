// The discussion frame's reactive state and actions for one tab: fed by the background's port
// messages, it turns the person's actions into write frames (broadcastId made here) and shows them at
// once. It runs in the frame (extension origin), never in the page.
import { batch } from 'solid-js';
import { createStore, reconcile, unwrap } from 'solid-js/store';
import { i18n } from '#i18n';
import { connectionLabel } from '@/components/status-label';
import { isolate } from '@/lib/bidi';
import type {
  AnchorTargetT,
  BackgroundToFrameT,
  FrameToBackgroundT,
  PageHintT,
  StatusT,
} from '@/lib/messaging';
import type { ChatEventT, DiscussionT, SelectorT, WriteFrameT } from '@/lib/protocol';
import { LIMITS } from '@/lib/protocol/limits';
import { TabView } from './tab-view';

export interface Draft {
  selectors: SelectorT[];
  quote: string;
}

export interface OverlayState {
  page: string | null;
  chats: DiscussionT[];
  /** Ids of comments and discussions waiting for the server. */
  pending: string[];
  status: StatusT | null;
  viewers: number | null;
  notice: string | null;
  openChatId: string | null;
  composing: Draft | null;
  collapsed: boolean;
  /** The open list of discussions: all of them, or only those not found on the page. */
  list: 'all' | 'orphans' | null;
  orphanIds: string[];
  /** Discussions the page placed on text that changed since they were quoted. */
  fuzzyIds: string[];
  /** Whether what is open now was opened from the page (its focus then goes back there on close). */
  fromPage: boolean;
  /** The last thing said to screen readers (polite live region); `n` counts, so a repeat is said again. */
  announcement: { text: string; n: number };
}

export interface OverlayDeps {
  send(message: FrameToBackgroundT): void;
  now?: () => number;
  newId?: () => string;
}

export type OverlayModel = ReturnType<typeof createOverlayModel>;

export function createOverlayModel(deps: OverlayDeps) {
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? (() => crypto.randomUUID());
  const view = new TabView();
  /** Frames this tab sent, kept while unanswered so that a reopened port can resend them. */
  const sent = new Map<string, WriteFrameT>();
  const [state, setState] = createStore<OverlayState>({
    page: null,
    chats: [],
    pending: [],
    status: null,
    viewers: null,
    notice: null,
    openChatId: null,
    composing: null,
    collapsed: false,
    list: null,
    orphanIds: [],
    fuzzyIds: [],
    fromPage: false,
    announcement: { text: '', n: 0 },
  });

  const announce = (text: string) => setState('announcement', (a) => ({ text, n: a.n + 1 }));
  const quoteOf = (chat: DiscussionT | undefined) => {
    const q = chat?.selectors.find((s) => s.type === 'TextQuoteSelector');
    const exact = q?.type === 'TextQuoteSelector' ? q.exact : '';
    return isolate(exact.length > 60 ? `${exact.slice(0, 57)}…` : exact);
  };
  /** Says what someone else changed: a new discussion, or a new comment in the open thread. */
  const announceEvent = (event: ChatEventT) => {
    const me = state.status?.me?.id;
    if (event.type === 'new-text-chat') {
      const author = event.chat.comments[0]?.author;
      if (author && author.id !== me)
        announce(i18n.t('announceNewDiscussion', [isolate(author.name), quoteOf(event.chat)]));
    } else if (
      event.type === 'updated-text-chat' &&
      event.change.op === 'add-comment' &&
      event.chatId === state.openChatId &&
      event.change.comment.author.id !== me
    ) {
      announce(
        i18n.t('announceNewComment', [isolate(event.change.comment.author.name), event.change.comment.text]),
      );
    }
  };
  const HINTS: Record<PageHintT, () => string> = {
    'no-selection': () => i18n.t('hintNoSelection'),
    'selection-too-long': () => i18n.t('selectionTooLong', [String(LIMITS.quoteChars)]),
    'no-highlights': () => i18n.t('hintNoHighlights'),
  };

  const render = () => {
    batch(() => {
      setState('chats', reconcile(view.view(), { key: 'id' }));
      setState('pending', [...view.pendingIds()]);
      if (state.openChatId && !state.chats.some((c) => c.id === state.openChatId))
        setState('openChatId', null);
    });
  };

  /** Sends a write and shows it at once; false (and a message) when it is too large to send. */
  const write = (frame: WriteFrameT): boolean => {
    if (new TextEncoder().encode(JSON.stringify(frame)).length > LIMITS.frameBytes) {
      setState('notice', i18n.t('tooLargeToSend'));
      return false;
    }
    const known = state.status?.me;
    const me = known ? { id: known.id, name: known.name } : { id: '', name: i18n.t('you') };
    view.addOwn(frame, me, now());
    sent.set(frame.broadcastId, frame);
    deps.send({ kind: 'write', write: frame });
    render();
    return true;
  };

  const base = () => ({ broadcastId: crypto.randomUUID(), page: state.page! });

  /** This tab now shows `page` (null: none). */
  const setPage = (page: string | null) => {
    if (page === state.page) return;
    if (page) view.setState(page, []);
    else view.clear();
    batch(() => {
      setState({
        page,
        viewers: null,
        openChatId: null,
        composing: null,
        list: null,
        orphanIds: [],
        fuzzyIds: [],
      });
      render();
    });
  };

  const openChat = (chatId: string | null, fromPage = false) => {
    setState({ openChatId: chatId, composing: null, list: null, fromPage });
  };

  return {
    state,
    setPage,
    /** Writes this tab made that the background has not answered: resent when the port reopens. */
    pendingWrites(): WriteFrameT[] {
      for (const id of [...sent.keys()]) if (!view.isPending(id)) sent.delete(id);
      return [...sent.values()];
    },
    /** What the page should highlight: every discussion shown here, and the open one. */
    anchors(): { anchors: AnchorTargetT[]; activeId: string | null } {
      return {
        anchors: state.chats.map((c) => ({ id: c.id, selectors: structuredClone(unwrap(c.selectors)) })),
        activeId: state.openChatId,
      };
    },
    handle(message: BackgroundToFrameT) {
      switch (message.kind) {
        case 'page':
          return setPage(message.page);
        case 'compose':
          if (!state.page) return;
          setState({
            composing: { selectors: message.selection.selectors, quote: message.selection.quote },
            openChatId: null,
            list: null,
            fromPage: true,
          });
          return;
        case 'open-chat':
          if (state.chats.some((c) => c.id === message.id)) openChat(message.id, true);
          return;
        case 'toggle-list':
          if (state.list) {
            const fromPage = state.fromPage;
            setState({ list: null, fromPage: false });
            if (fromPage) deps.send({ kind: 'release-focus' });
          } else setState({ list: 'all', openChatId: null, composing: null, fromPage: true });
          return;
        case 'hint':
          setState('notice', HINTS[message.hint]());
          return;
        case 'orphans':
          setState('orphanIds', reconcile(message.ids));
          setState('fuzzyIds', reconcile(message.fuzzy ?? []));
          return;
        case 'state':
          if (message.page !== state.page) return;
          view.setState(message.page, message.chats);
          return render();
        case 'event':
          if (message.event.page !== state.page) return;
          if (view.event(message.event) === 'applied') announceEvent(message.event);
          return render();
        case 'presence':
          if (message.page === state.page) setState('viewers', message.count);
          return;
        case 'status': {
          const before = state.status?.state;
          setState('status', message.status);
          if (before !== undefined && before !== message.status.state)
            announce(i18n.t('announceConnection', [connectionLabel(message.status)]));
          return;
        }
        case 'ack':
          view.confirm(message.broadcastId);
          return render();
        case 'refused':
          if (view.rollback(message.broadcastId)) {
            setState('notice', i18n.t('refused', [message.message]));
            render();
          }
          return;
      }
    },
    setCollapsed(collapsed: boolean) {
      setState('collapsed', collapsed);
    },
    notify(text: string | null) {
      setState('notice', text);
    },
    cancelCompose() {
      setState('composing', null);
    },
    submitDiscussion(text: string): boolean {
      const draft = state.composing;
      if (!draft || !state.page) return false;
      const chatId = newId();
      const frame: WriteFrameT = {
        type: 'create-chat',
        ...base(),
        chatId,
        commentId: newId(),
        // Store proxies cannot cross a port: send a plain copy.
        selectors: structuredClone(unwrap(draft.selectors)),
        text,
      };
      if (!write(frame)) return false;
      setState({ composing: null, openChatId: chatId });
      return true;
    },
    openChat,
    showList(list: OverlayState['list'], fromPage = false) {
      setState({ list, openChatId: null, composing: null, fromPage });
    },
    /** Closes what is open; when the page opened it, the page gets the focus back. */
    closeAll() {
      const fromPage = state.fromPage;
      setState({ list: null, openChatId: null, composing: null, fromPage: false });
      if (fromPage) deps.send({ kind: 'release-focus' });
    },
    /** The page brings a discussion's passage into view and flashes it. */
    reveal(chatId: string) {
      deps.send({ kind: 'reveal', id: chatId });
    },
    /** The focus leaves the frame for the page (Escape with nothing open). */
    releaseFocus() {
      deps.send({ kind: 'release-focus' });
    },
    reply(chatId: string, text: string): boolean {
      return write({ type: 'add-comment', ...base(), chatId, commentId: newId(), text });
    },
    edit(chatId: string, commentId: string, text: string): boolean {
      return write({ type: 'edit-comment', ...base(), chatId, commentId, text });
    },
    deleteComment(chatId: string, commentId: string) {
      const frame: WriteFrameT = { type: 'delete-comment', ...base(), chatId, commentId };
      write(frame);
    },
    deleteChat(chatId: string) {
      const frame: WriteFrameT = { type: 'delete-chat', ...base(), chatId };
      write(frame);
    },
    /** Resolves (`true`) or reopens (`false`) a discussion. */
    resolveChat(chatId: string, resolved: boolean): boolean {
      return write({ type: 'resolve-chat', ...base(), chatId, resolved });
    },
  };
}
