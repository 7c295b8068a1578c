/**
 * Calendar helpers for the programme's one time zone. A `date` in the API is a local date in
 * Europe/Stockholm (YYYY-MM-DD); instants are ISO strings with offset. The browser's own time
 * zone is never used: a booker on a laptop set to UTC must see the same day as the unit.
 */

export const TIME_ZONE = 'Europe/Stockholm';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const partsFormatter = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Stockholm calendar date of an instant. */
export function stockholmDate(instant: Date | string): string {
  const d = typeof instant === 'string' ? new Date(instant) : instant;
  const parts = Object.fromEntries(partsFormatter.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

const timeFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** The Stockholm wall-clock time of an instant, as HH:MM. */
export function stockholmTime(instant: Date | string): string {
  const d = typeof instant === 'string' ? new Date(instant) : instant;
  const parts = Object.fromEntries(timeFormatter.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.hour}:${parts.minute}`;
}

export function todayInStockholm(now: Date = new Date()): string {
  return stockholmDate(now);
}

export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

/** Pure calendar arithmetic on YYYY-MM-DD (no time zone, so DST cannot shift the day). */
export function addDays(date: string, days: number): string {
  const d = calendarDate(date);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** ISO weekday of a calendar date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  const day = calendarDate(date).getUTCDay();
  return day === 0 ? 7 : day;
}

/**
 * A Date at noon UTC of the calendar day: formatting it in Stockholm time gives the same day
 * whatever the offset, which is what weekday/month labels need.
 */
export function calendarDate(date: string): Date {
  const m = ISO_DATE.exec(date);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12));
}
