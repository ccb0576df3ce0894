import { describe, expect, it } from 'vitest';
import { SubscribeBudget } from './subscribe-budget';

describe('SubscribeBudget', () => {
  const rates = {
    userBytesPerSec: 1000,
    userBurstBytes: 4000,
    tenantBytesPerSec: 3000,
    tenantBurstBytes: 6000,
  };

  it('lets a user spend their burst, then makes them wait for the refill', () => {
    let now = 0;
    const budget = new SubscribeBudget(rates, () => now);
    expect(budget.waitMs('t', 'u')).toBe(0);
    budget.charge('t', 'u', 3000);
    expect(budget.waitMs('t', 'u')).toBe(0);
    budget.charge('t', 'u', 2000);
    // 1000 bytes in debt at 1000 bytes/s: a little over a second.
    expect(budget.waitMs('t', 'u')).toBe(1001);
    now = 1001;
    expect(budget.waitMs('t', 'u')).toBe(0);
  });

  it('shares the tenant budget between its users, and keeps tenants apart', () => {
    let now = 0;
    const budget = new SubscribeBudget(rates, () => now);
    budget.charge('t', 'u1', 3500);
    budget.charge('t', 'u2', 3500);
    // u3 has spent nothing, but the tenant is 1000 bytes in debt at 3000 bytes/s.
    expect(budget.waitMs('t', 'u3')).toBe(334);
    expect(budget.waitMs('other', 'u1')).toBe(0);
    now = 334;
    expect(budget.waitMs('t', 'u3')).toBe(0);
  });

  it('forgets full buckets', () => {
    let now = 0;
    const budget = new SubscribeBudget(rates, () => now);
    for (let i = 0; i < 1100; i++) budget.charge(`t${i}`, 'u', 10);
    now = 10_000;
    budget.charge('x', 'u', 10);
    expect(budget.size).toBe(2);
  });
});
