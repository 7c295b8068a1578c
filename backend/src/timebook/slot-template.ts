import { TZDate } from '@date-fns/tz';
import { addDays } from './dates';

export interface Interval {
  start: string; // HH:MM local
  end: string;
}

export interface Template {
  from: string;
  to: string;
  slotMinutes: number;
  columns: number;
  /** ISO weekday ('1' = Monday … '7' = Sunday) → opening intervals */
  weekdays: Record<string, Interval[]>;
}

export interface PlannedSlot {
  date: string;
  column: number;
  startsAt: Date;
  endsAt: Date;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** ISO weekday of a local date. */
export function isoWeekday(date: string): number {
  const d = new Date(`${date}T12:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

/**
 * R10: the slots a weekly template opens, one per column, in Swedish local time (a slot at
 * 08:00 is 08:00 on both sides of a daylight-saving change). A slot must end within its interval.
 */
export function planSlots(t: Template): PlannedSlot[] {
  const out: PlannedSlot[] = [];
  for (let date = t.from; date <= t.to; date = addDays(date, 1)) {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    for (const iv of t.weekdays[String(isoWeekday(date))] ?? []) {
      for (let s = minutes(iv.start); s + t.slotMinutes <= minutes(iv.end); s += t.slotMinutes) {
        const startsAt = new Date(
          new TZDate(y, m - 1, d, Math.floor(s / 60), s % 60, 'Europe/Stockholm').getTime(),
        );
        const endsAt = new Date(startsAt.getTime() + t.slotMinutes * 60_000);
        for (let column = 1; column <= t.columns; column++) out.push({ date, column, startsAt, endsAt });
      }
    }
  }
  return out;
}
