/**
 * The region overview's table logic (R26): filter, sort, totals and the CSV and XLSX exports.
 * Pure, so the view stays a binding and the specs need no DOM.
 */
import type { OverviewAggregate, OverviewRow } from '@stock-api';
import { toCsv, type CsvCell } from './csv';
import { xlsxSheet, type XlsxColumn, type XlsxSheet } from './xlsx';

export type SortKey =
  | 'unitName'
  | 'careProviderName'
  | 'productName'
  | 'doses'
  | 'daysOfSupply'
  | 'bookedNext7Days'
  | 'coversNext7Days'
  | 'wastageRate'
  | 'expiringDoses';

export const SORT_KEYS: readonly SortKey[] = [
  'unitName',
  'careProviderName',
  'productName',
  'doses',
  'daysOfSupply',
  'bookedNext7Days',
  'coversNext7Days',
  'wastageRate',
  'expiringDoses',
];

export type SortDir = 'asc' | 'desc';

export interface OverviewFilter {
  productId: string | null;
  careProviderId: string | null;
}

const collator = new Intl.Collator('sv', { numeric: true, sensitivity: 'base' });

export function filterRows(rows: readonly OverviewRow[], f: OverviewFilter): OverviewRow[] {
  return rows.filter(
    (r) =>
      (!f.productId || r.productId === f.productId) &&
      (!f.careProviderId || r.careProviderId === f.careProviderId),
  );
}

/**
 * Sorted by one column, then unit and product so equal values keep a stable order. Days of supply
 * "none used" (null) counts as endless: last ascending, first descending.
 */
export function sortRows(rows: readonly OverviewRow[], key: SortKey, dir: SortDir): OverviewRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort(
    (a, b) =>
      sign * compareBy(a, b, key) ||
      collator.compare(a.unitName, b.unitName) ||
      collator.compare(a.productName, b.productName),
  );
}

function compareBy(a: OverviewRow, b: OverviewRow, key: SortKey): number {
  switch (key) {
    case 'unitName':
    case 'careProviderName':
    case 'productName':
      return collator.compare(a[key], b[key]);
    case 'daysOfSupply':
      return (a.daysOfSupply ?? Infinity) - (b.daysOfSupply ?? Infinity) || 0;
    case 'coversNext7Days':
      return Number(a.coversNext7Days) - Number(b.coversNext7Days);
    default:
      return a[key] - b[key];
  }
}

/** Distinct options for a filter select, by name. */
export function optionsOf(
  rows: readonly OverviewRow[],
  by: 'product' | 'careProvider',
): Array<{ id: string; name: string }> {
  const seen = new Map<string, string>();
  for (const r of rows) {
    if (by === 'product') seen.set(r.productId, r.productName);
    else seen.set(r.careProviderId, r.careProviderName);
  }
  return [...seen].map(([id, name]) => ({ id, name })).sort((a, b) => collator.compare(a.name, b.name));
}

export interface OverviewTotals {
  rows: number;
  doses: number;
  bookedNext7Days: number;
  expiringDoses: number;
  notCovering: number;
}

export function totalsOf(rows: readonly OverviewRow[]): OverviewTotals {
  return rows.reduce<OverviewTotals>(
    (t, r) => ({
      rows: t.rows + 1,
      doses: t.doses + r.doses,
      bookedNext7Days: t.bookedNext7Days + r.bookedNext7Days,
      expiringDoses: t.expiringDoses + r.expiringDoses,
      notCovering: t.notCovering + (r.coversNext7Days ? 0 : 1),
    }),
    { rows: 0, doses: 0, bookedNext7Days: 0, expiringDoses: 0, notCovering: 0 },
  );
}

/** Swedish column names, whatever the UI language: the file goes to Swedish colleagues. */
export const OVERVIEW_CSV_HEADERS = [
  'Enhet',
  'Vårdgivare',
  'Produkt',
  'Saldo (doser)',
  'Snittförbrukning per dag (doser)',
  'Dagar utan lager (28 dagar)',
  'Räcker antal dagar',
  'Bokade kommande 7 dagar',
  'Räcker kommande 7 dagar',
  'Utgår inom 14 dagar (doser)',
  'Kasserat 28 dagar (doser)',
  'Kassationsgrad (%)',
] as const;

export function overviewCsv(rows: readonly OverviewRow[]): string {
  const data: CsvCell[][] = rows.map((r) => [
    r.unitName,
    r.careProviderName,
    r.productName,
    r.doses,
    oneDecimal(r.averageDailyUse),
    r.daysOutOfStock,
    r.daysOfSupply === null ? null : Math.floor(r.daysOfSupply),
    r.bookedNext7Days,
    r.coversNext7Days ? 'Ja' : 'Nej',
    r.expiringDoses,
    r.wastedLast28Days,
    oneDecimal(r.wastageRate * 100),
  ]);
  return toCsv(OVERVIEW_CSV_HEADERS, data);
}

function oneDecimal(n: number): number {
  return Math.round(n * 10) / 10;
}

/**
 * The care-provider and region sums, filtered like the unit rows: by product, and the care
 * providers also by care provider. In a fixed order: name, then product.
 */
export function filterAggregates(
  aggregates: readonly OverviewAggregate[],
  f: OverviewFilter,
): OverviewAggregate[] {
  return aggregates
    .filter(
      (a) =>
        (!f.productId || a.productId === f.productId) &&
        (a.level !== 'careProvider' || !f.careProviderId || a.key === f.careProviderId),
    )
    .sort((a, b) => collator.compare(a.name, b.name) || collator.compare(a.productName, b.productName));
}

/** Doses missing to cover the next 7 days' bookings (0 when it covers them). */
export function missingDoses(r: Pick<OverviewRow, 'bookedNext7Days' | 'doses'>): number {
  return Math.max(0, r.bookedNext7Days - r.doses);
}

// ---- XLSX: the same figures as the CSV, but numbers as numbers and a sheet per level ----

export const OVERVIEW_XLSX_FILE_PREFIX = 'saldooversikt';
export const OVERVIEW_SHEETS = { units: 'Enheter', careProviders: 'Vårdgivare', region: 'Region' } as const;

type Figures = Pick<
  OverviewRow,
  | 'doses'
  | 'averageDailyUse'
  | 'daysOfSupply'
  | 'bookedNext7Days'
  | 'coversNext7Days'
  | 'expiringDoses'
  | 'wastedLast28Days'
  | 'wastageRate'
>;

/** The columns every level shares, after its name columns. Swedish, whatever the UI language. */
function figureColumns<R extends Figures>(): Array<XlsxColumn<R>> {
  return [
    { header: 'Saldo (doser)', width: 14, value: (r) => r.doses },
    {
      header: 'Snittförbrukning per dag (doser)',
      width: 18,
      value: (r) => oneDecimal(r.averageDailyUse),
      format: '0.0',
    },
    {
      header: 'Räcker antal dagar',
      width: 14,
      value: (r) => (r.daysOfSupply === null ? null : Math.floor(r.daysOfSupply)),
    },
    { header: 'Bokade kommande 7 dagar', width: 16, value: (r) => r.bookedNext7Days },
    { header: 'Räcker kommande 7 dagar', width: 16, value: (r) => (r.coversNext7Days ? 'Ja' : 'Nej') },
    { header: 'Utgår inom 14 dagar (doser)', width: 16, value: (r) => r.expiringDoses },
    { header: 'Kasserat 28 dagar (doser)', width: 16, value: (r) => r.wastedLast28Days },
    // A fraction shown as a percentage: Excel can average and chart it.
    { header: 'Kassationsgrad', width: 14, value: (r) => r.wastageRate, format: '0.0%' },
  ];
}

export const UNIT_XLSX_COLUMNS: ReadonlyArray<XlsxColumn<OverviewRow>> = [
  { header: 'Enhet', width: 34, value: (r) => r.unitName },
  { header: 'Vårdgivare', width: 28, value: (r) => r.careProviderName },
  { header: 'Produkt', width: 24, value: (r) => r.productName },
  ...figureColumns<OverviewRow>().slice(0, 2),
  { header: 'Dagar utan lager (28 dagar)', width: 14, value: (r) => r.daysOutOfStock },
  ...figureColumns<OverviewRow>().slice(2),
];

function aggregateColumns(nameHeader: string): ReadonlyArray<XlsxColumn<OverviewAggregate>> {
  return [
    { header: nameHeader, width: 30, value: (a) => a.name },
    { header: 'Produkt', width: 24, value: (a) => a.productName },
    { header: 'Antal enheter', width: 12, value: (a) => a.units },
    ...figureColumns<OverviewAggregate>(),
  ];
}

export const CARE_PROVIDER_XLSX_COLUMNS = aggregateColumns('Vårdgivare');
export const REGION_XLSX_COLUMNS = aggregateColumns('Region');

/** Three sheets: the unit rows as shown, then the care providers' and the region's sums. */
export function overviewWorkbook(
  rows: readonly OverviewRow[],
  careProviders: readonly OverviewAggregate[],
  region: readonly OverviewAggregate[],
): XlsxSheet[] {
  return [
    xlsxSheet(OVERVIEW_SHEETS.units, UNIT_XLSX_COLUMNS, rows),
    xlsxSheet(OVERVIEW_SHEETS.careProviders, CARE_PROVIDER_XLSX_COLUMNS, careProviders),
    xlsxSheet(OVERVIEW_SHEETS.region, REGION_XLSX_COLUMNS, region),
  ];
}
