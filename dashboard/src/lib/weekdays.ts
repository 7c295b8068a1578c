/** ISO weekdays as the API counts them: 1 = Monday … 7 = Sunday. */
export const ISO_WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;
export type IsoWeekday = (typeof ISO_WEEKDAYS)[number];

export function isIsoWeekday(n: unknown): n is IsoWeekday {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 7;
}

/** A date that falls on the weekday (the week of Monday 2024-01-01), for naming it through Intl. */
export function dateOfWeekday(day: IsoWeekday): string {
  return `2024-01-0${day}`;
}

/**
 * Consecutive weekdays as runs, e.g. [3, 4, 5, 1] → [[1, 1], [3, 5]]: "mån, ons–fre" reads better
 * than a list of every day. Unknown values and duplicates are dropped.
 */
export function weekdayRuns(days: readonly number[]): Array<[IsoWeekday, IsoWeekday]> {
  const sorted = [...new Set(days.filter(isIsoWeekday))].sort((a, b) => a - b);
  const runs: Array<[IsoWeekday, IsoWeekday]> = [];
  for (const d of sorted) {
    const last = runs[runs.length - 1];
    if (last && d === last[1] + 1) last[1] = d;
    else runs.push([d, d]);
  }
  return runs;
}
