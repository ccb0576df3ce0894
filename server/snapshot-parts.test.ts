import { describe, expect, it } from 'vitest';
import { partKey, SnapshotParts } from './snapshot-parts';

const part = (bytes: number, next: string | null = null) => ({ data: Buffer.alloc(bytes), next });

describe('SnapshotParts', () => {
  it('gives back a part only for the seq it was kept at', () => {
    const parts = new SnapshotParts(1000);
    const at = partKey(null, 500);
    parts.set('a', 4, at, part(10, 'c1'));
    expect(parts.get('a', 4, at)?.next).toBe('c1');
    expect(parts.get('a', 5, at)).toBeUndefined();
    expect(parts.get('a', 4, partKey('c1', 500))).toBeUndefined();
    expect(parts.get('a', 4, partKey(null, 400))).toBeUndefined();
  });

  it('drops a room’s parts of an older seq when one of a newer seq is kept', () => {
    const parts = new SnapshotParts(1000);
    parts.set('a', 4, partKey(null, 500), part(100));
    parts.set('a', 4, partKey('c1', 500), part(100));
    parts.set('a', 5, partKey(null, 500), part(100));
    expect(parts.size).toBe(100);
    expect(parts.get('a', 4, partKey('c1', 500))).toBeUndefined();
  });

  it('stays within its bound, forgetting the least recently used rooms first', () => {
    const parts = new SnapshotParts(300);
    const at = partKey(null, 500);
    parts.set('a', 1, at, part(100));
    parts.set('b', 1, at, part(100));
    parts.set('c', 1, at, part(100));
    parts.get('a', 1, at);
    parts.set('d', 1, at, part(100));
    expect(parts.size).toBe(300);
    expect(parts.get('b', 1, at)).toBeUndefined();
    expect(parts.get('a', 1, at)).toBeDefined();
    // One room that alone would go over the bound keeps what it had.
    parts.set('e', 1, at, part(400));
    expect(parts.get('e', 1, at)).toBeUndefined();
    expect(parts.size).toBeLessThanOrEqual(300);
    parts.drop('a');
    parts.drop('c');
    parts.drop('d');
    expect(parts.size).toBe(0);
  });
});
