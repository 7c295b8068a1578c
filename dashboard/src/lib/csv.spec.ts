import { describe, expect, it } from 'vitest';
import { overviewRow } from '../test/stock-fixtures';
import { csvField, toCsv, UTF8_BOM } from './csv';
import {
  filterRows,
  optionsOf,
  overviewCsv,
  OVERVIEW_CSV_HEADERS,
  sortRows,
  totalsOf,
} from './stock-overview';

describe('CSV for Swedish Excel', () => {
  it('starts with a UTF-8 BOM, separates with ; and ends rows with CRLF', () => {
    const csv = toCsv(['Enhet', 'Saldo'], [['Vårdcentralen Öxnehaga', 12]]);
    expect(csv.startsWith(UTF8_BOM)).toBe(true);
    expect(csv).toBe('\uFEFFEnhet;Saldo\r\nVårdcentralen Öxnehaga;12\r\n');
  });

  it('quotes fields with separators, quotes or line breaks, doubling quotes', () => {
    expect(csvField('a;b')).toBe('"a;b"');
    expect(csvField('VC "Norr"')).toBe('"VC ""Norr"""');
    expect(csvField('rad 1\nrad 2')).toBe('"rad 1\nrad 2"');
    expect(csvField('vanlig text')).toBe('vanlig text');
  });

  it('writes decimals with a comma and leaves empty cells empty', () => {
    expect(csvField(2.5)).toBe('2,5');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(null)).toBe('');
  });

  it('does not let a cell run as a formula', () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
  });
});

describe('region overview export', () => {
  it('names the columns in Swedish and writes one line per row', () => {
    const csv = overviewCsv([
      overviewRow(),
      overviewRow({
        unitId: 'u2',
        unitName: 'VC "Syd"; filial',
        daysOfSupply: null,
        coversNext7Days: false,
        wastageRate: 0.125,
      }),
    ]);
    const lines = csv.slice(1).split('\r\n');
    expect(lines[0]).toBe(OVERVIEW_CSV_HEADERS.join(';'));
    expect(lines[0]).toContain('Räcker kommande 7 dagar');
    expect(lines[1]).toBe(
      'Vårdcentralen Centrum;Region Jönköpings län;Comirnaty JN.1;72;6,4;0;11;40;Ja;12;3;1,6',
    );
    expect(lines[2]).toBe(
      '"VC ""Syd""; filial";Region Jönköpings län;Comirnaty JN.1;72;6,4;0;;40;Nej;12;3;12,5',
    );
    expect(lines[3]).toBe('');
    expect(lines).toHaveLength(4);
  });
});

describe('region overview table', () => {
  const rows = [
    overviewRow({ unitId: 'a', unitName: 'Aneby', daysOfSupply: 3, careProviderId: 'cp1' }),
    overviewRow({
      unitId: 'b',
      unitName: 'Bankeryd',
      daysOfSupply: null,
      productId: 'p-flu',
      productName: 'Flu',
    }),
    overviewRow({ unitId: 'c', unitName: 'Öxnehaga', daysOfSupply: 20, coversNext7Days: false }),
  ];

  it('filters by product and care provider', () => {
    expect(filterRows(rows, { productId: 'p-flu', careProviderId: null }).map((r) => r.unitId)).toEqual([
      'b',
    ]);
    expect(filterRows(rows, { productId: null, careProviderId: 'cp1' }).map((r) => r.unitId)).toEqual(['a']);
  });

  it('sorts days of supply with "no use" as endless, and names in Swedish order', () => {
    expect(sortRows(rows, 'daysOfSupply', 'asc').map((r) => r.unitId)).toEqual(['a', 'c', 'b']);
    expect(sortRows(rows, 'daysOfSupply', 'desc').map((r) => r.unitId)).toEqual(['b', 'c', 'a']);
    expect(sortRows(rows, 'unitName', 'desc').map((r) => r.unitName)).toEqual([
      'Öxnehaga',
      'Bankeryd',
      'Aneby',
    ]);
    expect(sortRows(rows, 'coversNext7Days', 'asc')[0]!.unitId).toBe('c');
  });

  it('offers each product once, and sums the rows shown', () => {
    expect(optionsOf(rows, 'product')).toEqual([
      { id: 'p-comirnaty', name: 'Comirnaty JN.1' },
      { id: 'p-flu', name: 'Flu' },
    ]);
    expect(totalsOf(rows)).toEqual({
      rows: 3,
      doses: 216,
      bookedNext7Days: 120,
      expiringDoses: 36,
      notCovering: 1,
    });
  });
});
