// The bus carries every committed event (already serialised) to every server node with
// subscribers for its page. In-process for one node; Redis pub/sub for several. The room key and
// its string form live here, shared by the hub, the buses and the presence boards.

/** A page within a tenant: the unit of subscription, sequencing and fan-out. */
export interface RoomKey {
  tenantId: string;
  page: string;
}

/** A room's key as one string, for maps of rooms (neither a tenant id nor a normalised page URL holds a newline). */
export const roomId = (room: RoomKey): string => `${room.tenantId}\n${room.page}`;

/** A room as a Redis key or channel suffix; the tenant id is escaped so no two rooms collide. */
export const roomSuffix = (room: RoomKey): string => `${encodeURIComponent(room.tenantId)}:${room.page}`;

export type BusHandler = (room: RoomKey, frame: string) => void;

export interface Bus {
  /** Delivers `frame` to the handlers of `room` on every node, including this one. */
  publish(room: RoomKey, frame: string): Promise<void>;
  /** Starts receiving a room's frames on this node; the returned function stops it. */
  subscribe(room: RoomKey, handler: BusHandler): () => void;
  /**
   * Called when frames may have been lost (a bus connection dropped and came back, already
   * resubscribed): the hub catches its rooms up from the store. An in-process bus never loses any.
   */
  onMissed?(handler: () => void): () => void;
  close(): Promise<void>;
}
