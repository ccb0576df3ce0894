// A comment's text as people read it: each `@[user-id]` token shown as `@` and the member's current
// name, in its own element; a removed member keeps their name (marked as no longer in the team), and a
// token of nobody known reads "@unknown member". Text nodes only, never HTML.
import { shownName } from '@/lib/people';
import { For, Match, Switch } from 'solid-js';
import { i18n } from '#i18n';
import { commentParts, type Member } from '@/lib/mentions';

export function CommentText(props: {
  text: string;
  members: ReadonlyMap<string, Member>;
  /** The members are not listed yet: a token of someone not known yet reads "@…", not "unknown". */
  loading?: boolean;
}) {
  return (
    <For each={commentParts(props.text, props.members)}>
      {(part) => (
        <Switch fallback={<>{'text' in part ? part.text : ''}</>}>
          <Match when={'unknown' in part && part}>
            <span
              class="cc-mention cc-mention-unknown"
              data-testid="mention"
              title={props.loading ? undefined : i18n.t('mentionUnknownHint')}
            >
              {props.loading ? '@…' : i18n.t('mentionUnknown')}
            </span>
          </Match>
          <Match when={'name' in part && part}>
            {(p) => (
              <span
                class="cc-mention"
                classList={{ 'cc-mention-removed': !!p().removed }}
                data-testid="mention"
                data-user-id={p().mention}
                title={p().removed ? i18n.t('mentionRemovedHint') : undefined}
              >
                @<bdi>{shownName(p().name)}</bdi>
              </span>
            )}
          </Match>
        </Switch>
      )}
    </For>
  );
}
