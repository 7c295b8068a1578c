import { TZDate } from '@date-fns/tz';

/**
 * R18: reminders and campaigns wait out 20:00–08:00 Swedish time. Returns when a message may
 * go: now, or the next 08:00.
 */
export function notBefore(now: Date): Date {
  const local = new TZDate(now.getTime(), 'Europe/Stockholm');
  const hour = local.getHours();
  if (hour >= 8 && hour < 20) return now;
  const next = new TZDate(
    local.getFullYear(),
    local.getMonth(),
    local.getDate() + (hour >= 20 ? 1 : 0),
    8,
    0,
    'Europe/Stockholm',
  );
  return new Date(next.getTime());
}
