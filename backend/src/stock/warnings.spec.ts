import { batchWarnings, daysOfSupply, productWarnings, wastageRate } from './warnings';

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
