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
  | 'nvr.download' // the export files themselves: identity numbers, so not SMITTSKYDD (R9)
  | 'jobs.read'
  // journal (R19–R22, R7, R9, R30): the unit is the caller's own; which doses show is R7/R8
  | 'journal.read' // a patient's history, declarations, prescriptions
  | 'declaration.write' // health declaration filled at the unit
  | 'prescription.write' // "Signera ordination", void and replace
  | 'vaccination.historical' // a dose given elsewhere or abroad (R22)
  | 'vaccination.void' // makulera a given dose
  | 'patient.identity-change' // temporary number to the real one (R2)
  | 'consent.write' // cross-provider view consent (R7)
  | 'journal.print' // history / journal as PDF (R9)
  | 'audit.read' // a patient's access-log extract (R30)
  | 'control-report.read' // Kontrollrapport
  | 'sms.manage'; // the unit's failed SMS and retry, mass SMS campaigns (pause, resume, cancel)

type Scope = 'unit' | 'region';

const UNIT_STAFF: Role[] = ['BOOKING', 'NURSE', 'NURSE_PRESCRIBER', 'PHYSICIAN', 'TIMEBOOK_ADMIN', 'ADMIN'];
const CLINICAL: Role[] = ['NURSE', 'NURSE_PRESCRIBER', 'PHYSICIAN'];
const PRESCRIBERS: Role[] = ['NURSE_PRESCRIBER', 'PHYSICIAN'];

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
  // R9: a NURSE administers a prescribed dose only (the service checks the prescription).
  'vaccination.administer': [{ roles: CLINICAL, scope: 'unit' }],
  'coverage.read': [{ roles: ['SMITTSKYDD', 'ADMIN'], scope: 'region' }],
  'nvr.export': [{ roles: ['SMITTSKYDD', 'ADMIN'], scope: 'region' }],
  'nvr.download': [{ roles: ['ADMIN'], scope: 'region' }],
  'jobs.read': [
    { roles: [...UNIT_STAFF, 'STOCK_MANAGER'], scope: 'unit' },
    { roles: ['SMITTSKYDD'], scope: 'region' },
  ],
  'journal.read': [{ roles: CLINICAL, scope: 'unit' }],
  'declaration.write': [{ roles: CLINICAL, scope: 'unit' }],
  'prescription.write': [{ roles: PRESCRIBERS, scope: 'unit' }],
  'vaccination.historical': [{ roles: CLINICAL, scope: 'unit' }],
  'vaccination.void': [{ roles: CLINICAL, scope: 'unit' }],
  'patient.identity-change': [{ roles: [...CLINICAL, 'ADMIN'], scope: 'unit' }],
  'consent.write': [{ roles: CLINICAL, scope: 'unit' }],
  'journal.print': [{ roles: CLINICAL, scope: 'unit' }],
  'audit.read': [{ roles: [...CLINICAL, 'ADMIN'], scope: 'unit' }],
  'control-report.read': [{ roles: [...CLINICAL, 'ADMIN'], scope: 'unit' }],
  'sms.manage': [{ roles: ['BOOKING', 'TIMEBOOK_ADMIN', 'ADMIN'], scope: 'unit' }],
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
