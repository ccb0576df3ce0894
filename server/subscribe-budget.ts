// The cost budget of subscribe answers on one node: a token bucket of bytes per user and one per
// tenant. An answer read from the store (snapshot or replay) is charged its size plus a fixed read
// cost after it is sent; a subscribe whose user's or tenant's bucket is empty waits until both
// have refilled. So a member who sends subscribes in a loop spends their own budget, then their
// tenant's, and never more than that share of the event loop: other tenants are not slowed down.
import { LIMITS } from '../lib/protocol';

export interface BudgetRates {
  userBytesPerSec: number;
  userBurstBytes: number;
  tenantBytesPerSec: number;
  tenantBurstBytes: number;
}

export const DEFAULT_BUDGET_RATES: BudgetRates = {
  userBytesPerSec: LIMITS.subscribeUserBytesPerSec,
  userBurstBytes: LIMITS.subscribeUserBurstBytes,
  tenantBytesPerSec: LIMITS.subscribeTenantBytesPerSec,
  tenantBurstBytes: LIMITS.subscribeTenantBurstBytes,
};

interface Bucket {
  /** Bytes available; negative while an answer larger than what was left is being paid off. */
  level: number;
  at: number;
}

/** Buckets kept before full ones (the same as absent) are swept away. */
const SWEEP_AT = 1024;

export class SubscribeBudget {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly rates: BudgetRates = DEFAULT_BUDGET_RATES,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Milliseconds until a read for this user may start; 0 when it may start now. */
  waitMs(tenantId: string, userId: string): number {
    const now = this.now();
    const user = this.level(
      userKey(tenantId, userId),
      this.rates.userBytesPerSec,
      this.rates.userBurstBytes,
      now,
    );
    const tenant = this.level(tenantId, this.rates.tenantBytesPerSec, this.rates.tenantBurstBytes, now);
    const wait = (level: number, rate: number) => (level > 0 ? 0 : ((1 - level) / rate) * 1000);
    return Math.ceil(
      Math.max(wait(user, this.rates.userBytesPerSec), wait(tenant, this.rates.tenantBytesPerSec)),
    );
  }

  /** Charges an answer's cost to the user's and the tenant's buckets. */
  charge(tenantId: string, userId: string, bytes: number): void {
    const now = this.now();
    this.take(userKey(tenantId, userId), this.rates.userBytesPerSec, this.rates.userBurstBytes, now, bytes);
    this.take(tenantId, this.rates.tenantBytesPerSec, this.rates.tenantBurstBytes, now, bytes);
    if (this.buckets.size > SWEEP_AT) this.sweep(now);
  }

  /** How many buckets are held (for leak checks). */
  get size(): number {
    return this.buckets.size;
  }

  private level(key: string, rate: number, burst: number, now: number): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return burst;
    return Math.min(burst, bucket.level + ((now - bucket.at) / 1000) * rate);
  }

  private take(key: string, rate: number, burst: number, now: number, bytes: number): void {
    this.buckets.set(key, { level: this.level(key, rate, burst, now) - bytes, at: now });
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      const isUser = key.includes('\n');
      const rate = isUser ? this.rates.userBytesPerSec : this.rates.tenantBytesPerSec;
      const burst = isUser ? this.rates.userBurstBytes : this.rates.tenantBurstBytes;
      if (bucket.level + ((now - bucket.at) / 1000) * rate >= burst) this.buckets.delete(key);
    }
  }
}

function userKey(tenantId: string, userId: string): string {
  return `${tenantId}\n${userId}`;
}
