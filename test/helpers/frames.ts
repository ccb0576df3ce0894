// Builders for valid client write frames with fresh ids, so tests state only what they care about.
import { randomUUID } from 'node:crypto';
import { liveSelectors, type DiscussionT } from '../../lib/protocol';

export const PAGE = 'https://example.com/article';

let counter = 0;
/** A fresh entity id (8-64 chars of [A-Za-z0-9_-]). */
export const entityId = (prefix = 'id') => `${prefix}-${randomUUID().slice(0, 8)}-${++counter}`;

export function createChat(
  opts: {
    page?: string;
    chatId?: string;
    commentId?: string;
    text?: string;
    quote?: string;
    broadcastId?: string;
    title?: string;
  } = {},
) {
  return {
    type: 'create-chat' as const,
    broadcastId: opts.broadcastId ?? randomUUID(),
    page: opts.page ?? PAGE,
    chatId: opts.chatId ?? entityId('chat'),
    commentId: opts.commentId ?? entityId('cmt'),
    selectors: [
      {
        type: 'TextQuoteSelector' as const,
        exact: opts.quote ?? 'the quoted text',
        prefix: 'before ',
        suffix: ' after',
      },
      { type: 'TextPositionSelector' as const, start: 10, end: 25 },
    ],
    text: opts.text ?? 'What does this mean?',
    ...(opts.title !== undefined && { title: opts.title }),
  };
}

export function addComment(chatId: string, opts: { page?: string; commentId?: string; text?: string } = {}) {
  return {
    type: 'add-comment' as const,
    broadcastId: randomUUID(),
    page: opts.page ?? PAGE,
    chatId,
    commentId: opts.commentId ?? entityId('cmt'),
    text: opts.text ?? 'A reply',
  };
}

export function editComment(chatId: string, commentId: string, text = 'Edited text', page = PAGE) {
  return { type: 'edit-comment' as const, broadcastId: randomUUID(), page, chatId, commentId, text };
}

export function deleteComment(chatId: string, commentId: string, page = PAGE) {
  return { type: 'delete-comment' as const, broadcastId: randomUUID(), page, chatId, commentId };
}

export function deleteChat(chatId: string, page = PAGE) {
  return { type: 'delete-chat' as const, broadcastId: randomUUID(), page, chatId };
}

/**
 * Discussions with their anchors cut to the quote: a client holds a discussion it received live
 * with its quote only (the hints come with snapshots and replays), so states that went through
 * live events are compared with the store's this way.
 */
export function quotesOnly(chats: readonly DiscussionT[]): DiscussionT[] {
  return chats.map((c) => ({ ...c, selectors: liveSelectors(c.selectors) }));
}

export function resolveChat(chatId: string, resolved = true, page = PAGE) {
  return { type: 'resolve-chat' as const, broadcastId: randomUUID(), page, chatId, resolved };
}
