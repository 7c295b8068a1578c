import { computed } from 'vue';
import { useI18n } from 'vue-i18n';
import { INTL_LOCALE, type AppLocale } from '../i18n';
import { calendarDate, TIME_ZONE } from '../lib/dates';
import { dateOfWeekday, weekdayRuns, type IsoWeekday } from '../lib/weekdays';

/**
 * Date, time and number formatting in Europe/Stockholm for the current UI language (sv-SE by
 * default). Formatters are built once per language, not per cell.
 */
export function useFormat() {
  const { locale } = useI18n();
  const f = computed(() => formatters(INTL_LOCALE[locale.value as AppLocale] ?? 'sv-SE'));
  return {
    /** 09:20 */
    time: (iso: string) => f.value.time.format(new Date(iso)),
    /** tisdag 4 mars 2025 */
    longDate: (date: string) => f.value.longDate.format(calendarDate(date)),
    /** ["tis", "4/3"] for chart axes */
    shortDay: (date: string) => {
      const d = calendarDate(date);
      return [f.value.weekday.format(d), f.value.dayMonth.format(d)];
    },
    /** 2025-03-04 (sv), 04/03/2025 (en): expiry dates in tables */
    shortDate: (date: string) => f.value.shortDate.format(calendarDate(date)),
    /** 4 mars 2025 09:20 */
    dateTime: (iso: string) => f.value.dateTime.format(new Date(iso)),
    /** måndag / mån for an ISO weekday (1 = Monday) */
    weekday: (day: IsoWeekday, style: 'long' | 'short' = 'long') =>
      f.value[style === 'long' ? 'weekdayLong' : 'weekday'].format(calendarDate(dateOfWeekday(day))),
    /** "mån, ons–fre": ISO weekdays, runs of three or more as a range */
    weekdays: (days: readonly number[]) =>
      weekdayRuns(days)
        .flatMap(([a, b]) => {
          const name = (d: IsoWeekday) => f.value.weekday.format(calendarDate(dateOfWeekday(d)));
          if (a === b) return [name(a)];
          if (b === a + 1) return [name(a), name(b)];
          return [`${name(a)}–${name(b)}`];
        })
        .join(', '),
    number: (n: number) => f.value.number.format(n),
    /** 12,5 % */
    percent: (fraction: number) => f.value.percent.format(fraction),
    /** "Anna, Bo och Cecilia" */
    list: (items: string[]) => f.value.list.format(items),
  };
}

const cache = new Map<string, ReturnType<typeof build>>();

function formatters(intlLocale: string) {
  let f = cache.get(intlLocale);
  if (!f) cache.set(intlLocale, (f = build(intlLocale)));
  return f;
}

function build(l: string) {
  const timeZone = TIME_ZONE;
  return {
    time: new Intl.DateTimeFormat(l, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
    longDate: new Intl.DateTimeFormat(l, {
      timeZone,
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
    }),
    weekday: new Intl.DateTimeFormat(l, { timeZone, weekday: 'short' }),
    weekdayLong: new Intl.DateTimeFormat(l, { timeZone, weekday: 'long' }),
    shortDate: new Intl.DateTimeFormat(l, { timeZone, dateStyle: 'short' }),
    dayMonth: new Intl.DateTimeFormat(l, { timeZone, day: 'numeric', month: 'numeric' }),
    dateTime: new Intl.DateTimeFormat(l, {
      timeZone,
      dateStyle: 'medium',
      timeStyle: 'short',
      hourCycle: 'h23',
    }),
    number: new Intl.NumberFormat(l),
    percent: new Intl.NumberFormat(l, { style: 'percent', maximumFractionDigits: 1 }),
    list: new Intl.ListFormat(l, { style: 'long', type: 'conjunction' }),
  };
}
