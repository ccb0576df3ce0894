// The discussion frame's reactive state and actions for one tab: fed by the background's port
// messages, it turns the person's actions into write frames (broadcastId made here) and shows them at
// once. It runs in the frame (extension origin), never in the page.
import { batch } from 'solid-js';
import { createStore, reconcile, unwrap } from 'solid-js/store';
import { i18n } from '#i18n';
import { connectionLabel } from '@/lib/status-label';
import { isolate } from '@/lib/bidi';
import type {
  AnchorTargetT,
  BackgroundToFrameT,
  FrameToBackgroundT,
  OutboxEntryT,
  PageHintT,
  StatusT,
} from '@/lib/messaging';
import type { DiscussionEventT, DiscussionT, ErrorCode, SelectorT, WriteFrameT } from '@/lib/protocol';
import { LIMITS } from '@/lib/protocol/limits';
import { editDraftKey, editDraftsOf, newDiscussionDraftKey, replyDraftKey } from '@/lib/drafts';
import { hasMentions, plainText, toStored, type Member } from '@/lib/mentions';
import { createDraftBook, memoryDraftStore, type DraftBook } from './drafts';
import { UndoableDeletes, type DeleteWrite, type UndoableDelete } from './undoable-deletes';
import { TabView } from './tab-view';

/**
 * Where one of the person's unacked writes stands, as shown beside what it wrote: on its way (`sending`),
 * waiting for the connection (`waiting`), held because the token no longer works (`held`), or refused
 * for good (`failed`, with the reason in plain words). `text` is what the person typed, to copy.
 */
export interface UnackedMark {
  state: 'sending' | 'waiting' | 'held' | 'failed';
  broadcastId: string;
  reason?: string;
  text?: string;
}

/** Plain words for a refusal the person cannot fix by sending again. */
export function refusalReason(code: ErrorCode | undefined, message?: string): string {
  switch (code) {
    case 'forbidden':
      return i18n.t('failedForbidden');
    case 'not-found':
      return i18n.t('failedNotFound');
    case 'bad-frame':
      return message && /larger than/.test(message) ? i18n.t('failedTooLarge') : i18n.t('failedInvalid');
    case 'page-full':
      return i18n.t('failedPageFull');
    case 'thread-full':
      return i18n.t('failedThreadFull');
    case 'quota-exceeded':
      return i18n.t('failedQuota');
    case 'conflict':
      return i18n.t('failedConflict');
    default:
      return message ?? code ?? '';
  }
}

export interface Draft {
  selectors: SelectorT[];
  quote: string;
  /** The page's title when the selection was made; recorded with the discussion, never trusted. */
  title?: string;
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
  discussions: DiscussionT[];
  /** Ids of comments and discussions whose write the server has not acknowledged yet (unacked). */
  unacked: string[];
  /** Where each of those stands (by comment or discussion id). */
  marks: Record<string, UnackedMark>;
  /** The background's outbox for this page: the person's writes the server has not taken. */
  outbox: OutboxEntryT[];
  status: StatusT | null;
  viewers: number | null;
  notice: string | null;
  openDiscussionId: string | null;
  composing: Draft | null;
  collapsed: boolean;
  /** The open list of discussions: all of them, or only those not found on the page. */
  list: 'all' | 'orphans' | null;
  orphanIds: string[];
  /** Discussions the page placed on text that changed since they were quoted. */
  fuzzyIds: string[];
  /** Whether what is open now was opened from the page (its focus then goes back there on close). */
  fromPage: boolean;
  /**
   * The open thread was opened by the page's address (a link, or the page's own doing), and the person
   * has not acted in it yet: it is not marked read until they do.
   */
  openedByLink: boolean;
  /** Deletions made here, waiting out their undo window (nothing sent yet). */
  deleting: UndoableDelete[];
  /** The open discussion was deleted by someone else under this person's draft. */
  lost: LostDraft | null;
  /** The last thing said to screen readers (polite live region); `n` counts, so a repeat is said again. */
  announcement: { text: string; n: number };
  /** The team's members (for @mentions), null until the server listed them to this frame. */
  members: Member[] | null;
  /** Whether the person watches this page (null: the server has not said). */
  watching: boolean | null;
  /** How far the person has read each discussion of the page (comment time), from any browser. */
  reads: Record<string, number>;
  /** The list's state filter, kept while the frame lives. */
  stateFilter: 'all' | 'open' | 'resolved';
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
  /** Who the server last said we are, kept while it cannot say (a refused token). */
  let lastMe: StatusT['me'] = null;
  const [state, setState] = createStore<OverlayState>({
    page: null,
    discussions: [],
    unacked: [],
    marks: {},
    outbox: [],
    status: null,
    viewers: null,
    notice: null,
    openDiscussionId: null,
    composing: null,
    collapsed: false,
    list: null,
    orphanIds: [],
    fuzzyIds: [],
    fromPage: false,
    openedByLink: false,
    deleting: [],
    lost: null,
    announcement: { text: '', n: 0 },
    members: null,
    watching: null,
    reads: {},
    stateFilter: 'all',
  });
  /** When the member list was last asked for (it is asked again for a mention of someone unknown). */
  let membersAskedAt = -Infinity;
  const MEMBERS_REFRESH_MS = 30_000;
  const askMembers = () => {
    if (now() - membersAskedAt < MEMBERS_REFRESH_MS) return;
    membersAskedAt = now();
    deps.send({ kind: 'list-members' });
  };
  /** Asks for the members when a comment mentions someone the frame cannot name yet. */
  const wantNamesFor = (discussions: readonly DiscussionT[]) => {
    const known = new Set(state.members?.map((m) => m.id));
    for (const discussion of discussions)
      for (const c of discussion.comments)
        if (hasMentions(c.text) && (state.members === null || mentionsUnknown(c.text, known)))
          return askMembers();
  };
  const drafts = deps.drafts ?? createDraftBook({ store: memoryDraftStore() });
  /** Discussions this tab deleted: their going is no surprise to keep a draft from. */
  const deletedHere = new Set<string>();
  const deletes = new UndoableDeletes({
    windowMs: deps.undoWindowMs,
    onChange: (undoable) => setState('deleting', undoable),
    send: (frame) => sendDelete(frame),
  });

  const announce = (text: string) => setState('announcement', (a) => ({ text, n: a.n + 1 }));
  const quoteOf = (discussion: DiscussionT | undefined) => {
    const q = discussion?.selectors.find((s) => s.type === 'TextQuoteSelector');
    const exact = q?.type === 'TextQuoteSelector' ? q.exact : '';
    return isolate(exact.length > 60 ? `${exact.slice(0, 57)}…` : exact);
  };
  /** A comment's text in words: mentions by name. */
  const words = (text: string) =>
    plainText(text, new Map((state.members ?? []).map((m) => [m.id, m])), i18n.t('mentionUnknown'));
  /**
   * Says what someone else changed: a new discussion, a new comment in the open thread, a discussion
   * resolved or reopened.
   */
  const announceEvent = (event: DiscussionEventT) => {
    const me = state.status?.me?.id;
    if (event.type === 'new-text-chat') {
      const author = event.chat.comments[0]?.author;
      if (author && author.id !== me)
        announce(i18n.t('announceNewDiscussion', [isolate(author.name), quoteOf(event.chat)]));
    } else if (
      event.type === 'updated-text-chat' &&
      event.change.op === 'add-comment' &&
      event.chatId === state.openDiscussionId &&
      event.change.comment.author.id !== me
    ) {
      announce(
        i18n.t('announceNewComment', [
          isolate(event.change.comment.author.name),
          words(event.change.comment.text),
        ]),
      );
    } else if (event.type === 'updated-text-chat' && event.change.op === 'resolve') {
      const discussion = state.discussions.find((c) => c.id === event.chatId);
      const by = event.change.resolved?.by;
      if (by && by.id !== me) announce(i18n.t('announceResolved', [isolate(by.name), quoteOf(discussion)]));
      else if (!by) announce(i18n.t('announceReopened', [quoteOf(discussion)]));
    }
  };
  const HINTS: Record<PageHintT, () => string> = {
    'no-selection': () => i18n.t('hintNoSelection'),
    'selection-too-long': () => i18n.t('selectionTooLong', [String(LIMITS.quoteChars)]),
    'no-highlights': () => i18n.t('hintNoHighlights'),
  };

  const markOf = (broadcastId: string): UnackedMark => {
    const entry = state.outbox.find((e) => e.write.broadcastId === broadcastId);
    const write = entry?.write ?? sent.get(broadcastId);
    const text = write && 'text' in write ? write.text : undefined;
    if (entry?.state === 'failed')
      return { state: 'failed', broadcastId, reason: refusalReason(entry.code, entry.message), text };
    if (entry?.state === 'held') return { state: 'held', broadcastId, reason: i18n.t('heldToken'), text };
    return { state: state.status?.state === 'live' ? 'sending' : 'waiting', broadcastId, text };
  };
  const render = () => {
    batch(() => {
      setState('discussions', reconcile(view.view(), { key: 'id' }));
      wantNamesFor(state.discussions);
      const unacked = view.unackedItems();
      setState('unacked', [...unacked.keys()]);
      setState(
        'marks',
        reconcile(Object.fromEntries([...unacked].map(([id, broadcastId]) => [id, markOf(broadcastId)]))),
      );
      if (state.openDiscussionId && !state.discussions.some((c) => c.id === state.openDiscussionId))
        setState('openDiscussionId', null);
    });
  };

  /** Sends a write and shows it at once; false (and a message) when it is too large to send. */
  const write = (frame: WriteFrameT): boolean => {
    if (new TextEncoder().encode(JSON.stringify(frame)).length > LIMITS.frameBytes) {
      setState('notice', i18n.t('tooLargeToSend'));
      return false;
    }
    view.addOwn(frame, me(), now());
    sent.set(frame.broadcastId, frame);
    deps.send({ kind: 'write', write: frame });
    render();
    return true;
  };

  const base = () => ({ broadcastId: crypto.randomUUID(), page: state.page! });
  /** The author of this tab's own writes: who the server says we are, else who we were last. */
  const me = () => {
    const known = state.status?.me ?? lastMe ?? state.outbox.findLast((e) => e.by)?.by;
    return known ? { id: known.id, name: known.name } : { id: '', name: i18n.t('you') };
  };

  /**
   * The background's outbox for this page: each write not shown yet (made before a reload, or in
   * another tab) is shown as this tab's own, so that its echo and ack settle it; one that left the
   * outbox without an ack (discarded) is taken back.
   */
  const setOutbox = (writes: OutboxEntryT[]) => {
    const before = new Set(state.outbox.map((e) => e.write.broadcastId));
    const now = new Set(writes.map((e) => e.write.broadcastId));
    setState('outbox', writes);
    for (const id of before) if (!now.has(id)) view.rollback(id);
    for (const entry of writes) {
      // Shown again with the author the background knows (this tab may not have known it).
      if (!view.isUnacked(entry.write.broadcastId) || entry.by)
        view.addOwn(entry.write, entry.by ?? me(), entry.queuedAt);
    }
    render();
  };

  /**
   * Starts a deletion's undo window. The background holds a copy, which it sends if this frame goes
   * away before the window ends (a closed tab runs no `pagehide` that could still reach it).
   */
  const startUndoWindow = (frame: DeleteWrite) => {
    if (!deletes.schedule(frame)) return;
    deps.send({ kind: 'undoable-delete', write: frame });
  };
  /** The end of a deletion's undo window: sent, unless someone else removed it meanwhile. */
  const sendDelete = (frame: DeleteWrite) => {
    const gone = () => deps.send({ kind: 'cancel-delete', broadcastId: frame.broadcastId });
    if (frame.page !== state.page) return gone();
    const discussion = state.discussions.find((c) => c.id === frame.chatId);
    if (!discussion) return gone();
    if (frame.type === 'delete-comment') {
      if (!discussion.comments.some((c) => c.id === frame.commentId)) return gone();
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
    for (const discussion of gone) {
      if (deletedHere.delete(discussion.id) || !state.page) continue;
      const keys = [replyDraftKey(discussion.id), ...editDraftsOf(drafts.all(), discussion.id).values()];
      const texts = keys.map((k) => drafts.text(k)).filter((t) => t.trim() !== '');
      if (texts.length === 0) continue;
      const key = newDiscussionDraftKey(state.page, discussion.selectors);
      const text = [drafts.text(key), ...texts].filter((t) => t.trim() !== '').join('\n\n');
      drafts.set(key, text.slice(0, LIMITS.commentChars));
      for (const k of keys) drafts.set(k, '');
      void drafts.flush();
      if (discussion.id === state.openDiscussionId) {
        const q = discussion.selectors.find((s) => s.type === 'TextQuoteSelector');
        setState('lost', {
          key,
          selectors: discussion.selectors,
          quote: q?.type === 'TextQuoteSelector' ? q.exact : '',
          anchored: !state.orphanIds.includes(discussion.id),
        });
      }
    }
  };
  /** Applies a change from the background, keeping the drafts of the discussions it removes. */
  const applyRemote = (change: () => void) => {
    const before = new Map(state.discussions.map((c) => [c.id, c]));
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
        openDiscussionId: null,
        composing: null,
        list: null,
        lost: null,
        orphanIds: [],
        fuzzyIds: [],
        watching: null,
        reads: {},
      });
      render();
    });
  };

  const openDiscussion = (discussionId: string | null, fromPage = false, openedByLink = false) => {
    setState({
      openDiscussionId: discussionId,
      composing: null,
      list: null,
      fromPage,
      openedByLink,
      lost: null,
    });
  };

  return {
    state,
    drafts,
    setPage,
    /** Writes this tab made that the server has not acknowledged: resent when the port reopens. */
    unackedWrites(): WriteFrameT[] {
      for (const id of [...sent.keys()]) if (!view.isUnacked(id)) sent.delete(id);
      return [...sent.values()];
    },
    /** What the page should highlight: every discussion shown here, and the open one. */
    anchors(): { anchors: AnchorTargetT[]; activeId: string | null } {
      return {
        anchors: state.discussions.map((c) => ({
          id: c.id,
          selectors: structuredClone(unwrap(c.selectors)),
          ...(c.resolved && { resolved: true }),
        })),
        activeId: state.openDiscussionId,
      };
    },
    handle(message: BackgroundToFrameT) {
      switch (message.kind) {
        case 'page':
          return setPage(message.page);
        case 'compose':
          if (!state.page) return;
          setState({
            composing: {
              selectors: message.selection.selectors,
              quote: message.selection.quote,
              ...(message.selection.title !== undefined && { title: message.selection.title }),
            },
            openDiscussionId: null,
            list: null,
            lost: null,
            fromPage: true,
          });
          return;
        case 'open-discussion':
          if (state.discussions.some((c) => c.id === message.id))
            openDiscussion(message.id, true, message.link === true);
          return;
        case 'toggle-list':
          if (state.list) {
            const fromPage = state.fromPage;
            setState({ list: null, fromPage: false });
            if (fromPage) deps.send({ kind: 'release-focus' });
          } else
            setState({ list: 'all', openDiscussionId: null, composing: null, lost: null, fromPage: true });
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
            view.setState(message.page, message.discussions);
            return render();
          }
          return applyRemote(() => view.setState(message.page, message.discussions));
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
          // Replaced, not merged: a field the new status leaves out (unsent, trying) is gone. A copy,
          // since the store would otherwise adopt and later change the message's own objects.
          setState('status', reconcile(structuredClone(message.status)));
          lastMe = message.status.me ?? lastMe;
          // The count is the server's word: unknown until it speaks again on a live connection.
          if (message.status.state !== 'live') setState('viewers', null);
          // "Sending" and "waiting" follow the connection.
          if (before !== message.status.state) render();
          if (before !== undefined && before !== message.status.state)
            announce(i18n.t('announceConnection', [connectionLabel(message.status)]));
          return;
        }
        case 'ack':
          view.confirm(message.broadcastId);
          return render();
        case 'outbox':
          if (message.page === state.page) setOutbox(message.writes);
          return;
        case 'members':
          setState('members', reconcile(structuredClone(message.members), { key: 'id' }));
          return;
        case 'watching':
          if (message.page === state.page) setState('watching', message.watch);
          return;
        case 'read-positions':
          if (message.page !== state.page) return;
          for (const [discussionId, at] of Object.entries(message.positions))
            if ((state.reads[discussionId] ?? -1) < at) setState('reads', discussionId, at);
          return;
        case 'refused': {
          // A write kept by the outbox as failed stays in place, marked; any other is taken back.
          const kept = state.outbox.some(
            (e) => e.write.broadcastId === message.broadcastId && e.state === 'failed',
          );
          if (kept || view.rollback(message.broadcastId)) {
            setState('notice', i18n.t('refused', [refusalReason(message.code, message.message)]));
            render();
          }
          return;
        }
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
      const discussionId = newId();
      const frame: WriteFrameT = {
        type: 'create-chat',
        ...base(),
        chatId: discussionId,
        commentId: newId(),
        // Store proxies cannot cross a port: send a plain copy.
        selectors: structuredClone(unwrap(draft.selectors)),
        text,
        ...(draft.title !== undefined && { title: draft.title }),
      };
      if (!write(frame)) return false;
      void drafts.clear(newDiscussionDraftKey(state.page, draft.selectors));
      setState({ composing: null, openDiscussionId: discussionId, openedByLink: false });
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
      const discussionId = newId();
      const frame: WriteFrameT = {
        type: 'create-chat',
        ...base(),
        chatId: discussionId,
        commentId: newId(),
        selectors: structuredClone(unwrap(lost.selectors)),
        // The draft holds mentions as the person typed them (`@Name`).
        text: toStored(text, state.members ?? []),
      };
      if (!write(frame)) return false;
      void drafts.clear(lost.key);
      setState({
        lost: null,
        openDiscussionId: discussionId,
        composing: null,
        list: null,
        openedByLink: false,
      });
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
    openDiscussion,
    showList(list: OverlayState['list'], fromPage = false) {
      setState({ list, openDiscussionId: null, composing: null, lost: null, fromPage });
    },
    /** Closes what is open; when the page opened it, the page gets the focus back. */
    closeAll() {
      const fromPage = state.fromPage;
      setState({ list: null, openDiscussionId: null, composing: null, lost: null, fromPage: false });
      if (fromPage) deps.send({ kind: 'release-focus' });
    },
    /** The page brings a discussion's passage into view and flashes it. */
    reveal(discussionId: string) {
      deps.send({ kind: 'reveal', id: discussionId });
    },
    /** The focus leaves the frame for the page (Escape with nothing open). */
    releaseFocus() {
      deps.send({ kind: 'release-focus' });
    },
    /** Sends a reply; its draft is forgotten once the write is on its way (in the outbox). */
    reply(discussionId: string, text: string): boolean {
      if (!write({ type: 'add-comment', ...base(), chatId: discussionId, commentId: newId(), text }))
        return false;
      void drafts.clear(replyDraftKey(discussionId));
      return true;
    },
    edit(discussionId: string, commentId: string, text: string): boolean {
      if (!write({ type: 'edit-comment', ...base(), chatId: discussionId, commentId, text })) return false;
      void drafts.clear(editDraftKey(discussionId, commentId));
      return true;
    },
    /** Starts the undo window of a comment's deletion. */
    deleteComment(discussionId: string, commentId: string) {
      startUndoWindow({ type: 'delete-comment', ...base(), chatId: discussionId, commentId });
    },
    /** Gives up a held or failed write (its text was offered to copy). */
    discard(broadcastId: string) {
      sent.delete(broadcastId);
      view.rollback(broadcastId);
      setState(
        'outbox',
        state.outbox.filter((e) => e.write.broadcastId !== broadcastId),
      );
      deps.send({ kind: 'discard', broadcastId });
      render();
    },
    /** Sends a held write again (the person entered a new token). */
    resend(broadcastId: string) {
      deps.send({ kind: 'resend', broadcastId });
    },
    openOptions() {
      deps.send({ kind: 'open-options' });
    },
    /** Starts the undo window of a discussion's deletion. */
    deleteDiscussion(discussionId: string) {
      startUndoWindow({ type: 'delete-chat', ...base(), chatId: discussionId });
    },
    undoDelete(broadcastId: string) {
      if (deletes.undo(broadcastId)) deps.send({ kind: 'cancel-delete', broadcastId });
    },
    /** Deletions in their window, given to the background again after the port reopens. */
    undoableDeletes(): DeleteWrite[] {
      return deletes.list().map((p) => p.write);
    },
    /** The frame is going away: deletions waiting for their window are sent now, drafts saved. */
    leave() {
      deletes.flush();
      void drafts.flush();
    },
    setStateFilter(filter: OverlayState['stateFilter']) {
      setState('stateFilter', filter);
    },
    /** The port reopened (a restarted background): a member list asked for and never answered is asked again. */
    reopened() {
      if (state.members === null && membersAskedAt > -Infinity) {
        membersAskedAt = -Infinity;
        askMembers();
      }
    },
    /** A comment's text in plain words (mentions by name). */
    words,
    /** The team's members are wanted now (a field about to suggest them); asked once in a while. */
    wantMembers() {
      if (state.members === null) askMembers();
    },
    /** Starts or stops watching this page; the server's answer sets `watching`. */
    setWatching(watch: boolean) {
      if (state.page) deps.send({ kind: 'watch', watch });
    },
    /** The person pressed a key or the pointer in the frame: a thread a link opened is theirs now. */
    personActed() {
      if (state.openedByLink) setState({ openedByLink: false });
    },
    /**
     * The person has seen the discussion up to its newest comment the server holds (their own unacked
     * ones carry this browser's clock, not the server's): told to the server, for every browser of theirs.
     */
    markRead(discussionId: string) {
      const discussion = state.discussions.find((c) => c.id === discussionId);
      if (!discussion || !state.page || state.unacked.includes(discussion.id)) return;
      const unacked = new Set(state.unacked);
      const at = discussion.comments.reduce((t, c) => (unacked.has(c.id) ? t : Math.max(t, c.at)), 0);
      if (at <= 0 || (state.reads[discussionId] ?? -1) >= at) return;
      setState('reads', discussionId, at);
      deps.send({ kind: 'mark-read', discussionId, at });
    },
    /** Resolves (`true`) or reopens (`false`) a discussion. */
    resolveDiscussion(discussionId: string, resolved: boolean): boolean {
      return write({ type: 'resolve-chat', ...base(), chatId: discussionId, resolved });
    },
  };
}

/** Whether `text` mentions an id not in `known`. */
function mentionsUnknown(text: string, known: ReadonlySet<string>): boolean {
  for (const m of text.matchAll(/@\[([A-Za-z0-9_-]{1,64})\]/g)) if (!known.has(m[1]!)) return true;
  return false;
}
