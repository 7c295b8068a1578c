import { aggregateOverview, batchWarnings, daysOfSupply, productWarnings, wastageRate } from './warnings';

describe('stock warnings', () => {
  it('warns about batches expiring within 14 days only while doses are left', () => {
    expect(batchWarnings({ doses: 10, expiresOn: '2026-12-01' }, '2026-11-21')).toEqual(['EXPIRING']);
    expect(batchWarnings({ doses: 10, expiresOn: '2026-12-06' }, '2026-11-21')).toEqual([]);
    expect(batchWarnings({ doses: 0, expiresOn: '2026-11-22' }, '2026-11-21')).toEqual([]);
    expect(batchWarnings({ doses: 3, expiresOn: '2026-11-20' }, '2026-11-21')).toEqual(['EXPIRED']);
  });

  it('calls a shortage when usable doses do not cover the next 7 days of bookings', () => {
    expect(productWarnings({ usableDoses: 5, bookedNext7Days: 6 })).toEqual(['SHORTAGE']);
    expect(productWarnings({ usableDoses: 6, bookedNext7Days: 6 })).toEqual([]);
    expect(productWarnings({ usableDoses: 0, bookedNext7Days: 2 })).toEqual(['OUT_OF_STOCK', 'SHORTAGE']);
  });
});

describe('days of supply (R26)', () => {
  it('divides the balance by the average use of the days that had stock', () => {
    // 28-day window, 7 days out of stock, 210 doses used → 10 a day; 50 left → 5 days
    expect(daysOfSupply(50, 210, 28, 7)).toEqual({ averageDailyUse: 10, daysOfSupply: 5 });
  });
  it('has no figure when nothing is used', () => {
    expect(daysOfSupply(50, 0, 28, 0).daysOfSupply).toBeNull();
  });
  it('wastage rate is the share of doses lost', () => {
    expect(wastageRate(90, 10)).toBe(0.1);
    expect(wastageRate(0, 0)).toBe(0);
  });
});

describe('overview aggregation (R26)', () => {
  const row = (unit: string, cp: string, doses: number, rate: number, booked: number) => ({
    unitId: unit,
    careProviderId: cp,
    productId: 'p',
    productName: 'Comirnaty',
    doses,
    averageDailyUse: rate,
    bookedNext7Days: booked,
    coversNext7Days: doses >= booked,
    expiringDoses: 0,
    wastedLast28Days: 1,
    administered28: 9,
    usableDoses: doses,
  });
  it('adds use rates, so days of supply is the total balance over the total rate', () => {
    const rows = [row('u1', 'cp1', 100, 10, 50), row('u2', 'cp1', 20, 10, 80), row('u3', 'cp2', 0, 5, 0)];
    const byCp = aggregateOverview(
      rows,
      (r) => ({ key: r.careProviderId, name: r.careProviderId }),
      'careProvider',
    );
    expect(byCp.find((g) => g.key === 'cp1')).toMatchObject({
      units: 2,
      doses: 120,
      averageDailyUse: 20,
      daysOfSupply: 6,
      coversNext7Days: false,
    });
    const region = aggregateOverview(rows, () => ({ key: 'r', name: 'Regionen' }), 'region');
    expect(region).toHaveLength(1);
    expect(region[0]).toMatchObject({
      units: 3,
      doses: 120,
      averageDailyUse: 25,
      daysOfSupply: 4.8,
      wastageRate: 0.1,
    });
  });
});
