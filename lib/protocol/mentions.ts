// How a comment mentions a member of its team. Stored text holds `@[user-id]` tokens; clients render
// each as the member's current name (so a renamed member shows the new name everywhere) and the
// server notifies the members a comment mentions. A token whose id is not a current member of the
// writer's team is kept as typed and notifies nobody; it renders as plain text.

/** A mention token in stored comment text: `@[` + a user id + `]`. */
const MENTION = /@\[([A-Za-z0-9_-]{1,64})\]/g;

/** The token that mentions `userId` in comment text. */
export function mentionToken(userId: string): string {
  return `@[${userId}]`;
}

/** The distinct user ids a comment's text mentions, in order of first mention. */
export function mentionedIds(text: string): string[] {
  const ids = new Set<string>();
  for (const m of text.matchAll(MENTION)) ids.add(m[1]!);
  return [...ids];
}

export type TextPart = { text: string } | { mention: string; name: string };

/**
 * Comment text cut into plain parts and mentions of known members (`names`: user id → current name).
 * A token naming no known member stays plain text, as typed.
 */
export function mentionParts(text: string, names: ReadonlyMap<string, string>): TextPart[] {
  const parts: TextPart[] = [];
  let plain = '';
  let last = 0;
  for (const m of text.matchAll(MENTION)) {
    const name = names.get(m[1]!);
    if (name === undefined) continue;
    plain += text.slice(last, m.index);
    if (plain) parts.push({ text: plain });
    plain = '';
    parts.push({ mention: m[1]!, name });
    last = m.index + m[0].length;
  }
  plain += text.slice(last);
  if (plain) parts.push({ text: plain });
  return parts;
}

/** Comment text with each known member's token replaced by `@Name` (notifications, plain surfaces). */
/** How the server's texts (previews, exports) name a former member, whose name it gives as "". */
export const FORMER_MEMBER_NAME = 'former member';

export function mentionsAsText(text: string, names: ReadonlyMap<string, string>): string {
  return (
    mentionParts(text, names)
      // An erased member's name is empty: the mention reads as a former member's.
      .map((p) => ('mention' in p ? `@${p.name || FORMER_MEMBER_NAME}` : p.text))
      .join('')
  );
}
