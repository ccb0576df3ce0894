import { describe, expect, it } from 'vitest';
import {
  commentParts,
  fold,
  hasMentions,
  plainText,
  insertMention,
  mentionQuery,
  suggest,
  toDisplay,
  toStored,
  type Member,
} from './mentions';

const ana: Member = { id: 'usr_ana', name: 'Ana' };
const anaLima: Member = { id: 'usr_analima', name: 'Ana Lima' };
const bruno: Member = { id: 'usr_bruno', name: 'Bruno' };
const bruna: Member = { id: 'usr_bruna', name: 'Bruna Sá' };
const carla: Member = { id: 'usr_carla', name: 'Carla', removed: true };
const team = [ana, anaLima, bruno, bruna, carla];

describe('mentionQuery', () => {
  it.each([
    ['@', 1, { start: 0, query: '' }],
    ['hi @Bru', 7, { start: 3, query: 'Bru' }],
    ['hi @Bru and more', 7, { start: 3, query: 'Bru' }],
    ['(@ana', 5, { start: 1, query: 'ana' }],
    ['@Ana Li', 7, { start: 0, query: 'Ana Li' }],
  ])('finds the mention typed in %j before %i', (text, caret, want) => {
    expect(mentionQuery(text, caret)).toEqual(want);
  });

  it.each([
    ['mail ana@example.com', 20],
    ['no at sign', 5],
    ['@Bru\nnext', 9],
    ['@ leading space', 3],
    ['@[usr_ana] x', 5],
    [`@${'x'.repeat(41)}`, 42],
  ])('finds none in %j before %i', (text, caret) => {
    expect(mentionQuery(text, caret)).toBeNull();
  });
});

describe('suggest', () => {
  it('offers current members whose name or a word of it starts with the query, name starts first', () => {
    expect(suggest(team, 'bru').map((m) => m.id)).toEqual(['usr_bruna', 'usr_bruno']);
    expect(suggest(team, 'li').map((m) => m.id)).toEqual(['usr_analima']);
    expect(suggest(team, '').map((m) => m.id)).toEqual(['usr_ana', 'usr_analima', 'usr_bruna', 'usr_bruno']);
  });

  it('folds case and accents, leaves out removed members and the person typing, and limits', () => {
    expect(suggest(team, 'SÁ').map((m) => m.id)).toEqual(['usr_bruna']);
    expect(suggest(team, 'car')).toEqual([]);
    expect(suggest(team, 'ana', { exclude: 'usr_ana' }).map((m) => m.id)).toEqual(['usr_analima']);
    expect(suggest(team, '', { limit: 2 })).toHaveLength(2);
    expect(fold('Brúno')).toBe('bruno');
  });
});

describe('insertMention', () => {
  it('replaces the query with @Name and a space, the caret after it', () => {
    expect(insertMention('hi @Bru', { start: 3, query: 'Bru' }, 7, 'Bruno')).toEqual({
      text: 'hi @Bruno ',
      caret: 10,
    });
    expect(insertMention('@Bru see', { start: 0, query: 'Bru' }, 4, 'Bruno')).toEqual({
      text: '@Bruno see',
      caret: 7,
    });
  });
});

describe('toStored and toDisplay', () => {
  it('turns @Name of a current member into the token, the longest name first, at word ends only', () => {
    expect(toStored('@Bruno look', team)).toBe('@[usr_bruno] look');
    expect(toStored('@Ana Lima and @Ana!', team)).toBe('@[usr_analima] and @[usr_ana]!');
    expect(toStored('@Brunoo and x@Bruno', team)).toBe('@Brunoo and x@Bruno');
    expect(toStored('@Carla left', team)).toBe('@Carla left');
  });

  it('keeps two members of one name as text unless one was picked', () => {
    const twins = [bruno, { id: 'usr_bruno2', name: 'Bruno' }];
    expect(toStored('@Bruno', twins)).toBe('@Bruno');
    expect(toStored('@Bruno', twins, [twins[1]!])).toBe('@[usr_bruno2]');
  });

  it('shows tokens as names for editing, and round-trips', () => {
    const byId = new Map(team.map((m) => [m.id, m]));
    const shown = toDisplay('@[usr_analima] and @[usr_nobody]', byId);
    expect(shown).toEqual({ text: '@Ana Lima and @[usr_nobody]', picked: [anaLima] });
    expect(toStored(shown.text, team, shown.picked)).toBe('@[usr_analima] and @[usr_nobody]');
  });
});

describe('commentParts', () => {
  it('names known members (removed ones marked) and marks tokens of nobody known', () => {
    const byId = new Map(team.map((m) => [m.id, m]));
    expect(commentParts('Hi @[usr_bruno], ask @[usr_carla] or @[usr_x]', byId)).toEqual([
      { text: 'Hi ' },
      { mention: 'usr_bruno', name: 'Bruno' },
      { text: ', ask ' },
      { mention: 'usr_carla', name: 'Carla', removed: true },
      { text: ' or ' },
      { mention: 'usr_x', unknown: true },
    ]);
    expect(commentParts('<b>plain</b>', byId)).toEqual([{ text: '<b>plain</b>' }]);
    expect(plainText('Hi @[usr_bruno] @[usr_x]', byId, '@someone')).toBe('Hi @Bruno @someone');
    expect(hasMentions('x @[usr_bruno]')).toBe(true);
    expect(hasMentions('x @bruno')).toBe(false);
  });
});
