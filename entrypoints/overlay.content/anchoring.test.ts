import { describe, expect, it } from 'vitest';
import { anchor, describeSelection } from './anchoring';

function page(html: string): HTMLElement {
  document.body.innerHTML = html;
  return document.body;
}

describe('overlay anchoring seam (lib/anchoring)', () => {
  it('describes a selection across elements and finds it again', () => {
    const root = page('<p>The quick <b>brown fox</b> jumps over the lazy dog.</p>');
    const range = document.createRange();
    range.setStart(root.querySelector('p')!.firstChild!, 4);
    range.setEnd(root.querySelector('b')!.firstChild!, 5);
    const described = describeSelection(range, root);
    expect(described).toMatchObject({ ok: true, quote: 'quick brown' });
    if (!described.ok) return;
    expect(described.selectors[0]).toMatchObject({ type: 'TextQuoteSelector', exact: 'quick brown' });
    const found = anchor(described.selectors, root);
    expect(found?.toString()).toBe('quick brown');
  });

  it('picks the occurrence whose context matches', () => {
    const root = page('<p>one cat here. two cat there.</p>');
    const found = anchor(
      [{ type: 'TextQuoteSelector', exact: 'cat', prefix: 'two ', suffix: ' there' }],
      root,
    );
    expect(found?.startOffset).toBe(18);
  });

  it('returns null for a quote that is not on the page', () => {
    expect(anchor([{ type: 'TextQuoteSelector', exact: 'absent' }], page('<p>present</p>'))).toBeNull();
  });

  it('ignores the overlay host and scripts', () => {
    const root = page('<p>visible</p><div id="host">visible</div><script>visible</script>');
    const found = anchor(
      [{ type: 'TextQuoteSelector', exact: 'visible' }],
      root,
      document.getElementById('host'),
    );
    expect(found?.startContainer.parentElement?.tagName).toBe('P');
  });

  it('refuses a selection longer than the protocol allows', () => {
    const root = page(`<p>${'word '.repeat(400)}</p>`);
    const range = document.createRange();
    range.selectNodeContents(root.querySelector('p')!);
    expect(describeSelection(range, root)).toEqual({ ok: false, reason: 'too-long' });
  });

  it('refuses an empty selection', () => {
    const root = page('<p>   </p>');
    const range = document.createRange();
    range.selectNodeContents(root.querySelector('p')!);
    expect(describeSelection(range, root)).toEqual({ ok: false, reason: 'empty' });
  });
});
