import { describe, expect, it } from 'vitest';
import { clearTop, dockedSpot, obstaclesUnder, type Box } from './placement';

const header: Box = { left: 0, top: 0, right: 1280, bottom: 56 };

describe('clearTop', () => {
  const at = (obstacles: Box[]) => (top: number) =>
    obstacles.filter((o) => o.top < top + 40 && o.bottom > top);

  it('stays where it is when nothing of the page is in the way', () => {
    expect(clearTop(0, 40, 720, at([]))).toBe(0);
  });

  it('moves down just past a sticky header, then past a second strip under it', () => {
    expect(clearTop(0, 40, 720, at([header]))).toBe(56);
    const banner = { left: 0, top: 56, right: 1280, bottom: 90 };
    expect(clearTop(0, 40, 720, at([header, banner]))).toBe(90);
  });

  it('gives up, visible where it was, when no place below is clear (a page cannot push it off screen)', () => {
    const tall = { left: 0, top: 0, right: 1280, bottom: 700 };
    expect(clearTop(0, 40, 720, at([tall]))).toBe(0);
    // A staircase of strips, each just under the last: a bounded number of moves, then back to the top.
    const stairs = Array.from({ length: 20 }, (_, i) => ({
      left: 0,
      top: i * 30,
      right: 1280,
      bottom: i * 30 + 30,
    }));
    let checks = 0;
    const counted = (top: number) => {
      checks++;
      return at(stairs)(top);
    };
    expect(clearTop(0, 40, 720, counted)).toBe(0);
    expect(checks).toBeLessThanOrEqual(5);
  });
});

describe('dockedSpot', () => {
  it.each([
    ['right', 380, 1280, 900],
    ['left', 380, 1280, 0],
    ['right', 2000, 1280, 0],
  ] as const)(
    'docked %s, a frame %i wide in a viewport %i wide sits at x = %i',
    (dock, width, viewport, x) => {
      expect(dockedSpot(dock, width, viewport)).toEqual({ x, y: 0 });
    },
  );
});

/** A page as `obstaclesUnder` sees it: what is under each point, positions and boxes. */
function fakePage(
  elements: Array<{ el: Element; box: Box; position: string; parent?: Element }>,
  host: Element,
) {
  const info = new Map(elements.map((e) => [e.el, e]));
  const body = {} as Element;
  const documentElement = {} as Element;
  for (const e of elements) {
    Object.assign(e.el, {
      parentElement: e.parent ?? body,
      getBoundingClientRect: () => e.box,
    });
  }
  let hitTests = 0;
  const doc = {
    body,
    documentElement,
    defaultView: {
      innerWidth: 1280,
      innerHeight: 720,
      getComputedStyle: (el: Element) => ({ position: info.get(el)?.position ?? 'static' }),
    },
    elementsFromPoint(x: number, y: number) {
      hitTests++;
      const under = elements
        .filter(({ box }) => x >= box.left && x < box.right && y >= box.top && y < box.bottom)
        .map((e) => e.el);
      // Our own frame is on top wherever it is.
      return [host, ...under.reverse(), body, documentElement];
    },
  } as unknown as Document;
  return { doc, hitTests: () => hitTests };
}

describe('obstaclesUnder', () => {
  const host = { contains: () => false } as unknown as Element;
  const strip = { left: 900, top: 0, right: 1280, bottom: 48 };

  it("finds the sticky header under the bar through the page's button inside it", () => {
    const stickyHeader = {} as Element;
    const signIn = {} as Element;
    const { doc } = fakePage(
      [
        { el: stickyHeader, box: header, position: 'sticky' },
        {
          el: signIn,
          box: { left: 1180, top: 12, right: 1260, bottom: 44 },
          position: 'static',
          parent: stickyHeader,
        },
      ],
      host,
    );
    expect(obstaclesUnder(doc, strip, host)).toEqual([header]);
  });

  it('ignores what scrolls with the page, and fixed shells taller than half the viewport', () => {
    const staticHeader = {} as Element;
    const shell = {} as Element;
    const { doc } = fakePage(
      [
        { el: shell, box: { left: 0, top: 0, right: 1280, bottom: 720 }, position: 'fixed' },
        { el: staticHeader, box: header, position: 'static', parent: shell },
      ],
      host,
    );
    expect(obstaclesUnder(doc, strip, host)).toEqual([]);
  });

  it('costs a bounded number of hit tests, however wide the strip', () => {
    const { doc, hitTests } = fakePage([], host);
    obstaclesUnder(doc, { left: 0, top: 0, right: 1280, bottom: 48 }, host);
    expect(hitTests()).toBeLessThanOrEqual(3 * 34);
  });
});
