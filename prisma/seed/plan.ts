/**
 * What the demo region contains, planned in memory as plain data (no database): vaccinations,
 * slots, bookings, patients and the stock ledger. Every choice comes from a seeded PRNG or from a
 * hash of a natural key, so the same inputs always give the same plan.
 */
import {
  BatchDef,
  fictionPhone,
  HISTORY_DAYS,
  LeftoverPolicy,
  OPENING,
  PRODUCTS,
  ProductKey,
  REGION,
  Scale,
  SCALE_SETTINGS,
  SLOT_MINUTES,
  VisitTypeKey,
} from './catalogue';
import {
  formatDay,
  isoInstant,
  isoWeekday,
  isWeekday,
  mondayOf,
  nextWeekday,
  parseDay,
  stockholmInstantMs,
} from './dates';
import { seedId } from './ids';
import { FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES } from './names';
import { makeIdentityNumber } from './personnummer-gen';
import { ageOn, Person } from './population';
import { hashString, Rng, unitHash } from './prng';

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** A vaccination unit as the planner sees it (keys are HSA-ids, not database ids). */
export interface PlanUnit {
  hsaId: string;
  municipalityCode: string;
  nurseColumns: number;
  /** the unit's own staff, by HSA-id, for booked_by / administered_by / receipts */
  bookingUser: string | null;
  nurseUser: string | null;
  stockUser: string | null;
  /** the regional mass-vaccination unit gets a bigger share of the doses */
  massVaccination: boolean;
}

/** A batch with its expiry as stored (day numbers, absolute). */
export interface PlanBatch {
  product: ProductKey;
  batchNumber: string;
  expiresOn: number;
  useFrom: number | null;
  useTo: number | null;
  leftover: LeftoverPolicy;
  /** delivery day of a batch that was never used (fresh) or of its first receipt */
  receivedDay: number;
}

export function batchKey(product: ProductKey, batchNumber: string): string {
  return `${product}:${batchNumber}`;
}

export function planBatch(def: BatchDef, today: number, storedExpiresOn?: number): PlanBatch {
  return {
    product: def.product,
    batchNumber: def.batchNumber,
    expiresOn: storedExpiresOn ?? today + def.expiresInDays,
    useFrom: def.use ? today + def.use.from : null,
    useTo: def.use ? today + def.use.to : null,
    leftover: def.leftover,
    receivedDay: def.use ? today + def.use.from - 2 : today - 2,
  };
}

// ---------------------------------------------------------------- patients

export type IdentityType = 'PERSONNUMMER' | 'SAMORDNINGSNUMMER' | 'RESERVNUMMER';

export interface PatientSpec {
  identityNumber: string;
  identityType: IdentityType;
  identityIssuer: string | null;
  firstName: string;
  lastName: string;
  birthDay: number | null;
  sex: 'MALE' | 'FEMALE' | 'UNKNOWN';
  municipalityCode: string | null;
  protectedIdentity: boolean;
  phone: string | null;
}

/** A patient row for someone in the population register: names and phone from their number. */
export function patientFromPerson(p: Person): PatientSpec {
  const rng = new Rng(`patient:${p.identityNumber}`);
  return {
    identityNumber: p.identityNumber,
    identityType: 'PERSONNUMMER',
    identityIssuer: null,
    firstName: rng.pick(p.sex === 'MALE' ? MALE_FIRST_NAMES : FEMALE_FIRST_NAMES),
    lastName: rng.pick(LAST_NAMES),
    birthDay: p.birthDay,
    sex: p.sex,
    municipalityCode: p.municipalityCode,
    protectedIdentity: false,
    phone: rng.chance(0.7) ? fictionPhone(rng.int(95)) : null,
  };
}

export type SpecialRole = 'protected' | 'reserve' | 'coordination';

export interface SpecialPatient extends PatientSpec {
  role: SpecialRole;
  /** 1 gets a booking at U1, 2 a past dose at U1 */
  ordinal: 1 | 2;
}

/**
 * Six patients that exercise the identity rules: two with protected identity (R3; from the
 * register, no contact details), two with the region's reserve numbers (R4; one with a phone),
 * two with samordningsnummer (day + 60, valid Luhn digit; not in the register).
 */
export function specialPatients(people: readonly Person[]): SpecialPatient[] {
  const jkpg = people.filter((p) => p.municipalityCode === '0680');
  const nassjo = people.filter((p) => p.municipalityCode === '0682');
  if (jkpg.length < 2 || nassjo.length < 3)
    throw new Error('the register is too small for the special patients');
  const prot = (p: Person, ordinal: 1 | 2, firstName: string, lastName: string): SpecialPatient => ({
    ...patientFromPerson(p),
    firstName,
    lastName,
    phone: null,
    protectedIdentity: true,
    role: 'protected',
    ordinal,
  });
  const foreign = (
    ordinal: 1 | 2,
    role: 'reserve' | 'coordination',
    identityNumber: string,
    firstName: string,
    lastName: string,
    birth: string,
    sex: 'MALE' | 'FEMALE' | 'UNKNOWN',
    phone: string | null,
  ): SpecialPatient => ({
    identityNumber,
    identityType: role === 'reserve' ? 'RESERVNUMMER' : 'SAMORDNINGSNUMMER',
    identityIssuer: role === 'reserve' ? REGION.reserveNumberIssuer : null,
    firstName,
    lastName,
    birthDay: parseDay(birth),
    sex,
    municipalityCode: null,
    protectedIdentity: false,
    phone,
    role,
    ordinal,
  });
  return [
    prot(jkpg[1], 1, 'Elin', 'Lindqvist'),
    prot(nassjo[2], 2, 'Karl', 'Holm'),
    // The region's reserve-number format: 99, then the birth date as YYMMDD, then a sequence.
    foreign(1, 'reserve', '997806150011', 'Amir', 'Haddad', '1978-06-15', 'MALE', fictionPhone(7)),
    foreign(2, 'reserve', '990212030027', 'Alex', 'Petrov', '2002-12-03', 'UNKNOWN', null),
    foreign(
      1,
      'coordination',
      makeIdentityNumber(parseDay('1990-05-14'), 238, true),
      'Olena',
      'Kovalenko',
      '1990-05-14',
      'FEMALE',
      fictionPhone(21),
    ),
    foreign(
      2,
      'coordination',
      makeIdentityNumber(parseDay('1985-11-03'), 471, true),
      'Mateusz',
      'Wiśniewski',
      '1985-11-03',
      'MALE',
      null,
    ),
  ];
}

// ---------------------------------------------------------------- vaccinations

export interface PlannedVaccination {
  id: string;
  identityNumber: string;
  product: ProductKey;
  batchNumber: string | null;
  doseNumber: number;
  givenAtMs: number;
  givenOn: number;
  unitHsa: string | null;
  historical: boolean;
  comment: string | null;
}

export interface VaccinationPlan {
  vaccinations: PlannedVaccination[];
  /** identities with Comirnaty dose 1 and no dose 2 yet, by the unit that gave dose 1 */
  awaitingDose2: Map<string, string[]>;
  vaccinated: Set<string>;
}

export function vaccinationId(identityNumber: string, product: ProductKey, doseNumber: number): string {
  return seedId(`vaccination:${identityNumber}:${product}:${doseNumber}`);
}

const PRODUCT_BY_KEY = new Map(PRODUCTS.map((p) => [p.key, p]));

function productDef(key: ProductKey) {
  const p = PRODUCT_BY_KEY.get(key);
  if (!p) throw new Error(`unknown product ${key}`);
  return p;
}

/** Share of an age group that gets vaccinated at all in the seeded half-year. */
function acceptance(age: number): number {
  if (age < 5) return 0.03;
  if (age < 18) return 0.15;
  if (age < 45) return 0.45;
  if (age < 65) return 0.6;
  if (age < 80) return 0.85;
  return 0.9;
}

const PRODUCT_MIX: { minAge: number; maxAge: number; mix: [ProductKey, number][] }[] = [
  {
    minAge: 0,
    maxAge: 17,
    mix: [
      ['influenza', 0.8],
      ['comirnaty', 0.2],
    ],
  },
  {
    minAge: 18,
    maxAge: 29,
    mix: [
      ['comirnaty', 0.45],
      ['spikevax', 0.15],
      ['influenza', 0.4],
    ],
  },
  {
    minAge: 30,
    maxAge: 64,
    mix: [
      ['comirnaty', 0.45],
      ['spikevax', 0.15],
      ['vaxzevria', 0.03],
      ['influenza', 0.37],
    ],
  },
  {
    minAge: 65,
    maxAge: 200,
    mix: [
      ['comirnaty', 0.38],
      ['spikevax', 0.14],
      ['vaxzevria', 0.03],
      ['influenza', 0.33],
      ['pneumococcal', 0.12],
    ],
  },
];

function chooseProduct(rng: Rng, age: number): ProductKey {
  const group =
    PRODUCT_MIX.find((g) => age >= g.minAge && age <= g.maxAge) ?? PRODUCT_MIX[PRODUCT_MIX.length - 1];
  return group.mix[rng.weightedIndex(group.mix.map((m) => m[1]))][0];
}

/** A time of day within opening hours (minutes), avoiding lunch. */
function openingMinute(rng: Rng): number {
  const m = OPENING.opens + rng.int(OPENING.lunchFrom - OPENING.opens + OPENING.closes - OPENING.lunchTo);
  return m >= OPENING.lunchFrom ? m + (OPENING.lunchTo - OPENING.lunchFrom) : m;
}

/** The batch a unit used for a product on a day: the batch in use then, else any unexpired one. */
export function batchFor(batches: readonly PlanBatch[], product: ProductKey, day: number): PlanBatch | null {
  let fallback: PlanBatch | null = null;
  for (const b of batches) {
    if (b.product !== product || b.expiresOn <= day) continue;
    if (b.useFrom !== null && b.useTo !== null && b.useFrom <= day && day < b.useTo) return b;
    if (b.receivedDay <= day && (fallback === null || b.expiresOn < fallback.expiresOn)) fallback = b;
  }
  return fallback;
}

/**
 * Half a year of doses. Who comes forward, with what, where and when is drawn from a PRNG seeded
 * by each person's own number, and days are counted back from today: run on a later day, the plan
 * is the same one, shifted (which is what keeps the bookings' "awaiting dose 2" consistent).
 */
export function planVaccinations(input: {
  scale: Scale;
  today: number;
  people: readonly Person[];
  units: readonly PlanUnit[];
  batches: readonly PlanBatch[];
  specials: readonly SpecialPatient[];
}): VaccinationPlan {
  const { scale, today, people, units, batches } = input;
  const settings = SCALE_SETTINGS[scale];
  const windowEnd = today - 1;
  /** a Monday–Friday 1…HISTORY_DAYS days ago (a weekend moves back to its Friday) */
  const pastWeekday = (r: Rng): number => {
    const d = today - r.range(1, HISTORY_DAYS);
    return d - Math.max(0, isoWeekday(d) - 5);
  };

  const localUnits = new Map<string, PlanUnit[]>();
  for (const u of units) pushTo(localUnits, u.municipalityCode, u);
  const unitWeights = units.map((u) => (u.massVaccination ? 4 : 1));
  const mass = units.find((u) => u.massVaccination) ?? units[0];
  const pickUnit = (r: Rng, p: Person): PlanUnit => {
    const local = localUnits.get(p.municipalityCode);
    if (local && !r.chance(0.1)) return r.pick(local);
    return units[r.weightedIndex(unitWeights)];
  };

  const vaccinations: PlannedVaccination[] = [];
  const awaitingDose2 = new Map<string, string[]>();
  const vaccinated = new Set<string>();
  const give = (
    identityNumber: string,
    product: ProductKey,
    doseNumber: number,
    day: number,
    minute: number,
    unit: PlanUnit | null,
    batch: PlanBatch | null,
  ) => {
    vaccinated.add(identityNumber);
    vaccinations.push({
      id: vaccinationId(identityNumber, product, doseNumber),
      identityNumber,
      product,
      batchNumber: batch ? batch.batchNumber : null,
      doseNumber,
      givenAtMs: stockholmInstantMs(day, minute),
      givenOn: day,
      unitHsa: unit ? unit.hsaId : null,
      historical: unit === null,
      comment: unit === null ? 'Given utomlands' : null,
    });
  };

  // Two of the special patients had dose 1 at the mass-vaccination unit ten days ago.
  const specialDay = nextWeekday(today - 10);
  let minute = 10 * 60;
  for (const s of input.specials.filter((x) => x.ordinal === 2 && x.role !== 'reserve')) {
    const batch = batchFor(batches, 'comirnaty', specialDay);
    if (!batch) continue;
    give(s.identityNumber, 'comirnaty', 1, specialDay, minute, mass, batch);
    minute += 10;
  }

  let historicalLeft = settings.historicalDoses;
  const course = (p: Person, r: Rng, age: number) => {
    const product = chooseProduct(r, age);
    const def = productDef(product);
    const unit = pickUnit(r, p);
    const interval = def.doseIntervalDays ?? 0;
    if (def.dosesInSeries >= 2 && historicalLeft > 0 && product !== 'vaxzevria') {
      // Dose 1 abroad (R22: no batch, no unit), dose 2 here after the interval.
      const d2 = pastWeekday(r);
      const batch = batchFor(batches, product, d2);
      if (!batch) return;
      historicalLeft--;
      give(p.identityNumber, product, 1, d2 - interval - r.int(30), 12 * 60, null, null);
      give(p.identityNumber, product, 2, d2, openingMinute(r), unit, batch);
      return;
    }
    const d1 = pastWeekday(r);
    const batch1 = batchFor(batches, product, d1);
    if (!batch1) return;
    give(p.identityNumber, product, 1, d1, openingMinute(r), unit, batch1);
    if (def.dosesInSeries >= 2) {
      const d2 = nextWeekday(d1 + interval + r.int(11));
      const batch2 = d2 <= windowEnd && r.chance(0.85) ? batchFor(batches, product, d2) : null;
      if (batch2) {
        give(
          p.identityNumber,
          product,
          2,
          d2,
          openingMinute(r),
          r.chance(0.92) ? unit : pickUnit(r, p),
          batch2,
        );
      } else if (product === 'comirnaty') {
        pushTo(awaitingDose2, unit.hsaId, p.identityNumber);
      }
    }
    if (age >= 65 && def.diseaseArea === 'COVID-19' && r.chance(0.35)) {
      const d = pastWeekday(r);
      const batch = batchFor(batches, 'influenza', d);
      if (batch) give(p.identityNumber, 'influenza', 1, d, openingMinute(r), unit, batch);
    }
  };

  // People in a fixed shuffled order come forward with an age-dependent probability until the
  // scale's number of doses is reached; if the register is too small, a second pass takes the rest.
  const excluded = new Set(input.specials.map((s) => s.identityNumber));
  const order = new Rng(`vaccinations:${scale}`).shuffle(people.map((_, i) => i));
  const accepted = new Uint8Array(people.length);
  for (let pass = 0; pass < 2 && vaccinations.length < settings.vaccinations; pass++) {
    for (const i of order) {
      if (vaccinations.length >= settings.vaccinations) break;
      const p = people[i];
      if (accepted[i] || excluded.has(p.identityNumber)) continue;
      const r = new Rng(`vaccination:${p.identityNumber}:${pass}`);
      const age = ageOn(p.birthDay, today);
      if (pass === 0 && !r.chance(acceptance(age))) continue;
      accepted[i] = 1;
      course(p, r, age);
    }
  }
  return { vaccinations, awaitingDose2, vaccinated };
}

// ---------------------------------------------------------------- timebook

export type ResourceKind = 'SKOTERSKA' | 'LAKARE';

export interface PlannedSlot {
  /** natural key: unit, resource, column, local start */
  key: string;
  id: string;
  unitHsa: string;
  resource: ResourceKind;
  column: number;
  day: number;
  startMs: number;
  endMs: number;
  blocked: boolean;
}

export interface PlannedBlock {
  id: string;
  unitHsa: string;
  day: number;
  startMs: number;
  endMs: number;
  note: string;
}

export interface PlannedDayNote {
  unitHsa: string;
  day: number;
  note: string;
}

/** A staff meeting every Tuesday 08:00–08:30 at every unit (a block with a note, R16). */
const MEETING = { weekday: 2, from: 8 * 60, to: 8 * 60 + 30, note: 'Personalmöte' } as const;

function minutesOfDay(resource: ResourceKind): number[] {
  const step = SLOT_MINUTES[resource];
  const out: number[] = [];
  for (let m = OPENING.opens; m + step <= OPENING.lunchFrom; m += step) out.push(m);
  for (let m = OPENING.lunchTo; m + step <= OPENING.closes; m += step) out.push(m);
  return out;
}

export function planTimebook(
  units: readonly PlanUnit[],
  today: number,
  days: number,
): { slots: PlannedSlot[]; blocks: PlannedBlock[]; dayNotes: PlannedDayNote[] } {
  const slots: PlannedSlot[] = [];
  const blocks: PlannedBlock[] = [];
  const dayNotes: PlannedDayNote[] = [];
  const resources: { kind: ResourceKind; columns: (u: PlanUnit) => number }[] = [
    { kind: 'SKOTERSKA', columns: (u) => u.nurseColumns },
    { kind: 'LAKARE', columns: () => 1 },
  ];
  for (const u of units) {
    let noted = false;
    for (let day = today; day < today + days; day++) {
      if (!isWeekday(day)) continue;
      const meeting =
        isoWeekday(day) === MEETING.weekday
          ? { startMs: stockholmInstantMs(day, MEETING.from), endMs: stockholmInstantMs(day, MEETING.to) }
          : null;
      if (meeting) {
        blocks.push({
          id: seedId(`block:${u.hsaId}:${formatDay(day)}:meeting`),
          unitHsa: u.hsaId,
          day,
          ...meeting,
          note: MEETING.note,
        });
      }
      if (!noted && isoWeekday(day) === 5) {
        noted = true;
        dayNotes.push({ unitHsa: u.hsaId, day, note: 'Vaccinleverans väntas under förmiddagen' });
      }
      for (const r of resources) {
        for (const m of minutesOfDay(r.kind)) {
          const startMs = stockholmInstantMs(day, m);
          const endMs = stockholmInstantMs(day, m + SLOT_MINUTES[r.kind]);
          const blocked = meeting !== null && startMs >= meeting.startMs && startMs < meeting.endMs;
          for (let column = 1; column <= r.columns(u); column++) {
            const key = `${u.hsaId}:${r.kind}:${column}:${isoInstant(startMs)}`;
            slots.push({
              key,
              id: seedId(`slot:${key}`),
              unitHsa: u.hsaId,
              resource: r.kind,
              column,
              day,
              startMs,
              endMs,
              blocked,
            });
          }
        }
      }
    }
  }
  return { slots, blocks, dayNotes };
}

// ---------------------------------------------------------------- bookings

export interface PlannedBooking {
  id: string;
  slot: PlannedSlot;
  identityNumber: string;
  visitType: VisitTypeKey;
  phone: string | null;
  bookedBy: string | null;
}

/** The seed's booking of a slot has an id derived from the slot's natural key. */
export function bookingId(slot: PlannedSlot): string {
  return seedId(`booking:${slot.key}`);
}

export function planBookings(input: {
  scale: Scale;
  today: number;
  slots: readonly PlannedSlot[];
  units: readonly PlanUnit[];
  people: readonly Person[];
  vaccination: VaccinationPlan;
  specials: readonly SpecialPatient[];
  patientOf: (identityNumber: string) => PatientSpec;
  /** slots that are taken already (booked, held or blocked in the database, or booked earlier) */
  unavailable: (slot: PlannedSlot, bookingId: string) => boolean;
  /** people who have an active booking already */
  alreadyBooked: ReadonlySet<string>;
}): PlannedBooking[] {
  const { scale, slots, people, vaccination } = input;
  const share = SCALE_SETTINGS[scale].bookedShare;
  const rng = new Rng(`bookings:${scale}`);
  const unitByHsa = new Map(input.units.map((u) => [u.hsaId, u]));
  const used = new Set<string>([...input.specials.map((s) => s.identityNumber), ...input.alreadyBooked]);

  // Who books: people with no dose in the seeded history, nearest unit first.
  const pools = new Map<string, string[]>();
  for (const p of people) {
    if (vaccination.vaccinated.has(p.identityNumber) || used.has(p.identityNumber)) continue;
    pushTo(pools, p.municipalityCode, p.identityNumber);
  }
  for (const pool of pools.values()) rng.shuffle(pool);
  const fallback = [...pools.values()].flat();
  rng.shuffle(fallback);
  const cursors = new Map<string[], number>();
  const take = (pool: string[] | undefined): string | null => {
    if (!pool) return null;
    let i = cursors.get(pool) ?? 0;
    while (i < pool.length && used.has(pool[i])) i++;
    cursors.set(pool, i + 1);
    if (i >= pool.length) return null;
    used.add(pool[i]);
    return pool[i];
  };
  const allAwaiting = [...vaccination.awaitingDose2.values()].flat();

  // Three special patients have a dose-1 booking at the first unit on the next weekday, 09:00–09:30.
  const forced = new Map<string, SpecialPatient>();
  const firstUnit = input.units[0];
  if (firstUnit) {
    const day = nextWeekday(input.today + 1);
    let m = 9 * 60;
    for (const s of input.specials.filter((x) => x.ordinal === 1)) {
      forced.set(`${firstUnit.hsaId}:SKOTERSKA:1:${isoInstant(stockholmInstantMs(day, m))}`, s);
      m += SLOT_MINUTES.SKOTERSKA;
    }
  }

  const bookings: PlannedBooking[] = [];
  for (const slot of slots) {
    if (slot.blocked) continue;
    const unit = unitByHsa.get(slot.unitHsa);
    if (!unit) continue;
    const id = bookingId(slot);
    if (input.unavailable(slot, id)) continue;
    let special = forced.get(slot.key);
    if (special && input.alreadyBooked.has(special.identityNumber)) special = undefined;
    let identityNumber: string | null = special ? special.identityNumber : null;
    let visitType: VisitTypeKey = 'covidDose1';
    if (!special) {
      if (unitHash(`booked:${slot.key}`) >= share) continue;
      const h = unitHash(`visit-type:${slot.key}`);
      if (slot.resource === 'LAKARE') visitType = 'physicianAssessment';
      else if (isoWeekday(slot.day) >= 3 && h < 0.3) visitType = 'covidDose2';
      else visitType = h < 0.65 ? 'covidDose1' : 'influenza';
      if (visitType === 'covidDose2') {
        identityNumber = take(vaccination.awaitingDose2.get(unit.hsaId)) ?? take(allAwaiting);
        if (!identityNumber) visitType = 'covidDose1';
      }
      identityNumber ??= take(pools.get(unit.municipalityCode)) ?? take(fallback);
    }
    if (!identityNumber) continue;
    const patient = special ?? input.patientOf(identityNumber);
    bookings.push({
      id,
      slot,
      identityNumber,
      visitType,
      phone: patient.protectedIdentity ? null : patient.phone,
      bookedBy: unit.bookingUser,
    });
  }
  return bookings;
}

// ---------------------------------------------------------------- stock ledger

export interface PlannedMovement {
  unitHsa: string;
  batch: PlanBatch;
  kind: 'RECEIPT' | 'ADMINISTERED' | 'WASTAGE';
  delta: number;
  balanceAfter: number;
  reason: 'OPEN_VIAL_TIME_LIMIT' | null;
  note: string | null;
  userHsa: string | null;
  vaccinationId: string | null;
  atMs: number;
}

/**
 * How many doses a unit keeps of a batch after the seeded history (see LeftoverPolicy): for the
 * batch in use, one to three weeks of the unit's own use of it, so that days of supply look real.
 */
function leftoverTarget(
  unit: PlanUnit,
  batch: PlanBatch,
  dosesPerVial: number,
  dosesGiven: number,
  today: number,
): number {
  const rng = new Rng(`stock:${unit.hsaId}:${batch.product}:${batch.batchNumber}`);
  const h = hashString(`holds:${unit.hsaId}:${batch.batchNumber}`);
  const vials = (doses: number) => Math.max(1, Math.ceil(doses / dosesPerVial)) * dosesPerVial;
  switch (batch.leftover) {
    case 'active': {
      const from = Math.max(batch.useFrom ?? today, today - HISTORY_DAYS);
      const weeks = Math.max(1, (today - from) / 7);
      return vials(Math.max(dosesPerVial > 1 ? 0 : 5, (dosesGiven / weeks) * (1 + 2 * rng.next())));
    }
    case 'fresh':
      return h % 2 === 0 ? vials(dosesPerVial > 1 ? dosesPerVial * rng.range(4, 12) : rng.range(20, 60)) : 0;
    case 'remnant':
      if (dosesGiven === 0) return 0;
      if (batch.expiresOn <= today) return h % 3 === 0 ? dosesPerVial : 0;
      return h % 2 === 0 ? dosesPerVial * rng.range(1, 3) : 0;
    case 'none':
      return 0;
  }
}

/**
 * The ledger rows for the doses inserted in this run, in order per unit and batch, with the
 * receipts that cover them. A unit receives whole vials every week it gives doses, enough to keep
 * its target stock; the balance after each row is the running sum, so it is never negative.
 * Unit+batch pairs that already have a ledger (an earlier run, or the app) only get receipts if
 * their balance would not cover the new doses; new pairs also get their end stock, and batches
 * that are no longer in use write the rest of an opened vial off.
 */
export function planLedger(input: {
  today: number;
  units: readonly PlanUnit[];
  batches: readonly PlanBatch[];
  administered: readonly PlannedVaccination[];
  existingBalance: ReadonlyMap<string, number>;
}): PlannedMovement[] {
  const { today, units, batches, administered, existingBalance } = input;
  const byPair = new Map<string, PlannedVaccination[]>();
  for (const v of administered) {
    if (v.historical || !v.unitHsa || !v.batchNumber) continue;
    const k = `${v.unitHsa}|${batchKey(v.product, v.batchNumber)}`;
    pushTo(byPair, k, v);
  }

  const out: PlannedMovement[] = [];
  const sortedUnits = [...units].sort((a, b) => a.hsaId.localeCompare(b.hsaId));
  const sortedBatches = [...batches].sort((a, b) =>
    batchKey(a.product, a.batchNumber).localeCompare(batchKey(b.product, b.batchNumber)),
  );
  for (const unit of sortedUnits) {
    for (const batch of sortedBatches) {
      const bk = batchKey(batch.product, batch.batchNumber);
      const pair = `${unit.hsaId}|${bk}`;
      const dpv = productDef(batch.product).dosesPerVial;
      const doses = (byPair.get(pair) ?? []).sort(
        (a, b) => a.givenAtMs - b.givenAtMs || a.id.localeCompare(b.id),
      );
      const existing = existingBalance.get(pair);
      const isNew = existing === undefined;
      const floor = isNew ? leftoverTarget(unit, batch, dpv, doses.length, today) : 0;
      if (doses.length === 0 && floor === 0) continue;
      let balance = existing ?? 0;
      const move = (m: Omit<PlannedMovement, 'unitHsa' | 'batch' | 'balanceAfter'>) => {
        balance += m.delta;
        out.push({ ...m, unitHsa: unit.hsaId, batch, balanceAfter: balance });
      };
      const receive = (doses: number, atMs: number) =>
        move({
          kind: 'RECEIPT',
          delta: Math.ceil(doses / dpv) * dpv,
          reason: null,
          note: 'Leverans från regionens vaccinlager',
          userHsa: unit.stockUser,
          vaccinationId: null,
          atMs,
        });
      if (doses.length === 0) {
        receive(floor, stockholmInstantMs(batch.receivedDay, 7 * 60 + 30));
        continue;
      }
      for (let i = 0; i < doses.length;) {
        const monday = mondayOf(doses[i].givenOn);
        let j = i;
        while (j < doses.length && mondayOf(doses[j].givenOn) === monday) j++;
        const need = j - i - (balance - floor);
        // Monday 07:30: before the week's first dose, which is never given before 08:00.
        if (need > 0) receive(need, stockholmInstantMs(monday, 7 * 60 + 30));
        for (; i < j; i++) {
          const v = doses[i];
          move({
            kind: 'ADMINISTERED',
            delta: -1,
            reason: null,
            note: null,
            userHsa: unit.nurseUser,
            vaccinationId: v.id,
            atMs: v.givenAtMs,
          });
        }
      }
      const last = doses[doses.length - 1];
      const inUse = batch.useTo !== null && batch.useTo > today - 1 && batch.expiresOn > today;
      if (isNew && !inUse && balance > floor) {
        move({
          kind: 'WASTAGE',
          delta: floor - balance,
          reason: 'OPEN_VIAL_TIME_LIMIT',
          note: 'Rest i öppnad flaska vid dagens slut',
          userHsa: unit.nurseUser,
          vaccinationId: null,
          atMs: stockholmInstantMs(last.givenOn, 17 * 60),
        });
      }
    }
  }
  return out;
}
