import { describe, expect, it } from 'vitest';
import { applyCoverageRows, coverageCsv, coverageWorkbook, touchesDaily } from './coverage';

const rows = [
  { key: '0680', label: 'Jönköping', population: 100, vaccinated: 10, coverage: 0.1 },
  { key: '0682', label: 'Nässjö', population: 50, vaccinated: 5, coverage: 0.1 },
];
const ev = (
  r: Partial<{
    groupBy: string;
    key: string;
    productKey: string;
    dose: number;
    vaccinated: number;
    population: number;
  }>,
) => ({
  rows: [
    { groupBy: 'municipality', key: '0680', productKey: '*', dose: 1, vaccinated: 11, population: 100, ...r },
  ],
});

describe('applying a live coverage event', () => {
  it('replaces the figures of the row it names, for the dose and product shown', () => {
    const out = applyCoverageRows(rows, ev({}), 'municipality', { dose: 1, productKey: '*' });
    expect(out.rows[0]).toEqual({
      key: '0680',
      label: 'Jönköping',
      population: 100,
      vaccinated: 11,
      coverage: 0.11,
    });
    expect(out.rows[1]).toBe(rows[1]);
    expect(out.changed).toEqual(['0680']);
    expect(out.unknown).toBe(false);
  });

  it('ignores other doses, products and groupings, and applying twice changes nothing more', () => {
    for (const other of [ev({ dose: 2 }), ev({ productKey: 'p1' }), ev({ groupBy: 'ageGroup' })]) {
      expect(applyCoverageRows(rows, other, 'municipality', { dose: 1, productKey: '*' }).rows).toBe(rows);
    }
    const once = applyCoverageRows(rows, ev({}), 'municipality', { dose: 1, productKey: '*' }).rows;
    const twice = applyCoverageRows(once, ev({}), 'municipality', { dose: 1, productKey: '*' });
    expect(twice.rows).toEqual(once);
    expect(twice.changed).toEqual([]);
  });

  it('says so when a key is not on screen (only a fresh read can add it)', () => {
    expect(
      applyCoverageRows(rows, ev({ key: '9999' }), 'municipality', { dose: 1, productKey: '*' }).unknown,
    ).toBe(true);
  });

  it('knows when the doses-per-day line moves for the product chosen', () => {
    const e = { daily: [{ date: '2026-11-22', productId: 'p1', dose: 1, doses: 3 }] };
    const area = () => 'COVID-19';
    expect(touchesDaily(e, '*', area)).toBe(true);
    expect(touchesDaily(e, 'p1', area)).toBe(true);
    expect(touchesDaily(e, 'area:COVID-19', area)).toBe(true);
    expect(touchesDaily(e, 'p2', area)).toBe(false);
    expect(touchesDaily(e, 'area:INFLUENSA', area)).toBe(false);
  });
});

describe('coverage exports', () => {
  it('CSV for Swedish Excel: one line per row and grouping, percent with a decimal comma', () => {
    const csv = coverageCsv([{ grouping: 'Kommun', rows }], 1, 'Alla produkter');
    const lines = csv.replace('\uFEFF', '').trim().split('\r\n');
    expect(lines[0]).toBe('Indelning;Nyckel;Namn;Dos;Produkt;Folkbokförda;Vaccinerade;Täckningsgrad (%)');
    expect(lines[1]).toBe('Kommun;0680;Jönköping;1;Alla produkter;100;10;10');
    expect(lines).toHaveLength(3);
  });

  it('XLSX: a sheet per grouping with numbers as numbers', () => {
    const [sheet] = coverageWorkbook([{ grouping: 'Åldersgrupp', rows }]);
    expect(sheet!.sheet).toBe('Åldersgrupp');
    expect(sheet!.data[1]).toContainEqual(
      expect.objectContaining({ value: 0.1, type: Number, format: '0.0%' }),
    );
  });
});
