// A time shown as "3 minutes ago" that keeps itself up to date, with the exact time on hover.
import { i18n } from '#i18n';
import { clock, exactTime, relativeTime } from '@/lib/time';

/** `words` puts the relative time into a sentence ("active $1"); without it the time stands alone. */
export function RelativeTime(props: { at: number; testId?: string; words?: 'lastActivity' }) {
  const now = clock();
  const text = () => {
    const ago = relativeTime(props.at, now());
    return props.words ? i18n.t(props.words, [ago]) : ago;
  };
  return (
    <time
      dateTime={new Date(props.at).toISOString()}
      title={exactTime(props.at)}
      data-testid={props.testId}
      data-at={props.at}
    >
      {text()}
    </time>
  );
}
