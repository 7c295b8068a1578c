/**
 * Coverage view logic as functions of data (R29): applying a live event to the rows on screen,
 * and the CSV/XLSX exports.
 */
import type { CoverageChanged } from '@events';
import type { CoverageRow } from '@coverage-api';
import { toCsv, type CsvCell } from './csv';
import { xlsxSheet, type XlsxColumn, type XlsxSheet } from './xlsx';

export const COVERAGE_FILE_PREFIX = 'tackningsgrad';

export interface CoverageFilter {
  dose: number;
  productKey: string;
}

function ratio(vaccinated: number, population: number): number | null {
  return population > 0 ? Math.round((vaccinated / population) * 10_000) / 10_000 : null;
}

/**
 * The event's rows for one grouping, applied to the rows shown (same dose and product key).
 * Figures are absolute, so applying twice is harmless. `unknown` is true when the event names a
 * key the rows do not have (a new unit, say): then only a fresh read can show it.
 */
export function applyCoverageRows(
  rows: readonly CoverageRow[],
  event: Pick<CoverageChanged, 'rows'>,
  groupBy: string,
  filter: CoverageFilter,
): { rows: CoverageRow[]; changed: string[]; unknown: boolean } {
  const updates = event.rows.filter(
    (r) => r.groupBy === groupBy && r.dose === filter.dose && r.productKey === filter.productKey,
  );
  if (updates.length === 0) return { rows: rows as CoverageRow[], changed: [], unknown: false };
  const byKey = new Map(updates.map((u) => [u.key, u]));
  const changed: string[] = [];
  const next = rows.map((r) => {
    const u = byKey.get(r.key);
    if (!u) return r;
    byKey.delete(r.key);
    if (u.vaccinated === r.vaccinated && u.population === r.population) return r;
    changed.push(r.key);
    return {
      ...r,
      vaccinated: u.vaccinated,
      population: u.population,
      coverage: ratio(u.vaccinated, u.population),
    };
  });
  return { rows: next, changed, unknown: byKey.size > 0 };
}

/** Whether the event moved a cell of the doses-per-day series the view shows. */
export function touchesDaily(
  event: Pick<CoverageChanged, 'daily'>,
  productKey: string,
  areaOf: (productId: string) => string | undefined,
): boolean {
  return event.daily.some(
    (d) =>
      productKey === '*' || d.productId === productKey || `area:${areaOf(d.productId) ?? ''}` === productKey,
  );
}

export const COVERAGE_CSV_HEADERS = [
  'Indelning',
  'Nyckel',
  'Namn',
  'Dos',
  'Produkt',
  'Folkbokförda',
  'Vaccinerade',
  'Täckningsgrad (%)',
];

export interface ExportTable {
  /** Swedish name of the grouping, e.g. "Kommun" */
  grouping: string;
  rows: readonly CoverageRow[];
}

const percent = (c: number | null) => (c === null ? null : Math.round(c * 1000) / 10);

export function coverageCsv(tables: readonly ExportTable[], dose: number, productLabel: string): string {
  const data: CsvCell[][] = tables.flatMap((t) =>
    t.rows.map((r) => [
      t.grouping,
      r.key,
      r.label,
      dose,
      productLabel,
      r.population,
      r.vaccinated,
      percent(r.coverage),
    ]),
  );
  return toCsv(COVERAGE_CSV_HEADERS, data);
}

const XLSX_COLUMNS: ReadonlyArray<XlsxColumn<CoverageRow>> = [
  { header: 'Namn', width: 36, value: (r) => r.label },
  { header: 'Nyckel', width: 14, value: (r) => r.key },
  { header: 'Folkbokförda', width: 14, value: (r) => r.population, format: '# ##0' },
  { header: 'Vaccinerade', width: 14, value: (r) => r.vaccinated, format: '# ##0' },
  { header: 'Täckningsgrad', width: 14, value: (r) => r.coverage, format: '0.0%' },
];

/** One sheet per grouping, named after it (Excel allows 31 characters). */
export function coverageWorkbook(tables: readonly ExportTable[]): XlsxSheet[] {
  return tables.map((t) => xlsxSheet(t.grouping.slice(0, 31), XLSX_COLUMNS, t.rows));
}
