/**
 * Population of Jönköpings län by age band on 31 December 2010 (sum 336,866), used only to shape
 * the synthetic population's ages.
 * Source: Statistics Sweden (SCB), copied from ../shared/data/jonkopings-lan-age-bands-2010.csv.
 */
export interface AgeBand {
  from: number;
  /** inclusive; null for the open top band (80+) */
  to: number | null;
  persons: number;
}

export const AGE_BANDS: readonly AgeBand[] = [
  { from: 0, to: 5, persons: 23358 },
  { from: 6, to: 18, persons: 52511 },
  { from: 19, to: 24, persons: 28285 },
  { from: 25, to: 44, persons: 81779 },
  { from: 45, to: 64, persons: 85559 },
  { from: 65, to: 79, persons: 45291 },
  { from: 80, to: null, persons: 20083 },
];
