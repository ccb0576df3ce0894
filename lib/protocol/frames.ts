// The zod schemas of every frame on the wire, both directions. Types are inferred from them;
// docs/protocol.md describes each one with an example (a test parses every example with these).
import { z } from 'zod';
import { pageKeyFromUrl } from '../page-key/normalise';
import { ERROR_CODES, LIMITS, codePoints } from './limits';
import { mentionedIds } from './mentions';

// ---------------------------------------------------------------- building blocks

/** A client-made UUID that identifies one write and its broadcast. */
export const BroadcastId = z.uuid();

/** Ids of discussions and comments are made by the client (128 random bits, base64url or UUID). */
export const EntityId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'ids are 8 to 64 characters of A-Z, a-z, 0-9, _ and -');

/** A normalised page URL (see lib/page-key), as the server sends it. */
export const PageKey = z
  .string()
  .min(1)
  .max(LIMITS.pageKeyChars)
  .regex(/^https?:\/\/[^\s]+$/, 'a page is an http(s) URL without spaces');

/**
 * A page as a client names it: any http(s) URL, which the server normalises into its page key by
 * the same rule as the extension (lib/page-key), so every client of a team lands on the same page.
 */
export const ClientPage = z.string().transform((url, ctx) => {
  const key = pageKeyFromUrl(url);
  if (key === null) {
    ctx.addIssue({
      code: 'custom',
      message: `a page is an http(s) URL whose page key is at most ${LIMITS.pageKeyChars} characters`,
    });
    return z.NEVER;
  }
  return key;
});

/** A string of at most `max` Unicode code points (every text limit counts code points). */
const text = (max: number, what: string) =>
  z.string().refine((s) => codePoints(s) <= max, `${what} is at most ${max} characters (code points)`);

export const Seq = z.number().int().nonnegative();
export const Timestamp = z.number().int().nonnegative();

const CommentText = text(LIMITS.commentChars, 'a comment')
  .refine((s) => s.trim().length > 0, 'a comment cannot be empty')
  .refine(
    (s) => mentionedIds(s).length <= LIMITS.mentionsPerComment,
    `a comment mentions at most ${LIMITS.mentionsPerComment} people`,
  );

// W3C Web Annotation selectors (https://www.w3.org/TR/annotation-model/#selectors).
export const TextQuoteSelector = z.object({
  type: z.literal('TextQuoteSelector'),
  exact: text(LIMITS.quoteChars, 'a quote').refine((s) => s.length > 0, 'a quote cannot be empty'),
  prefix: text(LIMITS.contextChars, 'a prefix').optional(),
  suffix: text(LIMITS.contextChars, 'a suffix').optional(),
});
export const TextPositionSelector = z
  .object({
    type: z.literal('TextPositionSelector'),
    start: z.number().int().nonnegative(),
    end: z.number().int().nonnegative(),
  })
  .refine((s) => s.end > s.start, 'end must be after start');
/**
 * A structural hint: XPaths of the start and end containers with offsets into them. `endContainer` is
 * absent when it is the same node as `startContainer` (the usual case), which keeps frames small.
 */
export const RangeSelector = z.object({
  type: z.literal('RangeSelector'),
  startContainer: text(LIMITS.xpathChars, 'an XPath'),
  startOffset: z.number().int().nonnegative(),
  endContainer: text(LIMITS.xpathChars, 'an XPath').optional(),
  endOffset: z.number().int().nonnegative(),
});
export const Selector = z.union([TextQuoteSelector, TextPositionSelector, RangeSelector]);

/** Stored anchors as the server sends them: exactly one TextQuoteSelector; the others are hints. */
export const Selectors = z
  .array(Selector)
  .min(1)
  .max(4)
  .refine(
    (list) => list.filter((s) => s.type === 'TextQuoteSelector').length === 1,
    'an anchor needs exactly one TextQuoteSelector',
  );

const countOf = (list: Array<{ type: string }>, type: string) => list.filter((s) => s.type === type).length;

/**
 * An anchor as a client may send it, in any order: exactly one TextQuoteSelector, at most one
 * TextPositionSelector, at most one RangeSelector.
 */
export const AnchorSelectors = z
  .array(Selector)
  .min(1)
  .max(LIMITS.selectorsPerAnchor)
  .refine((list) => countOf(list, 'TextQuoteSelector') === 1, 'an anchor needs exactly one TextQuoteSelector')
  .refine(
    (list) => countOf(list, 'TextPositionSelector') <= 1 && countOf(list, 'RangeSelector') <= 1,
    'an anchor has at most one TextPositionSelector and at most one RangeSelector',
  );

export const Person = z.object({ id: z.string(), name: z.string() });

/** Who settled a discussion, and when (server clock). */
export const Resolution = z.object({ by: Person, at: Timestamp });

export const Comment = z.object({
  id: EntityId,
  author: Person,
  text: z.string(),
  at: Timestamp,
  editedAt: Timestamp.optional(),
});

/** A discussion ("text chat") anchored to a quote on a page. Its creator is the first comment's author. */
export const Discussion = z.object({
  id: EntityId,
  selectors: Selectors,
  comments: z.array(Comment),
  /** Present while the discussion is resolved; absent when open (never resolved, or reopened). */
  resolved: Resolution.optional(),
});

// ---------------------------------------------------------------- client → server

export const Hello = z.object({
  type: z.literal('hello'),
  token: z.string().min(1).max(LIMITS.tokenChars),
  protocol: z.number().int().positive(),
});
export const Subscribe = z.object({
  type: z.literal('subscribe'),
  page: ClientPage,
  /** The last seq the client holds for this page; absent for a first subscription. */
  since: Seq.optional(),
});
export const Unsubscribe = z.object({ type: z.literal('unsubscribe'), page: ClientPage });
export const Ping = z.object({ type: z.literal('ping'), t: z.number().optional() });

const writeBase = { broadcastId: BroadcastId, page: ClientPage };
export const CreateChat = z.object({
  type: z.literal('create-chat'),
  ...writeBase,
  chatId: EntityId,
  commentId: EntityId,
  selectors: AnchorSelectors,
  text: CommentText,
  /**
   * The page's title when the discussion was started (optional; older clients send none): shown in
   * the team's list of discussions and searched. The page wrote it, so it is only ever text.
   */
  title: text(LIMITS.titleChars, 'a page title').optional(),
});
export const AddComment = z.object({
  type: z.literal('add-comment'),
  ...writeBase,
  chatId: EntityId,
  commentId: EntityId,
  text: CommentText,
});
export const EditComment = z.object({
  type: z.literal('edit-comment'),
  ...writeBase,
  chatId: EntityId,
  commentId: EntityId,
  text: CommentText,
});
export const DeleteComment = z.object({
  type: z.literal('delete-comment'),
  ...writeBase,
  chatId: EntityId,
  commentId: EntityId,
});
export const DeleteChat = z.object({
  type: z.literal('delete-chat'),
  ...writeBase,
  chatId: EntityId,
});

/** Resolves (`resolved: true`) or reopens (`false`) a discussion; any member of the tenant may. */
export const ResolveChat = z.object({
  type: z.literal('resolve-chat'),
  ...writeBase,
  chatId: EntityId,
  resolved: z.boolean(),
});

export const WriteFrame = z.discriminatedUnion('type', [
  CreateChat,
  AddComment,
  EditComment,
  DeleteComment,
  DeleteChat,
  ResolveChat,
]);

// Requests about the user rather than a page: answered to the connection (and, for those that
// change the user's state, to every connection of the user), never broadcast to a page.

/** Asks for the tenant's members (for @mentions); answered by `members`. */
export const ListMembers = z.object({ type: z.literal('list-members') });
/** Starts (`watch: true`) or stops watching a page: a new discussion on it notifies the user. */
export const Watch = z.object({ type: z.literal('watch'), page: ClientPage, watch: z.boolean() });
/** Asks for the user's notifications after `after` (absent: the newest); answered by `notifications`. */
export const NotificationsSince = z.object({
  type: z.literal('notifications-since'),
  after: Seq.optional(),
});
/** Marks notifications read: those listed in `seqs`, and every one up to `upTo`. */
export const MarkNotificationsRead = z
  .object({
    type: z.literal('mark-notifications-read'),
    seqs: z.array(Seq).max(LIMITS.notificationsPerFrame).optional(),
    upTo: Seq.optional(),
  })
  .refine((f) => f.seqs !== undefined || f.upTo !== undefined, 'give seqs or upTo');
/** The user has read a discussion up to the comment time `at` (never moves back). */
export const MarkRead = z.object({
  type: z.literal('mark-read'),
  page: ClientPage,
  chatId: EntityId,
  at: Timestamp,
});

export const ClientFrame = z.discriminatedUnion('type', [
  Hello,
  Subscribe,
  Unsubscribe,
  Ping,
  CreateChat,
  AddComment,
  EditComment,
  DeleteComment,
  DeleteChat,
  ResolveChat,
  ListMembers,
  Watch,
  NotificationsSince,
  MarkNotificationsRead,
  MarkRead,
]);
export const CLIENT_FRAME_TYPES = ClientFrame.options.map((o) => o.shape.type.value);

// ---------------------------------------------------------------- server → client
// As the extension and the server's store see them: pages by key, authors with their names, every
// selector. The wire form of the page frames is further below.

export const Role = z.enum(['member', 'admin']);

export const Welcome = z.object({
  type: z.literal('welcome'),
  protocol: z.number().int(),
  user: Person,
  tenant: Person,
  role: Role,
});

const eventBase = { page: PageKey, seq: Seq, broadcastId: BroadcastId };
export const NewTextChat = z.object({ type: z.literal('new-text-chat'), ...eventBase, chat: Discussion });
export const DiscussionChange = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add-comment'), comment: Comment }),
  z.object({ op: z.literal('edit-comment'), commentId: EntityId, text: z.string(), editedAt: Timestamp }),
  z.object({ op: z.literal('delete-comment'), commentId: EntityId }),
  /** Resolved (`resolved` says by whom and when) or reopened (`resolved: null`). */
  z.object({ op: z.literal('resolve'), resolved: Resolution.nullable() }),
]);
export const UpdatedTextChat = z.object({
  type: z.literal('updated-text-chat'),
  ...eventBase,
  chatId: EntityId,
  change: DiscussionChange,
});
export const DeletedTextChat = z.object({
  type: z.literal('deleted-text-chat'),
  ...eventBase,
  chatId: EntityId,
});
/** A change to a page: each gets the page's next seq. */
export const DiscussionEvent = z.discriminatedUnion('type', [NewTextChat, UpdatedTextChat, DeletedTextChat]);

export const Presence = z.object({
  type: z.literal('presence'),
  page: PageKey,
  /** Distinct users viewing the page now. */
  count: z.number().int().nonnegative(),
});

export const Snapshot = z.object({
  type: z.literal('snapshot'),
  page: PageKey,
  seq: Seq,
  chats: z.array(Discussion),
  /**
   * A snapshot larger than LIMITS.snapshotFrameBytes comes in parts: `part` counts from 0 (absent
   * on the first), `more: true` on every part but the last. A part's first discussion may continue
   * the previous part's last one (same id, further comments). See addSnapshotPage.
   */
  part: z.number().int().nonnegative().optional(),
  more: z.literal(true).optional(),
});
export const Replay = z.object({
  type: z.literal('replay'),
  page: PageKey,
  /** The page's seq after the replayed events. */
  seq: Seq,
  events: z.array(DiscussionEvent),
});

export const Ack = z.object({
  type: z.literal('ack'),
  broadcastId: BroadcastId,
  page: PageKey,
  seq: Seq,
});
export const ErrorFrame = z.object({
  type: z.literal('error'),
  code: z.enum(ERROR_CODES),
  message: z.string(),
  broadcastId: BroadcastId.optional(),
  page: z.string().optional(),
});
export const Pong = z.object({ type: z.literal('pong'), t: z.number().optional() });

/** The tenant's members, for @mentions: ids and current names, nothing of other tenants. */
export const Members = z.object({
  type: z.literal('members'),
  /** `removed: true`: no longer a member (not to be suggested), named so old mentions still read. */
  members: z.array(Person.extend({ removed: z.literal(true).optional() })),
});

/** Whether the user watches a page; the answer to `watch`, sent to every connection of the user. */
export const Watching = z.object({ type: z.literal('watching'), page: PageKey, watch: z.boolean() });

export const NOTIFICATION_KINDS = ['mention', 'reply', 'new-chat', 'resolve'] as const;
/**
 * Something that happened for the user: a mention, a reply in a discussion they took part in, a new
 * discussion on a page they watch, a resolve of their discussion. `seq` counts per user (gap-free,
 * in commit order). `excerpt` is the start of the comment as it is now (absent once it is deleted).
 */
export const Notification = z.object({
  seq: Seq,
  kind: z.enum(NOTIFICATION_KINDS),
  page: PageKey,
  chatId: EntityId,
  commentId: EntityId.optional(),
  actor: Person,
  at: Timestamp,
  read: z.boolean(),
  excerpt: z.string().optional(),
});
/** One new notification, live, to every connection of its user. */
export const NotificationFrame = z.object({ type: z.literal('notification'), notification: Notification });
/**
 * The answer to `notifications-since`: the user's notifications after `after`, oldest first (at most
 * LIMITS.notificationsPerFrame; `more: true` when later ones remain), and how many are unread.
 */
export const Notifications = z.object({
  type: z.literal('notifications'),
  notifications: z.array(Notification),
  unread: z.number().int().nonnegative(),
  /** The user's latest notification seq (0: none yet). */
  latest: Seq,
  more: z.literal(true).optional(),
});
/** Notifications marked read (on any of the user's connections), to every connection of the user. */
export const NotificationsRead = z.object({
  type: z.literal('notifications-read'),
  seqs: z.array(Seq).optional(),
  upTo: Seq.optional(),
  unread: z.number().int().nonnegative(),
});
/**
 * Where the user has read a page's discussions up to (comment time, per discussion id): after each
 * answer to a subscribe (every discussion they have read on the page) and after a `mark-read` on any
 * of their connections (that one discussion).
 */
export const ReadPositions = z.object({
  type: z.literal('read-positions'),
  page: PageKey,
  chats: z.record(EntityId, Timestamp),
});

/**
 * The connection's role changed (an admin made this member an admin or a member): sent to every
 * connection of the member, on every node, so that what they are offered matches what the server
 * now allows. The server checks each write against the role it reads then, with or without this.
 */
export const RoleChanged = z.object({ type: z.literal('role'), role: Role });

/** What a `batch` may carry: live broadcasts, in order. */
export const BatchedFrame = z.discriminatedUnion('type', [
  NewTextChat,
  UpdatedTextChat,
  DeletedTextChat,
  Presence,
]);
export const Batch = z.object({ type: z.literal('batch'), events: z.array(BatchedFrame).min(1) });

export const ServerFrame = z.discriminatedUnion('type', [
  Welcome,
  NewTextChat,
  UpdatedTextChat,
  DeletedTextChat,
  Presence,
  Snapshot,
  Replay,
  Ack,
  ErrorFrame,
  Pong,
  Batch,
  Members,
  Watching,
  NotificationFrame,
  Notifications,
  NotificationsRead,
  ReadPositions,
  RoleChanged,
]);

// ---------------------------------------------------------------- on the wire (since protocol 2)
// What the server actually sends for pages, discussions and events: events name their page by the
// alias its subscribe answer gave, comments name their author by user id (the names come in an
// `authors` table), and a live new-text-chat carries only the anchor's TextQuoteSelector (its
// hints are stored and come with snapshots and replays). lib/protocol/wire.ts turns these into
// the frames above, which is what the rest of the extension works with.

/** A page's alias on one connection, given by the answer to its subscribe. */
export const PageAlias = z.number().int().positive();
/** User id → name, for the authors a frame names by id. */
export const Authors = z.record(z.string(), z.string());

export const WireComment = z.object({
  id: EntityId,
  /** The author's user id; the name is in an `authors` table sent on this connection before or with it. */
  author: z.string(),
  text: z.string(),
  at: Timestamp,
  editedAt: Timestamp.optional(),
});
/** A resolution naming its user by id (the name is in `authors`, like comments' authors). */
export const WireResolution = z.object({ by: z.string(), at: Timestamp });
export const WireDiscussion = z.object({
  id: EntityId,
  selectors: Selectors,
  comments: z.array(WireComment),
  resolved: WireResolution.optional(),
});
/**
 * A discussion as a live new-text-chat carries it: its anchor's TextQuoteSelector as `quote`, without
 * the selector's `type` (the hints are stored and come with snapshots and replays).
 */
export const WireLiveDiscussion = z.object({
  id: EntityId,
  quote: TextQuoteSelector.omit({ type: true }),
  comments: z.array(WireComment),
});

const wireEventBase = {
  alias: PageAlias,
  seq: Seq,
  broadcastId: BroadcastId,
  /** Names of authors this event is the first on the connection to mention (live events only). */
  authors: Authors.optional(),
};
export const WireNewTextChat = z.object({
  type: z.literal('new-text-chat'),
  ...wireEventBase,
  /** Live: the quote alone (`quote`); in a replay: every selector (`selectors`). */
  chat: z.union([WireDiscussion, WireLiveDiscussion]),
});
export const WireDiscussionChange = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add-comment'), comment: WireComment }),
  z.object({ op: z.literal('edit-comment'), commentId: EntityId, text: z.string(), editedAt: Timestamp }),
  z.object({ op: z.literal('delete-comment'), commentId: EntityId }),
  z.object({ op: z.literal('resolve'), resolved: WireResolution.nullable() }),
]);
export const WireUpdatedTextChat = z.object({
  type: z.literal('updated-text-chat'),
  ...wireEventBase,
  chatId: EntityId,
  change: WireDiscussionChange,
});
export const WireDeletedTextChat = z.object({
  type: z.literal('deleted-text-chat'),
  ...wireEventBase,
  chatId: EntityId,
});
export const WireDiscussionEvent = z.discriminatedUnion('type', [
  WireNewTextChat,
  WireUpdatedTextChat,
  WireDeletedTextChat,
]);
export const WireSnapshot = z.object({
  type: z.literal('snapshot'),
  page: PageKey,
  alias: PageAlias,
  seq: Seq,
  chats: z.array(WireDiscussion),
  /** Names of the authors this part mentions (and of others the page's live events may name by id). */
  authors: Authors.optional(),
  part: z.number().int().nonnegative().optional(),
  more: z.literal(true).optional(),
});
export const WireReplay = z.object({
  type: z.literal('replay'),
  page: PageKey,
  alias: PageAlias,
  seq: Seq,
  events: z.array(WireDiscussionEvent),
  authors: Authors.optional(),
});
export const WireBatchedFrame = z.discriminatedUnion('type', [
  WireNewTextChat,
  WireUpdatedTextChat,
  WireDeletedTextChat,
  Presence,
]);
export const WireBatch = z.object({ type: z.literal('batch'), events: z.array(WireBatchedFrame).min(1) });

/** Every frame the server sends, as sent. */
export const WireServerFrame = z.discriminatedUnion('type', [
  Welcome,
  WireNewTextChat,
  WireUpdatedTextChat,
  WireDeletedTextChat,
  Presence,
  WireSnapshot,
  WireReplay,
  Ack,
  ErrorFrame,
  Pong,
  WireBatch,
  Members,
  Watching,
  NotificationFrame,
  Notifications,
  NotificationsRead,
  ReadPositions,
  RoleChanged,
]);

// ---------------------------------------------------------------- types
// Each schema's type is its name with `T`. Frame schemas are named after their wire `type`
// (`CreateChat` checks `create-chat`); the others say discussion for what people see.

export type BroadcastIdT = z.infer<typeof BroadcastId>;
export type PageKeyT = z.infer<typeof PageKey>;
export type SelectorT = z.infer<typeof Selector>;
export type TextQuoteSelectorT = z.infer<typeof TextQuoteSelector>;
export type TextPositionSelectorT = z.infer<typeof TextPositionSelector>;
export type RangeSelectorT = z.infer<typeof RangeSelector>;
export type PersonT = z.infer<typeof Person>;
export type CommentT = z.infer<typeof Comment>;
export type DiscussionT = z.infer<typeof Discussion>;
export type ResolutionT = z.infer<typeof Resolution>;
export type NotificationT = z.infer<typeof Notification>;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export type RoleT = z.infer<typeof Role>;
export type HelloT = z.infer<typeof Hello>;
export type SubscribeT = z.infer<typeof Subscribe>;
export type WriteFrameT = z.infer<typeof WriteFrame>;
export type ClientFrameT = z.infer<typeof ClientFrame>;
export type ServerFrameT = z.infer<typeof ServerFrame>;
export type WelcomeT = z.infer<typeof Welcome>;
export type DiscussionEventT = z.infer<typeof DiscussionEvent>;
export type DiscussionChangeT = z.infer<typeof DiscussionChange>;
export type PresenceT = z.infer<typeof Presence>;
export type SnapshotT = z.infer<typeof Snapshot>;
export type ReplayT = z.infer<typeof Replay>;
export type AckT = z.infer<typeof Ack>;
export type ErrorFrameT = z.infer<typeof ErrorFrame>;
export type BatchedFrameT = z.infer<typeof BatchedFrame>;
export type BatchT = z.infer<typeof Batch>;
export type WireCommentT = z.infer<typeof WireComment>;
export type WireDiscussionT = z.infer<typeof WireDiscussion>;
export type WireLiveDiscussionT = z.infer<typeof WireLiveDiscussion>;
export type WireDiscussionEventT = z.infer<typeof WireDiscussionEvent>;
export type WireSnapshotT = z.infer<typeof WireSnapshot>;
export type WireReplayT = z.infer<typeof WireReplay>;
export type WireServerFrameT = z.infer<typeof WireServerFrame>;
export type AuthorsT = z.infer<typeof Authors>;
export type WireResolutionT = z.infer<typeof WireResolution>;
