/**
 * CSV the way Swedish Excel opens it with a double-click: `;` between fields (the comma is the
 * decimal sign), CRLF line ends, and a UTF-8 byte order mark so å, ä and ö survive.
 */

export const CSV_SEPARATOR = ';';
export const UTF8_BOM = '\uFEFF';

export type CsvCell = string | number | null | undefined;

/** Quotes a field when it must be: separator, quote, or line break inside. */
export function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'number' ? csvNumber(value) : value;
  // A text starting like a formula would be run by Excel ("CSV injection"): make it plain text.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[";\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Numbers with a decimal comma and no grouping, which Swedish Excel reads as numbers. */
export function csvNumber(n: number, decimals?: number): string {
  if (!Number.isFinite(n)) return '';
  const s = decimals === undefined ? String(n) : n.toFixed(decimals);
  return s.replace('.', ',');
}

/** A whole document: BOM, header row, data rows, CRLF after every row. */
export function toCsv(headers: readonly string[], rows: ReadonlyArray<readonly CsvCell[]>): string {
  const lines = [headers, ...rows].map((row) => row.map(csvField).join(CSV_SEPARATOR));
  return `${UTF8_BOM}${lines.join('\r\n')}\r\n`;
}

/** Lets the browser save `text` as a file; nothing leaves the machine. */
export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Some browsers read the blob after the click returns.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
