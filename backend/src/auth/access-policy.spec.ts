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
});
