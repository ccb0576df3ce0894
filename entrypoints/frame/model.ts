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
import { editDraftKey, editDraftsOf, newDiscussionDraftKey, replyDraftKey } from '@/lib/drafts';
import { createDraftBook, memoryDraftStore, type DraftBook } from './drafts';
import { PendingDeletes, type DeleteWrite, type PendingDelete } from './pending-deletes';
import { TabView } from './tab-view';

export interface Draft {
  selectors: SelectorT[];
  quote: string;
}

/**
 * A discussion deleted by someone else while this person had unsent text for it (reply or edit): the
 * text now waits under the new-discussion draft of the same anchor (`key`), and the frame offers to
 * copy it, discard it or post it as a new discussion on the same text.
 */
export interface LostDraft {
  key: string;
  selectors: SelectorT[];
  quote: string;
  /** The page still held the quoted text when the discussion went (a new one can anchor there). */
  anchored: boolean;
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
  /** Deletions made here, waiting out their undo window (nothing sent yet). */
  deleting: PendingDelete[];
  /** The open discussion was deleted by someone else under this person's draft. */
  lost: LostDraft | null;
  /** The last thing said to screen readers (polite live region); `n` counts, so a repeat is said again. */
  announcement: { text: string; n: number };
}

export interface OverlayDeps {
  send(message: FrameToBackgroundT): void;
  now?: () => number;
  newId?: () => string;
  /** The person's drafts (in memory when absent). */
  drafts?: DraftBook;
  /** The undo window of deletions (tests shorten it). */
  undoWindowMs?: number;
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
    deleting: [],
    lost: null,
    announcement: { text: '', n: 0 },
  });
  const drafts = deps.drafts ?? createDraftBook({ store: memoryDraftStore() });
  /** Discussions this tab deleted: their going is no surprise to keep a draft from. */
  const deletedHere = new Set<string>();
  const deletes = new PendingDeletes({
    windowMs: deps.undoWindowMs,
    onChange: (pending) => setState('deleting', pending),
    send: (frame) => sendDelete(frame),
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

  /**
   * Starts a deletion's undo window. The background holds a copy, which it sends if this frame goes
   * away before the window ends (a closed tab runs no `pagehide` that could still reach it).
   */
  const hold = (frame: DeleteWrite) => {
    if (!deletes.schedule(frame)) return;
    deps.send({ kind: 'hold-write', write: frame });
  };
  /** The end of a deletion's undo window: sent, unless someone else removed it meanwhile. */
  const sendDelete = (frame: DeleteWrite) => {
    const gone = () => deps.send({ kind: 'drop-held', broadcastId: frame.broadcastId });
    if (frame.page !== state.page) return gone();
    const chat = state.chats.find((c) => c.id === frame.chatId);
    if (!chat) return gone();
    if (frame.type === 'delete-comment') {
      if (!chat.comments.some((c) => c.id === frame.commentId)) return gone();
      void drafts.clear(editDraftKey(frame.chatId, frame.commentId));
    } else {
      // The person deleted the discussion: their unsent text for it goes with it, as they chose.
      deletedHere.add(frame.chatId);
      void drafts.clear(replyDraftKey(frame.chatId));
      for (const key of editDraftsOf(drafts.all(), frame.chatId).values()) void drafts.clear(key);
    }
    write(frame);
  };

  /**
   * Discussions that went from this page without this tab deleting them: any unsent text for them
   * moves to the new-discussion draft of the same anchor, so that selecting that text again brings it
   * back; for the open one, the frame says what happened and offers what to do with the text.
   */
  const keepDraftsOfDeleted = (gone: DiscussionT[]) => {
    for (const chat of gone) {
      if (deletedHere.delete(chat.id) || !state.page) continue;
      const keys = [replyDraftKey(chat.id), ...editDraftsOf(drafts.all(), chat.id).values()];
      const texts = keys.map((k) => drafts.text(k)).filter((t) => t.trim() !== '');
      if (texts.length === 0) continue;
      const key = newDiscussionDraftKey(state.page, chat.selectors);
      const text = [drafts.text(key), ...texts].filter((t) => t.trim() !== '').join('\n\n');
      drafts.set(key, text.slice(0, LIMITS.commentChars));
      for (const k of keys) drafts.set(k, '');
      void drafts.flush();
      if (chat.id === state.openChatId) {
        const q = chat.selectors.find((s) => s.type === 'TextQuoteSelector');
        setState('lost', {
          key,
          selectors: chat.selectors,
          quote: q?.type === 'TextQuoteSelector' ? q.exact : '',
          anchored: !state.orphanIds.includes(chat.id),
        });
      }
    }
  };
  /** Applies a change from the background, keeping the drafts of the discussions it removes. */
  const applyRemote = (change: () => void) => {
    const before = new Map(state.chats.map((c) => [c.id, c]));
    change();
    const after = new Set(view.view().map((c) => c.id));
    const gone = [...before.values()].filter((c) => !after.has(c.id)).map((c) => structuredClone(unwrap(c)));
    keepDraftsOfDeleted(gone);
    render();
  };

  /** This tab now shows `page` (null: none). */
  const setPage = (page: string | null) => {
    if (page === state.page) return;
    // Leaving the page ends the undo windows: what the person deleted there is deleted.
    deletes.flush();
    if (page) view.setState(page, []);
    else view.clear();
    batch(() => {
      setState({
        page,
        viewers: null,
        openChatId: null,
        composing: null,
        list: null,
        lost: null,
        orphanIds: [],
        fuzzyIds: [],
      });
      render();
    });
  };

  const openChat = (chatId: string | null, fromPage = false) => {
    setState({ openChatId: chatId, composing: null, list: null, fromPage, lost: null });
  };

  return {
    state,
    drafts,
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
            lost: null,
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
          } else setState({ list: 'all', openChatId: null, composing: null, lost: null, fromPage: true });
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
          // Only the server's word (a synced state) says a discussion is gone; a cached copy may be
          // older than what this tab shows.
          if (!message.synced) {
            view.setState(message.page, message.chats);
            return render();
          }
          return applyRemote(() => view.setState(message.page, message.chats));
        case 'event':
          if (message.event.page !== state.page) return;
          return applyRemote(() => {
            if (view.event(message.event) === 'applied') announceEvent(message.event);
          });
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
      void drafts.clear(newDiscussionDraftKey(state.page, draft.selectors));
      setState({ composing: null, openChatId: chatId });
      return true;
    },
    /** Where the composer's text is kept while it is not sent. */
    composerDraftKey(): string | null {
      const draft = state.composing;
      return draft && state.page ? newDiscussionDraftKey(state.page, draft.selectors) : null;
    },
    /** Posts the text of a lost draft as a new discussion on the same anchor, and opens it. */
    postLost(text: string): boolean {
      const lost = state.lost;
      if (!lost || !state.page || !lost.anchored || !text.trim()) return false;
      const chatId = newId();
      const frame: WriteFrameT = {
        type: 'create-chat',
        ...base(),
        chatId,
        commentId: newId(),
        selectors: structuredClone(unwrap(lost.selectors)),
        text,
      };
      if (!write(frame)) return false;
      void drafts.clear(lost.key);
      setState({ lost: null, openChatId: chatId, composing: null, list: null });
      return true;
    },
    /** Closes the notice of a lost draft; the text stays with its passage (selecting it again brings it back). */
    closeLost() {
      setState('lost', null);
    },
    /** Forgets a lost draft. */
    discardLost() {
      const lost = state.lost;
      if (lost) void drafts.clear(lost.key);
      setState('lost', null);
    },
    openChat,
    showList(list: OverlayState['list'], fromPage = false) {
      setState({ list, openChatId: null, composing: null, lost: null, fromPage });
    },
    /** Closes what is open; when the page opened it, the page gets the focus back. */
    closeAll() {
      const fromPage = state.fromPage;
      setState({ list: null, openChatId: null, composing: null, lost: null, fromPage: false });
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
    /** Sends a reply; its draft is forgotten once the write is on its way (in the outbox). */
    reply(chatId: string, text: string): boolean {
      if (!write({ type: 'add-comment', ...base(), chatId, commentId: newId(), text })) return false;
      void drafts.clear(replyDraftKey(chatId));
      return true;
    },
    edit(chatId: string, commentId: string, text: string): boolean {
      if (!write({ type: 'edit-comment', ...base(), chatId, commentId, text })) return false;
      void drafts.clear(editDraftKey(chatId, commentId));
      return true;
    },
    /** Starts the undo window of a comment's deletion. */
    deleteComment(chatId: string, commentId: string) {
      hold({ type: 'delete-comment', ...base(), chatId, commentId });
    },
    /** Starts the undo window of a discussion's deletion. */
    deleteChat(chatId: string) {
      hold({ type: 'delete-chat', ...base(), chatId });
    },
    undoDelete(broadcastId: string) {
      if (deletes.undo(broadcastId)) deps.send({ kind: 'drop-held', broadcastId });
    },
    /** Deletions in their window, for the background to hold again after the port reopens. */
    heldDeletes(): DeleteWrite[] {
      return deletes.list().map((p) => p.write);
    },
    /** The frame is going away: deletions waiting for their window are sent now, drafts saved. */
    leave() {
      deletes.flush();
      void drafts.flush();
    },
  };
}
