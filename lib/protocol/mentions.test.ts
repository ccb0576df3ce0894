import { describe, expect, it } from 'vitest';
import { mentionedIds, mentionParts, mentionsAsText, mentionToken } from './mentions';

const names = new Map([
  ['usr_ana', 'Ana'],
  ['usr_bruno', 'Bruno'],
]);

describe('mentions', () => {
  it.each([
    ['no mention', 'plain text', []],
    ['one', 'hi @[usr_ana]!', ['usr_ana']],
    ['two, repeated', '@[usr_ana] and @[usr_bruno], @[usr_ana] again', ['usr_ana', 'usr_bruno']],
    ['a UUID id', 'see @[0b7c0c1e-3f5a-4c8e-9a41-2d7c0b5e8f13]', ['0b7c0c1e-3f5a-4c8e-9a41-2d7c0b5e8f13']],
    ['not a token', '@usr_ana, @[], @[has space], email a@[x', []],
    ['id over 64 characters', `@[${'a'.repeat(65)}]`, []],
  ])('finds the ids of %s', (_, text, ids) => {
    expect(mentionedIds(text)).toEqual(ids);
  });

  it('makes the token it parses', () => {
    expect(mentionedIds(`x ${mentionToken('usr_ana')} y`)).toEqual(['usr_ana']);
  });

  it('cuts text into plain parts and mentions of known members', () => {
    expect(mentionParts('hi @[usr_ana], ask @[usr_bruno]', names)).toEqual([
      { text: 'hi ' },
      { mention: 'usr_ana', name: 'Ana' },
      { text: ', ask ' },
      { mention: 'usr_bruno', name: 'Bruno' },
    ]);
    expect(mentionParts('@[usr_ana]', names)).toEqual([{ mention: 'usr_ana', name: 'Ana' }]);
  });

  it('keeps a token of no known member as typed', () => {
    expect(mentionParts('ask @[usr_gone] or @[usr_ana]', names)).toEqual([
      { text: 'ask @[usr_gone] or ' },
      { mention: 'usr_ana', name: 'Ana' },
    ]);
    expect(mentionsAsText('ask @[usr_gone] or @[usr_ana]', names)).toBe('ask @[usr_gone] or @Ana');
  });
});
