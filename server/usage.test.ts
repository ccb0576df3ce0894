import { describe, expect, it } from 'vitest';
import type { Store, UsageDelta } from './store/types';
import { siteOf } from '../lib/page-key/normalise';
import { HOUR_MS, UsageMeter } from './usage';

/** Only what the meter uses of a store; fails on demand like a database that went away. */
function fakeStore() {
  const saved: UsageDelta[][] = [];
  let failing = false;
  const store = {
    async addUsage(deltas: UsageDelta[]) {
      if (failing) throw new Error('database is down');
      saved.push(deltas);
    },
  } as unknown as Store;
  return { store, saved, fail: (on: boolean) => (failing = on) };
}

describe('UsageMeter', () => {
  it('aggregates per tenant, site and hour, and keeps deltas of a failed flush for the next', async () => {
    const { store, saved, fail } = fakeStore();
    let now = 10 * HOUR_MS + 5;
    const logs: string[] = [];
    const meter = new UsageMeter({ store, flushMs: 0, log: (m) => logs.push(m), now: () => now });
    meter.record('t1', 'https://a.example/x?y=1', 1, 100);
    meter.record('t1', 'https://a.example/other', 2, 50);
    meter.record('t1', undefined, 1, 10);
    now += HOUR_MS;
    meter.record('t1', 'https://a.example/x?y=1', 1, 1);

    fail(true);
    await expect(meter.flush()).rejects.toThrow(/database is down/);
    expect(logs[0]).toMatch(/saving usage failed \(kept for the next try\)/);
    meter.record('t1', 'https://a.example/x?y=1', 1, 1);
    fail(false);
    await meter.flush();
    expect(saved).toHaveLength(1);
    expect(saved[0]!.sort((a, b) => a.hour - b.hour || a.site.localeCompare(b.site))).toEqual([
      { tenantId: 't1', site: '', hour: 10 * HOUR_MS, messages: 1, bytes: 10 },
      { tenantId: 't1', site: 'a.example', hour: 10 * HOUR_MS, messages: 3, bytes: 150 },
      { tenantId: 't1', site: 'a.example', hour: 11 * HOUR_MS, messages: 2, bytes: 2 },
    ]);
    await meter.flush();
    expect(saved).toHaveLength(1);
    expect(meter.totalsSinceStart().find((c) => c.site === 'a.example')).toEqual({
      tenantId: 't1',
      site: 'a.example',
      messages: 5,
      bytes: 152,
    });
    await meter.close();
  });

  it.each([
    ['https://example.com/a', 'example.com'],
    ['http://localhost:8080/x', 'localhost:8080'],
    ['https://example.com:443/', 'example.com'],
    [undefined, ''],
  ])('the site of %s is %j', (page, site) => {
    expect(siteOf(page)).toBe(site);
  });
});
