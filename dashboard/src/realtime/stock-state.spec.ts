import { describe, expect, it } from 'vitest';
import { batch, moved, unitStock } from '../test/stock-fixtures';
import {
  applyStockChange,
  batchesByProduct,
  fromStockSnapshot,
  isRegionStockEvent,
  stockAlerts,
} from './stock-state';

describe('stock state', () => {
  it('a delta moves the batch balance and the product total by the same amount', () => {
    const s = fromStockSnapshot(unitStock());
    const next = applyStockChange(s, moved(11, [{ batchId: 'b-1', doses: 54, rowVersion: 4 }]))!;
    expect(next.balances.find((b) => b.batchId === 'b-1')).toMatchObject({ doses: 54, rowVersion: 4 });
    expect(next.products.find((p) => p.productId === 'p-comirnaty')!.doses).toBe(66);
    expect(next.version).toBe(11);
    // the input is not mutated
    expect(s.balances.find((b) => b.batchId === 'b-1')!.doses).toBe(60);
  });

  it('a batch it does not know (a receipt of a new batch) cannot be applied: resync', () => {
    const s = fromStockSnapshot(unitStock());
    expect(applyStockChange(s, moved(11, [{ batchId: 'b-new', doses: 100, rowVersion: 1 }]))).toBeUndefined();
  });

  it('never takes a batch back to an older rowVersion', () => {
    const s = fromStockSnapshot(unitStock());
    const next = applyStockChange(s, moved(11, [{ batchId: 'b-1', doses: 99, rowVersion: 2 }]))!;
    expect(next.balances.find((b) => b.batchId === 'b-1')).toMatchObject({ doses: 60, rowVersion: 3 });
  });

  it('a transfer moves two batches in one event', () => {
    const s = fromStockSnapshot(unitStock());
    const next = applyStockChange(
      s,
      moved(11, [
        { batchId: 'b-1', doses: 50, rowVersion: 4 },
        { batchId: 'b-2', doses: 10, rowVersion: 4 },
      ]),
    )!;
    expect(next.products.find((p) => p.productId === 'p-comirnaty')!.doses).toBe(60);
  });

  it('sorts batches by product and earliest expiry first', () => {
    const s = fromStockSnapshot(unitStock());
    expect(s.balances.map((b) => b.batchId)).toEqual(['b-2', 'b-1', 'b-flu']);
  });

  it('lists warnings most urgent first, product and batch alike', () => {
    const alerts = stockAlerts(
      fromStockSnapshot(
        unitStock({
          balances: [
            batch('b-1', { warnings: ['EXPIRING'], expiresOn: '2025-03-12' }),
            batch('b-2', { warnings: ['EXPIRED'], expiresOn: '2025-03-01' }),
          ],
          products: [
            {
              productId: 'p-comirnaty',
              productName: 'Comirnaty',
              doses: 5,
              bookedNext7Days: 40,
              warnings: ['SHORTAGE'],
            },
            {
              productId: 'p-flu',
              productName: 'Vaxigrip',
              doses: 0,
              bookedNext7Days: 3,
              warnings: ['OUT_OF_STOCK'],
            },
          ],
        }),
      ),
    );
    expect(alerts.map((a) => a.warning)).toEqual(['OUT_OF_STOCK', 'EXPIRED', 'SHORTAGE', 'EXPIRING']);
    expect(alerts[2]).toMatchObject({ productName: 'Comirnaty', doses: 5, bookedNext7Days: 40 });
  });

  it('groups batches under their product, and keeps a batch whose product row is missing', () => {
    const groups = batchesByProduct(
      unitStock({ balances: [batch('b-x', { productId: 'p-orphan', productName: 'X' })], products: [] }),
    );
    expect(groups).toHaveLength(1);
    expect(groups[0]!.product).toMatchObject({ productId: 'p-orphan', doses: 60 });
  });

  it('tells a region event from a unit event', () => {
    expect(isRegionStockEvent(moved(1, []))).toBe(false);
    expect(isRegionStockEvent({ ...moved(1, []), regionId: 'r' } as never)).toBe(true);
  });
});
