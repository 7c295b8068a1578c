import { ageOn, nextDoses } from './next-dose';

const comirnaty = { productId: 'c', productName: 'Comirnaty', dosesInSeries: 2, doseIntervalDays: 21 };

describe('next dose', () => {
  it('dose 2 is due the product interval after dose 1', () => {
    expect(nextDoses([{ ...comirnaty, doseNumber: 1, givenOn: '2026-11-01' }], '2026-11-10')).toEqual([
      { productId: 'c', productName: 'Comirnaty', doseNumber: 2, dueOn: '2026-11-22', overdue: false },
    ]);
  });

  it('a complete series needs no further dose', () => {
    const doses = [
      { ...comirnaty, doseNumber: 1, givenOn: '2026-10-01' },
      { ...comirnaty, doseNumber: 2, givenOn: '2026-10-22' },
    ];
    expect(nextDoses(doses, '2026-11-10')).toEqual([]);
  });

  it('marks a dose past its due date as overdue', () => {
    expect(
      nextDoses([{ ...comirnaty, doseNumber: 1, givenOn: '2026-09-01' }], '2026-11-10')[0],
    ).toMatchObject({
      overdue: true,
    });
  });

  it('counts whole years of age', () => {
    expect(ageOn('2010-11-22', '2026-11-21')).toBe(15);
    expect(ageOn('2010-11-22', '2026-11-22')).toBe(16);
  });
});
