// The usage part of the Store contract, run by each store implementation:
// `describeUsageContract('SqliteStore', open)`.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../server/store/types';
import type { OpenedStore } from './store-contract';

const H = 3_600_000;
const HOUR = 1_764_115_200_000; // 2025-11-26T00:00:00Z

export function describeUsageContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`${name} (usage contract)`, () => {
    let opened: OpenedStore;
    let store: Store;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.dispose();
    });

    it('adds deltas to their tenant, site and hour, as nodes flushing at different times would', async () => {
      await store.addUsage([
        { tenantId: 't1', site: 'a.example', hour: HOUR, messages: 3, bytes: 300 },
        { tenantId: 't1', site: 'b.example', hour: HOUR, messages: 1, bytes: 50 },
        { tenantId: 't2', site: 'a.example', hour: HOUR, messages: 7, bytes: 700 },
      ]);
      await store.addUsage([
        { tenantId: 't1', site: 'a.example', hour: HOUR, messages: 2, bytes: 20 },
        { tenantId: 't1', site: '', hour: HOUR + H, messages: 1, bytes: 90 },
        { tenantId: 't1', site: 'a.example', hour: HOUR + 5 * H, messages: 4, bytes: 4 },
      ]);
      expect(await store.usage('t1', HOUR, HOUR + H)).toEqual([
        { hour: HOUR, site: 'a.example', messages: 5, bytes: 320 },
        { hour: HOUR, site: 'b.example', messages: 1, bytes: 50 },
        { hour: HOUR + H, site: '', messages: 1, bytes: 90 },
      ]);
      expect(await store.usage('t1', HOUR + 5 * H, HOUR + 5 * H)).toEqual([
        { hour: HOUR + 5 * H, site: 'a.example', messages: 4, bytes: 4 },
      ]);
      expect(await store.usage('t2', 0, HOUR + 10 * H)).toEqual([
        { hour: HOUR, site: 'a.example', messages: 7, bytes: 700 },
      ]);
      expect(await store.usage('t3', 0, HOUR + 10 * H)).toEqual([]);
    });

    it('accepts an empty list and counts beyond 32 bits', async () => {
      await store.addUsage([]);
      const big = 3_000_000_000;
      await store.addUsage([{ tenantId: 't1', site: 's', hour: HOUR, messages: big, bytes: big }]);
      await store.addUsage([{ tenantId: 't1', site: 's', hour: HOUR, messages: big, bytes: big }]);
      expect(await store.usage('t1', HOUR, HOUR)).toEqual([
        { hour: HOUR, site: 's', messages: 2 * big, bytes: 2 * big },
      ]);
    });
  });
}
