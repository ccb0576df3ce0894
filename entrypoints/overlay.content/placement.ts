// Where the discussion frame sits in the page's viewport. It keeps to its docked side (left or right),
// just below any fixed or sticky strip of the page under its top bar (a site's header with its search
// box and "Sign in"), so that the page's own controls stay the page's to click; while a discussion is
// open and its passage on screen, it sits beside the passage (placed by @floating-ui/dom) rather than
// over it. The page can forge its layout (fixed elements anywhere, of any size): all that buys it is
// moving the frame within the viewport; the frame is never pushed off screen, and each check costs a
// bounded number of hit tests.
import { computePosition, flip, offset, shift, type Placement, type VirtualElement } from '@floating-ui/dom';

export type DockSide = 'left' | 'right';

export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface Spot {
  x: number;
  y: number;
}

/** Room kept between the frame and the passage it discusses, and around the viewport's edges. */
const GAP = 12;
const EDGE = 8;
/** Hit tests per row of a strip, at most, and rows per strip: the cost of one check. */
const SAMPLE_STEP = 40;
/** How many times the bar moves down past an obstacle before it gives up and stays where it was. */
const MAX_MOVES = 4;

/**
 * The page's fixed or sticky elements under `strip`: for a grid of points, the first element of the
 * page under the point (the one a click would reach without our frame), or the nearest of its
 * ancestors that stays put on screen. Elements taller than half the viewport are page shells (a
 * fixed background, a full-height app), not strips to keep clear of.
 */
export function obstaclesUnder(doc: Document, strip: Box, host: Element): Box[] {
  const win = doc.defaultView!;
  const found = new Set<Element>();
  const staysPut = new Map<Element, Element | null>();
  const anchorOf = (el: Element): Element | null => {
    const path: Element[] = [];
    let at: Element | null = el;
    let result: Element | null = null;
    while (at && at !== doc.documentElement && at !== doc.body) {
      const known = staysPut.get(at);
      if (known !== undefined) {
        result = known;
        break;
      }
      path.push(at);
      const position = win.getComputedStyle(at).position;
      if (position === 'fixed' || position === 'sticky') {
        result = at;
        break;
      }
      at = at.parentElement;
    }
    for (const el of path) staysPut.set(el, result);
    return result;
  };
  const width = strip.right - strip.left;
  const columns = Math.max(2, Math.ceil(width / SAMPLE_STEP) + 1);
  const rows = [strip.top + 2, (strip.top + strip.bottom) / 2, strip.bottom - 2];
  for (const y of rows) {
    if (y < 0 || y >= win.innerHeight) continue;
    for (let i = 0; i < columns; i++) {
      const x = strip.left + 2 + ((width - 4) * i) / (columns - 1);
      if (x < 0 || x >= win.innerWidth) continue;
      const under = doc.elementsFromPoint(x, y).find((el) => el !== host && !host.contains(el));
      if (!under || under === doc.documentElement || under === doc.body) continue;
      const anchor = anchorOf(under);
      if (anchor) found.add(anchor);
    }
  }
  const boxes: Box[] = [];
  for (const el of found) {
    const r = el.getBoundingClientRect();
    if (r.bottom - r.top > win.innerHeight / 2) continue;
    if (r.bottom <= strip.top || r.top >= strip.bottom || r.right <= strip.left || r.left >= strip.right)
      continue;
    boxes.push({ left: r.left, top: r.top, right: r.right, bottom: r.bottom });
  }
  return boxes;
}

/**
 * The top at which a strip of `height` at `top` clears the obstacles `obstaclesAt` reports, moving
 * down past them; `top` itself when nothing is in the way, or when no place below it is clear before
 * the viewport ends (the bar then stays visible where it was: a page cannot push it off screen).
 */
export function clearTop(
  top: number,
  height: number,
  viewportHeight: number,
  obstaclesAt: (top: number) => Box[],
): number {
  let at = top;
  for (let move = 0; move <= MAX_MOVES; move++) {
    const obstacles = obstaclesAt(at);
    if (obstacles.length === 0) return at;
    at = Math.max(at + 1, ...obstacles.map((o) => Math.ceil(o.bottom)));
    if (at + height > viewportHeight) return top;
  }
  return top;
}

/** Where the frame goes on its docked side. */
export function dockedSpot(dock: DockSide, frameWidth: number, viewportWidth: number): Spot {
  return { x: dock === 'left' ? 0 : Math.max(0, viewportWidth - frameWidth), y: 0 };
}

const intersects = (a: Box, b: Box) =>
  a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

const virtual = (box: Box, context: Element | undefined): VirtualElement => ({
  getBoundingClientRect: () => ({
    x: box.left,
    y: box.top,
    left: box.left,
    top: box.top,
    right: box.right,
    bottom: box.bottom,
    width: box.right - box.left,
    height: box.bottom - box.top,
  }),
  ...(context ? { contextElement: context } : {}),
});

/**
 * Where the frame goes near `passage` (the open discussion's text on screen) without covering it, in
 * order: beside the passage's paragraph (`block`) on the docked side or the other; under or over the
 * paragraph; its `docked` place, when that leaves the passage uncovered (rather than over other text
 * of the page); beside the passage itself; under or over it. Null when the viewport has no such place.
 * `topInset` keeps the frame below the page's sticky strip.
 */
export async function besidePassage(
  frame: HTMLElement,
  passage: Box,
  block: Box,
  dock: DockSide,
  topInset: number,
  docked: Spot,
  context?: Element,
): Promise<Spot | null> {
  const win = frame.ownerDocument.defaultView!;
  const other: DockSide = dock === 'left' ? 'right' : 'left';
  // Top and bottom need no margin of their own: the frame's transparent padding is one already.
  const padding = { top: topInset, bottom: 0, left: EDGE, right: EDGE };
  // Under or over, the frame keeps to the docked side of the reference.
  const align = dock === 'left' ? 'start' : 'end';
  const around = (reference: Box) => [
    { reference, placement: `${dock}-start` as Placement, fallbacks: [`${other}-start` as Placement] },
    { reference, placement: `bottom-${align}` as Placement, fallbacks: [`top-${align}` as Placement] },
  ];
  const { width, height } = frame.getBoundingClientRect();
  const fits = ({ x, y }: Spot) => {
    const box = { left: x, top: y, right: x + width, bottom: y + height };
    const inView = x >= 0 && y >= 0 && box.right <= win.innerWidth + 1 && box.bottom <= win.innerHeight + 1;
    return inView && !intersects(box, passage);
  };
  for (const attempt of [...around(block), 'docked' as const, ...around(passage)]) {
    if (attempt === 'docked') {
      if (fits(docked)) return docked;
      continue;
    }
    const spot = await computePosition(virtual(attempt.reference, context), frame, {
      strategy: 'fixed',
      placement: attempt.placement,
      middleware: [
        offset(GAP),
        // Only the side matters here; `shift` then slides the frame along it into the viewport.
        flip({ crossAxis: false, fallbackPlacements: attempt.fallbacks, padding }),
        shift({ padding }),
      ],
    });
    if (fits(spot)) return { x: spot.x, y: spot.y };
  }
  return null;
}

/** The paragraph (nearest block-level ancestor) of a passage, as the reference to sit beside. */
export function blockOf(range: Range, win: Window): Element | null {
  let at: Node | null = range.commonAncestorContainer;
  while (at && at.nodeType !== Node.ELEMENT_NODE) at = at.parentNode;
  let el = at as Element | null;
  while (el && el !== el.ownerDocument.body) {
    if (!win.getComputedStyle(el).display.startsWith('inline')) return el;
    el = el.parentElement;
  }
  return el;
}
