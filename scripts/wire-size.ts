// Measures the wire size of typical frames (a new discussion with a 150-character quote and an
// 80-character comment). Run: npx tsx scripts/wire-size.ts
import { randomBytes, randomUUID } from 'node:crypto';
import { NewTextChat, CreateChat } from '../lib/protocol';
const id = () => randomBytes(16).toString('base64url');
const text = (n: number) => 'lorem ipsum dolor sit amet '.repeat(20).slice(0, n);
const page = 'https://example.com/blog/2025/11/an-article-about-something';
const selectors = [
  { type: 'TextQuoteSelector' as const, exact: text(150), prefix: text(32), suffix: text(32) },
  { type: 'TextPositionSelector' as const, start: 10234, end: 10384 },
  {
    type: 'RangeSelector' as const,
    startContainer: '/html[1]/body[1]/main[1]/article[1]/p[12]',
    startOffset: 17,
    endContainer: '/html[1]/body[1]/main[1]/article[1]/p[12]',
    endOffset: 167,
  },
];
const broadcastId = randomUUID(),
  chatId = id(),
  commentId = id();
const write = CreateChat.parse({
  type: 'create-chat',
  broadcastId,
  page,
  chatId,
  commentId,
  selectors,
  text: text(80),
});
const event = NewTextChat.parse({
  type: 'new-text-chat',
  page,
  seq: 42,
  broadcastId,
  chat: {
    id: chatId,
    selectors,
    comments: [
      { id: commentId, author: { id: 'usr_MzkyZ1kTzpDXQ0sD', name: 'Ana' }, text: text(80), at: Date.now() },
    ],
  },
});
const quoteOnly = {
  ...event,
  chat: { ...event.chat, selectors: [{ type: 'TextQuoteSelector', exact: text(150) }] },
};
const b = (o: unknown) => Buffer.byteLength(JSON.stringify(o));
console.log('create-chat (client→server, 3 selectors):', b(write), 'bytes');
console.log('new-text-chat (server→client, 3 selectors):', b(event), 'bytes');
console.log('new-text-chat (quote selector only, no prefix/suffix):', b(quoteOnly), 'bytes');
console.log('ack:', b({ type: 'ack', broadcastId, page, seq: 42 }), 'bytes');
