/**
 * The coverage API's shapes and the age-group arithmetic, shared by the backend and the
 * dashboard (no runtime imports: the dashboard bundles this file). R29.
 */

export type CoverageGroupBy = 'municipality' | 'ageGroup' | 'careProvider' | 'unit' | 'sex' | 'region';
export const COVERAGE_GROUP_BYS: readonly CoverageGroupBy[] = [
  'municipality',
  'ageGroup',
  'careProvider',
  'unit',
  'sex',
  'region',
];

/** Age groups as the national statistics count them: age attained during the current year. */
export const AGE_GROUPS = ['0-17', '18-29', '30-39', '40-49', '50-59', '60-69', '70-79', '80+'] as const;
export type AgeGroup = (typeof AGE_GROUPS)[number];

/** The age group of someone born in `birthYear`, in `year` (same rule as SQL coverage_age_group). */
export function ageGroupOf(birthYear: number, year: number): AgeGroup {
  const age = year - birthYear;
  if (age < 18) return '0-17';
  if (age < 30) return '18-29';
  if (age >= 80) return '80+';
  const lo = Math.floor(age / 10) * 10;
  return `${lo}-${lo + 9}` as AgeGroup;
}

/** Share vaccinated, 0..1 with four decimals; null when nobody is in the register for the row. */
export function coverageRatio(vaccinated: number, population: number): number | null {
  if (population <= 0) return null;
  return Math.round((vaccinated / population) * 10_000) / 10_000;
}

/**
 * A product key: `*` (any product), `area:<disease area>` (e.g. `area:COVID-19`), or a product id.
 */
export type ProductKey = string;
export const ANY_PRODUCT: ProductKey = '*';

export interface CoverageRow {
  key: string;
  label: string;
  population: number;
  vaccinated: number;
  /** vaccinated ÷ population, 0..1; null when the population is 0 */
  coverage: number | null;
}

/** `GET /api/coverage` */
export interface CoverageResult {
  version: number;
  regionId: string;
  groupBy: CoverageGroupBy;
  dose: number;
  productKey: ProductKey;
  sex: 'FEMALE' | 'MALE' | null;
  rows: CoverageRow[];
}

/** `GET /api/coverage/matrix`: municipality × age group for one dose and product key. */
export interface CoverageMatrix {
  version: number;
  regionId: string;
  dose: number;
  productKey: ProductKey;
  ageGroups: readonly string[];
  rows: Array<{
    key: string;
    label: string;
    cells: Array<{ ageGroup: string; population: number; vaccinated: number; coverage: number | null }>;
  }>;
}

/** `GET /api/coverage/daily`: doses given per day at the region's units, and the running sum. */
export interface CoverageDaily {
  version: number;
  regionId: string;
  productKey: ProductKey;
  dose: number | null;
  /** doses given before `from` (the cumulative line starts there) */
  before: number;
  days: Array<{ date: string; doses: number; cumulative: number }>;
}

/** `GET /api/coverage/dropout`: people whose dose 1's interval has passed, and those without dose 2. */
export interface CoverageDropout {
  version: number;
  regionId: string;
  rows: Array<{
    productKey: ProductKey;
    label: string;
    /** people with dose 1 whose dose 2 was due by today */
    due: number;
    /** of those, people without dose 2 */
    open: number;
    /** open ÷ due, 0..1; null when nobody is due */
    dropout: number | null;
  }>;
}

/** `GET /api/coverage/filters`: the product keys that can be chosen, and the doses that exist. */
export interface CoverageFilters {
  products: Array<{ productKey: ProductKey; label: string; kind: 'any' | 'area' | 'product'; area?: string }>;
  maxDose: number;
}
