import { can } from './access-policy';
import type { StaffPrincipal } from './principal';

const staff = (role: StaffPrincipal['role'], unitId = 'u1', regionId = 'r1'): StaffPrincipal => ({
  kind: 'staff',
  userId: 'x',
  hsaId: 'SE-x',
  name: 'X',
  assignmentId: 'a',
  role,
  unitId,
  careProviderId: 'cp',
  regionId,
});

describe('access policy (R8, R9)', () => {
  it('a booker sees and books only in the own unit', () => {
    expect(can(staff('BOOKING'), 'timebook.read', { unitId: 'u1', regionId: 'r1' })).toBe(true);
    expect(can(staff('BOOKING'), 'booking.write', { unitId: 'u1', regionId: 'r1' })).toBe(true);
    expect(can(staff('BOOKING'), 'timebook.read', { unitId: 'u2', regionId: 'r1' })).toBe(false);
  });

  it('smittskydd sees regional statistics but no timebook or patient data', () => {
    const s = staff('SMITTSKYDD', 'sm');
    expect(can(s, 'coverage.read', { regionId: 'r1' })).toBe(true);
    expect(can(s, 'coverage.read', { regionId: 'r2' })).toBe(false);
    expect(can(s, 'timebook.read', { unitId: 'u1', regionId: 'r1' })).toBe(false);
    expect(can(s, 'patient.read', { unitId: 'sm', regionId: 'r1' })).toBe(false);
  });

  it('a stock manager moves stock but cannot book', () => {
    expect(can(staff('STOCK_MANAGER'), 'stock.write', { unitId: 'u1' })).toBe(true);
    expect(can(staff('STOCK_MANAGER'), 'booking.write', { unitId: 'u1' })).toBe(false);
  });

  it('citizens have no staff capabilities', () => {
    expect(can({ kind: 'citizen', patientId: 'p' }, 'timebook.read', { unitId: 'u1' })).toBe(false);
  });

  it('NVR export (R28): smittskydd and admins of the region run it; only admins take the identity numbers', () => {
    expect(can(staff('SMITTSKYDD', 'sm'), 'nvr.export', { regionId: 'r1' })).toBe(true);
    expect(can(staff('ADMIN'), 'nvr.export', { regionId: 'r1' })).toBe(true);
    expect(can(staff('ADMIN'), 'nvr.export', { regionId: 'r2' })).toBe(false);
    expect(can(staff('BOOKING'), 'nvr.export', { regionId: 'r1' })).toBe(false);
    expect(can(staff('ADMIN'), 'nvr.download', { regionId: 'r1' })).toBe(true);
    expect(can(staff('SMITTSKYDD', 'sm'), 'nvr.download', { regionId: 'r1' })).toBe(false);
  });

  it('journal (R9): nurses administer and read, only prescribers prescribe, only clinicians print', () => {
    const at = { unitId: 'u1', regionId: 'r1' };
    expect(can(staff('NURSE'), 'vaccination.administer', at)).toBe(true);
    expect(can(staff('NURSE'), 'prescription.write', at)).toBe(false);
    expect(can(staff('NURSE_PRESCRIBER'), 'prescription.write', at)).toBe(true);
    expect(can(staff('PHYSICIAN'), 'prescription.write', at)).toBe(true);
    for (const role of ['NURSE', 'NURSE_PRESCRIBER', 'PHYSICIAN'] as const)
      expect(can(staff(role), 'journal.print', at)).toBe(true);
    for (const role of ['BOOKING', 'ADMIN', 'STOCK_MANAGER', 'TIMEBOOK_ADMIN', 'SMITTSKYDD'] as const)
      expect(can(staff(role), 'journal.print', at)).toBe(false);
    expect(can(staff('BOOKING'), 'journal.read', at)).toBe(false);
  });
});
