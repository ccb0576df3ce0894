// Presence for a single server node: the count of a room is the size of this node's user set.
import { roomId, type RoomKey } from '../bus/types';
import type { PresenceBoard, PresenceHandler } from './types';

export class MemoryPresence implements PresenceBoard {
  private readonly counts = new Map<string, number>();
  private readonly handlers = new Set<PresenceHandler>();

  setLocal(room: RoomKey, users: ReadonlySet<string>): void {
    const id = roomId(room);
    const before = this.counts.get(id) ?? 0;
    if (users.size === 0) this.counts.delete(id);
    else this.counts.set(id, users.size);
    if (before !== users.size) for (const handler of [...this.handlers]) handler(room, users.size);
  }

  onCount(handler: PresenceHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async close(): Promise<void> {
    this.handlers.clear();
    this.counts.clear();
  }
}
