// The events the benchmark writes: a typical new discussion (150-character quote with its context,
// 80-character comment) whose comment carries a marker `~b~<event>~<sent µs>~` so that every
// receiver can time it without parsing JSON. The baselines relay the same event JSON as our server sends.
import { randomBytes, randomUUID } from 'node:crypto';
import { PROTOCOL_VERSION, wireLiveDiscussion, type WriteFrameT } from '../lib/protocol';

export const MARK = '~b~';
export const QUOTE_CHARS = 150;
/** A typical page key (a normalised article URL). */
export const TYPICAL_PAGE = 'https://news.example.com/2026/11/why-teams-annotate-the-web';
export const COMMENT_CHARS = 80;

const LOREM =
  'Collaborative annotation lets a team discuss the exact words on a page, see each reply at once ' +
  'and keep the thread anchored even when the page changes around the quoted passage. ';

/** Microseconds on the system-wide monotonic clock, comparable across the processes of one machine. */
export function nowMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export function quote(): string {
  return LOREM.repeat(2).slice(0, QUOTE_CHARS);
}

export function markedComment(event: number, sentMicros: number): string {
  const mark = `${MARK}${event}~${sentMicros}~ `;
  return (mark + LOREM).slice(0, Math.max(COMMENT_CHARS, mark.length));
}

/** 128 random bits in base64url, the id form lib/protocol's EntityId suggests (22 characters). */
export function entityId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * The anchor lib/anchoring's describe() makes for a 150-character quote in an article: the quote
 * with a short context, its text position and the structural hint (XPaths of both ends).
 */
export function anchorSelectors(): Extract<WriteFrameT, { type: 'create-chat' }>['selectors'] {
  const exact = quote();
  // describe() writes paths relative to the page's body and omits the end when it is the start's node.
  const path = '/div[1]/main[1]/article[1]/p[7]/text()[1]';
  return [
    // describe() keeps 32 characters of context on each side.
    {
      type: 'TextQuoteSelector',
      exact,
      prefix: 'as the report was saying before '.slice(0, 32),
      suffix: ' and as the chart below shows it'.slice(0, 32),
    },
    { type: 'TextPositionSelector', start: 1200, end: 1200 + exact.length },
    { type: 'RangeSelector', startContainer: path, startOffset: 12, endOffset: 162 },
  ];
}

export function createChat(page: string, text: string): Extract<WriteFrameT, { type: 'create-chat' }> {
  return {
    type: 'create-chat',
    broadcastId: randomUUID(),
    page,
    chatId: entityId(),
    commentId: entityId(),
    selectors: anchorSelectors(),
    text,
  };
}

/**
 * The broadcast our server makes of `createChat` for an author already named on the page, as the
 * baselines relay it (same fields, same size): the page by its alias, the author by id, the quote.
 */
export function newTextChatEvent(page: string, seq: number, text: string) {
  const write = createChat(page, text);
  return {
    type: 'new-text-chat' as const,
    alias: 1,
    seq,
    broadcastId: write.broadcastId,
    chat: {
      id: write.chatId,
      quote: wireLiveDiscussion({ id: write.chatId, selectors: write.selectors, comments: [] }, {}).quote,
      comments: [{ id: write.commentId, author: 'usr_3kT9xQ2mW7pLb4Vn', text, at: Date.now() }],
    },
  };
}

export function hello(token: string) {
  return { type: 'hello' as const, token, protocol: PROTOCOL_VERSION };
}

/** Finds every marker in a frame: calls `seen(event, sentMicros)` for each. Returns how many. */
export function scanMarks(frame: Buffer, seen: (event: number, sentMicros: number) => void): number {
  let found = 0;
  let at = frame.indexOf(MARK);
  while (at >= 0) {
    const start = at + MARK.length;
    const mid = frame.indexOf(126 /* ~ */, start);
    const end = mid < 0 ? -1 : frame.indexOf(126, mid + 1);
    if (end < 0) break;
    const event = Number(frame.toString('latin1', start, mid));
    const sent = Number(frame.toString('latin1', mid + 1, end));
    if (Number.isFinite(event) && Number.isFinite(sent)) {
      seen(event, sent);
      found++;
    }
    at = frame.indexOf(MARK, end);
  }
  return found;
}

/** The secret of bench token i (our tokens start with cc_); our bench server stores its hash, load workers present it in `hello`. */
export function benchSecret(i: number): string {
  return `cc_bench-token-${i.toString().padStart(4, '0')}-secret`;
}
