/**
 * XLSX files for Excel: typed cells (numbers stay numbers, text stays text), one sheet per table.
 * `write-excel-file` is loaded only when a file is actually written, so it never weighs on the
 * first load.
 */
import type { Cell, Row, SheetData } from 'write-excel-file/browser';

export type XlsxValue = string | number | null;

/** One column: Swedish header, width in characters, and the value of a row. */
export interface XlsxColumn<R> {
  header: string;
  width: number;
  value: (row: R) => XlsxValue;
  /** Excel number format, e.g. `0.0` or `0.0%`; numbers only */
  format?: string;
}

/** One sheet as `write-excel-file` takes it. */
export interface XlsxSheet {
  sheet: string;
  data: SheetData;
  columns: Array<{ width: number }>;
  stickyRowsCount: number;
}

/** A typed cell: a number is written as a number, anything else as text (never as a formula). */
export function xlsxCell(value: XlsxValue, format?: string): Cell {
  if (value === null) return null;
  if (typeof value === 'number') {
    return Number.isFinite(value) ? { value, type: Number, ...(format ? { format } : {}) } : null;
  }
  // '@' = Text: Excel keeps "2025-03-04" or "0680" as written instead of guessing a date or number.
  return { value, type: String, format: '@' };
}

/** Header row in bold, frozen; then one row per item. */
export function xlsxSheet<R>(
  sheet: string,
  columns: ReadonlyArray<XlsxColumn<R>>,
  rows: readonly R[],
): XlsxSheet {
  const header: Row = columns.map((c) => ({ value: c.header, type: String, fontWeight: 'bold' as const }));
  const data: SheetData = [header, ...rows.map((r) => columns.map((c) => xlsxCell(c.value(r), c.format)))];
  return { sheet, data, columns: columns.map((c) => ({ width: c.width })), stickyRowsCount: 1 };
}

/** Writes the workbook and lets the browser save it; nothing leaves the machine. */
export async function downloadXlsx(filename: string, sheets: XlsxSheet[]): Promise<void> {
  const { default: writeXlsxFile } = await import('write-excel-file/browser');
  await writeXlsxFile(sheets).toFile(filename);
}
