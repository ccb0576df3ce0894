// @mentions as a person types and reads them (the wire token and its parser are lib/protocol/mentions).
// A text field shows `@Name`; what is stored carries `@[user-id]`. Typing `@` starts a query, which the
// field answers with the team's members whose name (or a word of it) starts with what follows; a
// member picked, or typed out in full, becomes a token when the text is sent, and a token is shown
// as the member's current name again in an edit box. Pure functions, no DOM.
import { mentionToken } from '@/lib/protocol/mentions';

export interface Member {
  id: string;
  name: string;
  /** No longer in the team: not suggested, still named in old comments. */
  removed?: true;
}

/** A mention being typed: the `@` at `start`, and what follows it up to the caret. */
export interface MentionQuery {
  start: number;
  query: string;
}

/** The longest query looked at (names longer than this still match by their start). */
const MAX_QUERY = 40;
const WORD_CHAR = /[\p{L}\p{N}_]/u;
const TOKEN = /@\[([A-Za-z0-9_-]{1,64})\]/g;

/** Folds case and accents, so `@bru` and `@Brú` both find "Bruno". */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase();
}

/**
 * The mention being typed before `caret`, if any: an `@` at the start or after a character that is
 * not part of a word (so `ana@example.com` is not one), followed by at most 40 characters without a
 * line break or another `@`.
 */
export function mentionQuery(text: string, caret: number): MentionQuery | null {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf('@');
  if (at < 0) return null;
  if (at > 0 && WORD_CHAR.test(before[at - 1]!)) return null;
  const query = before.slice(at + 1);
  if (query.length > MAX_QUERY || /[\n@[]/.test(query) || query.startsWith(' ')) return null;
  return { start: at, query };
}

/**
 * Members to suggest for `query`, at most `limit`: current members only, those whose name starts with
 * the query first, then those with a later word that does, each group by name. `exclude`: the person
 * typing (nobody mentions themselves).
 */
export function suggest(
  members: readonly Member[],
  query: string,
  options: { limit?: number; exclude?: string | null } = {},
): Member[] {
  const q = fold(query.trim());
  const limit = options.limit ?? 6;
  const starts: Member[] = [];
  const words: Member[] = [];
  for (const m of members) {
    if (m.removed || m.id === options.exclude) continue;
    const name = fold(m.name);
    if (name.startsWith(q)) starts.push(m);
    else if (name.split(/[\s\-_.]+/).some((w) => w.startsWith(q))) words.push(m);
  }
  const byName = (a: Member, b: Member) => a.name.localeCompare(b.name);
  return [...starts.sort(byName), ...words.sort(byName)].slice(0, limit);
}

/** `text` with the query at `query.start` (up to `caret`) replaced by `@Name ` and where the caret goes. */
export function insertMention(
  text: string,
  query: MentionQuery,
  caret: number,
  name: string,
): { text: string; caret: number } {
  const inserted = `@${name} `;
  const after = text.slice(caret).replace(/^ /, '');
  return { text: text.slice(0, query.start) + inserted + after, caret: query.start + inserted.length };
}

/**
 * The text to store: each `@Name` of a member picked in this field, or of a current member whose name
 * no other current member shares, becomes that member's token. Longer names are matched first
 * ("Ana Lima" before "Ana"); a name must end where a word ends. What matches nobody stays as typed.
 */
export function toStored(text: string, members: readonly Member[], picked: readonly Member[] = []): string {
  const byName = new Map<string, string | null>();
  for (const m of members) {
    if (m.removed) continue;
    byName.set(m.name, byName.has(m.name) ? null : m.id);
  }
  // A pick says which of two people of the same name was meant.
  for (const m of picked) byName.set(m.name, m.id);
  const names = [...byName].filter(([name, id]) => id !== null && name.length > 0);
  if (names.length === 0) return text;
  names.sort((a, b) => b[0].length - a[0].length);
  let out = '';
  let i = 0;
  while (i < text.length) {
    const atWordStart = text[i] === '@' && (i === 0 || !WORD_CHAR.test(text[i - 1]!));
    if (atWordStart) {
      const hit = names.find(([name]) => {
        if (!text.startsWith(name, i + 1)) return false;
        const next = text[i + 1 + name.length];
        return next === undefined || !WORD_CHAR.test(next);
      });
      if (hit) {
        out += mentionToken(hit[1]!);
        i += 1 + hit[0].length;
        continue;
      }
    }
    out += text[i];
    i += 1;
  }
  return out;
}

/**
 * Stored text as an edit box shows it: each token of a known member as `@Name`; the members so
 * named, to keep as picks (two members of one name stay told apart).
 */
export function toDisplay(
  text: string,
  members: ReadonlyMap<string, Member>,
): { text: string; picked: Member[] } {
  const picked: Member[] = [];
  const shown = text.replace(TOKEN, (token, id: string) => {
    const m = members.get(id);
    if (!m) return token;
    picked.push(m);
    return `@${m.name}`;
  });
  return { text: shown, picked };
}

/** A part of a comment as shown: plain text, or a mention of someone (known or not). */
export type MentionPart =
  { text: string } | { mention: string; name: string; removed?: true } | { mention: string; unknown: true };

/**
 * A comment cut into its text and its mentions, each named by the member's current name; a token of
 * nobody the frame knows (yet, or at all) is an `unknown` part, which the UI names in words.
 */
export function commentParts(text: string, members: ReadonlyMap<string, Member>): MentionPart[] {
  const parts: MentionPart[] = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    if (m.index > last) parts.push({ text: text.slice(last, m.index) });
    const member = members.get(m[1]!);
    parts.push(
      member
        ? { mention: member.id, name: member.name, ...(member.removed && { removed: true as const }) }
        : { mention: m[1]!, unknown: true },
    );
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

/**
 * A comment as plain words (what a screen reader is told, a deletion's description): mentions as
 * `@Name`, a token of nobody known as `unknown`.
 */
export function plainText(text: string, members: ReadonlyMap<string, Member>, unknown: string): string {
  return commentParts(text, members)
    .map((p) => ('text' in p ? p.text : 'name' in p ? `@${p.name}` : unknown))
    .join('');
}

/** Whether stored text mentions anyone (a cheap test before asking for the member list). */
export function hasMentions(text: string): boolean {
  return /@\[[A-Za-z0-9_-]{1,64}\]/.test(text);
}
