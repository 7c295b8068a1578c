/**
 * Opening times from a weekly template (R10), pure: the form's defaults, what the server will
 * accept, and how many times the template opens per day and in total. Times are Stockholm wall
 * clock (HH:MM) and days are calendar dates, so the count is the same on the days daylight saving
 * time starts or ends, and whatever time zone the browser is in: an 08:00–12:00 interval with
 * 10-minute times is 24 times on every day.
 */
import type { ResourceKind } from '@events';
import type { OpeningInterval, OpenSlotsRequest, WeekdayKey } from '../api/types';
import { addDays, isIsoDate, isoWeekday } from './dates';
import { ISO_WEEKDAYS, type IsoWeekday } from './weekdays';

/** The longest period one template may open, in days (from and to included). */
export const MAX_TEMPLATE_DAYS = 92;
export const MIN_SLOT_MINUTES = 5;
export const MAX_SLOT_MINUTES = 240;
export const MAX_COLUMNS = 20;
export const MAX_INTERVALS = 6;

/** A nurse's vaccination takes ten minutes, a physician's assessment twenty. */
export const DEFAULT_SLOT_MINUTES: Record<ResourceKind, number> = { SKOTERSKA: 10, LAKARE: 20 };
/** Monday to Friday, a morning and an afternoon with lunch in between. */
export const DEFAULT_INTERVALS: readonly OpeningInterval[] = [
  { start: '08:00', end: '12:00' },
  { start: '13:00', end: '16:00' },
];

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export interface TemplateDay {
  open: boolean;
  intervals: OpeningInterval[];
}

export interface SlotTemplateForm {
  resource: ResourceKind;
  from: string;
  to: string;
  /** As the number input gives it: a number, or '' / text while typed. */
  slotMinutes: number | string;
  columns: number | string;
  weekdays: Record<IsoWeekday, TemplateDay>;
}

export type TemplateField = 'resource' | 'from' | 'to' | 'slotMinutes' | 'columns' | 'weekdays';

export type TemplateErrorKey =
  | 'dateFormat'
  | 'fromPast'
  | 'toBeforeFrom'
  | 'rangeTooLong'
  | 'minutesWhole'
  | 'columnsWhole'
  | 'columnsUnknown'
  | 'noOpenDay'
  | 'noInterval'
  | 'tooManyIntervals'
  | 'timeFormat'
  | 'endNotAfterStart'
  | 'shorterThanSlot'
  | 'overlaps'
  | 'nothingToOpen';

export interface TemplateError {
  key: TemplateErrorKey;
  params?: Record<string, number | string>;
}

/** `${weekday}.${index}`, e.g. "1.0" for Monday's first interval. */
export type IntervalKey = `${IsoWeekday}.${number}`;

export interface TemplateErrors {
  fields: Partial<Record<TemplateField | 'general', TemplateError>>;
  /** Errors of a weekday as a whole ("no interval"). */
  days: Partial<Record<IsoWeekday, TemplateError>>;
  /** Errors of one interval, with the input they are about. */
  intervals: Partial<Record<IntervalKey, TemplateError & { input: 'start' | 'end' | 'both' }>>;
}

export function emptyTemplateErrors(): TemplateErrors {
  return { fields: {}, days: {}, intervals: {} };
}

export function hasTemplateErrors(e: TemplateErrors): boolean {
  return (
    Object.keys(e.fields).length > 0 || Object.keys(e.days).length > 0 || Object.keys(e.intervals).length > 0
  );
}

/** The form as it opens: tomorrow and four weeks on, weekdays 08–12 and 13–16. */
export function defaultTemplate(
  today: string,
  resource: ResourceKind = 'SKOTERSKA',
  columns: number | null = null,
): SlotTemplateForm {
  const from = addDays(today, 1);
  const weekdays = {} as Record<IsoWeekday, TemplateDay>;
  for (const d of ISO_WEEKDAYS) {
    const open = d <= 5;
    weekdays[d] = { open, intervals: open ? DEFAULT_INTERVALS.map((i) => ({ ...i })) : [] };
  }
  return {
    resource,
    from,
    to: addDays(from, 27),
    slotMinutes: DEFAULT_SLOT_MINUTES[resource],
    columns: columns ?? '',
    weekdays,
  };
}

/** Minutes since midnight of a HH:MM, or null when it is not one. */
export function minutesOf(hhmm: string): number | null {
  const m = HHMM.exec(hhmm.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** A whole number typed into a number input, or null. */
export function wholeNumber(value: number | string): number | null {
  const n = typeof value === 'number' ? value : value.trim() === '' ? NaN : Number(value);
  return Number.isInteger(n) ? n : null;
}

/** Calendar days from `from` to `to`, both included (0 when `to` is before `from`). */
export function daysInRange(from: string, to: string): number {
  if (!isIsoDate(from) || !isIsoDate(to) || to < from) return 0;
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/**
 * The start times (minutes since midnight) a day's intervals give: from each interval's start,
 * one time every `slotMinutes`, as long as the whole time fits before the interval's end. Shared
 * starts count once (the server keeps the ones that exist).
 */
export function slotStarts(intervals: readonly OpeningInterval[], slotMinutes: number): number[] {
  if (!(slotMinutes > 0)) return [];
  const starts = new Set<number>();
  for (const i of intervals) {
    const s = minutesOf(i.start);
    const e = minutesOf(i.end);
    if (s === null || e === null) continue;
    for (let t = s; t + slotMinutes <= e; t += slotMinutes) starts.add(t);
  }
  return [...starts].sort((a, b) => a - b);
}

export interface WeekdayPreview {
  weekday: IsoWeekday;
  /** Times per column on one such day. */
  perColumn: number;
  /** Times on one such day, every column. */
  perDay: number;
  /** Such days in the period. */
  days: number;
  total: number;
}

export interface TemplatePreview {
  /** Times on one day of each weekday, every column (0 for closed days), whether or not the period has one. */
  perDay: Record<IsoWeekday, number>;
  /** Weekdays of the period that give times, Monday first. */
  weekdays: WeekdayPreview[];
  /** Every date of the period with its count (0 for closed days). */
  dates: Array<{ date: string; weekday: IsoWeekday; slots: number }>;
  total: number;
  columns: number;
}

/**
 * What the template opens, counted as the server counts it. Null while the period, the time
 * length or the columns cannot be read yet; intervals that cannot be read count as nothing.
 */
export function previewTemplate(form: SlotTemplateForm): TemplatePreview | null {
  const minutes = wholeNumber(form.slotMinutes);
  const columns = wholeNumber(form.columns);
  const n = daysInRange(form.from, form.to);
  if (minutes === null || minutes < MIN_SLOT_MINUTES || minutes > MAX_SLOT_MINUTES) return null;
  if (columns === null || columns < 1 || columns > MAX_COLUMNS) return null;
  if (n === 0 || n > MAX_TEMPLATE_DAYS) return null;

  const perColumn = {} as Record<IsoWeekday, number>;
  for (const d of ISO_WEEKDAYS) {
    const day = form.weekdays[d];
    perColumn[d] = day.open ? slotStarts(day.intervals, minutes).length : 0;
  }
  const dates: TemplatePreview['dates'] = [];
  const daysOf = {} as Record<IsoWeekday, number>;
  for (let i = 0; i < n; i++) {
    const date = addDays(form.from, i);
    const weekday = isoWeekday(date) as IsoWeekday;
    daysOf[weekday] = (daysOf[weekday] ?? 0) + 1;
    dates.push({ date, weekday, slots: perColumn[weekday] * columns });
  }
  const perDay = {} as Record<IsoWeekday, number>;
  for (const d of ISO_WEEKDAYS) perDay[d] = perColumn[d] * columns;
  const weekdays = ISO_WEEKDAYS.filter((d) => perColumn[d] > 0 && (daysOf[d] ?? 0) > 0).map((d) => {
    const days = daysOf[d] ?? 0;
    return { weekday: d, perColumn: perColumn[d], perDay: perDay[d], days, total: perDay[d] * days };
  });
  return { perDay, weekdays, dates, total: weekdays.reduce((sum, w) => sum + w.total, 0), columns };
}

export type TemplateValidation = { ok: true; body: OpenSlotsRequest } | { ok: false; errors: TemplateErrors };

/** Checks the form before sending; `today` is Stockholm's. */
export function validateTemplate(form: SlotTemplateForm, today: string): TemplateValidation {
  const errors = emptyTemplateErrors();
  const f = errors.fields;

  if (!isIsoDate(form.from)) f.from = { key: 'dateFormat' };
  else if (form.from < today) f.from = { key: 'fromPast' };
  if (!isIsoDate(form.to)) f.to = { key: 'dateFormat' };
  else if (isIsoDate(form.from) && form.to < form.from) f.to = { key: 'toBeforeFrom' };
  else if (daysInRange(form.from, form.to) > MAX_TEMPLATE_DAYS)
    f.to = { key: 'rangeTooLong', params: { max: MAX_TEMPLATE_DAYS, days: daysInRange(form.from, form.to) } };

  const minutes = wholeNumber(form.slotMinutes);
  if (minutes === null || minutes < MIN_SLOT_MINUTES || minutes > MAX_SLOT_MINUTES)
    f.slotMinutes = { key: 'minutesWhole', params: { min: MIN_SLOT_MINUTES, max: MAX_SLOT_MINUTES } };
  const columns = wholeNumber(form.columns);
  if (form.columns === '' || (typeof form.columns === 'string' && !form.columns.trim()))
    f.columns = { key: 'columnsUnknown', params: { max: MAX_COLUMNS } };
  else if (columns === null || columns < 1 || columns > MAX_COLUMNS)
    f.columns = { key: 'columnsWhole', params: { max: MAX_COLUMNS } };

  const weekdays = {} as Record<WeekdayKey, OpeningInterval[]>;
  let openDays = 0;
  for (const d of ISO_WEEKDAYS) {
    const day = form.weekdays[d];
    const key = String(d) as WeekdayKey;
    weekdays[key] = [];
    if (!day.open) continue;
    openDays++;
    if (day.intervals.length === 0) {
      errors.days[d] = { key: 'noInterval' };
      continue;
    }
    if (day.intervals.length > MAX_INTERVALS) {
      errors.days[d] = { key: 'tooManyIntervals', params: { max: MAX_INTERVALS } };
      continue;
    }
    const read: Array<{ index: number; start: number; end: number }> = [];
    day.intervals.forEach((iv, index) => {
      const at = `${d}.${index}` as IntervalKey;
      const s = minutesOf(iv.start);
      const e = minutesOf(iv.end);
      if (s === null || e === null) {
        errors.intervals[at] = {
          key: 'timeFormat',
          input: s === null && e === null ? 'both' : s === null ? 'start' : 'end',
        };
      } else if (e <= s) {
        errors.intervals[at] = { key: 'endNotAfterStart', input: 'end' };
      } else if (minutes !== null && minutes > 0 && e - s < minutes) {
        errors.intervals[at] = { key: 'shorterThanSlot', input: 'end', params: { minutes } };
      } else {
        read.push({ index, start: s, end: e });
      }
    });
    // Overlapping intervals would put two times of one column over each other.
    const sorted = [...read].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!;
      const cur = sorted[i]!;
      if (cur.start < prev.end) {
        errors.intervals[`${d}.${cur.index}` as IntervalKey] = {
          key: 'overlaps',
          input: 'both',
          params: {
            start: day.intervals[prev.index]!.start.trim(),
            end: day.intervals[prev.index]!.end.trim(),
          },
        };
      }
    }
    weekdays[key] = sorted.map((r) => ({
      start: day.intervals[r.index]!.start.trim(),
      end: day.intervals[r.index]!.end.trim(),
    }));
  }
  if (openDays === 0) f.weekdays = { key: 'noOpenDay' };

  if (!hasTemplateErrors(errors)) {
    const preview = previewTemplate(form);
    // e.g. only Saturdays open in a Monday-to-Friday period
    if (!preview || preview.total === 0) f.general = { key: 'nothingToOpen' };
  }
  if (hasTemplateErrors(errors)) return { ok: false, errors };

  return {
    ok: true,
    body: {
      resource: form.resource,
      from: form.from,
      to: form.to,
      slotMinutes: minutes!,
      columns: columns!,
      weekdays,
    },
  };
}

/**
 * Where a 400's `field` (a path such as "to", "slotMinutes" or "weekdays.1.0.end") belongs in the
 * form: a field, a weekday, or one interval.
 */
export function templateErrorAt(
  field: string | null,
):
  | { kind: 'field'; field: TemplateField }
  | { kind: 'day'; weekday: IsoWeekday }
  | { kind: 'interval'; key: IntervalKey; input: 'start' | 'end' | 'both' }
  | null {
  if (!field) return null;
  if (
    field === 'resource' ||
    field === 'from' ||
    field === 'to' ||
    field === 'slotMinutes' ||
    field === 'columns'
  )
    return { kind: 'field', field };
  const m = /^weekdays(?:\.([1-7])(?:\.(\d+)(?:\.(start|end))?)?)?/.exec(field);
  if (!m) return null;
  if (!m[1]) return { kind: 'field', field: 'weekdays' };
  const weekday = Number(m[1]) as IsoWeekday;
  if (m[2] === undefined) return { kind: 'day', weekday };
  const input = m[3] === 'start' || m[3] === 'end' ? m[3] : 'both';
  return { kind: 'interval', key: `${weekday}.${Number(m[2])}`, input };
}
