// Gives WXT's fake browser the English messages, so that components under test show real text.
import { fakeBrowser } from 'wxt/testing/fake-browser';
import en from '@/locales/en.json';

/** The locale file in the browser's plural format: "one | many" (or "zero | one | many"). */
const messages: Record<string, string> = Object.fromEntries(
  Object.entries(en as Record<string, string | Record<string, string>>).map(([key, value]) => [
    key,
    typeof value === 'string'
      ? value
      : [value['0'], value['1'], value.n].filter((v) => v !== undefined).join(' | '),
  ]),
);

export function useEnglishMessages(): void {
  fakeBrowser.i18n.getMessage = ((key: string, subs?: string | string[]) => {
    const list = subs === undefined ? [] : Array.isArray(subs) ? subs : [subs];
    const message = messages[key] ?? '';
    return message.replace(/\$(\d)/g, (_, n: string) => list[Number(n) - 1] ?? '');
  }) as typeof fakeBrowser.i18n.getMessage;
}
