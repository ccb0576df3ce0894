// The open connections of one node: every socket (for the handshake limit, the heartbeat and
// shutdown), the welcomed ones by token (to close a revoked token's sockets at once), and what an
// admin's live view and the metrics read of them. The node's only record of its sockets.
import { CLOSE } from '../lib/protocol';
import type { LiveView } from './admin-api';
import type { Connection, Identity } from './connection';
import type { UserChannels } from './user-channels';
import { siteOf } from '../lib/page-key/normalise';

export class ConnectionRegistry {
  private readonly open = new Set<Connection>();
  private readonly byToken = new Map<string, Set<Connection>>();
  private welcomed = 0;
  private lastBeat = Date.now();

  constructor(private readonly users: UserChannels) {}

  /** A socket was accepted (its handshake starts). */
  add(conn: Connection): void {
    this.open.add(conn);
  }

  /** The socket is gone. */
  end(conn: Connection): void {
    this.open.delete(conn);
  }

  /** The connection was welcomed (an identity) or, once welcomed, ended (null). */
  identify(conn: Connection, identity: Identity | null): void {
    const tokenId = conn.tokenId;
    if (tokenId === null) return;
    let set = this.byToken.get(tokenId);
    this.welcomed += identity ? 1 : -1;
    if (identity) {
      if (!set) this.byToken.set(tokenId, (set = new Set()));
      set.add(conn);
      this.users.join(conn);
    } else {
      this.users.leave(conn);
      if (set) {
        set.delete(conn);
        if (set.size === 0) this.byToken.delete(tokenId);
      }
    }
  }

  get size(): number {
    return this.open.size;
  }

  /** Sockets still in their handshake. */
  get handshaking(): number {
    return this.open.size - this.welcomed;
  }

  /** Welcomed sockets. */
  get authenticated(): number {
    let n = 0;
    for (const set of this.byToken.values()) n += set.size;
    return n;
  }

  /** Whether any welcomed socket holds a token (else there is nothing to revoke). */
  get holdsTokens(): boolean {
    return this.byToken.size > 0;
  }

  all(): Connection[] {
    return [...this.open];
  }

  /** Closes the live sockets of a revoked token once their writes under way are answered (4403). */
  closeToken(tokenId: string): number {
    const live = [...(this.byToken.get(tokenId) ?? [])];
    for (const conn of live)
      void conn.closeWhenSettled(CLOSE.revoked, 'this token was revoked; ask your admin for a new one');
    return live.length;
  }

  /** Tenant ids of the welcomed sockets, one per socket (the metrics' connection gauge). */
  *tenants(): Iterable<string> {
    for (const conn of this.open) if (conn.identity) yield conn.identity.tenantId;
  }

  /** What an admin of the tenant sees live on this node: sockets, pages and viewers. */
  live(tenantId: string): LiveView {
    const view: LiveView = { connections: 0, pages: [], byToken: {} };
    const pages = new Map<string, { sockets: number; users: Set<string> }>();
    for (const conn of this.open) {
      const who = conn.identity;
      if (!who || who.tenantId !== tenantId) continue;
      view.connections++;
      view.byToken[who.tokenId] = (view.byToken[who.tokenId] ?? 0) + 1;
      for (const page of conn.subscribedPages) {
        let entry = pages.get(page);
        if (!entry) pages.set(page, (entry = { sockets: 0, users: new Set() }));
        entry.sockets++;
        entry.users.add(who.userId);
      }
    }
    for (const [page, entry] of pages) {
      view.pages.push({ page, site: siteOf(page), connections: entry.sockets, viewers: entry.users.size });
    }
    view.pages.sort((a, b) => b.viewers - a.viewers || a.page.localeCompare(b.page));
    return view;
  }

  /**
   * One heartbeat: pings every socket and terminates those whose ping went unanswered too long. A
   * beat more than two beats late means the event loop was held up (a long GC, a starved CPU): the
   * pongs that came meanwhile wait unread behind this timer, so no socket is judged on that beat.
   */
  beat(beatMs: number, now = Date.now()): void {
    const heldUp = now - this.lastBeat > 2 * beatMs;
    this.lastBeat = now;
    if (heldUp) return;
    for (const conn of this.open) conn.heartbeat(now);
  }
}
