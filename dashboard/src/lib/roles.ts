export const ROLES = [
  'BOOKING',
  'NURSE',
  'NURSE_PRESCRIBER',
  'PHYSICIAN',
  'TIMEBOOK_ADMIN',
  'STOCK_MANAGER',
  'SMITTSKYDD',
  'ADMIN',
] as const;

export type Role = (typeof ROLES)[number];

/** Stock managers and regional communicable-disease control work outside any unit's timebook. */
const WITHOUT_TIMEBOOK: ReadonlySet<Role> = new Set<Role>(['STOCK_MANAGER', 'SMITTSKYDD']);

/** Who may see a unit's stock (backend capability `stock.read`; SMITTSKYDD region-wide). */
const STOCK_READERS: ReadonlySet<Role> = new Set<Role>([
  'STOCK_MANAGER',
  'NURSE',
  'NURSE_PRESCRIBER',
  'PHYSICIAN',
  'ADMIN',
  'SMITTSKYDD',
]);

/** Who may register movements at their unit (`stock.write`). */
const STOCK_WRITERS: ReadonlySet<Role> = new Set<Role>(['STOCK_MANAGER', 'ADMIN']);

/** Who sees the region-wide overview and may open any unit's stock (`stock.region`). */
const STOCK_REGION: ReadonlySet<Role> = new Set<Role>(['SMITTSKYDD', 'ADMIN']);

/** Who sees the region's coverage (`coverage.read`, R29). */
const COVERAGE_READERS: ReadonlySet<Role> = new Set<Role>(['SMITTSKYDD', 'ADMIN']);

/** Who may cancel a unit's day or time range with SMS (`booking.mass-cancel`, R17). */
const MASS_CANCELLERS: ReadonlySet<Role> = new Set<Role>(['BOOKING', 'TIMEBOOK_ADMIN', 'ADMIN']);

/** Who may open and block times, write day notes and keep visit types (`timebook.admin`, R10–R16). */
const TIMEBOOK_ADMINS: ReadonlySet<Role> = new Set<Role>(['TIMEBOOK_ADMIN', 'ADMIN']);

/** Nurses and physicians: the patient view, declarations, administration, history (R9). */
const CLINICAL: ReadonlySet<Role> = new Set<Role>(['NURSE', 'NURSE_PRESCRIBER', 'PHYSICIAN']);

/** Who may sign a prescription ("Signera ordination", R9). */
const PRESCRIBERS: ReadonlySet<Role> = new Set<Role>(['NURSE_PRESCRIBER', 'PHYSICIAN']);

/** Who reads the Kontrollrapport (`control-report.read`). */
const CONTROL_REPORT: ReadonlySet<Role> = new Set<Role>(['NURSE', 'NURSE_PRESCRIBER', 'PHYSICIAN', 'ADMIN']);

/** Who may start and follow NVR exports (`nvr.export`, R28); only ADMIN downloads the data files. */
const NVR_EXPORTERS: ReadonlySet<Role> = new Set<Role>(['SMITTSKYDD', 'ADMIN']);

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function hasTimebookAccess(role: string): boolean {
  return isRole(role) && !WITHOUT_TIMEBOOK.has(role);
}

export function canReadStock(role: string): boolean {
  return isRole(role) && STOCK_READERS.has(role);
}

export function canWriteStock(role: string): boolean {
  return isRole(role) && STOCK_WRITERS.has(role);
}

export function canMassCancel(role: string): boolean {
  return isRole(role) && MASS_CANCELLERS.has(role);
}

export function canAdministerTimebook(role: string): boolean {
  return isRole(role) && TIMEBOOK_ADMINS.has(role);
}

export function canSeeRegionStock(role: string): boolean {
  return isRole(role) && STOCK_REGION.has(role);
}

export function canExportNvr(role: string): boolean {
  return isRole(role) && NVR_EXPORTERS.has(role);
}

export function canUseJournal(role: string): boolean {
  return isRole(role) && CLINICAL.has(role);
}

export function canPrescribe(role: string): boolean {
  return isRole(role) && PRESCRIBERS.has(role);
}

/** R9: only nurses and physicians print a patient's history or journal. */
export function canPrintJournal(role: string): boolean {
  return isRole(role) && CLINICAL.has(role);
}

export function canReadControlReport(role: string): boolean {
  return isRole(role) && CONTROL_REPORT.has(role);
}

export function canSeeCoverage(role: string): boolean {
  return isRole(role) && COVERAGE_READERS.has(role);
}

/** The parts of the app a route can belong to; each is open to some roles only. */
export type Area =
  | 'timebook'
  | 'timebookAdmin'
  | 'stock'
  | 'stockOverview'
  | 'journal'
  | 'controlReport'
  | 'coverage'
  | 'nvr'
  | 'sms';

export function mayEnter(area: Area, role: string | null | undefined): boolean {
  if (!role) return false;
  switch (area) {
    case 'timebook':
      return hasTimebookAccess(role);
    case 'timebookAdmin':
      return canAdministerTimebook(role);
    case 'stock':
      return canReadStock(role);
    case 'stockOverview':
      return canSeeRegionStock(role);
    case 'journal':
      return canUseJournal(role);
    case 'controlReport':
      return canReadControlReport(role);
    case 'coverage':
      return canSeeCoverage(role);
    case 'nvr':
      return canExportNvr(role);
    case 'sms':
      // the unit's failed SMS and campaigns (`sms.manage`): the same people who mass-cancel
      return canMassCancel(role);
  }
}
