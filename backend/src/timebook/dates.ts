import { TZDate } from '@date-fns/tz';
import { addDays as addDaysFn, format } from 'date-fns';

export const ZONE = 'Europe/Stockholm';

/** Today's date in Sweden, YYYY-MM-DD. */
export function todayInStockholm(now: Date = new Date()): string {
  return format(new TZDate(now, ZONE), 'yyyy-MM-dd');
}

/** Calendar arithmetic on a local date string. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return format(addDaysFn(new Date(y, m - 1, d, 12), days), 'yyyy-MM-dd');
}

/** A local date and HH:MM in Sweden as an instant (daylight saving time included). */
export function localTimeToInstant(date: string, hhmm: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(
    new TZDate(y, m - 1, d, Number(hhmm.slice(0, 2)), Number(hhmm.slice(3, 5)), ZONE).getTime(),
  );
}
