/**
 * A unit's stock as the dashboard holds it, and how a `stock.changed` event moves it. Pure
 * functions: the store keeps the result, the specs test it without Vue.
 *
 * A delta carries only balances (batch, doses, rowVersion). Product totals are moved by the same
 * amount here so the page stays consistent; warnings are the server's and are refreshed by a
 * refetch shortly after (see stores/stock.ts).
 */
import type { StockChanged } from '@events';
import type { BatchBalance, ProductStock, StockWarning, UnitStock } from '@stock-api';

/** A region subscription's `stock.changed` carries the region as well (and the moved unit). */
export type RegionStockChanged = StockChanged & { regionId: string };

export function isRegionStockEvent(e: StockChanged): e is RegionStockChanged {
  const regionId = (e as Partial<RegionStockChanged>).regionId;
  return typeof regionId === 'string' && regionId.length > 0;
}

const collator = new Intl.Collator('sv', { numeric: true });

/** Batches by product, then the one to use first (earliest expiry); products by name. */
export function fromStockSnapshot(snapshot: UnitStock): UnitStock {
  return {
    version: snapshot.version,
    unitId: snapshot.unitId,
    balances: [...snapshot.balances].sort(
      (a, b) =>
        collator.compare(a.productName, b.productName) ||
        a.expiresOn.localeCompare(b.expiresOn) ||
        collator.compare(a.batchNumber, b.batchNumber),
    ),
    products: [...snapshot.products].sort((a, b) => collator.compare(a.productName, b.productName)),
  };
}

/**
 * Applies one event. Returns undefined when it names a batch we do not have (a receipt of a new
 * batch after our snapshot): only a fresh snapshot can fill that in.
 */
export function applyStockChange(state: UnitStock, event: StockChanged): UnitStock | undefined {
  if (event.unitId !== state.unitId) return state;
  let balances = state.balances;
  let products = state.products;
  for (const change of event.balances) {
    const index = balances.findIndex((b) => b.batchId === change.batchId);
    if (index === -1) return undefined;
    const batch = balances[index]!;
    // rowVersion only grows: a lower one is older than what we show, whatever the topic version.
    if (change.rowVersion < batch.rowVersion) continue;
    if (change.rowVersion === batch.rowVersion && change.doses === batch.doses) continue;
    const delta = change.doses - batch.doses;
    if (balances === state.balances) balances = [...balances];
    balances[index] = { ...batch, doses: change.doses, rowVersion: change.rowVersion };
    products = moveProduct(products, batch.productId, delta);
  }
  return { ...state, version: event.version, balances, products };
}

function moveProduct(products: ProductStock[], productId: string, delta: number): ProductStock[] {
  if (delta === 0) return products;
  const index = products.findIndex((p) => p.productId === productId);
  if (index === -1) return products;
  const next = [...products];
  next[index] = { ...products[index]!, doses: Math.max(0, products[index]!.doses + delta) };
  return next;
}

/** One line of the warnings list: what is wrong, about which product or batch. */
export interface StockAlert {
  key: string;
  warning: StockWarning;
  productName: string;
  batchId?: string;
  batchNumber?: string;
  expiresOn?: string;
  doses: number;
  bookedNext7Days?: number;
}

/** Most urgent first: nothing left, then expired doses, then too little, then expiring soon. */
const SEVERITY: Record<StockWarning, number> = { OUT_OF_STOCK: 0, EXPIRED: 1, SHORTAGE: 2, EXPIRING: 3 };

/** Batch warnings (EXPIRED, EXPIRING) and product warnings (OUT_OF_STOCK, SHORTAGE) in one list. */
export function stockAlerts(state: UnitStock): StockAlert[] {
  const alerts: StockAlert[] = [];
  for (const p of state.products) {
    for (const w of p.warnings) {
      if (w !== 'OUT_OF_STOCK' && w !== 'SHORTAGE') continue;
      alerts.push({
        key: `${w}:${p.productId}`,
        warning: w,
        productName: p.productName,
        doses: p.doses,
        bookedNext7Days: p.bookedNext7Days,
      });
    }
  }
  for (const b of state.balances) {
    for (const w of b.warnings) {
      if (w !== 'EXPIRED' && w !== 'EXPIRING') continue;
      alerts.push({
        key: `${w}:${b.batchId}`,
        warning: w,
        productName: b.productName,
        batchId: b.batchId,
        batchNumber: b.batchNumber,
        expiresOn: b.expiresOn,
        doses: b.doses,
      });
    }
  }
  return alerts.sort(
    (a, b) =>
      SEVERITY[a.warning] - SEVERITY[b.warning] ||
      (a.expiresOn ?? '').localeCompare(b.expiresOn ?? '') ||
      collator.compare(a.productName, b.productName),
  );
}

/** The batches of one product, for grouping the table. */
export function batchesByProduct(
  state: UnitStock,
): Array<{ product: ProductStock; batches: BatchBalance[] }> {
  const byProduct = new Map<string, BatchBalance[]>();
  for (const b of state.balances) {
    const list = byProduct.get(b.productId);
    if (list) list.push(b);
    else byProduct.set(b.productId, [b]);
  }
  const groups = state.products.map((product) => ({
    product,
    batches: byProduct.get(product.productId) ?? [],
  }));
  // A batch whose product is missing from `products` (should not happen) is still shown.
  for (const [productId, batches] of byProduct) {
    if (state.products.some((p) => p.productId === productId)) continue;
    const first = batches[0]!;
    groups.push({
      product: {
        productId,
        productName: first.productName,
        doses: batches.reduce((n, b) => n + b.doses, 0),
        bookedNext7Days: 0,
        warnings: [],
      },
      batches,
    });
  }
  return groups;
}
