// The page's text as anchoring sees it: one normalised string for a root, with a map from each of its
// characters back to the DOM (text node + offset) and from DOM boundary points to string offsets.
// Normalisation, applied the same way when describing and when anchoring: every run of whitespace
// (including NBSP and the gap between two block elements) becomes one space, and the text is not trimmed.
// The text is what the page shows: an open shadow root's content stands in for its host's children
// (slotted children where its slots are), and a same-origin iframe's body counts as a block of the page.
// Closed shadow roots (the extension's own overlay among them) are out of reach, and so not indexed.

/** Elements whose text is never shown as page text. */
const SKIPPED = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'TEXTAREA', 'SELECT', 'SVG', 'CANVAS']);

/** Elements that break a line: their boundaries count as whitespace even when the markup has none. */
const BLOCKS = new Set([
  'IFRAME', 'FRAME', 'ADDRESS', 'ARTICLE', 'ASIDE', 'BLOCKQUOTE', 'BR', 'CAPTION', 'DD', 'DETAILS', 'DIV', 'DL', 'DT',
  'FIELDSET', 'FIGCAPTION', 'FIGURE', 'FOOTER', 'FORM', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HEADER',
  'HR', 'LI', 'MAIN', 'NAV', 'OL', 'P', 'PRE', 'SECTION', 'SUMMARY', 'TABLE', 'TBODY', 'TD', 'TFOOT',
  'TH', 'THEAD', 'TR', 'UL', 'IMG', 'BODY', 'HTML',
]); // prettier-ignore

// Matches what String.prototype.trim and \s treat as whitespace, which includes NBSP.
const WS = /\s/;

/** isSpace by character code (what \s matches), for the index's inner loop. */
function isSpaceCode(c: number): boolean {
  if (c > 32 && c < 160) return false;
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 160 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

export function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && WS.test(ch);
}

/** Collapse every whitespace run to one space (what the index does to the page text). */
export function normaliseText(s: string): string {
  return s.replace(/\s+/g, ' ');
}

export interface TextIndexOptions {
  /** Subtrees to leave out of the page text, e.g. the extension's own overlay host. */
  ignore?: (node: Node) => boolean;
  /** Text nodes visited between two yields of the incremental build. */
  nodesPerStep?: number;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const DOCUMENT_FRAGMENT_NODE = 11;

/** The nodes whose content is shown in place of `el`'s children, and any separate tree they start. */
function renderedChildren(el: Element, name: string): { nodes: ArrayLike<Node>; tree?: Node } {
  const shadow = (el as Element & { shadowRoot?: ShadowRoot | null }).shadowRoot;
  if (shadow) return { nodes: shadow.childNodes, tree: shadow };
  if (name === 'SLOT') {
    const assigned = (el as HTMLSlotElement).assignedNodes?.();
    if (assigned && assigned.length > 0) return { nodes: assigned };
  }
  if (name === 'IFRAME' || name === 'FRAME') {
    let body: HTMLElement | null = null;
    try {
      // Null for a cross-origin frame (and throws in some browsers): its text is not ours to read.
      body = (el as HTMLIFrameElement).contentDocument?.body ?? null;
    } catch {
      body = null;
    }
    return body ? { nodes: [body], tree: body.ownerDocument } : { nodes: [] };
  }
  return { nodes: el.childNodes };
}

export class TextIndex {
  /** The normalised text. */
  readonly text: string;
  readonly root: Node;
  private readonly nodes: Text[];
  /** Start of each node's characters in `text` (nodes in document order). */
  private readonly nodeStart: Int32Array;
  private readonly nodeEnd: Int32Array;
  /** For each character of `text`: index into `nodes`, or -1 for a space that stands for a block gap. */
  private readonly charNode: Int32Array;
  /** For each character of `text`: offset into its node's data. */
  private readonly charOffset: Int32Array;
  private readonly nodeIndex: Map<Text, number>;
  /** Shadow roots and iframe documents whose text is in the index (to watch them for changes). */
  readonly subtrees: readonly Node[];

  private constructor(
    root: Node,
    text: string,
    nodes: Text[],
    nodeStart: Int32Array,
    nodeEnd: Int32Array,
    charNode: Int32Array,
    charOffset: Int32Array,
    subtrees: Node[],
    nodeIndex: Map<Text, number>,
  ) {
    this.root = root;
    this.subtrees = subtrees;
    this.text = text;
    this.nodes = nodes;
    this.nodeStart = nodeStart;
    this.nodeEnd = nodeEnd;
    this.charNode = charNode;
    this.charOffset = charOffset;
    this.nodeIndex = nodeIndex;
  }

  /** Build the index at once (fine for a test or a small page; use `buildSteps` to stay responsive). */
  static build(root: Node, options: TextIndexOptions = {}): TextIndex {
    const steps = TextIndex.buildSteps(root, options);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  }

  /**
   * Build the index incrementally: the generator yields every `nodesPerStep` text nodes so that a
   * caller can give the event loop a turn; its return value is the index.
   */
  static *buildSteps(root: Node, options: TextIndexOptions = {}): Generator<void, TextIndex, void> {
    const ignore = options.ignore;
    const perStep = options.nodesPerStep ?? 2000;
    const nodes: Text[] = [];
    // Each node's text, read once (every read of `data` asks the DOM, through a content script's wrapper).
    const data: string[] = [];
    // Characters of all the nodes, plus one per node for a gap before it: the size of the tables.
    let capacity = 0;
    // Whether a block boundary was crossed since the last text node (counts as whitespace).
    const gapBefore: boolean[] = [];
    const subtrees: Node[] = [];
    let gap = false;
    let visited = 0;

    // An explicit stack walk: we need both entering and leaving elements to see block boundaries.
    const stack: { node: Node; leaving: boolean }[] = [{ node: root, leaving: false }];
    while (stack.length > 0) {
      const { node, leaving } = stack.pop()!;
      if (node.nodeType === TEXT_NODE) {
        const text = (node as Text).data;
        if (text.length > 0) {
          nodes.push(node as Text);
          data.push(text);
          capacity += text.length + 1;
          gapBefore.push(gap);
          gap = false;
        }
        if (++visited % perStep === 0) yield;
        continue;
      }
      const type = node.nodeType;
      if (type !== ELEMENT_NODE && node !== root) continue;
      const name = type === ELEMENT_NODE ? (node as Element).nodeName.toUpperCase() : '';
      if (leaving) {
        if (BLOCKS.has(name)) gap = true;
        continue;
      }
      if (node !== root && (SKIPPED.has(name) || (ignore !== undefined && ignore(node)))) continue;
      if (BLOCKS.has(name)) gap = true;
      stack.push({ node, leaving: true });
      let children: ArrayLike<Node> = node.childNodes;
      if (type === ELEMENT_NODE) {
        const rendered = renderedChildren(node as Element, name);
        children = rendered.nodes;
        if (rendered.tree) subtrees.push(rendered.tree);
      }
      for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, leaving: false });
    }

    // The tables are allocated (and zeroed) in a step of their own.
    yield;
    const charNode = new Int32Array(capacity);
    const charOffset = new Int32Array(capacity);
    const nodeStart = new Int32Array(nodes.length);
    const nodeEnd = new Int32Array(nodes.length);
    // The text is joined a step at a time (one join of a million small parts is a long task).
    const chunks: string[] = [];
    let parts: string[] = [];
    const nodeIndex = new Map<Text, number>();
    let len = 0;
    // Starting "after a space" drops the page's leading whitespace and any gap before its first word.
    let lastWasSpace = true;
    for (let i = 0; i < nodes.length; i++) {
      const chars = data[i]!;
      if (gapBefore[i] && !lastWasSpace) {
        parts.push(' ');
        charNode[len] = -1;
        charOffset[len] = 0;
        len++;
        lastWasSpace = true;
      }
      nodeStart[i] = len;
      nodeIndex.set(nodes[i]!, i);
      let chunkStart = 0;
      for (let j = 0; j < chars.length; j++) {
        if (isSpaceCode(chars.charCodeAt(j))) {
          if (!lastWasSpace) {
            if (j > chunkStart) parts.push(chars.slice(chunkStart, j));
            parts.push(' ');
            charNode[len] = i;
            charOffset[len] = j;
            len++;
            lastWasSpace = true;
          } else if (j > chunkStart) {
            parts.push(chars.slice(chunkStart, j));
          }
          chunkStart = j + 1;
        } else {
          charNode[len] = i;
          charOffset[len] = j;
          len++;
          lastWasSpace = false;
        }
      }
      if (chunkStart < chars.length) parts.push(chars.slice(chunkStart));
      nodeEnd[i] = len;
      if ((i + 1) % perStep === 0) {
        chunks.push(parts.join(''));
        parts = [];
        yield;
      }
    }
    chunks.push(parts.join(''));
    const text = chunks.join('');
    return new TextIndex(
      root,
      text,
      nodes,
      nodeStart,
      nodeEnd,
      charNode.subarray(0, len),
      charOffset.subarray(0, len),
      subtrees,
      nodeIndex,
    );
  }

  /**
   * The number of characters of `text` that lie before a DOM boundary point. Used for both ends of
   * a range: it is the start offset of a range starting there and the end offset of one ending there.
   */
  offsetOf(container: Node, offset: number): number {
    const i = container.nodeType === TEXT_NODE ? this.nodeIndex.get(container as Text) : undefined;
    if (i !== undefined) {
      // First character of this node at or after `offset` (collapsed whitespace is skipped).
      let lo = this.nodeStart[i]!;
      let hi = this.nodeEnd[i]!;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.charOffset[mid]! < offset) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    }
    // Any other point: find the first indexed text node that starts at or after the point (points in
    // the root's own tree only: a shadow root or an iframe cannot be compared with it).
    const doc = container.ownerDocument ?? (container as Document);
    const probe = doc.createRange();
    probe.setStart(container, offset);
    probe.collapse(true);
    let lo = 0;
    let hi = this.nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      // comparePoint < 0: the node starts before the point; nodes in other trees are passed over.
      let before: boolean;
      try {
        before = probe.comparePoint(this.nodes[mid]!, 0) < 0;
      } catch {
        before = true;
      }
      if (before) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.nodes.length ? this.nodeStart[lo]! : this.text.length;
  }

  /** Offsets of a DOM range in `text`, or null when it lies outside the root. */
  rangeOffsets(range: Range): { start: number; end: number } | null {
    if (!this.holds(range.startContainer) || !this.holds(range.endContainer)) return null;
    const start = this.offsetOf(range.startContainer, range.startOffset);
    const end = this.offsetOf(range.endContainer, range.endOffset);
    return { start, end: Math.max(start, end) };
  }

  /** Whether `node` is the root, under it, or an indexed text node (in an open shadow root or iframe). */
  holds(node: Node): boolean {
    if (node.nodeType === TEXT_NODE && this.nodeIndex.has(node as Text)) return true;
    if (this.root.contains(node)) return true;
    for (let n: Node | null = node; n;) {
      const top = n.getRootNode();
      if (top === n) return false;
      if (this.subtrees.includes(top)) return true;
      n = top.nodeType === DOCUMENT_FRAGMENT_NODE ? (top as ShadowRoot).host : null;
    }
    return false;
  }

  /** The indexed text nodes that hold characters of text[start, end), in document order. */
  nodesIn(start: number, end: number): Text[] {
    const out: Text[] = [];
    let last = -1;
    for (let i = Math.max(0, start); i < Math.min(end, this.text.length); i++) {
      const n = this.charNode[i]!;
      if (n >= 0 && n !== last) {
        out.push(this.nodes[n]!);
        last = n;
      }
    }
    return out;
  }

  /** Shrink [start, end) so that it neither starts nor ends with a space. */
  trim(start: number, end: number): { start: number; end: number } {
    while (start < end && this.text[start] === ' ') start++;
    while (end > start && this.text[end - 1] === ' ') end--;
    return { start, end };
  }

  /**
   * A DOM Range over text[start, end), trimmed of surrounding spaces so that both ends fall on real
   * characters of text nodes. Null when the span holds no such character.
   */
  toRange(start: number, end: number): Range | null {
    ({ start, end } = this.trim(Math.max(0, start), Math.min(this.text.length, end)));
    if (start >= end) return null;
    // After trimming, both ends are non-space characters, which always belong to a text node.
    const startNode = this.nodes[this.charNode[start]!];
    const endNode = this.nodes[this.charNode[end - 1]!];
    if (startNode === undefined || endNode === undefined) return null;
    // A Range cannot span two trees (the page and a shadow root or an iframe): no such match.
    if (startNode !== endNode && startNode.getRootNode() !== endNode.getRootNode()) return null;
    const doc = startNode.ownerDocument;
    const range = doc.createRange();
    range.setStart(startNode, this.charOffset[start]!);
    range.setEnd(endNode, this.charOffset[end - 1]! + 1);
    return range;
  }

  /** The text node and offset holding character `i`, for structural selectors. */
  pointAt(i: number): { node: Text; offset: number } | null {
    const n = this.charNode[i];
    if (n === undefined || n < 0) return null;
    return { node: this.nodes[n]!, offset: this.charOffset[i]! };
  }
}
