import type { Role } from '../generated/prisma/enums';
import type { Principal } from './principal';

/**
 * Who may do what, in one table (R8, R9). Every controller and every socket subscription asks
 * `can(principal, capability, target)`; the access-matrix test reads the same table.
 *
 * scope `unit`: only at the assignment's own unit. scope `region`: anywhere in the
 * assignment's region (regional roles that see no patient data).
 */
export type Capability =
  | 'timebook.read' // slots, availability, visit types, presence
  | 'booking.write' // book, rebook, cancel for a patient
  | 'booking.read' // a booking with its patient
  | 'timebook.admin' // open/block times, visit types
  | 'booking.mass-cancel' // cancel a day with SMS when a delivery fails (R17)
  | 'patient.read'
  | 'stock.read'
  | 'stock.write'
  | 'stock.region' // region-wide stock overview
  | 'vaccination.administer'
  | 'coverage.read'
  | 'nvr.export'
  | 'jobs.read';

type Scope = 'unit' | 'region';

const UNIT_STAFF: Role[] = ['BOOKING', 'NURSE', 'NURSE_PRESCRIBER', 'PHYSICIAN', 'TIMEBOOK_ADMIN', 'ADMIN'];
const CLINICAL: Role[] = ['NURSE', 'NURSE_PRESCRIBER', 'PHYSICIAN'];

export const POLICY: Record<Capability, Array<{ roles: Role[]; scope: Scope }>> = {
  'timebook.read': [{ roles: UNIT_STAFF, scope: 'unit' }],
  'booking.write': [{ roles: UNIT_STAFF, scope: 'unit' }],
  'booking.read': [{ roles: UNIT_STAFF, scope: 'unit' }],
  'timebook.admin': [{ roles: ['TIMEBOOK_ADMIN', 'ADMIN'], scope: 'unit' }],
  'booking.mass-cancel': [{ roles: ['BOOKING', 'TIMEBOOK_ADMIN', 'ADMIN'], scope: 'unit' }],
  'patient.read': [{ roles: UNIT_STAFF, scope: 'unit' }],
  'stock.read': [
    { roles: ['STOCK_MANAGER', ...CLINICAL, 'ADMIN'], scope: 'unit' },
    { roles: ['SMITTSKYDD'], scope: 'region' },
  ],
  'stock.write': [{ roles: ['STOCK_MANAGER', 'ADMIN'], scope: 'unit' }],
  'stock.region': [{ roles: ['SMITTSKYDD', 'ADMIN'], scope: 'region' }],
  // R9: a NURSE administers a prescribed dose; until prescriptions exist, prescribers administer.
  'vaccination.administer': [{ roles: ['NURSE_PRESCRIBER', 'PHYSICIAN'], scope: 'unit' }],
  'coverage.read': [{ roles: ['SMITTSKYDD', 'ADMIN'], scope: 'region' }],
  'nvr.export': [{ roles: ['SMITTSKYDD', 'ADMIN'], scope: 'region' }],
  'jobs.read': [
    { roles: [...UNIT_STAFF, 'STOCK_MANAGER'], scope: 'unit' },
    { roles: ['SMITTSKYDD'], scope: 'region' },
  ],
};

export interface Target {
  unitId?: string;
  regionId?: string;
}

/** Whether a staff principal may use `capability` on `target`. Citizens have their own checks. */
export function can(p: Principal, capability: Capability, target: Target): boolean {
  if (p.kind !== 'staff') return false;
  return POLICY[capability].some((rule) => {
    if (!rule.roles.includes(p.role)) return false;
    if (rule.scope === 'unit') return target.unitId !== undefined && target.unitId === p.unitId;
    const region = target.regionId;
    return region !== undefined && region === p.regionId;
  });
}
