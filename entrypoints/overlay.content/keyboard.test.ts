import { describe, expect, it } from 'vitest';
import { documentOrder, FocusReturn, stepHighlight } from './keyboard';

describe('next/previous highlight', () => {
  it.each([
    [null, 'next', 'a'],
    [null, 'previous', 'c'],
    ['a', 'next', 'b'],
    ['c', 'next', 'a'],
    ['a', 'previous', 'c'],
    ['gone', 'next', 'a'],
  ] as const)('from %s, %s goes to %s', (current, direction, expected) => {
    expect(stepHighlight(['a', 'b', 'c'], current, direction)).toBe(expected);
  });

  it('has nowhere to go without highlights', () => {
    expect(stepHighlight([], null, 'next')).toBeNull();
  });

  it('orders discussions as their passages appear in the document', () => {
    document.body.innerHTML = '<p id="one">first words</p><p id="two">second words</p>';
    const range = (id: string, start: number) => {
      const r = document.createRange();
      r.setStart(document.getElementById(id)!.firstChild!, start);
      r.setEnd(document.getElementById(id)!.firstChild!, start + 3);
      return r;
    };
    const ranges = new Map([
      ['late', range('two', 0)],
      ['early', range('one', 6)],
      ['first', range('one', 0)],
    ]);
    expect(documentOrder(ranges)).toEqual(['first', 'early', 'late']);
  });
});

describe('FocusReturn', () => {
  it('gives the focus back to the page element that had it', () => {
    document.body.innerHTML = '<input id="field"><div id="host"></div>';
    const host = document.getElementById('host')!;
    const frame = document.createElement('iframe');
    host.append(frame);
    const field = document.getElementById('field') as HTMLInputElement;
    field.focus();
    const focus = new FocusReturn(document, host, frame);
    focus.enterFrame();
    // The frame lives in a shadow root in the product; here the host stands for it.
    host.tabIndex = -1;
    host.focus();
    focus.leaveFrame();
    expect(document.activeElement).toBe(field);
  });
});
