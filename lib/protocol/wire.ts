// Protocol 2's compact page frames, both ways: the server writes events with a page alias instead
// of the page key, authors by user id with their names sent once, and a live new-text-chat with
// its quote only; a client reads them back (WireReader) into the frames the rest of the extension
// works with (page keys, authors with names, every selector it was sent). See docs/protocol.md.
import type {
  AuthorsT,
  DiscussionEventT,
  CommentT,
  DiscussionT,
  SelectorT,
  ServerFrameT,
  TextQuoteSelectorT,
  WireDiscussionEventT,
  WireCommentT,
  WireDiscussionT,
  WireLiveDiscussionT,
  WireServerFrameT,
  ResolutionT,
  WireResolutionT,
} from './frames';

// ---------------------------------------------------------------- writing (the server)

/** What a live new-text-chat carries of its anchor: the TextQuoteSelector; the hints stay stored. */
export function liveSelectors<S extends SelectorT>(selectors: readonly S[]): S[] {
  return selectors.filter((s) => s.type === 'TextQuoteSelector');
}

/** A comment with its author as an id; the author's name goes into `authors`. */
export function wireComment(comment: CommentT, authors: AuthorsT): WireCommentT {
  authors[comment.author.id] = comment.author.name;
  const wire: WireCommentT = {
    id: comment.id,
    author: comment.author.id,
    text: comment.text,
    at: comment.at,
  };
  if (comment.editedAt !== undefined) wire.editedAt = comment.editedAt;
  return wire;
}

/** A resolution with its user as an id; the name goes into `authors`. */
export function wireResolution(resolved: ResolutionT, authors: AuthorsT): WireResolutionT {
  authors[resolved.by.id] = resolved.by.name;
  return { by: resolved.by.id, at: resolved.at };
}

export function wireDiscussion(chat: DiscussionT, authors: AuthorsT): WireDiscussionT {
  const wire: WireDiscussionT = {
    id: chat.id,
    selectors: chat.selectors,
    comments: chat.comments.map((c) => wireComment(c, authors)),
  };
  if (chat.resolved) wire.resolved = wireResolution(chat.resolved, authors);
  return wire;
}

/** A discussion as a live new-text-chat carries it: the quote (without its `type`), no hints. */
export function wireLiveDiscussion(chat: DiscussionT, authors: AuthorsT): WireLiveDiscussionT {
  const { type: _type, ...quote } = liveSelectors(chat.selectors)[0] as TextQuoteSelectorT;
  return { id: chat.id, quote, comments: chat.comments.map((c) => wireComment(c, authors)) };
}

/**
 * An event as sent: its page as `alias`, its comment's author as an id (named in `authors`). `live`
 * keeps a new discussion's anchor to its quote, sent as `quote`. Without `alias` the event is one of a replay's.
 */
export function wireEvent(
  event: DiscussionEventT,
  alias: number,
  authors: AuthorsT,
  live: boolean,
): WireDiscussionEventT {
  const base = { alias, seq: event.seq, broadcastId: event.broadcastId };
  switch (event.type) {
    case 'new-text-chat':
      return {
        type: 'new-text-chat',
        ...base,
        chat: live ? wireLiveDiscussion(event.chat, authors) : wireDiscussion(event.chat, authors),
      };
    case 'deleted-text-chat':
      return { type: 'deleted-text-chat', ...base, chatId: event.chatId };
    case 'updated-text-chat': {
      const change = event.change;
      return {
        type: 'updated-text-chat',
        ...base,
        chatId: event.chatId,
        change:
          change.op === 'add-comment'
            ? { op: 'add-comment', comment: wireComment(change.comment, authors) }
            : change.op === 'resolve'
              ? {
                  op: 'resolve',
                  resolved: change.resolved && wireResolution(change.resolved, authors),
                }
              : change,
      };
    }
  }
}

/**
 * A live event as sent to every subscriber of a room: authors the room has already named go by id
 * alone; the others are named in the event's `authors` and added to `named`.
 */
export function liveEvent(
  event: DiscussionEventT,
  alias: number,
  named: Map<string, string>,
): WireDiscussionEventT {
  const mentioned: AuthorsT = {};
  const wire = wireEvent(event, alias, mentioned, true);
  let fresh: AuthorsT | null = null;
  for (const [id, name] of Object.entries(mentioned)) {
    if (named.get(id) === name) continue;
    named.set(id, name);
    (fresh ??= {})[id] = name;
  }
  if (fresh) wire.authors = fresh;
  return wire;
}

/**
 * Any server frame in its wire form, naming every author it mentions (tests and tools that script
 * a server; the server itself writes page frames in the hub).
 */
export function toWire(frame: ServerFrameT, aliasOf: (page: string) => number): WireServerFrameT {
  switch (frame.type) {
    case 'new-text-chat':
    case 'updated-text-chat':
    case 'deleted-text-chat':
      return namedEvent(frame, aliasOf);
    case 'snapshot': {
      const authors: AuthorsT = {};
      const { chats, ...rest } = frame;
      return {
        ...rest,
        alias: aliasOf(frame.page),
        chats: chats.map((c) => wireDiscussion(c, authors)),
        authors,
      };
    }
    case 'replay': {
      const authors: AuthorsT = {};
      const alias = aliasOf(frame.page);
      const events = frame.events.map((e) => wireEvent(e, alias, authors, false));
      return { ...frame, alias, events, authors };
    }
    case 'batch':
      return {
        type: 'batch',
        events: frame.events.map((e) => (e.type === 'presence' ? e : namedEvent(e, aliasOf))),
      };
    default:
      return frame;
  }
}

function namedEvent(event: DiscussionEventT, aliasOf: (page: string) => number): WireDiscussionEventT {
  const authors: AuthorsT = {};
  const wire = wireEvent(event, aliasOf(event.page), authors, false);
  if (Object.keys(authors).length > 0) wire.authors = authors;
  return wire;
}

// ---------------------------------------------------------------- reading (a client)

export interface WireReaderOutput {
  /** A frame as the extension works with it. */
  frame(frame: ServerFrameT): void;
  /**
   * A frame of `page` named an author this connection was never told the name of (the server names
   * every author before or with its first mention, so this is a lost frame): resync the page with a
   * fresh snapshot, which names every author in it.
   */
  unknownAuthor(page: string): void;
}

class UnknownAuthor extends Error {}

/**
 * Reads one connection's page frames: learns page aliases from subscribe answers and author names
 * from `authors` tables, and hands on frames with page keys and named authors. Frames of an alias
 * it was never given (a page it does not hold) are dropped. One per connection: `reset` forgets the
 * aliases when a new connection starts (names stay true and are kept).
 */
export class WireReader {
  private readonly pages = new Map<number, string>();
  private readonly aliasOfPage = new Map<string, number>();
  private readonly names = new Map<string, string>();

  constructor(private readonly out: WireReaderOutput) {}

  reset(): void {
    this.pages.clear();
    this.aliasOfPage.clear();
  }

  read(frame: WireServerFrameT): void {
    switch (frame.type) {
      case 'snapshot':
      case 'replay': {
        this.learnAlias(frame.page, frame.alias);
        this.learnNames(frame.authors);
        try {
          if (frame.type === 'snapshot') {
            const { alias: _alias, authors: _authors, chats, ...rest } = frame;
            this.out.frame({ ...rest, chats: chats.map((c) => this.discussion(c)) });
          } else {
            this.out.frame({
              type: 'replay',
              page: frame.page,
              seq: frame.seq,
              events: frame.events.map((e) => this.event(e, frame.page)),
            });
          }
        } catch (err) {
          if (!(err instanceof UnknownAuthor)) throw err;
          this.out.unknownAuthor(frame.page);
        }
        return;
      }
      case 'new-text-chat':
      case 'updated-text-chat':
      case 'deleted-text-chat': {
        const page = this.pages.get(frame.alias);
        if (page === undefined) return;
        this.learnNames(frame.authors);
        try {
          this.out.frame(this.event(frame, page));
        } catch (err) {
          if (!(err instanceof UnknownAuthor)) throw err;
          this.out.unknownAuthor(page);
        }
        return;
      }
      case 'batch': {
        for (const event of frame.events) this.read(event);
        return;
      }
      default:
        this.out.frame(frame);
    }
  }

  private learnAlias(page: string, alias: number): void {
    const old = this.aliasOfPage.get(page);
    if (old !== undefined && old !== alias) this.pages.delete(old);
    this.aliasOfPage.set(page, alias);
    this.pages.set(alias, page);
  }

  private learnNames(authors: AuthorsT | undefined): void {
    if (!authors) return;
    for (const [id, name] of Object.entries(authors)) this.names.set(id, name);
  }

  private comment(wire: WireCommentT): CommentT {
    const name = this.names.get(wire.author);
    if (name === undefined) throw new UnknownAuthor(wire.author);
    const comment: CommentT = {
      id: wire.id,
      author: { id: wire.author, name },
      text: wire.text,
      at: wire.at,
    };
    if (wire.editedAt !== undefined) comment.editedAt = wire.editedAt;
    return comment;
  }

  private person(id: string): { id: string; name: string } {
    const name = this.names.get(id);
    if (name === undefined) throw new UnknownAuthor(id);
    return { id, name };
  }

  private resolution(wire: WireResolutionT): ResolutionT {
    return { by: this.person(wire.by), at: wire.at };
  }

  private discussion(wire: WireDiscussionT | WireLiveDiscussionT): DiscussionT {
    const selectors =
      'quote' in wire ? [{ type: 'TextQuoteSelector' as const, ...wire.quote }] : wire.selectors;
    const chat: DiscussionT = { id: wire.id, selectors, comments: wire.comments.map((c) => this.comment(c)) };
    if ('resolved' in wire && wire.resolved) chat.resolved = this.resolution(wire.resolved);
    return chat;
  }

  private event(wire: WireDiscussionEventT, page: string): DiscussionEventT {
    const base = { page, seq: wire.seq, broadcastId: wire.broadcastId };
    switch (wire.type) {
      case 'new-text-chat':
        return { type: 'new-text-chat', ...base, chat: this.discussion(wire.chat) };
      case 'deleted-text-chat':
        return { type: 'deleted-text-chat', ...base, chatId: wire.chatId };
      case 'updated-text-chat': {
        const change = wire.change;
        return {
          type: 'updated-text-chat',
          ...base,
          chatId: wire.chatId,
          change:
            change.op === 'add-comment'
              ? { op: 'add-comment', comment: this.comment(change.comment) }
              : change.op === 'resolve'
                ? { op: 'resolve', resolved: change.resolved && this.resolution(change.resolved) }
                : change,
        };
      }
    }
  }
}
