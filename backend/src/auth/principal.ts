import type { Role } from '../generated/prisma/enums';

/** Who is calling, from the verified access token. Staff act through one active assignment. */
export interface StaffPrincipal {
  kind: 'staff';
  userId: string;
  hsaId: string;
  name: string;
  assignmentId: string;
  role: Role;
  unitId: string;
  careProviderId: string;
  regionId: string;
}

export interface CitizenPrincipal {
  kind: 'citizen';
  patientId: string;
}

export type Principal = StaffPrincipal | CitizenPrincipal;

/** JWT claims: short names, no identity numbers (a token can end up in logs or browser storage). */
export type TokenClaims =
  | {
      k: 's';
      sub: string;
      hsa: string;
      nm: string;
      aid: string;
      role: Role;
      uid: string;
      cp: string;
      rg: string;
    }
  | { k: 'c'; sub: string };

export function toClaims(p: Principal): TokenClaims {
  return p.kind === 'staff'
    ? {
        k: 's',
        sub: p.userId,
        hsa: p.hsaId,
        nm: p.name,
        aid: p.assignmentId,
        role: p.role,
        uid: p.unitId,
        cp: p.careProviderId,
        rg: p.regionId,
      }
    : { k: 'c', sub: p.patientId };
}

export function fromClaims(c: TokenClaims): Principal {
  return c.k === 's'
    ? {
        kind: 'staff',
        userId: c.sub,
        hsaId: c.hsa,
        name: c.nm,
        assignmentId: c.aid,
        role: c.role,
        unitId: c.uid,
        careProviderId: c.cp,
        regionId: c.rg,
      }
    : { kind: 'citizen', patientId: c.sub };
}
