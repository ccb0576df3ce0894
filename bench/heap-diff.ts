// What one more idle connection costs, by kind of object: compares two V8 heap snapshots of the
// same server (before and after N connections) and prints the self size grown per connection,
// grouped by constructor (objects) or node type (strings, closures, arrays…). Usage:
//   node --import tsx bench/heap-diff.ts <before.heapsnapshot> <after.heapsnapshot> <connections> [top]
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Self bytes and counts per group ("object:Connection", "string", "closure:onMessage", …). */
export function groupSizes(s: Snapshot): Map<string, { bytes: number; count: number }> {
  const fields = s.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const types = s.snapshot.meta.node_types[0];
  const out = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + typeAt] as number] ?? '?';
    const name = s.strings[s.nodes[i + nameAt] as number] ?? '';
    const key =
      type === 'object' || type === 'closure' || type === 'native'
        ? `${type}:${name.slice(0, 60)}`
        : type === 'array' || type === 'hidden'
          ? `${type}:${name.slice(0, 40)}`
          : type;
    const g = out.get(key) ?? { bytes: 0, count: 0 };
    g.bytes += s.nodes[i + sizeAt] as number;
    g.count += 1;
    out.set(key, g);
  }
  return out;
}

function main(): void {
  const [beforePath, afterPath, connArg, topArg] = process.argv.slice(2);
  if (!beforePath || !afterPath || !connArg) {
    throw new Error('usage: heap-diff.ts <before.heapsnapshot> <after.heapsnapshot> <connections> [top]');
  }
  const n = Number(connArg);
  const before = groupSizes(JSON.parse(readFileSync(beforePath, 'utf8')) as Snapshot);
  const after = groupSizes(JSON.parse(readFileSync(afterPath, 'utf8')) as Snapshot);
  const rows = [...after].map(([k, a]) => {
    const b = before.get(k) ?? { bytes: 0, count: 0 };
    return { k, bytes: (a.bytes - b.bytes) / n, count: (a.count - b.count) / n };
  });
  const total = rows.reduce((s, r) => s + r.bytes, 0);
  console.log(`self size grown per connection: ${total.toFixed(0)} B`);
  for (const r of rows.sort((x, y) => y.bytes - x.bytes).slice(0, Number(topArg ?? 30))) {
    console.log(`${r.bytes.toFixed(0).padStart(7)} B  ${r.count.toFixed(2).padStart(6)} ×  ${r.k}`);
  }
}

main();
