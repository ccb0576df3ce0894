// What both stores share about their rows: how a write's event becomes a log entry that holds no
// text, how a log entry is rendered back into an event from the rows as they are now, and how a
// snapshot is cut into pages of bounded size.
import {
  LIMITS,
  type DiscussionEventT,
  type CommentT,
  type DiscussionT,
  type NotificationKind,
  type NotificationT,
  type ResolutionT,
  type SelectorT,
} from '../../lib/protocol';
import { preview } from './search-text';
import type {
  DiscussionSummary,
  DistributiveOmit,
  InviteRefusal,
  NotificationDraft,
  NotifyPlan,
  SsoRequest,
} from './types';

/**
 * What the event log keeps of a change: its kind and the ids it touched, never text.
 * `create` a discussion (with its opening comment), `add` / `edit` / `remove` a comment, `drop` a
 * discussion, `resolve` (or reopen) one.
 */
export type LogKind = 'create' | 'add' | 'edit' | 'remove' | 'drop' | 'resolve';

export interface LogEntry {
  kind: LogKind;
  discussionId: string;
  commentId: string | null;
}

export function logEntryOf(event: DistributiveOmit<DiscussionEventT, 'seq'>): LogEntry {
  switch (event.type) {
    case 'new-text-chat':
      return { kind: 'create', discussionId: event.chat.id, commentId: event.chat.comments[0]?.id ?? null };
    case 'deleted-text-chat':
      return { kind: 'drop', discussionId: event.chatId, commentId: null };
    case 'updated-text-chat': {
      const c = event.change;
      if (c.op === 'add-comment') return { kind: 'add', discussionId: event.chatId, commentId: c.comment.id };
      if (c.op === 'edit-comment')
        return { kind: 'edit', discussionId: event.chatId, commentId: c.commentId };
      if (c.op === 'resolve') return { kind: 'resolve', discussionId: event.chatId, commentId: null };
      return { kind: 'remove', discussionId: event.chatId, commentId: c.commentId };
    }
  }
}

/** A log entry joined with the discussion and comment it names, as they are stored now. */
export interface LogRow {
  seq: number;
  broadcastId: string;
  kind: LogKind;
  discussionId: string;
  commentId: string | null;
  /** The discussion's selectors, null when it is gone (or now lives on another page). */
  selectors: SelectorT[] | null;
  /** The comment, null when it is gone. */
  comment: CommentT | null;
  /** The discussion's resolution as stored now (null: open, or gone). */
  resolved: ResolutionT | null;
}

/**
 * Renders a log entry as the event a replaying client applies. Text comes from the rows as they are
 * now: an entry whose discussion or comment was deleted becomes a tombstone (the deletion again,
 * with ids only), and an edited comment is replayed with its current text. Applied in seq order
 * from any position, the rendered events bring a client to the stored state, because each one
 * either restates the current state of what it names or removes what is gone.
 */
export function renderLogRow(page: string, row: LogRow): DiscussionEventT {
  const base = { page, seq: row.seq, broadcastId: row.broadcastId };
  const dropped: DiscussionEventT = { type: 'deleted-text-chat', ...base, chatId: row.discussionId };
  if (row.kind === 'drop' || row.selectors === null) return dropped;
  const removed: DiscussionEventT = {
    type: 'updated-text-chat',
    ...base,
    chatId: row.discussionId,
    change: { op: 'delete-comment', commentId: row.commentId ?? '' },
  };
  switch (row.kind) {
    case 'create':
      return {
        type: 'new-text-chat',
        ...base,
        chat: { id: row.discussionId, selectors: row.selectors, comments: row.comment ? [row.comment] : [] },
      };
    case 'add':
      if (!row.comment) return removed;
      return {
        type: 'updated-text-chat',
        ...base,
        chatId: row.discussionId,
        change: { op: 'add-comment', comment: row.comment },
      };
    case 'edit':
      if (!row.comment) return removed;
      return {
        type: 'updated-text-chat',
        ...base,
        chatId: row.discussionId,
        change: {
          op: 'edit-comment',
          commentId: row.comment.id,
          text: row.comment.text,
          editedAt: row.comment.editedAt ?? row.comment.at,
        },
      };
    case 'remove':
      return removed;
    case 'resolve':
      // The state now, not as it was: a resolve later undone replays as the reopening.
      return {
        type: 'updated-text-chat',
        ...base,
        chatId: row.discussionId,
        change: { op: 'resolve', resolved: row.resolved },
      };
  }
}

/** A discussion row's resolution columns as the protocol's `resolved` (null while open). */
export function resolutionOf(r: {
  resolved_by: string | null;
  resolved_by_name: string | null;
  resolved_at: number | string | null;
}): ResolutionT | null {
  if (r.resolved_by === null || r.resolved_at === null) return null;
  return { by: { id: r.resolved_by, name: r.resolved_by_name ?? '' }, at: Number(r.resolved_at) };
}

/** A discussion's row in a listing (the team page, search), as both stores select it. */
export interface SummaryRow {
  ord: number | string;
  id: string;
  page: string;
  title: string | null;
  quote: string;
  creator_id: string;
  creator_name: string;
  created_at: number | string;
  last_activity_at: number | string;
  comment_count: number;
  first_text: string | null;
  resolved_by: string | null;
  resolved_by_name: string | null;
  resolved_at: number | string | null;
}

/** A listing row as the team page shows it (PostgreSQL's bigint columns arrive as strings). */
export function summaryOf(r: SummaryRow): DiscussionSummary {
  return {
    id: r.id,
    page: r.page,
    title: r.title,
    quote: r.quote,
    creator: { id: r.creator_id, name: r.creator_name },
    resolved: resolutionOf(r),
    createdAt: Number(r.created_at),
    lastActivityAt: Number(r.last_activity_at),
    commentCount: r.comment_count,
    preview: preview(r.first_text),
  };
}

export function commentOf(r: {
  id: string;
  author_id: string;
  author_name: string;
  text: string;
  at: number | string;
  edited_at: number | string | null;
}): CommentT {
  const c: CommentT = {
    id: r.id,
    author: { id: r.author_id, name: r.author_name },
    text: r.text,
    at: Number(r.at),
  };
  if (r.edited_at !== null) c.editedAt = Number(r.edited_at);
  return c;
}

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Bytes a discussion's anchor counts against the tenant's quota. */
export const selectorBytes = (selectors: SelectorT[]): number => utf8Bytes(JSON.stringify(selectors));

/**
 * Where a snapshot continues: the discussion (by its order key) and the first comment (by its order
 * key; 0 for the discussion's start) not yet sent. Opaque to clients.
 */
export interface SnapshotCursor {
  discussion: number;
  comment: number;
}

export const START: SnapshotCursor = { discussion: 0, comment: 0 };

export function encodeCursor(c: SnapshotCursor): string {
  return `${c.discussion}.${c.comment}`;
}

export function decodeCursor(s: string | undefined | null): SnapshotCursor {
  if (!s) return START;
  const m = /^(\d{1,18})\.(\d{1,18})$/.exec(s);
  if (!m) throw new Error(`bad snapshot cursor ${JSON.stringify(s)}`);
  return { discussion: Number(m[1]), comment: Number(m[2]) };
}

/** One row of a snapshot read: a discussion with one of its comments (null: it has none left). */
export interface SnapshotRow {
  discussionOrd: number;
  discussionId: string;
  selectors: SelectorT[];
  commentOrd: number | null;
  comment: CommentT | null;
  resolved: ResolutionT | null;
}

/**
 * Cuts snapshot rows (in discussion then comment order) into one page of at most `maxBytes` of
 * JSON. A discussion too large for the rest of the page is split: it continues at the start of the
 * next page under the same id, with its further comments. At least one row always goes out.
 */
export class PageCutter {
  readonly discussions: DiscussionT[] = [];
  private bytes = 0;
  private current: { ord: number; discussion: DiscussionT } | null = null;
  next: SnapshotCursor | null = null;

  constructor(private readonly maxBytes: number) {}

  /** False when the row does not fit: the page is full and `next` says where to go on. */
  add(row: SnapshotRow): boolean {
    const sameDiscussion = this.current?.ord === row.discussionOrd;
    const cost =
      (row.comment ? utf8Bytes(JSON.stringify(row.comment)) + 1 : 0) +
      (sameDiscussion
        ? 0
        : utf8Bytes(JSON.stringify(row.selectors)) +
          row.discussionId.length +
          40 +
          (row.resolved ? 48 + row.resolved.by.id.length : 0));
    if (this.discussions.length > 0 && this.bytes + cost > this.maxBytes) {
      this.next = {
        discussion: row.discussionOrd,
        comment: sameDiscussion && row.commentOrd !== null ? row.commentOrd : 0,
      };
      // A discussion cut before its first comment goes out whole on the next page.
      if (!sameDiscussion) this.next.comment = 0;
      return false;
    }
    this.bytes += cost;
    if (!sameDiscussion) {
      const discussion: DiscussionT = { id: row.discussionId, selectors: row.selectors, comments: [] };
      if (row.resolved) discussion.resolved = row.resolved;
      this.current = { ord: row.discussionOrd, discussion };
      this.discussions.push(discussion);
    }
    if (row.comment) this.current!.discussion.comments.push(row.comment);
    return true;
  }
}

/**
 * The start of a comment for a notification: at most LIMITS.excerptChars code points, without a
 * mention token cut in half.
 */
export function excerpt(text: string): string {
  const points = [...text];
  if (points.length <= LIMITS.excerptChars) return text;
  const cut = points
    .slice(0, LIMITS.excerptChars)
    .join('')
    .replace(/@\[[A-Za-z0-9_-]*$/, '');
  return `${cut.trimEnd()}…`;
}

/** A notification just made by a write, as its user's connections get it live. */
export function fresh(
  draft: NotificationDraft,
  seq: number,
  page: string,
  discussionId: string,
  plan: NotifyPlan,
  at: number,
): NotificationT {
  const n: NotificationT = {
    seq,
    kind: draft.kind,
    page,
    chatId: discussionId,
    actor: plan.actor,
    at,
    read: false,
  };
  if (plan.commentId !== null) n.commentId = plan.commentId;
  if (plan.text !== null) n.excerpt = excerpt(plan.text);
  return n;
}

/** A stored notification joined with its actor's name and its comment's current text. */
export function notificationOf(r: {
  seq: number | string;
  kind: NotificationKind;
  page: string;
  chat_id: string;
  comment_id: string | null;
  actor_id: string;
  actor_name: string | null;
  at: number | string;
  read_at: number | string | null;
  text: string | null;
}): NotificationT {
  const n: NotificationT = {
    seq: Number(r.seq),
    kind: r.kind,
    page: r.page,
    chatId: r.chat_id,
    actor: { id: r.actor_id, name: r.actor_name ?? '' },
    at: Number(r.at),
    read: r.read_at !== null,
  };
  if (r.comment_id !== null) n.commentId = r.comment_id;
  if (r.text !== null) n.excerpt = excerpt(r.text);
  return n;
}

/** Why an invite row (undefined: none with that hash) cannot be used at `now`; null when it can. */
export function inviteRefusal(
  row:
    | { expires_at: number | string; max_uses: number; uses: number; revoked_at: number | string | null }
    | undefined,
  now: number,
): InviteRefusal | null {
  if (!row) return 'unknown';
  if (row.revoked_at !== null) return 'revoked';
  if (Number(row.expires_at) <= now) return 'expired';
  if (row.uses >= row.max_uses) return 'used-up';
  return null;
}

/** A row of `sso_requests` (times are text from PostgreSQL's bigint, numbers from SQLite). */
export interface SsoRequestRow {
  id: string;
  tenant_id: string;
  issuer: string;
  subject: string;
  email: string;
  name: string;
  requested_at: number | string;
  decision: 'approved' | 'refused' | null;
  decided_at: number | string | null;
  decided_by: string | null;
  user_id: string | null;
}

export const ssoRequestOf = (r: SsoRequestRow): SsoRequest => ({
  id: r.id,
  tenantId: r.tenant_id,
  issuer: r.issuer,
  subject: r.subject,
  email: r.email,
  name: r.name,
  requestedAt: Number(r.requested_at),
  decision: r.decision,
  decidedAt: r.decided_at === null ? null : Number(r.decided_at),
  decidedBy: r.decided_by,
  userId: r.user_id,
});
