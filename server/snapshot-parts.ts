// The wire form of snapshot parts, kept between subscribes while their page does not change. A
// member that subscribes again and again to a page nobody writes to (a reload loop, a storm of
// subscribes on one socket) is then answered from these bytes: no store read, no JSON to build and
// no new buffer for the socket to copy, which is what made such a storm stall the loop in garbage
// collection. Entries belong to one seq of their room; the hub drops a room's entries as soon as it
// sees a newer event, so a part is never older than the seq of the answer it goes out in.

/** One part as it went out: the frame's UTF-8 and the cursor of the part after it (null: last). */
export interface CachedPart {
  readonly data: Buffer;
  readonly next: string | null;
}

interface RoomParts {
  seq: number;
  parts: Map<string, CachedPart>;
  bytes: number;
}

/** Where a part starts and how large it may be: the same read gives the same part. */
export function partKey(cursor: string | null, maxBytes: number): string {
  return `${maxBytes}:${cursor ?? ''}`;
}

export class SnapshotParts {
  /** Rooms by id, least recently used first. */
  private readonly rooms = new Map<string, RoomParts>();
  private bytes = 0;

  /** `maxBytes`: the most all rooms' parts hold together; the least recently used go first. */
  constructor(private readonly maxBytes: number) {}

  /** The part of `room` at `seq` that starts at `key`, if kept. */
  get(room: string, seq: number, key: string): CachedPart | undefined {
    const entry = this.rooms.get(room);
    if (!entry || entry.seq !== seq) return undefined;
    const part = entry.parts.get(key);
    if (part) {
      this.rooms.delete(room);
      this.rooms.set(room, entry);
    }
    return part;
  }

  /** Keeps a part read at `seq`; the room's parts of any other seq are dropped. */
  set(room: string, seq: number, key: string, part: CachedPart): void {
    if (part.data.length > this.maxBytes) return;
    let entry = this.rooms.get(room);
    if (entry && entry.seq !== seq) {
      this.drop(room);
      entry = undefined;
    }
    if (!entry) entry = { seq, parts: new Map(), bytes: 0 };
    this.rooms.delete(room);
    this.rooms.set(room, entry);
    const old = entry.parts.get(key);
    if (old) {
      entry.bytes -= old.data.length;
      this.bytes -= old.data.length;
    }
    entry.parts.set(key, part);
    entry.bytes += part.data.length;
    this.bytes += part.data.length;
    for (const id of this.rooms.keys()) {
      if (this.bytes <= this.maxBytes) break;
      if (id !== room) this.drop(id);
    }
    if (this.bytes > this.maxBytes) {
      // This room alone holds more than the bound: the new part is not kept.
      entry.parts.delete(key);
      entry.bytes -= part.data.length;
      this.bytes -= part.data.length;
    }
  }

  /** Forgets a room's parts (its page changed, or the room closed). */
  drop(room: string): void {
    const entry = this.rooms.get(room);
    if (!entry) return;
    this.bytes -= entry.bytes;
    this.rooms.delete(room);
  }

  /** Bytes held, for tests. */
  get size(): number {
    return this.bytes;
  }
}
