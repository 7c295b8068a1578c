import type { StockWarning } from './stock-api';

export const EXPIRY_WARNING_DAYS = 14;

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Warnings of one batch at one unit on `today` (local dates). */
export function batchWarnings(b: { doses: number; expiresOn: string }, today: string): StockWarning[] {
  if (b.doses <= 0) return [];
  const left = daysBetween(today, b.expiresOn);
  if (left < 0) return ['EXPIRED'];
  return left <= EXPIRY_WARNING_DAYS ? ['EXPIRING'] : [];
}

/**
 * Warnings of one product at one unit: out of stock, or not enough usable doses (not expired)
 * for the bookings of the next 7 days.
 */
export function productWarnings(p: { usableDoses: number; bookedNext7Days: number }): StockWarning[] {
  if (p.usableDoses <= 0) return p.bookedNext7Days > 0 ? ['OUT_OF_STOCK', 'SHORTAGE'] : ['OUT_OF_STOCK'];
  return p.usableDoses < p.bookedNext7Days ? ['SHORTAGE'] : [];
}

/**
 * Days of supply (R26): balance ÷ average daily use, where the average leaves out the days the
 * unit had none (no use on those days says nothing about demand). Null when nothing is used.
 */
export function daysOfSupply(
  balance: number,
  usedInWindow: number,
  windowDays: number,
  daysOutOfStock: number,
): { averageDailyUse: number; daysOfSupply: number | null } {
  const daysWithStock = Math.max(1, windowDays - daysOutOfStock);
  const averageDailyUse = usedInWindow / daysWithStock;
  return {
    averageDailyUse: Math.round(averageDailyUse * 100) / 100,
    daysOfSupply: averageDailyUse > 0 ? Math.round((balance / averageDailyUse) * 10) / 10 : null,
  };
}

/** Share of doses lost: wasted ÷ (administered + wasted). */
export function wastageRate(administered: number, wasted: number): number {
  const total = administered + wasted;
  return total > 0 ? Math.round((wasted / total) * 1000) / 1000 : 0;
}

/**
 * Sums unit rows into care-provider or region rows per product. Use rates add up (each unit's
 * already adjusted for its own days out of stock), so days of supply = total balance ÷ total rate.
 */
export function aggregateOverview<
  R extends {
    productId: string;
    productName: string;
    doses: number;
    averageDailyUse: number;
    bookedNext7Days: number;
    coversNext7Days: boolean;
    expiringDoses: number;
    wastedLast28Days: number;
    administered28: number;
    usableDoses: number;
  },
>(rows: R[], keyOf: (r: R) => { key: string; name: string }, level: 'careProvider' | 'region') {
  const groups = new Map<string, { key: string; name: string; rows: R[] }>();
  for (const r of rows) {
    const k = keyOf(r);
    const id = `${k.key}|${r.productId}`;
    if (!groups.has(id)) groups.set(id, { ...k, rows: [] });
    groups.get(id)!.rows.push(r);
  }
  return [...groups.values()].map((g) => {
    const sum = (f: (r: R) => number) => g.rows.reduce((n, r) => n + f(r), 0);
    const rate = Math.round(sum((r) => r.averageDailyUse) * 100) / 100;
    const doses = sum((r) => r.doses);
    const booked = sum((r) => r.bookedNext7Days);
    return {
      level,
      key: g.key,
      name: g.name,
      productId: g.rows[0]!.productId,
      productName: g.rows[0]!.productName,
      units: g.rows.length,
      doses,
      averageDailyUse: rate,
      daysOfSupply: rate > 0 ? Math.round((doses / rate) * 10) / 10 : null,
      bookedNext7Days: booked,
      coversNext7Days: sum((r) => r.usableDoses) >= booked,
      expiringDoses: sum((r) => r.expiringDoses),
      wastedLast28Days: sum((r) => r.wastedLast28Days),
      wastageRate: wastageRate(
        sum((r) => r.administered28),
        sum((r) => r.wastedLast28Days),
      ),
    };
  });
}
