// The zod schemas of every frame on the wire, both directions. Types are inferred from them;
// docs/protocol.md describes each one with an example (a test parses every example with these).
import { z } from 'zod';
import { pageKeyFromUrl } from '../page-key/normalise';
import { ERROR_CODES, LIMITS, codePoints } from './limits';

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

const CommentText = text(LIMITS.commentChars, 'a comment').refine(
  (s) => s.trim().length > 0,
  'a comment cannot be empty',
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

export const WriteFrame = z.discriminatedUnion('type', [
  CreateChat,
  AddComment,
  EditComment,
  DeleteComment,
  DeleteChat,
]);
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
export const ChatChange = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add-comment'), comment: Comment }),
  z.object({ op: z.literal('edit-comment'), commentId: EntityId, text: z.string(), editedAt: Timestamp }),
  z.object({ op: z.literal('delete-comment'), commentId: EntityId }),
]);
export const UpdatedTextChat = z.object({
  type: z.literal('updated-text-chat'),
  ...eventBase,
  chatId: EntityId,
  change: ChatChange,
});
export const DeletedTextChat = z.object({
  type: z.literal('deleted-text-chat'),
  ...eventBase,
  chatId: EntityId,
});
/** A change to a page: each gets the page's next seq. */
export const ChatEvent = z.discriminatedUnion('type', [NewTextChat, UpdatedTextChat, DeletedTextChat]);

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
  events: z.array(ChatEvent),
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
]);

// ---------------------------------------------------------------- on the wire (protocol 2)
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
export const WireDiscussion = z.object({
  id: EntityId,
  selectors: Selectors,
  comments: z.array(WireComment),
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
export const WireChatChange = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add-comment'), comment: WireComment }),
  z.object({ op: z.literal('edit-comment'), commentId: EntityId, text: z.string(), editedAt: Timestamp }),
  z.object({ op: z.literal('delete-comment'), commentId: EntityId }),
]);
export const WireUpdatedTextChat = z.object({
  type: z.literal('updated-text-chat'),
  ...wireEventBase,
  chatId: EntityId,
  change: WireChatChange,
});
export const WireDeletedTextChat = z.object({
  type: z.literal('deleted-text-chat'),
  ...wireEventBase,
  chatId: EntityId,
});
export const WireChatEvent = z.discriminatedUnion('type', [
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
  events: z.array(WireChatEvent),
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
]);

// ---------------------------------------------------------------- types

export type BroadcastIdT = z.infer<typeof BroadcastId>;
export type PageKeyT = z.infer<typeof PageKey>;
export type SelectorT = z.infer<typeof Selector>;
export type TextQuoteSelectorT = z.infer<typeof TextQuoteSelector>;
export type TextPositionSelectorT = z.infer<typeof TextPositionSelector>;
export type RangeSelectorT = z.infer<typeof RangeSelector>;
export type PersonT = z.infer<typeof Person>;
export type CommentT = z.infer<typeof Comment>;
export type DiscussionT = z.infer<typeof Discussion>;
export type RoleT = z.infer<typeof Role>;
export type HelloFrame = z.infer<typeof Hello>;
export type SubscribeFrame = z.infer<typeof Subscribe>;
export type WriteFrameT = z.infer<typeof WriteFrame>;
export type ClientFrameT = z.infer<typeof ClientFrame>;
export type ServerFrameT = z.infer<typeof ServerFrame>;
export type WelcomeFrame = z.infer<typeof Welcome>;
export type ChatEventT = z.infer<typeof ChatEvent>;
export type ChatChangeT = z.infer<typeof ChatChange>;
export type PresenceFrame = z.infer<typeof Presence>;
export type SnapshotFrame = z.infer<typeof Snapshot>;
export type ReplayFrame = z.infer<typeof Replay>;
export type AckFrame = z.infer<typeof Ack>;
export type ErrorFrameT = z.infer<typeof ErrorFrame>;
export type BatchedFrameT = z.infer<typeof BatchedFrame>;
export type BatchFrame = z.infer<typeof Batch>;
export type WireCommentT = z.infer<typeof WireComment>;
export type WireDiscussionT = z.infer<typeof WireDiscussion>;
export type WireLiveDiscussionT = z.infer<typeof WireLiveDiscussion>;
export type WireChatEventT = z.infer<typeof WireChatEvent>;
export type WireSnapshotFrame = z.infer<typeof WireSnapshot>;
export type WireReplayFrame = z.infer<typeof WireReplay>;
export type WireServerFrameT = z.infer<typeof WireServerFrame>;
export type AuthorsT = z.infer<typeof Authors>;
