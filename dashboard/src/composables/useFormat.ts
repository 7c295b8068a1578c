import { computed } from 'vue';
import { useI18n } from 'vue-i18n';
import { INTL_LOCALE, type AppLocale } from '../i18n';
import { calendarDate, TIME_ZONE } from '../lib/dates';

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
    /** 4 mars 2025 09:20 */
    dateTime: (iso: string) => f.value.dateTime.format(new Date(iso)),
    number: (n: number) => f.value.number.format(n),
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
    dayMonth: new Intl.DateTimeFormat(l, { timeZone, day: 'numeric', month: 'numeric' }),
    dateTime: new Intl.DateTimeFormat(l, {
      timeZone,
      dateStyle: 'medium',
      timeStyle: 'short',
      hourCycle: 'h23',
    }),
    number: new Intl.NumberFormat(l),
    list: new Intl.ListFormat(l, { style: 'long', type: 'conjunction' }),
  };
}
