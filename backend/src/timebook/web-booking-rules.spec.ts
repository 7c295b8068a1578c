import { doseEligibility, webBookingRefusal } from './web-booking-rules';

describe('web booking rules', () => {
  it('refuses protected identity (R3) and reserve numbers (R4), and names whom to call', () => {
    expect(webBookingRefusal({ protected_identity: true, identity_type: 'PERSONNUMMER' })).toMatchObject({
      rule: 'R3',
      reason: 'PROTECTED_IDENTITY',
    });
    const r4 = webBookingRefusal({ protected_identity: false, identity_type: 'RESERVNUMMER' });
    expect(r4).toMatchObject({ rule: 'R4', reason: 'RESERVE_NUMBER' });
    expect(r4?.message).toMatch(/call the vaccination unit/);
    expect(
      webBookingRefusal({ protected_identity: false, identity_type: 'SAMORDNINGSNUMMER' }),
    ).toBeUndefined();
  });

  it('a dose-2 visit needs dose 1 on record; dose 1 and plain visits need nothing', () => {
    expect(doseEligibility(2, 0)).toBe('dose 2 needs dose 1 on record first');
    expect(doseEligibility(2, 1)).toBeUndefined();
    expect(doseEligibility(3, 1)).toBe('dose 3 needs dose 2 on record first');
    expect(doseEligibility(1, 0)).toBeUndefined();
    expect(doseEligibility(null, 0)).toBeUndefined();
  });
});
