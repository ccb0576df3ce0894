// The structural hint of an anchor: a simple XPath from a root to a node (`/div[2]/p[1]/text()[3]`)
// and back. Only child steps with element names and text() are used, evaluated by hand so that it
// works the same on every DOM (happy-dom has no document.evaluate).

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

function step(node: Node): string {
  const parent = node.parentNode;
  if (node.nodeType === TEXT_NODE) {
    let n = 1;
    for (let s = node.previousSibling; s; s = s.previousSibling) if (s.nodeType === TEXT_NODE) n++;
    return `text()[${n}]`;
  }
  const name = (node as Element).localName.toLowerCase();
  let n = 1;
  if (parent) {
    for (let s = node.previousSibling; s; s = s.previousSibling) {
      if (s.nodeType === ELEMENT_NODE && (s as Element).localName.toLowerCase() === name) n++;
    }
  }
  return `${name}[${n}]`;
}

/** The path from `root` to `node`, or null when `node` is not inside `root`. `root` itself is "/". */
export function xpathOf(node: Node, root: Node): string | null {
  const steps: string[] = [];
  for (let n: Node | null = node; n !== root; n = n.parentNode) {
    if (n === null) return null;
    if (n.nodeType !== ELEMENT_NODE && n.nodeType !== TEXT_NODE) return null;
    steps.push(step(n));
  }
  return '/' + steps.reverse().join('/');
}

const STEP = /^(?:([a-z][a-z0-9-]*)|text\(\))\[(\d+)\]$/i;

/** The node at `path` under `root`, or null when the path is malformed or leads nowhere. */
export function nodeAt(path: string, root: Node): Node | null {
  if (path === '/') return root;
  if (!path.startsWith('/')) return null;
  let node: Node = root;
  for (const part of path.slice(1).split('/')) {
    const m = STEP.exec(part);
    if (!m) return null;
    const name = m[1]?.toLowerCase();
    let left = Number(m[2]);
    let found: Node | null = null;
    for (let c = node.firstChild; c; c = c.nextSibling) {
      const hit =
        name === undefined
          ? c.nodeType === TEXT_NODE
          : c.nodeType === ELEMENT_NODE && (c as Element).localName.toLowerCase() === name;
      if (hit && --left === 0) {
        found = c;
        break;
      }
    }
    if (!found) return null;
    node = found;
  }
  return node;
}
