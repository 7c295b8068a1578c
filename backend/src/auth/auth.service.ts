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

  /**
   * AUTH_MODE=dev: sample citizens for the demo's BankID stand-in, one of each kind the booking
   * rules treat differently. Identity numbers are the seed's fiction people.
   */
  async devCitizens() {
    const rows = await this.prisma.$queryRaw<
      Array<{ kind: string; identity_number: string; name: string | null }>
    >`
      (SELECT 'dose1Done' AS kind, p.identity_number, concat_ws(' ', p.first_name, p.last_name) AS name
         FROM patient p JOIN vaccination v ON v.patient_id = p.id AND v.status = 'GIVEN' AND v.dose_number = 1
         JOIN product pr ON pr.id = v.product_id AND pr.disease_area = 'COVID-19'
        WHERE NOT p.protected_identity AND p.identity_type = 'PERSONNUMMER'
          AND NOT EXISTS (SELECT 1 FROM vaccination v2 WHERE v2.patient_id = p.id AND v2.dose_number >= 2)
        ORDER BY md5(p.identity_number) LIMIT 1)
      UNION ALL
      (SELECT 'registered', r.identity_number, NULL FROM population_register r
        WHERE NOT EXISTS (SELECT 1 FROM patient p WHERE p.identity_number = r.identity_number)
          AND r.birth_date BETWEEN now() - interval '80 years' AND now() - interval '20 years'
        ORDER BY md5(r.identity_number) LIMIT 1)
      UNION ALL
      (SELECT 'protected', identity_number, concat_ws(' ', first_name, last_name) FROM patient
        WHERE protected_identity ORDER BY identity_number LIMIT 1)
      UNION ALL
      (SELECT 'reserve', identity_number, concat_ws(' ', first_name, last_name) FROM patient
        WHERE identity_type = 'RESERVNUMMER' ORDER BY identity_number LIMIT 1)`;
    return rows.map((r) => ({
      kind: r.kind,
      personalIdentityNumber: r.identity_number,
      name: r.name || null,
    }));
  }

  /** Stands in for BankID: the citizen with that identity number (registered if unknown). */
  async loginCitizen(personalIdentityNumber: string) {
    // a reserve number logs in only if staff have added that patient (R4: they cannot book here)
    const patient = await this.patients.findOrRegisterAny(personalIdentityNumber, 'personalIdentityNumber');
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
