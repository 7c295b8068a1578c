import type { OverviewAggregate } from '@stock-api';
import { describe, expect, it, vi } from 'vitest';
import { overviewRow } from '../test/stock-fixtures';
import { OVERVIEW_CSV_HEADERS, overviewWorkbook } from './stock-overview';
import { downloadXlsx, xlsxCell } from './xlsx';

const toFile = vi.hoisted(() => vi.fn(async () => undefined));
const writeXlsxFile = vi.hoisted(() => vi.fn(() => ({ toFile, toBlob: vi.fn() })));
vi.mock('write-excel-file/browser', () => ({ default: writeXlsxFile }));

function aggregate(over: Partial<OverviewAggregate> = {}): OverviewAggregate {
  return {
    level: 'careProvider',
    key: 'cp-region',
    name: 'Region Jönköpings län',
    productId: 'p-comirnaty',
    productName: 'Comirnaty JN.1',
    units: 3,
    doses: 210,
    averageDailyUse: 12.345,
    daysOfSupply: 17.01,
    bookedNext7Days: 80,
    coversNext7Days: true,
    expiringDoses: 12,
    wastedLast28Days: 9,
    wastageRate: 0.0234,
    ...over,
  };
}

const headers = (data: unknown[][]) => (data[0] as Array<{ value: string }>).map((c) => c.value);

describe('region overview as XLSX', () => {
  const rows = [
    overviewRow(),
    overviewRow({
      unitId: 'u2',
      unitName: '=Vårdcentralen Nässjö',
      daysOfSupply: null,
      coversNext7Days: false,
    }),
  ];
  const careProviders = [aggregate(), aggregate({ key: 'cp-capio', name: 'Capio', units: 1 })];
  const region = [aggregate({ level: 'region', key: 'r', name: 'Regionen', units: 4 })];
  const [units, cps, total] = overviewWorkbook(rows, careProviders, region);

  it('has three sheets: units, care providers, region, each with a bold frozen header row', () => {
    expect([units, cps, total].map((s) => s!.sheet)).toEqual(['Enheter', 'Vårdgivare', 'Region']);
    for (const s of [units!, cps!, total!]) {
      expect(s.stickyRowsCount).toBe(1);
      expect(s.columns).toHaveLength(s.data[0]!.length);
      expect(s.data[0]![0]).toMatchObject({ type: String, fontWeight: 'bold' });
    }
    expect(units!.data).toHaveLength(3);
    expect(cps!.data).toHaveLength(3);
    expect(total!.data).toHaveLength(2);
  });

  it('names the columns in Swedish, the unit sheet like the CSV', () => {
    expect(headers(units!.data)).toEqual([
      ...OVERVIEW_CSV_HEADERS.slice(0, -1),
      // a fraction with a percent format instead of a rounded percentage
      'Kassationsgrad',
    ]);
    expect(headers(cps!.data)).toEqual([
      'Vårdgivare',
      'Produkt',
      'Antal enheter',
      'Saldo (doser)',
      'Snittförbrukning per dag (doser)',
      'Räcker antal dagar',
      'Bokade kommande 7 dagar',
      'Räcker kommande 7 dagar',
      'Utgår inom 14 dagar (doser)',
      'Kasserat 28 dagar (doser)',
      'Kassationsgrad',
    ]);
    expect(headers(total!.data)[0]).toBe('Region');
  });

  it('writes numbers as numbers and text as text', () => {
    const row = units!.data[1]!;
    expect(row[0]).toEqual({ value: 'Vårdcentralen Centrum', type: String, format: '@' });
    expect(row[3]).toEqual({ value: 72, type: Number }); // doses
    expect(row[4]).toEqual({ value: 6.4, type: Number, format: '0.0' }); // average daily use
    expect(row[6]).toEqual({ value: 11, type: Number }); // whole days of supply
    expect(row[8]).toEqual({ value: 'Ja', type: String, format: '@' });
    expect(row[11]).toEqual({ value: 0.0163, type: Number, format: '0.0%' });

    const cp = cps!.data[1]!;
    expect(cp.slice(0, 4)).toEqual([
      { value: 'Region Jönköpings län', type: String, format: '@' },
      { value: 'Comirnaty JN.1', type: String, format: '@' },
      { value: 3, type: Number },
      { value: 210, type: Number },
    ]);
    expect(cp[4]).toEqual({ value: 12.3, type: Number, format: '0.0' });
  });

  it('leaves "no use, endless supply" empty, and never writes a formula', () => {
    const row = units!.data[2]!;
    expect(row[6]).toBeNull();
    expect(row[8]).toMatchObject({ value: 'Nej' });
    // a name that looks like a formula stays a text cell
    expect(row[0]).toEqual({ value: '=Vårdcentralen Nässjö', type: String, format: '@' });
    expect(xlsxCell(Number.NaN)).toBeNull();
    expect(xlsxCell(null)).toBeNull();
  });

  it('loads the writer only when a file is saved, and saves under the given name', async () => {
    expect(writeXlsxFile).not.toHaveBeenCalled();
    const sheets = overviewWorkbook(rows, careProviders, region);
    await downloadXlsx('saldooversikt-2025-03-04.xlsx', sheets);
    expect(writeXlsxFile).toHaveBeenCalledWith(sheets);
    expect(toFile).toHaveBeenCalledWith('saldooversikt-2025-03-04.xlsx');
  });
});
