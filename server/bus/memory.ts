// The in-process bus for a single server node: publish hands the frame to this node's handlers of
// the room, synchronously and in publish order (so events leave in commit order).
import { roomId, type Bus, type BusHandler, type RoomKey } from './types';

export class MemoryBus implements Bus {
  private readonly handlers = new Map<string, Set<BusHandler>>();

  async publish(room: RoomKey, frame: string): Promise<void> {
    const set = this.handlers.get(roomId(room));
    if (!set) return;
    for (const handler of [...set]) handler(room, frame);
  }

  subscribe(room: RoomKey, handler: BusHandler): () => void {
    const id = roomId(room);
    let set = this.handlers.get(id);
    if (!set) this.handlers.set(id, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0 && this.handlers.get(id) === set) this.handlers.delete(id);
    };
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
