import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { forbidden, notFound } from '../common/errors';
import { PrismaService } from '../infra/prisma.service';
import { PatientsService } from '../patients/patients.service';
import type { Role } from '../generated/prisma/enums';
import type { Principal, StaffPrincipal } from './principal';
import { TokenService } from './token.service';

const ROLE_ORDER = [
  'BOOKING',
  'NURSE',
  'NURSE_PRESCRIBER',
  'PHYSICIAN',
  'TIMEBOOK_ADMIN',
  'STOCK_MANAGER',
  'SMITTSKYDD',
  'ADMIN',
];

/** Assignments as the login answers and dev-users show them: by unit name, then role. */
function assignmentViews(
  list: Array<{
    id: string;
    role: Role;
    unitId: string;
    unit: { name: string; careProviderId: string; regionId: string };
  }>,
) {
  return list
    .map((a) => ({
      id: a.id,
      role: a.role,
      unitId: a.unitId,
      unitName: a.unit.name,
      careProviderId: a.unit.careProviderId,
      regionId: a.unit.regionId,
    }))
    .sort(
      (a, b) =>
        a.unitName.localeCompare(b.unitName, 'sv') || ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role),
    );
}

@Injectable()
export class AuthService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly tokens: TokenService,
    private readonly patients: PatientsService,
  ) {}

  get devMode(): boolean {
    return this.config.AUTH_MODE === 'dev';
  }

  private async userWithAssignments(where: { hsaId: string } | { id: string }) {
    const user = await this.prisma.user.findUnique({
      where,
      include: { assignments: { include: { unit: true } } },
    });
    if (!user || !user.active) return undefined;
    return { user, assignments: assignmentViews(user.assignments) };
  }

  async devUsers() {
    const users = await this.prisma.user.findMany({
      where: { active: true },
      orderBy: { hsaId: 'asc' },
      include: { assignments: { include: { unit: true } } },
    });
    return users.map((u) => ({
      hsaId: u.hsaId,
      name: u.name,
      title: u.title,
      assignments: assignmentViews(u.assignments),
    }));
  }

  /** Logs in as a staff member, on the given or the first assignment. */
  async loginStaff(where: { hsaId: string } | { id: string }, assignmentId?: string) {
    const found = await this.userWithAssignments(where);
    if (!found) throw notFound('no active user with that HSA-id', { field: 'hsaId' });
    const { user, assignments } = found;
    if (assignments.length === 0) throw forbidden('the user has no assignment');
    const active = assignmentId ? assignments.find((a) => a.id === assignmentId) : assignments[0];
    if (!active) throw forbidden('that assignment is not yours');
    const principal: StaffPrincipal = {
      kind: 'staff',
      userId: user.id,
      hsaId: user.hsaId,
      name: user.name,
      assignmentId: active.id,
      role: active.role,
      unitId: active.unitId,
      careProviderId: active.careProviderId,
      regionId: active.regionId,
    };
    return {
      accessToken: this.tokens.sign(principal),
      assignments,
      activeAssignmentId: active.id,
      user: { id: user.id, hsaId: user.hsaId, name: user.name, title: user.title },
    };
  }

  /** "Växla uppdrag": a token for another of the same user's assignments. */
  async switchAssignment(p: Principal, assignmentId: string) {
    if (p.kind !== 'staff') throw forbidden('citizens have no assignments');
    return this.loginStaff({ id: p.userId }, assignmentId);
  }

  /** Stands in for BankID: the citizen with that identity number (registered if unknown). */
  async loginCitizen(personalIdentityNumber: string) {
    const identity = this.patients.parse(personalIdentityNumber);
    const patient = await this.patients.findOrRegister(identity);
    const principal: Principal = { kind: 'citizen', patientId: patient.id };
    return {
      accessToken: this.tokens.sign(principal),
      patient: {
        id: patient.id,
        name: [patient.first_name, patient.last_name].filter(Boolean).join(' ') || null,
      },
    };
  }
}
