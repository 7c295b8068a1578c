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

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function hasTimebookAccess(role: string): boolean {
  return isRole(role) && !WITHOUT_TIMEBOOK.has(role);
}
