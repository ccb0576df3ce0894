import { afterEach, describe, expect, it } from 'vitest';
import type { SelectorT } from '@/lib/protocol';
import { describeSelection, PageAnchors, type AnchorReport } from './anchoring';

let anchors: PageAnchors | null = null;
afterEach(() => {
  anchors?.dispose();
  anchors = null;
});

/** Anchor one discussion through the overlay's product path; its range (or null) and the report. */
async function anchorOnPage(
  selectors: SelectorT[],
  root: Node,
  host: Node | null = null,
): Promise<Range | null> {
  const overlayHost = host ?? document.createElement('div');
  anchors = new PageAnchors({
    window,
    root,
    host: overlayHost,
    fallbackContainer: document.createElement('div'),
    onReport: () => {},
  });
  await anchors.set([{ id: 'd1', selectors }], null);
  return anchors.rangeOf('d1');
}

function page(html: string): HTMLElement {
  document.body.innerHTML = html;
  return document.body;
}

describe('overlay anchoring seam (lib/anchoring)', () => {
  it('describes a selection across elements and finds it again', async () => {
    const root = page('<p>The quick <b>brown fox</b> jumps over the lazy dog.</p>');
    const range = document.createRange();
    range.setStart(root.querySelector('p')!.firstChild!, 4);
    range.setEnd(root.querySelector('b')!.firstChild!, 5);
    const described = describeSelection(range, root);
    expect(described).toMatchObject({ ok: true, quote: 'quick brown' });
    if (!described.ok) return;
    expect(described.selectors[0]).toMatchObject({ type: 'TextQuoteSelector', exact: 'quick brown' });
    const found = await anchorOnPage(described.selectors, root);
    expect(found?.toString()).toBe('quick brown');
  });

  it('picks the occurrence whose context matches', async () => {
    const root = page('<p>one cat here. two cat there.</p>');
    const found = await anchorOnPage(
      [{ type: 'TextQuoteSelector', exact: 'cat', prefix: 'two ', suffix: ' there' }],
      root,
    );
    expect(found?.startOffset).toBe(18);
  });

  it('reports by id a quote that is not on the page, and one placed on edited text', async () => {
    const root = page('<p>present</p><p>The museum reopened after careful restoration work.</p>');
    const reports: AnchorReport[] = [];
    anchors = new PageAnchors({
      window,
      root,
      host: document.createElement('div'),
      fallbackContainer: document.createElement('div'),
      onReport: (r) => reports.push(r),
    });
    await anchors.set(
      [
        { id: 'gone', selectors: [{ type: 'TextQuoteSelector', exact: 'absent' }] },
        {
          id: 'edited',
          selectors: [
            {
              type: 'TextQuoteSelector',
              exact: 'The museum reopened after slow restoration work.',
              prefix: 'present ',
            },
          ],
        },
        { id: 'here', selectors: [{ type: 'TextQuoteSelector', exact: 'present' }] },
      ],
      null,
    );
    expect(reports.at(-1)).toEqual({ orphans: ['gone'], fuzzy: ['edited'] });
    expect(anchors.rangeOf('gone')).toBeNull();
    expect(anchors.rangeOf('edited')?.toString()).toBe('The museum reopened after careful restoration work.');
  });

  it('ignores the overlay host and scripts', async () => {
    const root = page('<p>visible</p><div id="host">visible</div><script>visible</script>');
    const found = await anchorOnPage(
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
