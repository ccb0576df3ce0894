// The page's title as a discussion records it: the document's own `document.title`, which the page
// writes and may forge, so it is only ever data: whitespace collapsed, cut to the protocol's limit
// (whole code points), shown as text and searched, never trusted for anything.
import { LIMITS } from '../protocol/limits';

export function pageTitle(doc: Pick<Document, 'title'>): string | undefined {
  const title = String(doc.title ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  if (title === '') return undefined;
  const points = Array.from(title);
  return points.length <= LIMITS.titleChars ? title : points.slice(0, LIMITS.titleChars).join('');
}
