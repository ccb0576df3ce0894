// Links to a discussion: the page's own URL with a fragment `#cc-chat=<id>:~:text=…`. With the extension
// (its site on), the content script reads the id and has the discussion frame open that thread; the
// id alone says nothing (the frame shows only what the member may see) and opening it writes nothing.
// Without the extension, the browser's text fragment (https://wicg.github.io/scroll-to-text-fragment/)
// scrolls to the quoted passage and highlights it. Browsers remove the `:~:` directive from
// `location.hash` once they have read it (Chromium, Firefox since 131), but an older browser leaves
// it there, so the reader accepts both.
import type { SelectorT } from './protocol';

/** The fragment key the content script looks for. */
export const DISCUSSION_FRAGMENT_KEY = 'cc-chat';

/** A discussion id as the protocol allows it (lib/protocol EntityId). */
const DISCUSSION_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** The quoted passage: the text itself and, when known, the text just before and after it. */
export interface QuotedText {
  exact: string;
  prefix?: string;
  suffix?: string;
}

/** Quotes of more words (or characters) than these are linked by their first and last words. */
const EXACT_MAX_WORDS = 10;
const EXACT_MAX_CHARS = 120;
/** Words of a long quote's start and end, and of the context before and after it. */
const EDGE_WORDS = 4;
const CONTEXT_WORDS = 3;
/** A single "word" (text without spaces, as in Chinese or a URL) is cut to this many characters. */
const EDGE_CHARS = 40;

const words = (text: string) => text.split(' ').filter((w) => w !== '');
const collapse = (text: string) => text.replace(/\s+/g, ' ');

/**
 * Percent-encodes one term of a text directive: everything `encodeURIComponent` encodes, and `-`,
 * which the directive's syntax uses (`,` and `&` are encoded already).
 */
export function encodeTextTerm(term: string): string {
  return encodeURIComponent(term).replace(/-/g, '%2D');
}

/** The first `n` code points of `text` (never half of a surrogate pair). */
const headChars = (text: string, n: number) => [...text].slice(0, n).join('');
const tailChars = (text: string, n: number) => [...text].slice(-n).join('');

/**
 * The text directive (`text=…`, without `:~:`) that finds `quote`, or null when there is nothing to
 * find. Browsers match whole words only, so a quote that starts or ends inside a word takes the rest
 * of that word from its context; a long quote becomes `start,end` (its first and last words), which
 * keeps the URL short; up to three whole words of context on each side tell copies apart.
 */
export function textDirective(quote: QuotedText): string | null {
  let exact = collapse(quote.exact);
  let prefix = collapse(quote.prefix ?? '');
  let suffix = collapse(quote.suffix ?? '');
  // A selection that began or ended inside a word: take the whole word.
  if (/^\S/.test(exact) && /\S$/.test(prefix)) {
    const cut = prefix.search(/\S+$/);
    exact = prefix.slice(cut) + exact;
    prefix = prefix.slice(0, cut);
  }
  if (/\S$/.test(exact) && /^\S/.test(suffix)) {
    const cut = suffix.search(/\s|$/);
    exact = exact + suffix.slice(0, cut);
    suffix = suffix.slice(cut);
  }
  exact = exact.trim();
  if (exact === '') return null;
  // The context is cut at a fixed length: its outer word may be partial and would not match.
  const before = words(prefix);
  if (before.length > 1 && /^\S/.test(prefix)) before.shift();
  const after = words(suffix);
  if (after.length > 1 && /\S$/.test(suffix)) after.pop();

  const terms: string[] = [];
  const context = before.slice(-CONTEXT_WORDS).join(' ');
  if (context) terms.push(`${encodeTextTerm(context)}-`);
  const all = words(exact);
  if (all.length > EXACT_MAX_WORDS) {
    terms.push(encodeTextTerm(all.slice(0, EDGE_WORDS).join(' ')));
    terms.push(encodeTextTerm(all.slice(-EDGE_WORDS).join(' ')));
  } else if ([...exact].length > EXACT_MAX_CHARS) {
    // Few, long words: the start and end of the quote, cut between code points.
    terms.push(encodeTextTerm(headChars(exact, EDGE_CHARS).trim()));
    terms.push(encodeTextTerm(tailChars(exact, EDGE_CHARS).trim()));
  } else terms.push(encodeTextTerm(exact));
  const following = after.slice(0, CONTEXT_WORDS).join(' ');
  if (following) terms.push(`-${encodeTextTerm(following)}`);
  return `text=${terms.join(',')}`;
}

/** The quoted passage of a discussion's selectors (its TextQuoteSelector), if it has one. */
export function quoteOfSelectors(selectors: readonly SelectorT[]): QuotedText | null {
  const q = selectors.find((s) => s.type === 'TextQuoteSelector');
  if (q?.type !== 'TextQuoteSelector') return null;
  return {
    exact: q.exact,
    ...(q.prefix !== undefined && { prefix: q.prefix }),
    ...(q.suffix !== undefined && { suffix: q.suffix }),
  };
}

/**
 * The link to discussion `discussionId` on `page` (a page key: an http(s) URL without fragment). With a
 * quote, browsers without the extension scroll to it and highlight it.
 */
export function discussionLink(page: string, discussionId: string, quote?: QuotedText | null): string {
  const url = new URL(page);
  const directive = quote ? textDirective(quote) : null;
  url.hash = '';
  return `${url.href}#${DISCUSSION_FRAGMENT_KEY}=${encodeURIComponent(discussionId)}${directive ? `:~:${directive}` : ''}`;
}

/**
 * The discussion a URL fragment names (`location.hash`, with or without the `:~:` directive), or
 * null. Anything the page put there is only a request to open a thread: the caller checks that the
 * discussion is one the frame lists.
 */
export function linkedDiscussionId(hash: string): string | null {
  const fragment = hash.replace(/^#/, '').split(':~:')[0] ?? '';
  for (const part of fragment.split('&')) {
    const [key, value] = part.split('=');
    if (key !== DISCUSSION_FRAGMENT_KEY || value === undefined) continue;
    let id: string;
    try {
      id = decodeURIComponent(value);
    } catch {
      return null;
    }
    return DISCUSSION_ID.test(id) ? id : null;
  }
  return null;
}
