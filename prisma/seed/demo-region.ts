/**
 * The deterministic demo region: Region Jönköpings län with its municipalities, care providers,
 * units, staff, products and batches, a synthetic population register, timebooks with bookings,
 * half a year of vaccinations and the stock ledger that goes with them.
 *
 * Deterministic: every id is a name-based UUID of a natural key and every choice comes from a
 * seeded PRNG, so a run gives the same data as the last one. Idempotent: rows are inserted with
 * ON CONFLICT DO NOTHING, the append-only stock ledger only gets rows for doses inserted in this
 * run, and everything happens in one transaction, so a second run adds nothing.
 */
import type pg from 'pg';
import type { PoolClient } from 'pg';
import {
  BATCHES,
  FIXED_UNIT_HSA,
  FIXED_USERS,
  FixedUnitKey,
  PRODUCTS,
  ProductKey,
  PROVIDERS,
  ProviderKey,
  REGION,
  Role,
  Scale,
  SCALE_SETTINGS,
  SCALES,
  unitsForScale,
  UserDef,
  VISIT_TYPES,
  VisitTypeKey,
} from './catalogue';
import { formatDay, isoInstant, parseDay, stockholmToday } from './dates';
import { seedId } from './ids';
import { MUNICIPALITIES } from './municipalities';
import { FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES } from './names';
import {
  batchKey,
  bookingId,
  PatientSpec,
  patientFromPerson,
  planBatch,
  PlanBatch,
  planBookings,
  planLedger,
  planTimebook,
  PlanUnit,
  planVaccinations,
  specialPatients,
} from './plan';
import { generatePopulation, Person } from './population';
import { Rng } from './prng';
import { Column, insertRows, unnestSource, chunks } from './sql';
import { seedJournal } from './journal';

export type { Scale } from './catalogue';

export interface SeedOptions {
  scale: Scale;
  /** YYYY-MM-DD, a local date in Europe/Stockholm; default: today there */
  today?: string;
  /** progress lines (the CLI prints them); silent by default */
  log?: (line: string) => void;
}

/** Rows inserted by this run, per kind (all zero on a second run). */
export interface SeedCounts {
  regions: number;
  municipalities: number;
  careProviders: number;
  units: number;
  users: number;
  assignments: number;
  products: number;
  productAliases: number;
  batches: number;
  populationRegister: number;
  patients: number;
  timebookResources: number;
  visitCategories: number;
  visitTypes: number;
  slots: number;
  timebookBlocks: number;
  blockedSlots: number;
  timebookDays: number;
  bookings: number;
  bookedSlots: number;
  vaccinations: number;
  historicalVaccinations: number;
  stockMovements: number;
  stockReceipts: number;
  stockAdministered: number;
  stockWastage: number;
  stockBalances: number;
  journalPatients: number;
  guardianships: number;
  journalDoses: number;
  declarations: number;
  prescriptions: number;
}

export interface SeedSummary {
  scale: Scale;
  today: string;
  regionId: string;
  regionHsaId: string;
  careProviders: Record<ProviderKey, string>;
  /** database ids of the four fixed units */
  units: Record<FixedUnitKey, string>;
  unitHsaIds: Record<FixedUnitKey, string>;
  /** every unit with a timebook and stock (all but Regionalt smittskydd) */
  vaccinationUnitIds: string[];
  /** database ids of the fixed users, by HSA-id */
  users: Record<string, string>;
  products: Record<ProductKey, string>;
  /** visit type ids at the fixed vaccination units */
  visitTypes: Record<'U1' | 'U2' | 'U3', Record<VisitTypeKey, string>>;
  inserted: SeedCounts;
  durationMs: number;
}

const LOCK_KEY = 'vaxops:seed-demo-region';

export async function seedDemoRegion(pool: pg.Pool, opts: SeedOptions): Promise<SeedSummary> {
  if (!SCALES.includes(opts.scale))
    throw new Error(`unknown scale "${String(opts.scale)}" (tiny, small or full)`);
  const todayText = opts.today ?? stockholmToday();
  const today = parseDay(todayText);
  const started = performance.now();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // One seeder at a time; a second one waits and then finds everything in place.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [LOCK_KEY]);
    const summary = await seedInTransaction(client, opts.scale, today, opts.log ?? (() => undefined));
    await client.query('COMMIT');
    return { ...summary, today: todayText, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

type Summary = Omit<SeedSummary, 'today' | 'durationMs'>;

async function idMap(client: PoolClient, sql: string, params: unknown[]): Promise<Map<string, string>> {
  const res = await client.query<{ k: string; id: string }>(sql, params);
  return new Map(res.rows.map((r) => [r.k, r.id]));
}

function must<V>(map: ReadonlyMap<string, V>, key: string, what: string): V {
  const v = map.get(key);
  if (v === undefined) throw new Error(`seed: no ${what} for ${key}`);
  return v;
}

async function seedInTransaction(
  client: PoolClient,
  scale: Scale,
  today: number,
  log: (line: string) => void,
): Promise<Summary> {
  const n = zeroCounts();
  let t = performance.now();
  const step = (what: string) => {
    const now = performance.now();
    log(`  ${what} (${((now - t) / 1000).toFixed(1)} s)`);
    t = now;
  };
  const nowIso = new Date().toISOString();

  // ------------------------------------------------------------ organisation
  n.regions =
    (
      await client.query(
        `INSERT INTO region (id, code, name, hsa_id, reserve_number_oid) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [seedId(`region:${REGION.code}`), REGION.code, REGION.name, REGION.hsaId, REGION.reserveNumberIssuer],
      )
    ).rowCount ?? 0;
  const regionRow = await client.query<{ id: string }>('SELECT id FROM region WHERE code = $1', [
    REGION.code,
  ]);
  const regionId = regionRow.rows[0].id;

  n.municipalities = await insertRows(
    client,
    'municipality',
    [
      { name: 'code', type: 'text', value: (m) => m.code },
      { name: 'name', type: 'text', value: (m) => m.name },
      { name: 'region_id', type: 'text', value: () => regionId },
      { name: 'population', type: 'int4', value: (m) => m.population },
    ],
    MUNICIPALITIES,
  );

  n.careProviders = await insertRows(
    client,
    'care_provider',
    [
      { name: 'id', type: 'text', value: (p) => seedId(`care-provider:${p.hsaId}`) },
      { name: 'hsa_id', type: 'text', value: (p) => p.hsaId },
      { name: 'name', type: 'text', value: (p) => p.name },
      { name: 'kind', type: '"CareProviderKind"', value: (p) => p.kind },
      { name: 'region_id', type: 'text', value: () => regionId },
    ],
    PROVIDERS,
  );
  const providerIds = await idMap(
    client,
    'SELECT hsa_id AS k, id FROM care_provider WHERE hsa_id = ANY($1)',
    [PROVIDERS.map((p) => p.hsaId)],
  );
  const providerHsa = new Map<string, string>(PROVIDERS.map((p) => [p.key, p.hsaId]));
  const providerIdOf = (key: ProviderKey) =>
    must(providerIds, must(providerHsa, key, 'provider'), 'care provider');

  const unitDefs = unitsForScale(scale);
  n.units = await insertRows(
    client,
    'unit',
    [
      { name: 'id', type: 'text', value: (u) => seedId(`unit:${u.hsaId}`) },
      { name: 'hsa_id', type: 'text', value: (u) => u.hsaId },
      { name: 'name', type: 'text', value: (u) => u.name },
      { name: 'care_provider_id', type: 'text', value: (u) => providerIdOf(u.provider) },
      { name: 'region_id', type: 'text', value: () => regionId },
      { name: 'municipality_code', type: 'text', value: (u) => u.municipalityCode },
      { name: 'address', type: 'text', value: (u) => u.address },
    ],
    unitDefs,
  );
  const unitIds = await idMap(client, 'SELECT hsa_id AS k, id FROM unit WHERE hsa_id = ANY($1)', [
    unitDefs.map((u) => u.hsaId),
  ]);
  const unitIdOf = (hsaId: string) => must(unitIds, hsaId, 'unit');
  const providerOfUnit = new Map(unitDefs.map((u) => [u.hsaId, providerIdOf(u.provider)]));
  const vaccinationUnits = unitDefs.filter((u) => u.vaccination);

  // ------------------------------------------------------------ staff
  const users = [
    ...FIXED_USERS,
    ...(scale === 'tiny' ? [] : generatedStaff(vaccinationUnits.map((u) => u.hsaId))),
  ];
  n.users = await insertRows(
    client,
    'app_user',
    [
      { name: 'id', type: 'text', value: (u) => seedId(`user:${u.hsaId}`) },
      { name: 'hsa_id', type: 'text', value: (u) => u.hsaId },
      { name: 'name', type: 'text', value: (u) => u.name },
      { name: 'title', type: 'text', value: (u) => u.title },
    ],
    users,
  );
  const userIds = await idMap(client, 'SELECT hsa_id AS k, id FROM app_user WHERE hsa_id = ANY($1)', [
    users.map((u) => u.hsaId),
  ]);
  const userIdOf = (hsaId: string | null) => (hsaId === null ? null : must(userIds, hsaId, 'user'));
  const assignments = users.flatMap((u) => u.assignments.map((a) => ({ user: u.hsaId, ...a })));
  n.assignments = await insertRows(
    client,
    'assignment',
    [
      { name: 'id', type: 'text', value: (a) => seedId(`assignment:${a.user}:${a.unit}:${a.role}`) },
      { name: 'user_id', type: 'text', value: (a) => userIdOf(a.user) },
      { name: 'unit_id', type: 'text', value: (a) => unitIdOf(a.unit) },
      { name: 'role', type: '"Role"', value: (a) => a.role },
    ],
    assignments,
  );
  const staffAt = (unitHsa: string, role: Role) =>
    assignments.find((a) => a.unit === unitHsa && a.role === role)?.user ?? null;

  // ------------------------------------------------------------ products and batches
  n.products = await insertRows(
    client,
    'product',
    [
      { name: 'id', type: 'text', value: (p) => seedId(`product:${p.name}`) },
      { name: 'name', type: 'text', value: (p) => p.name },
      { name: 'manufacturer', type: 'text', value: (p) => p.manufacturer },
      { name: 'atc_code', type: 'text', value: (p) => p.atcCode },
      { name: 'npl_id', type: 'text', value: (p) => p.nplId },
      { name: 'disease_area', type: 'text', value: (p) => p.diseaseArea },
      { name: 'doses_per_vial', type: 'int4', value: (p) => p.dosesPerVial },
      { name: 'open_vial_hours', type: 'int4', value: (p) => p.openVialHours },
      { name: 'dose_interval_days', type: 'int4', value: (p) => p.doseIntervalDays },
      { name: 'doses_in_series', type: 'int4', value: (p) => p.dosesInSeries },
    ],
    PRODUCTS,
  );
  const productIdsByName = await idMap(client, 'SELECT name AS k, id FROM product WHERE name = ANY($1)', [
    PRODUCTS.map((p) => p.name),
  ]);
  const productIds = new Map(PRODUCTS.map((p) => [p.key, must(productIdsByName, p.name, 'product')]));
  const productIdOf = (key: ProductKey) => must(productIds, key, 'product');
  n.productAliases = await insertRows(
    client,
    'product_alias',
    [
      { name: 'id', type: 'text', value: (a) => seedId(`product-alias:${a.product}:${a.name}`) },
      { name: 'product_id', type: 'text', value: (a) => productIdOf(a.product) },
      { name: 'name', type: 'text', value: (a) => a.name },
      { name: 'until', type: 'timestamptz', value: (a) => a.until },
    ],
    PRODUCTS.flatMap((p) => (p.aliases ?? []).map((a) => ({ product: p.key, ...a }))),
  );
  n.batches = await insertRows(
    client,
    'batch',
    [
      { name: 'id', type: 'text', value: (b) => seedId(`batch:${b.product}:${b.batchNumber}`) },
      { name: 'product_id', type: 'text', value: (b) => productIdOf(b.product) },
      { name: 'batch_number', type: 'text', value: (b) => b.batchNumber },
      { name: 'expires_on', type: 'date', value: (b) => formatDay(today + b.expiresInDays) },
    ],
    BATCHES,
  );
  // Expiry as stored: a later run keeps the first run's dates, and plans with them.
  const storedBatches = await client.query<{
    product_id: string;
    batch_number: string;
    id: string;
    expires_on: string;
  }>(
    `SELECT product_id, batch_number, id, to_char(expires_on, 'YYYY-MM-DD') AS expires_on
       FROM batch WHERE product_id = ANY($1)`,
    [[...productIds.values()]],
  );
  const storedBatch = new Map(storedBatches.rows.map((r) => [`${r.product_id}:${r.batch_number}`, r]));
  const batchIds = new Map<string, string>();
  const batches: PlanBatch[] = BATCHES.map((def) => {
    const row = must(storedBatch, `${productIdOf(def.product)}:${def.batchNumber}`, 'batch');
    batchIds.set(batchKey(def.product, def.batchNumber), row.id);
    return planBatch(def, today, parseDay(row.expires_on));
  });
  step('organisation, staff, products');

  // ------------------------------------------------------------ population register
  const people = generatePopulation(scale);
  n.populationRegister = await insertRows(
    client,
    'population_register',
    [
      { name: 'identity_number', type: 'text', value: (p) => p.identityNumber },
      { name: 'region_id', type: 'text', value: () => regionId },
      { name: 'municipality_code', type: 'text', value: (p) => p.municipalityCode },
      { name: 'birth_date', type: 'date', value: (p) => formatDay(p.birthDay) },
      { name: 'sex', type: '"Sex"', value: (p) => p.sex },
    ],
    people,
    20_000,
  );
  step(`population register: ${people.length} people`);

  // ------------------------------------------------------------ timebook set-up
  const planUnits: PlanUnit[] = vaccinationUnits.map((u) => ({
    hsaId: u.hsaId,
    municipalityCode: u.municipalityCode,
    nurseColumns: u.nurseColumns,
    bookingUser: staffAt(u.hsaId, 'BOOKING'),
    nurseUser: staffAt(u.hsaId, 'NURSE'),
    stockUser: staffAt(u.hsaId, 'STOCK_MANAGER'),
    massVaccination: u.fixed === 'U1',
  }));
  const resources = planUnits.flatMap((u) => [
    { unit: u.hsaId, kind: 'SKOTERSKA' as const, name: 'Sköterskor', columns: u.nurseColumns },
    { unit: u.hsaId, kind: 'LAKARE' as const, name: 'Läkare', columns: 1 },
  ]);
  n.timebookResources = await insertRows(
    client,
    'timebook_resource',
    [
      { name: 'id', type: 'text', value: (r) => seedId(`resource:${r.unit}:${r.kind}`) },
      { name: 'unit_id', type: 'text', value: (r) => unitIdOf(r.unit) },
      { name: 'kind', type: '"ResourceKind"', value: (r) => r.kind },
      { name: 'name', type: 'text', value: (r) => r.name },
      { name: 'columns', type: 'int4', value: (r) => r.columns },
    ],
    resources,
  );
  const unitIdList = planUnits.map((u) => unitIdOf(u.hsaId));
  const resourceIds = await idMap(
    client,
    `SELECT u.hsa_id || ':' || r.kind AS k, r.id FROM timebook_resource r JOIN unit u ON u.id = r.unit_id WHERE r.unit_id = ANY($1)`,
    [unitIdList],
  );
  const categories = [...new Set(VISIT_TYPES.map((v) => v.category))];
  const unitCategories = planUnits.flatMap((u) => categories.map((name) => ({ unit: u.hsaId, name })));
  n.visitCategories = await insertRows(
    client,
    'visit_category',
    [
      { name: 'id', type: 'text', value: (c) => seedId(`visit-category:${c.unit}:${c.name}`) },
      { name: 'unit_id', type: 'text', value: (c) => unitIdOf(c.unit) },
      { name: 'name', type: 'text', value: (c) => c.name },
    ],
    unitCategories,
  );
  const categoryIds = await idMap(
    client,
    `SELECT u.hsa_id || ':' || c.name AS k, c.id FROM visit_category c JOIN unit u ON u.id = c.unit_id WHERE c.unit_id = ANY($1)`,
    [unitIdList],
  );
  const visitTypeId = (unitHsa: string, key: VisitTypeKey) => seedId(`visit-type:${unitHsa}:${key}`);
  const unitVisitTypes = planUnits.flatMap((u) => VISIT_TYPES.map((v) => ({ unit: u.hsaId, ...v })));
  n.visitTypes = await insertRows(
    client,
    'visit_type',
    [
      { name: 'id', type: 'text', value: (v) => visitTypeId(v.unit, v.key) },
      { name: 'unit_id', type: 'text', value: (v) => unitIdOf(v.unit) },
      {
        name: 'category_id',
        type: 'text',
        value: (v) => must(categoryIds, `${v.unit}:${v.category}`, 'category'),
      },
      { name: 'name', type: 'text', value: (v) => v.name },
      { name: 'resource', type: '"ResourceKind"', value: (v) => v.resource },
      { name: 'duration_minutes', type: 'int4', value: (v) => v.durationMinutes },
      { name: 'product_id', type: 'text', value: (v) => (v.product ? productIdOf(v.product) : null) },
      { name: 'dose_number', type: 'int4', value: (v) => v.doseNumber },
      {
        name: 'allowed_weekdays',
        type: 'text',
        value: (v) => `{${v.allowedWeekdays.join(',')}}`,
        cast: 'int4[]',
      },
      { name: 'web_bookable', type: 'bool', value: (v) => v.webBookable },
    ],
    unitVisitTypes,
  );

  // ------------------------------------------------------------ plans
  // The history (doses and their ledger) is seeded once: if the units have doses already, a later
  // run (perhaps on a later day) only extends the timebook.
  const historyExists = (
    await client.query<{ exists: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM vaccination WHERE unit_id = ANY($1))',
      [unitIdList],
    )
  ).rows[0].exists;
  const specials = specialPatients(people);
  const vaccination = planVaccinations({ scale, today, people, units: planUnits, batches, specials });
  const history = historyExists ? [] : vaccination.vaccinations;
  const timebook = planTimebook(planUnits, today, SCALE_SETTINGS[scale].slotDays);
  const personByIdentity = new Map<string, Person>(people.map((p) => [p.identityNumber, p]));
  const specialByIdentity = new Map<string, PatientSpec>(specials.map((s) => [s.identityNumber, s]));
  const patientOf = (identity: string): PatientSpec =>
    specialByIdentity.get(identity) ?? patientFromPerson(must(personByIdentity, identity, 'person'));
  // Book only slots that are still free and were never booked by the seed, and only people
  // without an active booking, so that a second run picks no new patients.
  const taken = await client.query<{ key: string }>(
    `SELECT u.hsa_id || ':' || r.kind || ':' || s."column" || ':' ||
            to_char(s.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS key
       FROM slot s JOIN timebook_resource r ON r.id = s.resource_id JOIN unit u ON u.id = s.unit_id
      WHERE s.unit_id = ANY($1) AND s.date >= $2::date AND s.status <> 'FREE'`,
    [unitIdList, formatDay(today)],
  );
  const takenKeys = new Set(taken.rows.map((r) => r.key));
  const bookingIds = new Set(
    (
      await client.query<{ id: string }>('SELECT id FROM booking WHERE unit_id = ANY($1) AND id = ANY($2)', [
        unitIdList,
        timebook.slots.map(bookingId),
      ])
    ).rows.map((r) => r.id),
  );
  const alreadyBooked = new Set(
    (
      await client.query<{ identity_number: string }>(
        `SELECT p.identity_number FROM booking b JOIN patient p ON p.id = b.patient_id
          WHERE b.unit_id = ANY($1) AND b.status = 'ACTIVE'`,
        [unitIdList],
      )
    ).rows.map((r) => r.identity_number),
  );
  const bookings = planBookings({
    scale,
    today,
    slots: timebook.slots,
    units: planUnits,
    people,
    vaccination,
    specials,
    patientOf,
    unavailable: (slot, id) => takenKeys.has(slot.key) || bookingIds.has(id),
    alreadyBooked,
  });
  step(
    `planned ${history.length} doses${historyExists ? ' (history present: none)' : ''}, ` +
      `${timebook.slots.length} slots, ${bookings.length} new bookings`,
  );

  // ------------------------------------------------------------ patients
  const patientIdentities = new Set<string>(specials.map((s) => s.identityNumber));
  for (const v of history) patientIdentities.add(v.identityNumber);
  for (const b of bookings) patientIdentities.add(b.identityNumber);
  const patients = [...patientIdentities].map(patientOf);
  n.patients = await insertRows(
    client,
    'patient',
    [
      { name: 'id', type: 'text', value: (p) => seedId(`patient:${p.identityNumber}`) },
      { name: 'identity_number', type: 'text', value: (p) => p.identityNumber },
      { name: 'identity_type', type: '"IdentityType"', value: (p) => p.identityType },
      { name: 'identity_issuer', type: 'text', value: (p) => p.identityIssuer },
      { name: 'first_name', type: 'text', value: (p) => p.firstName },
      { name: 'last_name', type: 'text', value: (p) => p.lastName },
      {
        name: 'birth_date',
        type: 'date',
        value: (p) => (p.birthDay === null ? null : formatDay(p.birthDay)),
      },
      { name: 'sex', type: '"Sex"', value: (p) => p.sex },
      { name: 'municipality_code', type: 'text', value: (p) => p.municipalityCode },
      { name: 'protected_identity', type: 'bool', value: (p) => p.protectedIdentity },
      { name: 'phone', type: 'text', value: (p) => (p.protectedIdentity ? null : p.phone) },
      { name: 'updated_at', type: 'timestamptz', value: () => nowIso },
    ],
    patients,
  );
  step(`patients: ${patients.length}`);

  // ------------------------------------------------------------ slots, blocks, notes, bookings
  const resourceIdOf = (unitHsa: string, kind: string) => must(resourceIds, `${unitHsa}:${kind}`, 'resource');
  n.slots = await insertRows(
    client,
    'slot',
    [
      { name: 'id', type: 'text', value: (s) => s.id },
      { name: 'unit_id', type: 'text', value: (s) => unitIdOf(s.unitHsa) },
      { name: 'resource_id', type: 'text', value: (s) => resourceIdOf(s.unitHsa, s.resource) },
      { name: 'column', type: 'int4', value: (s) => s.column },
      { name: 'date', type: 'date', value: (s) => formatDay(s.day) },
      { name: 'starts_at', type: 'timestamptz', value: (s) => isoInstant(s.startMs) },
      { name: 'ends_at', type: 'timestamptz', value: (s) => isoInstant(s.endMs) },
    ],
    timebook.slots,
  );

  // A block marks the free slots in its range, only when the block itself is new (a block lifted
  // in the app stays lifted).
  const blockSrc = unnestSource(
    [
      { name: 'id', type: 'text', value: (b) => b.id },
      { name: 'unit_id', type: 'text', value: (b) => unitIdOf(b.unitHsa) },
      { name: 'starts_at', type: 'timestamptz', value: (b) => isoInstant(b.startMs) },
      { name: 'ends_at', type: 'timestamptz', value: (b) => isoInstant(b.endMs) },
      { name: 'note', type: 'text', value: (b) => b.note },
      {
        name: 'created_by_id',
        type: 'text',
        value: (b) => userIdOf(staffAt(b.unitHsa, 'TIMEBOOK_ADMIN')),
      },
    ] satisfies Column<(typeof timebook.blocks)[number]>[],
    timebook.blocks,
  );
  const blockRes = await client.query<{ blocks: number; slots: number }>(
    `WITH b AS (
       INSERT INTO timebook_block (id, unit_id, starts_at, ends_at, note, created_by_id)
       SELECT id, unit_id, starts_at, ends_at, note, created_by_id FROM ${blockSrc.sql} ORDER BY ord
       ON CONFLICT DO NOTHING
       RETURNING id, unit_id, starts_at, ends_at
     ), s AS (
       UPDATE slot SET status = 'BLOCKED', block_id = b.id
         FROM b
        WHERE slot.unit_id = b.unit_id AND slot.starts_at >= b.starts_at AND slot.starts_at < b.ends_at
          AND slot.status = 'FREE'
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM b)::int AS blocks, (SELECT count(*) FROM s)::int AS slots`,
    blockSrc.params,
  );
  n.timebookBlocks = blockRes.rows[0].blocks;
  n.blockedSlots = blockRes.rows[0].slots;

  n.timebookDays = await insertRows(
    client,
    'timebook_day',
    [
      { name: 'unit_id', type: 'text', value: (d) => unitIdOf(d.unitHsa) },
      { name: 'date', type: 'date', value: (d) => formatDay(d.day) },
      { name: 'note', type: 'text', value: (d) => d.note },
    ],
    timebook.dayNotes,
  );

  // Bookings find their slot and patient by natural key, and only take a slot that is still free.
  for (const batch of chunks(bookings, 10_000)) {
    const src = unnestSource(
      [
        { name: 'id', type: 'text', value: (b) => b.id },
        { name: 'resource_id', type: 'text', value: (b) => resourceIdOf(b.slot.unitHsa, b.slot.resource) },
        { name: 'col', type: 'int4', value: (b) => b.slot.column },
        { name: 'starts_at', type: 'timestamptz', value: (b) => isoInstant(b.slot.startMs) },
        { name: 'identity', type: 'text', value: (b) => b.identityNumber },
        { name: 'visit_type_id', type: 'text', value: (b) => visitTypeId(b.slot.unitHsa, b.visitType) },
        { name: 'phone', type: 'text', value: (b) => b.phone },
        { name: 'booked_by_id', type: 'text', value: (b) => userIdOf(b.bookedBy) },
      ] satisfies Column<(typeof bookings)[number]>[],
      batch,
    );
    const res = await client.query<{ bookings: number; slots: number }>(
      `WITH ins AS (
         INSERT INTO booking (id, slot_id, unit_id, patient_id, visit_type_id, status, source, phone, booked_by_id)
         SELECT u.id, s.id, s.unit_id, p.id, u.visit_type_id, 'ACTIVE', 'STAFF', u.phone, u.booked_by_id
           FROM ${src.sql}
           JOIN slot s ON s.resource_id = u.resource_id AND s."column" = u.col AND s.starts_at = u.starts_at
                      AND s.status = 'FREE'
           JOIN patient p ON p.identity_number = u.identity
          ORDER BY u.ord
         ON CONFLICT DO NOTHING
         RETURNING slot_id
       ), upd AS (
         UPDATE slot SET status = 'BOOKED' FROM ins WHERE slot.id = ins.slot_id RETURNING 1
       )
       SELECT (SELECT count(*) FROM ins)::int AS bookings, (SELECT count(*) FROM upd)::int AS slots`,
      src.params,
    );
    n.bookings += res.rows[0].bookings;
    n.bookedSlots += res.rows[0].slots;
  }
  step(`timebook: ${n.slots} slots, ${n.bookings} bookings inserted`);

  // ------------------------------------------------------------ vaccinations
  const batchIdOf = (product: ProductKey, batchNumber: string) =>
    must(batchIds, batchKey(product, batchNumber), 'batch');
  const insertedVaccinations = new Set<string>();
  for (const batch of chunks(history, 10_000)) {
    const src = unnestSource(
      [
        { name: 'id', type: 'text', value: (v) => v.id },
        { name: 'identity', type: 'text', value: (v) => v.identityNumber },
        { name: 'product_id', type: 'text', value: (v) => productIdOf(v.product) },
        {
          name: 'batch_id',
          type: 'text',
          value: (v) => (v.batchNumber ? batchIdOf(v.product, v.batchNumber) : null),
        },
        { name: 'dose_number', type: 'int4', value: (v) => v.doseNumber },
        { name: 'given_at', type: 'timestamptz', value: (v) => isoInstant(v.givenAtMs) },
        { name: 'given_on', type: 'date', value: (v) => formatDay(v.givenOn) },
        { name: 'unit_id', type: 'text', value: (v) => (v.unitHsa ? unitIdOf(v.unitHsa) : null) },
        {
          name: 'care_provider_id',
          type: 'text',
          value: (v) => (v.unitHsa ? must(providerOfUnit, v.unitHsa, 'provider') : null),
        },
        {
          name: 'administered_by_id',
          type: 'text',
          value: (v) => (v.unitHsa ? userIdOf(staffAt(v.unitHsa, 'NURSE')) : null),
        },
        { name: 'historical', type: 'bool', value: (v) => v.historical },
        { name: 'comment', type: 'text', value: (v) => v.comment },
      ] satisfies Column<(typeof vaccination.vaccinations)[number]>[],
      batch,
    );
    const res = await client.query<{ id: string }>(
      `INSERT INTO vaccination (id, patient_id, product_id, batch_id, dose_number, given_at, given_on, unit_id,
                                care_provider_id, administered_by_id, historical, comment, created_at)
       SELECT u.id, p.id, u.product_id, u.batch_id, u.dose_number, u.given_at, u.given_on, u.unit_id,
              u.care_provider_id, u.administered_by_id, u.historical, u.comment, u.given_at
         FROM ${src.sql}
         JOIN patient p ON p.identity_number = u.identity
        ORDER BY u.ord
       ON CONFLICT DO NOTHING
       RETURNING id`,
      src.params,
    );
    for (const r of res.rows) insertedVaccinations.add(r.id);
  }
  const administered = history.filter((v) => insertedVaccinations.has(v.id));
  n.vaccinations = administered.length;
  n.historicalVaccinations = administered.filter((v) => v.historical).length;
  step(`vaccinations: ${n.vaccinations} inserted`);

  // ------------------------------------------------------------ stock ledger
  // The ledger is append-only and each row carries the running balance: hold off concurrent
  // stock writes while this run reads the balances and appends to them.
  await client.query('LOCK TABLE stock_movement, stock_balance IN SHARE ROW EXCLUSIVE MODE');
  const unitHsaById = new Map([...unitIds].map(([hsa, id]) => [id, hsa]));
  const batchKeyById = new Map([...batchIds].map(([key, id]) => [id, key]));
  const existing = await client.query<{ unit_id: string; batch_id: string; balance: number }>(
    `SELECT unit_id, batch_id, sum(delta)::int AS balance FROM stock_movement WHERE unit_id = ANY($1) GROUP BY 1, 2`,
    [unitIdList],
  );
  const existingBalance = new Map<string, number>();
  for (const r of existing.rows) {
    const hsa = unitHsaById.get(r.unit_id);
    const bk = batchKeyById.get(r.batch_id);
    if (hsa && bk) existingBalance.set(`${hsa}|${bk}`, r.balance);
  }
  const movements = planLedger({ today, units: planUnits, batches, administered, existingBalance });
  n.stockMovements = await insertRows(
    client,
    'stock_movement',
    [
      { name: 'unit_id', type: 'text', value: (m) => unitIdOf(m.unitHsa) },
      { name: 'batch_id', type: 'text', value: (m) => batchIdOf(m.batch.product, m.batch.batchNumber) },
      { name: 'kind', type: '"StockMovementKind"', value: (m) => m.kind },
      { name: 'delta', type: 'int4', value: (m) => m.delta },
      { name: 'balance_after', type: 'int4', value: (m) => m.balanceAfter },
      { name: 'reason', type: '"WastageReason"', value: (m) => m.reason },
      { name: 'note', type: 'text', value: (m) => m.note },
      { name: 'user_id', type: 'text', value: (m) => userIdOf(m.userHsa) },
      { name: 'vaccination_id', type: 'text', value: (m) => m.vaccinationId },
      { name: 'created_at', type: 'timestamptz', value: (m) => isoInstant(m.atMs) },
    ],
    movements,
  );
  n.stockReceipts = movements.filter((m) => m.kind === 'RECEIPT').length;
  n.stockAdministered = movements.filter((m) => m.kind === 'ADMINISTERED').length;
  n.stockWastage = movements.filter((m) => m.kind === 'WASTAGE').length;

  // Balances are derived from the ledger, for the pairs this run touched.
  const finalBalance = new Map<string, number>();
  for (const m of movements)
    finalBalance.set(`${m.unitHsa}|${batchKey(m.batch.product, m.batch.batchNumber)}`, m.balanceAfter);
  const touched = [...finalBalance.keys()].map((k) => k.split('|'));
  const balanceRes = await client.query<{
    unit_id: string;
    batch_id: string;
    doses: number;
    inserted: boolean;
  }>(
    `INSERT INTO stock_balance (unit_id, batch_id, doses, updated_at)
     SELECT m.unit_id, m.batch_id, sum(m.delta)::int, now()
       FROM stock_movement m
       JOIN unnest($1::text[], $2::text[]) AS t(unit_id, batch_id) ON m.unit_id = t.unit_id AND m.batch_id = t.batch_id
      GROUP BY m.unit_id, m.batch_id
     ON CONFLICT (unit_id, batch_id) DO UPDATE
       SET doses = EXCLUDED.doses, row_version = stock_balance.row_version + 1, updated_at = now()
     RETURNING unit_id, batch_id, doses, (xmax = 0) AS inserted`,
    [touched.map(([hsa]) => unitIdOf(hsa)), touched.map(([, bk]) => must(batchIds, bk, 'batch'))],
  );
  n.stockBalances = balanceRes.rows.filter((r) => r.inserted).length;
  for (const r of balanceRes.rows) {
    const key = `${unitHsaById.get(r.unit_id)}|${batchKeyById.get(r.batch_id)}`;
    if (finalBalance.get(key) !== r.doses) {
      throw new Error(
        `seed: stock ledger mismatch for ${key}: planned ${finalBalance.get(key)}, ledger ${r.doses}`,
      );
    }
  }
  step(`stock: ${n.stockMovements} ledger rows, ${balanceRes.rowCount ?? 0} balances`);

  // ------------------------------------------------------------ journal (R5, R6, R19, R20, R22)
  const fixedU1 = must(unitIds, FIXED_UNIT_HSA.U1, 'unit');
  const journal = await seedJournal(client, {
    people,
    today,
    unitU1: fixedU1,
    productComirnaty: productIdOf('comirnaty'),
    productInfluenza: productIdOf('influenza'),
    physicianId: must(userIds, 'SE2321000057-L001', 'user'),
    bookedPatient: specials.find((x) => x.role === 'coordination' && x.ordinal === 1)?.identityNumber ?? null,
  });
  Object.assign(n, journal.counts);
  step(
    `journal: ${n.journalDoses} historical doses, ${n.guardianships} guardianships, ${n.prescriptions} prescriptions` +
      (journal.guardian ? `; guardian (citizen login) ${journal.guardian}` : ''),
  );

  // ------------------------------------------------------------ summary
  const fixedUnits = unitDefs.filter((u) => u.fixed);
  const units = Object.fromEntries(fixedUnits.map((u) => [u.fixed, unitIdOf(u.hsaId)])) as Record<
    FixedUnitKey,
    string
  >;
  const visitTypes = Object.fromEntries(
    (['U1', 'U2', 'U3'] as const).map((k) => [
      k,
      Object.fromEntries(VISIT_TYPES.map((v) => [v.key, visitTypeId(FIXED_UNIT_HSA[k], v.key)])),
    ]),
  ) as SeedSummary['visitTypes'];
  return {
    scale,
    regionId,
    regionHsaId: REGION.hsaId,
    careProviders: Object.fromEntries(PROVIDERS.map((p) => [p.key, providerIdOf(p.key)])) as Record<
      ProviderKey,
      string
    >,
    units,
    unitHsaIds: { ...FIXED_UNIT_HSA },
    vaccinationUnitIds: unitIdList,
    users: Object.fromEntries(FIXED_USERS.map((u) => [u.hsaId, must(userIds, u.hsaId, 'user')])),
    products: Object.fromEntries(PRODUCTS.map((p) => [p.key, productIdOf(p.key)])) as Record<
      ProductKey,
      string
    >,
    visitTypes,
    inserted: n,
  };
}

/**
 * At scales above tiny, every vaccination unit gets a booker and a nurse where the fixed users
 * do not already hold that role there, so the demo simulator has someone to act at every unit.
 * HSA-ids: B1nn (booking) and N1nn (nurse), nn the last two digits of the unit's HSA-id
 * (the fixed users are B0nn, N0nn).
 */
function generatedStaff(vaccinationUnitHsaIds: readonly string[]): UserDef[] {
  const out: UserDef[] = [];
  const roles: { role: Role; letter: string; title: string }[] = [
    { role: 'BOOKING', letter: 'B', title: 'Vårdadministratör' },
    { role: 'NURSE', letter: 'N', title: 'Sjuksköterska' },
  ];
  for (const unitHsa of vaccinationUnitHsaIds) {
    const nn = unitHsa.slice(-2);
    for (const r of roles) {
      if (FIXED_USERS.some((u) => u.assignments.some((a) => a.unit === unitHsa && a.role === r.role)))
        continue;
      const rng = new Rng(`staff:${unitHsa}:${r.role}`);
      const first = rng.pick(rng.chance(0.75) ? FEMALE_FIRST_NAMES : MALE_FIRST_NAMES);
      out.push({
        hsaId: `SE2321000057-${r.letter}1${nn}`,
        name: `${first} ${rng.pick(LAST_NAMES)}`,
        title: r.title,
        assignments: [{ unit: unitHsa, role: r.role }],
      });
    }
  }
  return out;
}

function zeroCounts(): SeedCounts {
  return {
    regions: 0,
    municipalities: 0,
    careProviders: 0,
    units: 0,
    users: 0,
    assignments: 0,
    products: 0,
    productAliases: 0,
    batches: 0,
    populationRegister: 0,
    patients: 0,
    timebookResources: 0,
    visitCategories: 0,
    visitTypes: 0,
    slots: 0,
    timebookBlocks: 0,
    blockedSlots: 0,
    timebookDays: 0,
    bookings: 0,
    bookedSlots: 0,
    vaccinations: 0,
    historicalVaccinations: 0,
    stockMovements: 0,
    stockReceipts: 0,
    stockAdministered: 0,
    stockWastage: 0,
    stockBalances: 0,
    journalPatients: 0,
    guardianships: 0,
    journalDoses: 0,
    declarations: 0,
    prescriptions: 0,
  };
}
