// Gives WXT's fake browser the messages of one of our locales, so that components under test show
// real text.
import { fakeBrowser } from 'wxt/testing/fake-browser';
import en from '@/locales/en.json';
import ptBR from '@/locales/pt_BR.json';

type LocaleFile = Record<string, string | Record<string, string>>;

/** The locale file in the browser's plural format: "one | many" (or "zero | one | many"). */
function flatten(file: LocaleFile): Record<string, string> {
  return Object.fromEntries(
    Object.entries(file).map(([key, value]) => [
      key,
      typeof value === 'string'
        ? value
        : [value['0'], value['1'], value.n].filter((v) => v !== undefined).join(' | '),
    ]),
  );
}

const LOCALES = { en: flatten(en as LocaleFile), pt_BR: flatten(ptBR as LocaleFile) };
export type TestLocale = keyof typeof LOCALES;

export function useMessages(locale: TestLocale): void {
  const messages = LOCALES[locale];
  fakeBrowser.i18n.getMessage = ((key: string, subs?: string | string[]) => {
    const list = subs === undefined ? [] : Array.isArray(subs) ? subs : [subs];
    const message = messages[key] ?? '';
    return message.replace(/\$(\d)/g, (_, n: string) => list[Number(n) - 1] ?? '');
  }) as typeof fakeBrowser.i18n.getMessage;
  fakeBrowser.i18n.getUILanguage = () => locale.replace('_', '-');
}

export function useEnglishMessages(): void {
  useMessages('en');
}
