// Text that people wrote (names, team names, quotes) set inside a sentence of ours is wrapped in
// Unicode's first-strong isolate (U+2068 … U+2069): a right-to-left override or embedding inside it
// (U+202A–U+202E, U+2066–U+2069) then reorders only that text, never the sentence around it. Elements
// do the same with `dir="auto"` and `<bdi>`; this is for text that must stay a string (i18n messages,
// aria-labels).

const FSI = '\u2068';
const PDI = '\u2069';

export function isolate(text: string): string {
  return `${FSI}${text}${PDI}`;
}
