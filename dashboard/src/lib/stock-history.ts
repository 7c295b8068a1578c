/**
 * `GET …/stock/history` rows (one per day and product) pivoted for the charts: dates along the
 * x-axis, one series per product; wastage summed per reason. Pure, for the chart components.
 */
import { WASTAGE_REASONS, type StockHistoryDay, type WastageReason } from '@stock-api';

export interface ProductSeries {
  productId: string;
  productName: string;
  /** One value per date; null where the product has no row that day. */
  values: Array<number | null>;
}

export interface Pivot {
  dates: string[];
  series: ProductSeries[];
}

const collator = new Intl.Collator('sv', { numeric: true });

export function pivotByProduct(days: readonly StockHistoryDay[], field: 'balance' | 'administered'): Pivot {
  const dates = [...new Set(days.map((d) => d.date))].sort();
  const index = new Map(dates.map((d, i) => [d, i]));
  const byProduct = new Map<string, ProductSeries>();
  for (const d of days) {
    let s = byProduct.get(d.productId);
    if (!s) {
      s = { productId: d.productId, productName: d.productName, values: dates.map(() => null) };
      byProduct.set(d.productId, s);
    }
    s.values[index.get(d.date)!] = d[field];
  }
  const series = [...byProduct.values()].sort((a, b) => collator.compare(a.productName, b.productName));
  // Consumption: a day without a row is a day without use.
  if (field === 'administered') for (const s of series) s.values = s.values.map((v) => v ?? 0);
  return { dates, series };
}

export function wastageByReason(
  days: readonly StockHistoryDay[],
): Array<{ reason: WastageReason; doses: number }> {
  const sums = new Map<WastageReason, number>(WASTAGE_REASONS.map((r) => [r, 0]));
  for (const d of days) {
    for (const [reason, n] of Object.entries(d.wastageByReason ?? {}) as Array<[WastageReason, number]>) {
      if (sums.has(reason) && typeof n === 'number') sums.set(reason, sums.get(reason)! + n);
    }
  }
  return WASTAGE_REASONS.map((reason) => ({ reason, doses: sums.get(reason)! }));
}

/** Distinct, colour-blind-safe-ish colours (Okabe–Ito, darkened for contrast on white). */
export const SERIES_COLORS = ['#1d4ed8', '#b45309', '#047857', '#7c3aed', '#be123c', '#0e7490', '#4b5563'];

export function seriesColor(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length]!;
}
