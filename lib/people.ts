// How a person's name reads in the extension's pages: a former member (removed from the team, or
// erased) comes with an empty name from the server, and reads "former member", never a blank.
import { i18n } from '#i18n';

export function shownName(name: string): string {
  return name === '' ? i18n.t('formerMember') : name;
}
