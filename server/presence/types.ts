// Presence: how many distinct users view a page now, across every server node.
import type { RoomKey } from '../bus/types';

export type PresenceHandler = (room: RoomKey, count: number) => void;

export interface PresenceBoard {
  /**
   * Sets the distinct users this node has viewing `room` (an empty set removes this node's entry).
   * The caller keeps changing `users` afterwards: a board copies what it needs to keep.
   */
  setLocal(room: RoomKey, users: ReadonlySet<string>): void;
  /** Called with a room's distinct user count across all nodes whenever it may have changed. */
  onCount(handler: PresenceHandler): () => void;
  close(): Promise<void>;
}
