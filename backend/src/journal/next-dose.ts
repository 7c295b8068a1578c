/**
 * Next-dose information for "Mina vaccinationer": per product series, the dose after the highest
 * one given, due `doseIntervalDays` after it, while the series is not complete. Pure.
 */
export interface GivenDose {
  productId: string;
  productName: string;
  doseNumber: number;
  givenOn: string; // YYYY-MM-DD
  dosesInSeries: number;
  doseIntervalDays: number | null;
}

export interface NextDose {
  productId: string;
  productName: string;
  doseNumber: number;
  dueOn: string; // YYYY-MM-DD
  overdue: boolean;
}

function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function nextDoses(doses: readonly GivenDose[], today: string): NextDose[] {
  const latest = new Map<string, GivenDose>();
  for (const d of doses) {
    const cur = latest.get(d.productId);
    if (!cur || d.doseNumber > cur.doseNumber || (d.doseNumber === cur.doseNumber && d.givenOn > cur.givenOn))
      latest.set(d.productId, d);
  }
  const out: NextDose[] = [];
  for (const d of latest.values()) {
    if (d.doseNumber >= d.dosesInSeries || d.doseIntervalDays === null) continue;
    const dueOn = addDays(d.givenOn, d.doseIntervalDays);
    out.push({
      productId: d.productId,
      productName: d.productName,
      doseNumber: d.doseNumber + 1,
      dueOn,
      overdue: dueOn < today,
    });
  }
  return out.sort((a, b) => a.dueOn.localeCompare(b.dueOn));
}

/** Whole years between a birth date and a day (both YYYY-MM-DD). */
export function ageOn(birthDate: string, day: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}
