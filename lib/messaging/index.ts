// The typed contract between the extension's contexts: the per-tab port (content script ⇄ background)
// and the one-shot runtime messages of the popup and options page. Every message is parsed with zod
// where it arrives; the wire frames themselves come from lib/protocol.
import { z } from 'zod';
import { ChatEvent, Discussion, ERROR_CODES, PageKey, Person, Role, Seq, WriteFrame } from '@/lib/protocol';

export { TAB_PORT_NAME } from './names';

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
  me: Person.nullable(),
  tenant: Person.nullable(),
  role: Role.nullable(),
  /** Plain words for the last failure, when there is one. */
  detail: z.string().optional(),
  /** When the next retry is due (epoch ms), while reconnecting. */
  retryAt: z.number().optional(),
  /** A retry started at once (a write, the network back, a tab shown) is under way: "trying now…". */
  trying: z.boolean().optional(),
});
export type StatusT = z.infer<typeof Status>;

// ---------------------------------------------------------------- tab port

/** Content script → background over the tab's port. */
export const TabToBackground = z.discriminatedUnion('kind', [
  /** This tab now shows `page` (replaces any page it showed before). */
  z.object({ kind: z.literal('open'), page: PageKey }),
  /** This tab shows no page any more (site turned off, or a page without a key). */
  z.object({ kind: z.literal('close') }),
  z.object({ kind: z.literal('write'), write: WriteFrame }),
]);
export type TabToBackgroundT = z.infer<typeof TabToBackground>;

/** Background → content script over the tab's port. */
export const BackgroundToTab = z.discriminatedUnion('kind', [
  /** The whole known state of the page; replaces what the tab had. `synced` is false for a cached copy. */
  z.object({
    kind: z.literal('state'),
    page: PageKey,
    seq: Seq,
    chats: z.array(Discussion),
    synced: z.boolean(),
  }),
  z.object({ kind: z.literal('event'), event: ChatEvent }),
  z.object({ kind: z.literal('presence'), page: PageKey, count: z.number().int().nonnegative() }),
  z.object({ kind: z.literal('status'), status: Status }),
  z.object({ kind: z.literal('ack'), broadcastId: z.string() }),
  z.object({
    kind: z.literal('refused'),
    broadcastId: z.string(),
    code: z.enum(ERROR_CODES),
    message: z.string(),
  }),
]);
export type BackgroundToTabT = z.infer<typeof BackgroundToTab>;

// ---------------------------------------------------------------- runtime messages (popup, options)

export const TestConnectionResult = z.discriminatedUnion('result', [
  z.object({ result: z.literal('connected'), user: Person, tenant: Person, role: Role }),
  z.object({ result: z.literal('token-refused') }),
  z.object({ result: z.literal('unreachable'), detail: z.string() }),
  z.object({ result: z.literal('insecure') }),
  z.object({ result: z.literal('invalid-url') }),
  z.object({ result: z.literal('protocol-mismatch') }),
  z.object({ result: z.literal('missing-token') }),
]);
export type TestConnectionResultT = z.infer<typeof TestConnectionResult>;

export const RuntimeRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('get-status') }),
  /** Viewers of the page a tab shows, as the server last reported them (null when unknown). */
  z.object({ kind: z.literal('get-viewers'), tabId: z.number().int() }),
  z.object({ kind: z.literal('test-connection'), serverUrl: z.string(), token: z.string() }),
]);
export type RuntimeRequestT = z.infer<typeof RuntimeRequest>;

export const ViewersReply = z.object({ page: PageKey.nullable(), count: z.number().int().nullable() });
export type ViewersReplyT = z.infer<typeof ViewersReply>;

export interface RuntimeReplies {
  'get-status': StatusT;
  'get-viewers': ViewersReplyT;
  'test-connection': TestConnectionResultT;
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
  }[request.kind];
  return schema.parse(reply) as RuntimeReplies[K];
}
