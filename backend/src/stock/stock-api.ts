/**
 * The stock API's response shapes, as types only (the dashboard imports this file too).
 * R24–R27: an append-only ledger per unit and batch, balances derived from it, warnings,
 * and the region-wide overview.
 */

export type MovementKind = 'RECEIPT' | 'WASTAGE' | 'COUNT' | 'TRANSFER_OUT' | 'TRANSFER_IN';
export type LedgerKind =
  'RECEIPT' | 'ADMINISTERED' | 'WASTAGE' | 'TRANSFER_IN' | 'TRANSFER_OUT' | 'COUNT_ADJUSTMENT';
export type WastageReason =
  'EXPIRED' | 'BROKEN' | 'CONTAMINATED' | 'OPEN_VIAL_TIME_LIMIT' | 'COLD_CHAIN' | 'OTHER';
export const WASTAGE_REASONS: readonly WastageReason[] = [
  'EXPIRED',
  'BROKEN',
  'CONTAMINATED',
  'OPEN_VIAL_TIME_LIMIT',
  'COLD_CHAIN',
  'OTHER',
];

export type StockWarning = 'EXPIRED' | 'EXPIRING' | 'OUT_OF_STOCK' | 'SHORTAGE';

/** One batch at one unit: `GET /api/units/:unitId/stock` → `{ version, balances, products }`. */
export interface BatchBalance {
  batchId: string;
  batchNumber: string;
  productId: string;
  productName: string;
  expiresOn: string; // YYYY-MM-DD
  doses: number;
  rowVersion: number;
  dosesPerVial: number;
  /** doses left in vials opened today (R25) */
  openVialDoses: number;
  warnings: StockWarning[];
}

/** Per product at one unit: balance against the next 7 days of bookings (R26). */
export interface ProductStock {
  productId: string;
  productName: string;
  doses: number;
  bookedNext7Days: number;
  warnings: StockWarning[];
}

export interface UnitStock {
  version: number;
  unitId: string;
  balances: BatchBalance[];
  products: ProductStock[];
}

/** `POST /api/units/:unitId/stock/movements` → 201 `{ balance, movementId }`. */
export interface MovementResult {
  movementId: number;
  balance: { batchId: string; doses: number; rowVersion: number };
  /** for transfers: the receiving unit's new balance */
  counterpart?: { unitId: string; batchId: string; doses: number; rowVersion: number };
}

/** `GET /api/units/:unitId/stock/batches/:batchId/ledger` → entries, newest first. */
export interface LedgerEntry {
  id: number;
  kind: LedgerKind;
  delta: number;
  balanceAfter: number;
  reason: WastageReason | null;
  note: string | null;
  userName: string | null;
  counterpartUnitName: string | null;
  createdAt: string;
}

/** `GET /api/units/:unitId/stock/history?from=&to=` → per day, per product. */
export interface StockHistoryDay {
  date: string;
  productId: string;
  productName: string;
  balance: number; // at the end of the day
  administered: number;
  wasted: number;
  wastageByReason: Partial<Record<WastageReason, number>>;
}

/** `GET /api/stock/overview?regionId=` → one row per unit and product (R26). */
export interface OverviewRow {
  unitId: string;
  unitName: string;
  careProviderId: string;
  careProviderName: string;
  productId: string;
  productName: string;
  doses: number;
  /** administered per day over the last 28 days, not counting days out of stock */
  averageDailyUse: number;
  daysOutOfStock: number;
  /** balance ÷ average daily use; null when nothing is used */
  daysOfSupply: number | null;
  bookedNext7Days: number;
  coversNext7Days: boolean;
  expiringDoses: number; // within 14 days
  wastedLast28Days: number;
  wastageRate: number; // wasted ÷ (administered + wasted), last 28 days
}

/** An overview row summed over a care provider or the whole region, per product (R26). */
export interface OverviewAggregate {
  level: 'careProvider' | 'region';
  key: string; // careProviderId or regionId
  name: string;
  productId: string;
  productName: string;
  units: number;
  doses: number;
  /** the sum of the units' use rates (each adjusted for its days out of stock) */
  averageDailyUse: number;
  daysOfSupply: number | null;
  bookedNext7Days: number;
  coversNext7Days: boolean;
  expiringDoses: number;
  wastedLast28Days: number;
  wastageRate: number;
}
