// The typed contract between the extension's contexts: the frame port (discussion frame ⇄ background),
// the page port (content script ⇄ background) and the one-shot runtime messages of the popup and
// options page. Every message is parsed with zod where it arrives; the wire frames themselves come
// from lib/protocol.
//
// The split follows the trust boundary: the content script lives next to a page that may be hostile,
// so nothing on the page port carries discussion text, authors, the team or the token, and nothing on
// it can make a write. Only the frame (extension origin) sees discussions and sends writes.
import { z } from 'zod';
import {
  BroadcastId,
  DiscussionEvent,
  DeleteChat,
  DeleteComment,
  Discussion,
  EntityId,
  ERROR_CODES,
  LIMITS,
  Members,
  PageKey,
  ReadPositions,
  Person,
  Role,
  Selectors,
  Timestamp,
  WriteFrame,
} from '@/lib/protocol';

import { COMMANDS } from './names';

export { COMMANDS, FRAME_PAGE, FRAME_PORT_PREFIX, PAGE_PORT_NAME, type CommandName } from './names';

// ---------------------------------------------------------------- connection status

export const ConnectionState = z.enum([
  /** No server URL or token yet. */
  'unconfigured',
  /** Nothing subscribed: no socket needed. */
  'idle',
  'connecting',
  'live',
  /** The socket dropped; a retry is scheduled. */
  'reconnecting',
  /** The browser reports no network. */
  'offline',
  /** The server refused the token or the protocol; retried only when the settings change. */
  'refused',
]);
export type ConnectionStateT = z.infer<typeof ConnectionState>;

export const Status = z.object({
  state: ConnectionState,
  /** Writes waiting for the server. */
  queued: z.number().int().nonnegative(),
  /** Writes that will not go without the person: held (token refused) or refused for good. */
  unsent: z.number().int().nonnegative().optional(),
  me: Person.nullable(),
  tenant: Person.nullable(),
  role: Role.nullable(),
  /** Plain words for the last failure, when there is one. */
  detail: z.string().optional(),
  /** A retry started at once (a write, the network back, a tab shown) is under way: "trying now…". */
  trying: z.boolean().optional(),
  /** The attempt under way follows a connection or a failed attempt: it reads as reconnecting. */
  resuming: z.boolean().optional(),
});
export type StatusT = z.infer<typeof Status>;

// ---------------------------------------------------------------- shared pieces

const DiscussionId = EntityId;
/** What the content script needs to find a discussion on the page: its id and selectors, no text. */
export const AnchorTarget = z.object({
  id: DiscussionId,
  selectors: Selectors,
  /** Resolved: painted dimmed. A state bit, no text: the page may know that much. */
  resolved: z.boolean().optional(),
});
export type AnchorTargetT = z.infer<typeof AnchorTarget>;
/** A selection the person asked to discuss: where it is, and the quote (text of the page itself). */
export const Selection = z.object({
  selectors: Selectors,
  quote: z.string().max(LIMITS.quoteChars),
  /** The page's `document.title` (lib/page-key/title): the page's own words, carried as data only. */
  title: z.string().max(LIMITS.titleChars).optional(),
});
export type SelectionT = z.infer<typeof Selection>;
/**
 * The size the frame's content needs, in CSS pixels (the content script clamps it to the viewport),
 * the side of the window it keeps to, and the height of its top bar, the strip that must stay clear
 * of the page's fixed and sticky controls (absent: right, and the whole frame).
 */
export const FrameLayout = z.object({
  width: z.number().int().min(0).max(100_000),
  height: z.number().int().min(0).max(100_000),
  dock: z.enum(['left', 'right']).optional(),
  bar: z.number().int().min(0).max(100_000).optional(),
});
export type FrameLayoutT = z.infer<typeof FrameLayout>;
/** A keyboard command of the manifest, relayed by the background to the tab it was pressed in. */
export const Command = z.enum(COMMANDS);
/** Why a command from the page did nothing, for the frame to say so (words are the frame's). */
export const PageHint = z.enum(['no-selection', 'selection-too-long', 'no-highlights']);
export type PageHintT = z.infer<typeof PageHint>;

/**
 * One of the person's writes the server has not taken, as the background's outbox holds it: shown in
 * place by every tab of its page, also after a reload. `waiting`: sent when the connection is live;
 * `held`: the token was refused, sent again only when the person asks; `failed`: refused for good.
 */
export const OutboxEntry = z.object({
  write: WriteFrame,
  queuedAt: z.number(),
  by: Person.optional(),
  state: z.enum(['waiting', 'held', 'failed']),
  code: z.enum(ERROR_CODES).optional(),
  message: z.string().optional(),
});
export type OutboxEntryT = z.infer<typeof OutboxEntry>;

// ---------------------------------------------------------------- frame port

/** Discussion frame → background. */
export const FrameToBackground = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('write'), write: WriteFrame }),
  /** What the page should highlight (confirmed and unacked discussions) and which one is open. */
  z.object({ kind: z.literal('anchors'), anchors: z.array(AnchorTarget), activeId: DiscussionId.nullable() }),
  z.object({ kind: z.literal('layout'), layout: FrameLayout }),
  /** What the person opened from the page is closed: give the keyboard focus back to the page. */
  z.object({ kind: z.literal('release-focus') }),
  /** Bring a discussion's passage into view and flash it (opened from the list). */
  z.object({ kind: z.literal('reveal'), id: DiscussionId }),
  /**
   * A deletion in its undo window: not sent, but kept by the background, which sends it if the frame
   * goes away (the tab closes) before the window ends; the frame's own `write` of it, or
   * `cancel-delete`, ends that.
   */
  z.object({ kind: z.literal('undoable-delete'), write: z.union([DeleteComment, DeleteChat]) }),
  /** Undo: the deletion in its window is forgotten. */
  z.object({ kind: z.literal('cancel-delete'), broadcastId: BroadcastId }),
  /** The person gives up a held or failed write (its text was offered to copy). */
  z.object({ kind: z.literal('discard'), broadcastId: z.string() }),
  /** The person sends a held write again (after entering a new token). */
  z.object({ kind: z.literal('resend'), broadcastId: z.string() }),
  /** The person asked for the options page (to enter a new token). */
  z.object({ kind: z.literal('open-options') }),
  /** The team's members are wanted (to suggest and show @mentions): answered by `members`. */
  z.object({ kind: z.literal('list-members') }),
  /** Watch (or stop watching) the page this tab shows; the server's `watching` answers. */
  z.object({ kind: z.literal('watch'), watch: z.boolean() }),
  /** The person has read a discussion of this tab's page up to the comment time `at`. */
  z.object({ kind: z.literal('mark-read'), discussionId: DiscussionId, at: Timestamp }),
]);
export type FrameToBackgroundT = z.infer<typeof FrameToBackground>;

/** Background → discussion frame. */
export const BackgroundToFrame = z.discriminatedUnion('kind', [
  /** The page this tab shows now (null: none); everything else is about this page. */
  z.object({ kind: z.literal('page'), page: PageKey.nullable() }),
  /** The whole known state of the page; replaces what the tab had. `synced` is false for a cached copy. */
  z.object({
    kind: z.literal('state'),
    page: PageKey,
    discussions: z.array(Discussion),
    synced: z.boolean(),
  }),
  z.object({ kind: z.literal('event'), event: DiscussionEvent }),
  z.object({ kind: z.literal('presence'), page: PageKey, count: z.number().int().nonnegative() }),
  z.object({ kind: z.literal('status'), status: Status }),
  z.object({ kind: z.literal('ack'), broadcastId: z.string() }),
  /** Every write of this page the server has not taken yet, whichever tab made it (replaces the last). */
  z.object({ kind: z.literal('outbox'), page: PageKey, writes: z.array(OutboxEntry) }),
  z.object({
    kind: z.literal('refused'),
    broadcastId: z.string(),
    code: z.enum(ERROR_CODES),
    message: z.string(),
  }),
  /** The person clicked "Discuss this" on the page: open the composer for this selection. */
  z.object({ kind: z.literal('compose'), selection: Selection }),
  /**
   * The person clicked a highlight on the page, or moved to it with the keyboard; or (`link`) the
   * page's address names the discussion, which the page itself can forge: nothing is marked read
   * until the person acts in the thread.
   */
  z.object({ kind: z.literal('open-discussion'), id: DiscussionId, link: z.literal(true).optional() }),
  /**
   * Discussions the page could not find (orphans), and those it placed on text that changed since they
   * were quoted (`fuzzy`).
   */
  z.object({
    kind: z.literal('orphans'),
    ids: z.array(DiscussionId),
    fuzzy: z.array(DiscussionId).optional(),
  }),
  /** The person pressed the shortcut that opens or closes the list of discussions. */
  z.object({ kind: z.literal('toggle-list') }),
  /** A shortcut pressed on the page found nothing to act on. */
  z.object({ kind: z.literal('hint'), hint: PageHint }),
  /** The team's members (the server's `members`), to a frame that asked. */
  z.object({ kind: z.literal('members'), members: Members.shape.members }),
  /** Whether the person watches the page (the server's `watching`). */
  z.object({ kind: z.literal('watching'), page: PageKey, watch: z.boolean() }),
  /** How far the person has read the page's discussions, on any browser (merged into what the tab has). */
  z.object({ kind: z.literal('read-positions'), page: PageKey, positions: ReadPositions.shape.chats }),
]);
export type BackgroundToFrameT = z.infer<typeof BackgroundToFrame>;

// ---------------------------------------------------------------- page port

/** Content script → background. None of these can make a write. */
export const PageToBackground = z.discriminatedUnion('kind', [
  /** This tab now shows `page` (replaces any page it showed before). */
  z.object({ kind: z.literal('open'), page: PageKey }),
  /** This tab shows no page any more (a page without a key). */
  z.object({ kind: z.literal('close') }),
  /** A trusted click on "Discuss this". */
  z.object({ kind: z.literal('compose'), selection: Selection }),
  /**
   * A trusted click on a highlight, or the next/previous highlight command; `link`: the address names
   * the discussion (a link followed, or the page's own doing).
   */
  z.object({ kind: z.literal('open-discussion'), id: DiscussionId, link: z.literal(true).optional() }),
  /** Where the page's anchoring stands: orphans, and discussions placed on edited text. Ids only. */
  z.object({
    kind: z.literal('orphans'),
    ids: z.array(DiscussionId).max(10_000),
    fuzzy: z.array(DiscussionId).max(10_000).optional(),
  }),
  /** The list command (the content script has focused the frame). */
  z.object({ kind: z.literal('toggle-list') }),
  /** A command found nothing to act on. */
  z.object({ kind: z.literal('hint'), hint: PageHint }),
]);
export type PageToBackgroundT = z.infer<typeof PageToBackground>;

/** Background → content script: ids, selectors and sizes only, never discussion text. */
export const BackgroundToPage = z.discriminatedUnion('kind', [
  /** The ticket the content script puts in the frame's URL; the background accepts only that frame. */
  z.object({ kind: z.literal('frame'), ticket: z.string().regex(/^[\w-]{16,64}$/) }),
  z.object({ kind: z.literal('anchors'), anchors: z.array(AnchorTarget), activeId: DiscussionId.nullable() }),
  z.object({ kind: z.literal('layout'), layout: FrameLayout }),
  /** The site was turned off: remove everything from the page. */
  z.object({ kind: z.literal('stop') }),
  /** The person pressed one of the extension's shortcuts in this tab (the browser told the background). */
  z.object({ kind: z.literal('command'), command: Command }),
  /** The frame closed what the page opened: the focus goes back to where it was on the page. */
  z.object({ kind: z.literal('release-focus') }),
  /** Bring this discussion's passage into view and flash it. */
  z.object({ kind: z.literal('reveal'), id: DiscussionId }),
]);
export type BackgroundToPageT = z.infer<typeof BackgroundToPage>;

// ---------------------------------------------------------------- runtime messages (popup, options)

/**
 * The outcome of testing a server URL and token (entrypoints/background/test-connection.ts), one kind
 * per thing the user must do differently. `address` is the URL's host and port as typed.
 */
export const TestConnectionResult = z.discriminatedUnion('result', [
  z.object({ result: z.literal('connected'), user: Person, tenant: Person, role: Role }),
  z.object({ result: z.literal('token-refused') }),
  z.object({ result: z.literal('insecure') }),
  z.object({ result: z.literal('invalid-url') }),
  z.object({ result: z.literal('protocol-mismatch') }),
  z.object({ result: z.literal('missing-token') }),
  /** The host name does not resolve. */
  z.object({ result: z.literal('host-not-found'), host: z.string() }),
  /** The host is there and nothing listens on the port. */
  z.object({ result: z.literal('refused'), address: z.string() }),
  /** Something answers HTTP at the address, and it is not a Collab Chat server. */
  z.object({ result: z.literal('not-collab-chat'), address: z.string() }),
  /** Our server, whose certificate the browser does not trust. */
  z.object({ result: z.literal('tls-untrusted'), address: z.string(), healthUrl: z.string() }),
  /** wss:// to a server that speaks plain HTTP on that port. */
  z.object({ result: z.literal('tls-not-offered'), address: z.string() }),
  /** Our server, starting, shutting down or too busy: it asks to come back later. */
  z.object({ result: z.literal('starting'), address: z.string() }),
  /** Nothing came back within the time allowed (a firewall that drops packets, a stalled host). */
  z.object({ result: z.literal('no-answer'), address: z.string(), seconds: z.number() }),
  /** Our server answers HTTP and refuses the WebSocket: its allowed origins leave this extension out. */
  z.object({ result: z.literal('origin-refused'), address: z.string() }),
  /** The browser cannot tell why: nothing listening, or a TLS certificate it does not trust. */
  z.object({ result: z.literal('unreachable'), address: z.string(), healthUrl: z.string() }),
]);
export type TestConnectionResultT = z.infer<typeof TestConnectionResult>;

export const RuntimeRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('get-status') }),
  /** Viewers of the page a tab shows, as the server last reported them (null when unknown). */
  z.object({ kind: z.literal('get-viewers'), tabId: z.number().int() }),
  z.object({ kind: z.literal('test-connection'), serverUrl: z.string(), token: z.string() }),
  /**
   * A read of the team's HTTP API (docs/api.md) for the team page, made by the background with the
   * saved server and token. Answered only to the extension's own pages.
   */
  z.object({
    kind: z.literal('team'),
    path: z.enum(['discussions', 'search']),
    params: z.record(z.string(), z.string().max(2000)),
  }),
  /** Checks the settings as saved (after "Save") and makes the status show who they sign in as. */
  z.object({ kind: z.literal('check-saved') }),
  /**
   * Joins a team with an invite link (docs/api.md): the background redeems it with the link's server
   * and saves that server and the new token as "Save" does. Answered to the extension's pages only.
   */
  z.object({ kind: z.literal('redeem-invite'), link: z.string().max(2000), name: z.string().max(200) }),
  /**
   * The person's own data (docs/api.md, "Your own data"), for the team page: `export` (what the
   * server holds of them, as JSON), `erasure-status` and `request-erasure` (ask the team's admins to
   * erase it). Made by the background with the saved token; answered to the extension's pages only.
   */
  z.object({ kind: z.literal('own-data'), action: z.enum(['export', 'erasure-status', 'request-erasure']) }),
  /**
   * Signs in with the server's identity provider (single sign-on, docs/api.md) in a window of the
   * browser's own, and saves that server and the session as "Save" does. Extension pages only.
   */
  z.object({ kind: z.literal('sso-sign-in'), serverUrl: z.string().max(2000) }),
  /** Ends the signed-in session on the server and forgets it here. Extension pages only. */
  z.object({ kind: z.literal('sso-sign-out') }),
  /** The popup's inbox: open a notification's discussion (and mark it read); mark every one read. */
  z.object({ kind: z.literal('open-notification'), seq: z.number().int().positive() }),
  z.object({ kind: z.literal('mark-all-notifications-read') }),
]);
export type RuntimeRequestT = z.infer<typeof RuntimeRequest>;

export const ViewersReply = z.object({ page: PageKey.nullable(), count: z.number().int().nullable() });
export type ViewersReplyT = z.infer<typeof ViewersReply>;

/**
 * The team API's answer: its JSON body (parsed by the page with lib/protocol/team-api), or why not:
 * `not-set-up` (no server or token saved), `unreachable`, or the server's HTTP status and words.
 */
export const TeamReply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), body: z.unknown() }),
  z.object({
    ok: z.literal(false),
    problem: z.enum(['not-set-up', 'unreachable', 'refused', 'failed']),
    status: z.number().int().optional(),
    error: z.string(),
  }),
]);
export type TeamReplyT = z.infer<typeof TeamReply>;

/**
 * What joining with an invite link did: joined (as whom, and the check of the saved settings that
 * followed), or why not: the link is not an invite link, not secure, the server did not answer,
 * the invite is expired, used up, revoked or unknown, too many attempts, or the server refused.
 */
export const JoinReply = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    user: Person,
    tenant: Person,
    role: Role,
    check: TestConnectionResult,
  }),
  z.object({
    ok: z.literal(false),
    problem: z.enum([
      'invalid-link',
      'insecure',
      'missing-name',
      'unreachable',
      'invite-unknown',
      'invite-expired',
      'invite-used-up',
      'invite-revoked',
      'rate-limited',
      'refused',
      'failed',
    ]),
    /** The server's own words (for `refused` and `failed`), or the address (for `unreachable`). */
    detail: z.string().max(500).optional(),
  }),
]);
export type JoinReplyT = z.infer<typeof JoinReply>;

/**
 * What "Sign in" did: signed in (as whom, and the check of the saved settings that followed), or why
 * not: the URL, the server without single sign-on, no answer, the window closed, waiting for an
 * admin's approval, refused (the server's words), or failed.
 */
export const SignInReply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), user: Person, tenant: Person, role: Role, check: TestConnectionResult }),
  z.object({
    ok: z.literal(false),
    problem: z.enum([
      'invalid-url',
      'insecure',
      'not-configured',
      'unreachable',
      'cancelled',
      'waiting',
      'refused',
      'failed',
    ]),
    detail: z.string().max(600).optional(),
  }),
]);
export type SignInReplyT = z.infer<typeof SignInReply>;

/** What "Sign out" did on the server: the session revoked, refused (already over), or not reached. */
export const SignOutReply = z.object({
  ok: z.literal(true),
  server: z.enum(['revoked', 'refused', 'unreachable', 'not-signed-in']),
});
export type SignOutReplyT = z.infer<typeof SignOutReply>;

export interface RuntimeReplies {
  'get-status': StatusT;
  'get-viewers': ViewersReplyT;
  'test-connection': TestConnectionResultT;
  team: TeamReplyT;
  'own-data': TeamReplyT;
  'check-saved': TestConnectionResultT;
  'redeem-invite': JoinReplyT;
  'sso-sign-in': SignInReplyT;
  'sso-sign-out': SignOutReplyT;
  'open-notification': boolean;
  'mark-all-notifications-read': boolean;
}

/** Sends a runtime message to the background and parses its reply. */
export async function askBackground<K extends RuntimeRequestT['kind']>(
  send: (message: unknown) => Promise<unknown>,
  request: Extract<RuntimeRequestT, { kind: K }>,
): Promise<RuntimeReplies[K]> {
  const reply = await send(request);
  const schema = {
    'get-status': Status,
    'get-viewers': ViewersReply,
    'test-connection': TestConnectionResult,
    team: TeamReply,
    'own-data': TeamReply,
    'check-saved': TestConnectionResult,
    'redeem-invite': JoinReply,
    'sso-sign-in': SignInReply,
    'sso-sign-out': SignOutReply,
    'open-notification': z.boolean(),
    'mark-all-notifications-read': z.boolean(),
  }[request.kind];
  return schema.parse(reply) as RuntimeReplies[K];
}
