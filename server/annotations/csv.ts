// Discussions as CSV for spreadsheets (RFC 4180): one row per comment, with its discussion's page,
// title and quote repeated so that each row stands alone when sorted or filtered. A cell that starts
// with = + - @ (or a tab / carriage return) gets a leading apostrophe, so a spreadsheet shows the
// text instead of running it as a formula.
import { FORMER_MEMBER_NAME } from '../../lib/protocol';
import type { DiscussionRecord } from '../store/types';

const HEADER = [
  'discussion_id',
  'page',
  'title',
  'quote',
  'comment_id',
  'is_opening',
  'author',
  'created',
  'modified',
  'text',
];

function cell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function discussionsCsv(records: DiscussionRecord[]): string {
  const rows = [HEADER.join(',')];
  for (const d of records) {
    const quote = d.selectors.find((s) => s.type === 'TextQuoteSelector');
    for (const c of d.comments) {
      rows.push(
        [
          d.id,
          d.page,
          d.title ?? '',
          quote?.type === 'TextQuoteSelector' ? quote.exact : '',
          c.id,
          c.id === d.openingId ? 'yes' : 'no',
          c.author.name || FORMER_MEMBER_NAME,
          new Date(c.at).toISOString(),
          c.editedAt === undefined ? '' : new Date(c.editedAt).toISOString(),
          c.text,
        ]
          .map(cell)
          .join(','),
      );
    }
  }
  // A byte order mark so that spreadsheet programs read the file as UTF-8.
  return `\uFEFF${rows.join('\r\n')}\r\n`;
}
