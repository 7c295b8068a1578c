import { TZDate, tzOffset } from '@date-fns/tz';

/**
 * Dates in the generator are "day numbers" (days since 1970-01-01, a calendar date with no time
 * zone); instants are epoch milliseconds computed for Europe/Stockholm.
 */
export const TIME_ZONE = 'Europe/Stockholm';
export const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export function parseDay(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) throw new Error(`not a date (YYYY-MM-DD): ${s}`);
  const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
  if (formatDay(day) !== s) throw new Error(`not a calendar date: ${s}`);
  return day;
}

export function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** ISO weekday, 1 = Monday … 7 = Sunday (day 0, 1970-01-01, was a Thursday). */
export function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

export function isWeekday(day: number): boolean {
  return isoWeekday(day) <= 5;
}

/** The Monday of the ISO week that `day` is in. */
export function mondayOf(day: number): number {
  return day - (isoWeekday(day) - 1);
}

/** The first Monday–Friday on or after `day`. */
export function nextWeekday(day: number): number {
  const wd = isoWeekday(day);
  return wd === 6 ? day + 2 : wd === 7 ? day + 1 : day;
}

export function yearMonthDay(day: number): { y: number; m: number; d: number } {
  const t = new Date(day * DAY_MS);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** Today's date in Sweden. */
export function stockholmToday(now: Date = new Date()): string {
  const z = new TZDate(now.getTime(), TIME_ZONE);
  return formatDay(Date.UTC(z.getFullYear(), z.getMonth(), z.getDate()) / DAY_MS);
}

const noonOffsetMinutes = new Map<number, number>();

/**
 * The instant of a local wall-clock time in Sweden. Sweden changes clocks at 02:00/03:00 on a
 * Sunday night, so from 03:00 on the offset is that of noon, computed once per day; earlier
 * times take the general (slower) path.
 */
export function stockholmInstantMs(day: number, minutesOfDay: number): number {
  if (minutesOfDay < 180) {
    const { y, m, d } = yearMonthDay(day);
    return new TZDate(y, m - 1, d, Math.floor(minutesOfDay / 60), minutesOfDay % 60, 0, TIME_ZONE).getTime();
  }
  let offset = noonOffsetMinutes.get(day);
  if (offset === undefined) {
    offset = tzOffset(TIME_ZONE, new Date(day * DAY_MS + 12 * 60 * MINUTE_MS));
    noonOffsetMinutes.set(day, offset);
  }
  return day * DAY_MS + (minutesOfDay - offset) * MINUTE_MS;
}

export function isoInstant(ms: number): string {
  return new Date(ms).toISOString();
}
