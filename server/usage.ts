// Usage metering: counts what this node writes to sockets per tenant, site (the page's host) and
// hour, in memory, and adds it to the store periodically and on shutdown so that usage survives
// restarts and adds up across nodes. Also keeps running totals per tenant and site since start,
// which /metrics exports.
import type { Store, UsageDelta } from './store/types';
import { siteOf } from '../lib/page-key/normalise';

export const HOUR_MS = 3_600_000;

/** The start (ms since the epoch, UTC) of the hour that holds `ms`. */
export const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;

interface Cell {
  tenantId: string;
  site: string;
  messages: number;
  bytes: number;
}

export interface UsageMeterOptions {
  store: Store;
  /** How often deltas go to the store; 0 leaves it to explicit flush() calls. */
  flushMs: number;
  log(message: string): void;
  now?: () => number;
}

/** Caps the page → site cache; pages are unbounded, so it is dropped and rebuilt when full. */
const SITE_CACHE_MAX = 10_000;

export class UsageMeter {
  /** Not yet in the store, keyed by tenant, site and hour. */
  private unsaved = new Map<string, Cell & { hour: number }>();
  /** Since this node started, keyed by tenant and site. */
  private readonly totals = new Map<string, Cell>();
  private readonly sites = new Map<string, string>();
  private readonly timer: NodeJS.Timeout | null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly options: UsageMeterOptions) {
    this.now = options.now ?? Date.now;
    this.timer =
      options.flushMs > 0
        ? setInterval(() => {
            this.flush().catch(() => {});
          }, options.flushMs)
        : null;
    this.timer?.unref();
  }

  /** Counts one write to a socket of `tenantId`, about `page` (undefined: not about a page). */
  record(tenantId: string, page: string | undefined, messages: number, bytes: number): void {
    let site = page === undefined ? '' : this.sites.get(page);
    if (site === undefined) {
      if (this.sites.size >= SITE_CACHE_MAX) this.sites.clear();
      site = siteOf(page);
      this.sites.set(page!, site);
    }
    const hour = hourOf(this.now());
    const key = `${tenantId}\n${site}\n${hour}`;
    let cell = this.unsaved.get(key);
    if (!cell) this.unsaved.set(key, (cell = { tenantId, site, hour, messages: 0, bytes: 0 }));
    cell.messages += messages;
    cell.bytes += bytes;
    const totalKey = `${tenantId}\n${site}`;
    let total = this.totals.get(totalKey);
    if (!total) this.totals.set(totalKey, (total = { tenantId, site, messages: 0, bytes: 0 }));
    total.messages += messages;
    total.bytes += bytes;
  }

  /** Running totals per tenant and site since this node started. */
  totalsSinceStart(): Cell[] {
    return [...this.totals.values()].map((c) => ({ ...c }));
  }

  /**
   * Adds the unsaved counts to the store. Flushes run one at a time; a failed one puts its deltas back
   * to be retried with the next, so nothing is counted twice or lost while the node runs.
   */
  flush(): Promise<void> {
    const run = this.flushing.then(async () => {
      if (this.unsaved.size === 0) return;
      const batch = this.unsaved;
      this.unsaved = new Map();
      const deltas: UsageDelta[] = [...batch.values()].map((c) => ({
        tenantId: c.tenantId,
        site: c.site,
        hour: c.hour,
        messages: c.messages,
        bytes: c.bytes,
      }));
      try {
        await this.options.store.addUsage(deltas);
      } catch (err) {
        for (const [key, cell] of batch) {
          const later = this.unsaved.get(key);
          if (later) {
            later.messages += cell.messages;
            later.bytes += cell.bytes;
          } else {
            this.unsaved.set(key, cell);
          }
        }
        this.options.log(`saving usage failed (kept for the next try): ${(err as Error).message}`);
        throw err;
      }
    });
    this.flushing = run.catch(() => {});
    return run;
  }

  /** Stops the timer and saves the unsaved counts. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
