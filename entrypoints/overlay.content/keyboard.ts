// What the page side does for the keyboard: the order in which next/previous highlight visit the
// discussions, and giving the focus back to the page element that had it before the frame took it.
// Holds elements of the page and ids, never discussion text: names of discussions are read out by the
// frame, which the page cannot read.

/** The ids of anchored discussions in the order their passages appear in the document. */
export function documentOrder(ranges: ReadonlyMap<string, Range>): string[] {
  return [...ranges]
    .sort(
      ([, a], [, b]) =>
        a.compareBoundaryPoints(Range.START_TO_START, b) || a.compareBoundaryPoints(Range.END_TO_END, b),
    )
    .map(([id]) => id);
}

/** The discussion after (or before) `current` in document order, wrapping around; null when there is none. */
export function stepHighlight(
  order: readonly string[],
  current: string | null,
  direction: 'next' | 'previous',
): string | null {
  if (order.length === 0) return null;
  const at = current === null ? -1 : order.indexOf(current);
  if (at < 0) return direction === 'next' ? order[0]! : order[order.length - 1]!;
  const delta = direction === 'next' ? 1 : -1;
  return order[(at + delta + order.length) % order.length]!;
}

/**
 * Remembers where the keyboard focus was on the page when the frame takes it, and puts it back there
 * when the frame is done. `frame` is our iframe: focus inside it is not a place to come back to.
 */
export class FocusReturn {
  private saved: Element | null = null;

  constructor(
    private readonly doc: Document,
    private readonly host: Element,
    private readonly frame: HTMLIFrameElement,
  ) {}

  /** Moves the focus into the frame, remembering the page's focused element unless it was ours. */
  enterFrame(): void {
    const active = this.doc.activeElement;
    if (active !== this.host) this.saved = active;
    this.frame.focus();
  }

  /** Gives the focus back to the remembered element, or to the page itself when it is gone. */
  leaveFrame(): void {
    const saved = this.saved;
    this.saved = null;
    if (this.doc.activeElement !== this.host) return; // the person has moved on already
    if (saved instanceof HTMLElement && saved.isConnected && saved !== this.doc.body) {
      saved.focus({ preventScroll: true });
      return;
    }
    this.frame.blur();
    this.doc.defaultView?.focus();
  }
}
