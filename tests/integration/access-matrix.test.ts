import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOPICS } from '../../backend/src/realtime/events';
import {
  api,
  closeDb,
  connected,
  connectLive,
  db,
  freeSlot,
  login,
  newPersonnummer,
  seedInfo,
  startApp,
  subscribe,
} from '../support/harness';

/**
 * Issue 8 §1 (R8, R9): the access matrix. `docs/access-matrix.md` is the data and the
 * documentation; this test (a) fails when /api/docs-json or the realtime topic list has an entry
 * without a row, or a row names something that no longer exists, and (b) calls every row as
 * every role, at the caller's own unit, another unit of the same care provider and a unit of
 * another care provider (or the own and another region), and compares allowed / refused with
 * the cell. How a call is read (allowed, refused) is explained at the top of the doc.
 */

const ROLES = [
  'BOOKING',
  'NURSE',
  'NURSE_PRESCRIBER',
  'PHYSICIAN',
  'TIMEBOOK_ADMIN',
  'STOCK_MANAGER',
  'SMITTSKYDD',
  'ADMIN',
  'CITIZEN',
  'ANONYMOUS',
] as const;
type Who = (typeof ROLES)[number];
const KINDS = ['any', 'role', 'unit', 'provider', 'region', 'own', '—'] as const;
type Kind = (typeof KINDS)[number];

/** own: the caller's unit / region / own data; peer: another unit of the same care provider; foreign: another care provider's unit (or another region, another patient's data). */
type Target = 'own' | 'peer' | 'foreign';

interface Row {
  key: string;
  cells: Record<Who, Kind>;
  line: number;
}

const MATRIX_FILE = join(__dirname, '../../docs/access-matrix.md');

/** The rows of the Markdown table whose first column is `METHOD /path` or `SOCKET topic {param}`. */
export function parseMatrix(text: string): { rows: Row[]; errors: string[] } {
  const rows: Row[] = [];
  const errors: string[] = [];
  let header: string[] | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line.startsWith('|')) return;
    const cols = line
      .slice(1, line.endsWith('|') ? -1 : undefined)
      .split('|')
      .map((c) => c.trim().replace(/^`|`$/g, ''));
    if (cols[0] === 'endpoint / topic') {
      header = cols.slice(1);
      const want = [...ROLES];
      if (header.slice(0, want.length).join(',') !== want.join(','))
        errors.push(`line ${i + 1}: the role columns must be ${want.join(', ')}`);
      return;
    }
    if (!header || /^-+$/.test(cols[0].replace(/:/g, ''))) return;
    if (!/^(GET|POST|PUT|PATCH|DELETE|SOCKET) \S+/.test(cols[0])) return;
    const cells = {} as Record<Who, Kind>;
    ROLES.forEach((role, j) => {
      const cell = (cols[j + 1] ?? '').replace(/\s.*$/, '') as Kind;
      if (!KINDS.includes(cell))
        errors.push(`line ${i + 1} (${cols[0]}), ${role}: "${cols[j + 1]}" is not one of ${KINDS.join(' ')}`);
      cells[role] = cell;
    });
    rows.push({ key: cols[0], cells, line: i + 1 });
  });
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.key)) errors.push(`line ${r.line}: row ${r.key} appears twice`);
    seen.add(r.key);
  }
  return { rows, errors };
}

/** What a cell expects at a target: true allowed, false refused, undefined not probed there. */
function expectation(kind: Kind, target: Target, scoped: boolean, byRegion: boolean): boolean | undefined {
  switch (kind) {
    case '—':
      return false;
    case 'any':
      return true;
    case 'role':
      return target === 'own' ? true : undefined;
    case 'unit':
    case 'own':
      return scoped ? target === 'own' : true;
    case 'region':
      // a region-addressed row: own region only (the other target is a real second region); a
      // unit-addressed row: every unit of the own region (all three probed units are in it)
      return scoped && byRegion ? target === 'own' : true;
    case 'provider':
      return scoped ? target !== 'foreign' : true;
  }
}

// ---------------------------------------------------------------------------------------------

const { units, regionId } = seedInfo();
const FIXTURE_HSA = 'SE2321000057-Z901';
const FOREIGN_UNIT_HSA = 'SE5568231459-9001';
const SECRET = 'access-matrix-test-secret-0123456789abcdef';
const FAR_DATE = '2035-03-06'; // a Tuesday far ahead: writes here touch nobody's work

let app: Awaited<ReturnType<typeof startApp>>;
const tokens = {} as Record<Exclude<Who, 'ANONYMOUS'>, string>;
/** the fixture user's ADMIN / PHYSICIAN tokens per unit, for arranging objects */
const maker: Record<string, Record<Target, string>> = { ADMIN: {} as never, PHYSICIAN: {} as never };
const unitOf = {} as Record<Target, string>;
let foreignProviderId = '';
/** A second region that exists, so that a region-scoped row refuses real data, not a missing id. */
let otherRegionId = '';

const citizenPnr = newPersonnummer();
/** one patient per target for objects (bookings, prescriptions, doses); the citizen's own at `own` */
const patientPnr = {} as Record<Target, string>;

interface Fixtures {
  booking: Record<Target, string>;
  citizenBooking: Record<Target, string>;
  slot: Record<Target, string>;
  visitType: Record<Target, string>;
  massCancellation: Record<Target, string>;
  job: Record<Target, string>;
  prescription: Record<Target, string>;
  vaccination: Record<Target, string>;
}
const fx = {
  booking: {},
  citizenBooking: {},
  slot: {},
  visitType: {},
  massCancellation: {},
  job: {},
  prescription: {},
  vaccination: {},
} as Fixtures;

async function ok(res: { status: number; body: any }, what: string) {
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function makeBooking(target: Target, pnr: string): Promise<string> {
  const s = await freeSlot(unitOf[target]);
  const res = await api(app.url, 'POST', '/api/bookings', {
    token: maker.ADMIN[target],
    body: { slotId: s.slotId, visitTypeId: s.visitTypeId, patient: { personalIdentityNumber: pnr } },
  });
  return (await ok(res, `booking at ${target}`)).id;
}

async function makeVisitType(target: Target, name = 'Matrisprov'): Promise<string> {
  const res = await api(app.url, 'POST', `/api/units/${unitOf[target]}/visit-types`, {
    token: maker.ADMIN[target],
    // weekdays set, web booking off: no other test's "free slot with a fitting type" picks it
    body: { name, resource: 'LAKARE', allowedWeekdays: [7], webBookable: false },
  });
  return (await ok(res, `visit type at ${target}`)).id;
}

async function makeBlock(target: Target): Promise<string> {
  const res = await api(app.url, 'POST', `/api/units/${unitOf[target]}/timebook/blocks`, {
    token: maker.ADMIN[target],
    body: { date: FAR_DATE, from: '06:00', to: '06:30', note: 'access matrix' },
  });
  const body = await ok(res, `block at ${target}`);
  return body.id ?? body.blockId ?? body.block?.id;
}

beforeAll(async () => {
  app = await startApp({ JWT_SECRET: SECRET });
  const pool = db();
  unitOf.own = units.U1;
  unitOf.peer = units.U2;
  // A unit of another care provider (the tiny seed has the region's units only).
  foreignProviderId = (await pool.query(`SELECT id FROM care_provider WHERE hsa_id = 'SE5568231459-0000'`))
    .rows[0].id;
  unitOf.foreign = (
    await pool.query(
      `INSERT INTO unit (hsa_id, name, care_provider_id, region_id, municipality_code, address)
       VALUES ($1, 'Vaccinationskliniken Jönköping (matristest)', $2, $3, '0680', 'Västra Storgatan 14')
       ON CONFLICT (hsa_id) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
      [FOREIGN_UNIT_HSA, foreignProviderId, regionId],
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO timebook_resource (unit_id, kind, name, columns) VALUES ($1, 'SKOTERSKA', 'Sjuksköterska', 1)
     ON CONFLICT (unit_id, kind) DO NOTHING`,
    [unitOf.foreign],
  );
  otherRegionId = (
    await pool.query(
      `INSERT INTO region (code, name, hsa_id) VALUES ('99', 'Region Matristest', 'SE2321000099-0000')
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
    )
  ).rows[0].id;
  const otherProvider = (
    await pool.query(
      `INSERT INTO care_provider (hsa_id, name, kind, region_id) VALUES ('SE2321000099-0001', 'Matristest vård', 'REGION', $1)
       ON CONFLICT (hsa_id) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
      [otherRegionId],
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO municipality (code, name, region_id) VALUES ('9901', 'Matristest kommun', $1) ON CONFLICT (code) DO NOTHING`,
    [otherRegionId],
  );
  await pool.query(
    `INSERT INTO unit (hsa_id, name, care_provider_id, region_id, municipality_code, address)
     VALUES ('SE2321000099-0002', 'Matristest vaccination', $1, $2, '9901', 'Testgatan 1')
     ON CONFLICT (hsa_id) DO NOTHING`,
    [otherProvider, otherRegionId],
  );
  // The fixture user arranges objects at every target unit.
  const user = (
    await pool.query(
      `INSERT INTO app_user (hsa_id, name, title) VALUES ($1, 'Matris Fixtur', 'Test')
       ON CONFLICT (hsa_id) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
      [FIXTURE_HSA],
    )
  ).rows[0].id;
  for (const t of ['own', 'peer', 'foreign'] as Target[])
    for (const role of ['ADMIN', 'PHYSICIAN'])
      await pool.query(
        `INSERT INTO assignment (user_id, unit_id, role) VALUES ($1, $2, $3::"Role") ON CONFLICT DO NOTHING`,
        [user, unitOf[t], role],
      );
  const fixtureLogin = await api(app.url, 'POST', '/api/auth/dev-login', { body: { hsaId: FIXTURE_HSA } });
  const first = fixtureLogin.body.accessToken as string;
  for (const a of fixtureLogin.body.assignments as Array<{ id: string; unitId: string; role: string }>) {
    const t = (Object.keys(unitOf) as Target[]).find((k) => unitOf[k] === a.unitId);
    if (!t) continue;
    const sw = await api(app.url, 'POST', '/api/auth/switch', { token: first, body: { assignmentId: a.id } });
    maker[a.role][t] = sw.body.accessToken;
  }

  // The callers: the seed's fixed users, each acting at U1 (SMITTSKYDD at the region's SM unit).
  const seedUser: Record<string, string> = {
    BOOKING: 'B001',
    NURSE: 'N001',
    NURSE_PRESCRIBER: 'N002',
    PHYSICIAN: 'L001',
    TIMEBOOK_ADMIN: 'T001',
    STOCK_MANAGER: 'S001',
    ADMIN: 'A001',
  };
  for (const [role, hsa] of Object.entries(seedUser))
    tokens[role as Who & keyof typeof tokens] = (await login(app.url, `SE2321000057-${hsa}`, units.U1)).token;
  tokens.SMITTSKYDD = (await login(app.url, 'SE2321000057-R001')).token;
  const citizen = await api(app.url, 'POST', '/api/citizen/dev-login', {
    body: { personalIdentityNumber: citizenPnr },
  });
  tokens.CITIZEN = (await ok(citizen, 'citizen login')).accessToken;

  // The foreign unit's timebook: a few days of slots and a visit type that fits them.
  await ok(
    await api(app.url, 'POST', `/api/units/${unitOf.foreign}/timebook/slots`, {
      token: maker.ADMIN.foreign,
      body: {
        resource: 'SKOTERSKA',
        from: '2034-01-02',
        to: '2034-01-31',
        slotMinutes: 15,
        weekdays: { '1': [{ start: '09:00', end: '12:00' }], '2': [{ start: '09:00', end: '12:00' }] },
      },
    }),
    'slots at the foreign unit',
  );
  await ok(
    await api(app.url, 'POST', `/api/units/${unitOf.foreign}/visit-types`, {
      token: maker.ADMIN.foreign,
      body: { name: 'Covid-19 (matristest)', resource: 'SKOTERSKA', webBookable: false },
    }),
    'visit type at the foreign unit',
  );

  const product = (await pool.query(`SELECT id FROM product ORDER BY name LIMIT 1`)).rows[0].id;
  for (const t of ['own', 'peer', 'foreign'] as Target[]) {
    patientPnr[t] = newPersonnummer();
    fx.booking[t] = await makeBooking(t, patientPnr[t]);
    fx.citizenBooking[t] = t === 'own' ? await makeBooking(t, citizenPnr) : fx.booking[t];
    for (const b of [fx.booking[t], fx.citizenBooking[t]])
      slotOfBooking[b] = (await pool.query(`SELECT slot_id FROM booking WHERE id = $1`, [b])).rows[0].slot_id;
    fx.slot[t] = (await freeSlot(unitOf[t])).slotId;
    fx.visitType[t] = await makeVisitType(t);
    const mc = await ok(
      await api(app.url, 'POST', `/api/units/${unitOf[t]}/mass-cancellations`, {
        token: maker.ADMIN[t],
        body: { date: FAR_DATE, from: '06:00', to: '06:15', message: 'Matristest: inget ställs in.' },
      }),
      `mass cancellation at ${t}`,
    );
    fx.massCancellation[t] = mc.massCancellationId;
    fx.job[t] = mc.jobId;
    const pr = await ok(
      await api(app.url, 'POST', `/api/patients/${patientPnr[t]}/prescriptions`, {
        token: maker.PHYSICIAN[t],
        body: { doses: [{ doseNumber: 1, productId: product }] },
      }),
      `prescription at ${t}`,
    );
    fx.prescription[t] = pr.prescriptions?.[0]?.id ?? pr[0]?.id ?? pr.id;
    // a given dose at the target unit, copied from a seed dose onto this target's patient
    fx.vaccination[t] = (
      await pool.query(
        `INSERT INTO vaccination (patient_id, product_id, batch_id, dose_number, given_at, given_on, unit_id,
                                  care_provider_id, recorded_unit_id)
         SELECT (SELECT id FROM patient WHERE identity_number = $1), v.product_id, v.batch_id, 1,
                v.given_at, v.given_on, u.id, u.care_provider_id, u.id
           FROM vaccination v, unit u
          WHERE v.batch_id IS NOT NULL AND v.status = 'GIVEN' AND u.id = $2
          LIMIT 1 RETURNING id`,
        [patientPnr[t], unitOf[t]],
      )
    ).rows[0].id;
  }
}, 120_000);

afterAll(async () => {
  await app?.close();
  // The probe run has no files on disk: other suites read every completed run's files.
  if (exportRunId) await db().query('DELETE FROM nvr_export_run WHERE id = $1', [exportRunId]);
  // The second region goes again (other suites count the regions, e.g. the nightly NVR runs).
  // Were anything made in it by a probe, the delete fails: nothing may have been.
  if (otherRegionId)
    await db().query(
      `WITH u AS (DELETE FROM unit WHERE region_id = $1), c AS (DELETE FROM care_provider WHERE region_id = $1),
            m AS (DELETE FROM municipality WHERE region_id = $1)
       SELECT 1`,
      [otherRegionId],
    );
  if (otherRegionId) await db().query('DELETE FROM region WHERE id = $1', [otherRegionId]);
  await closeDb();
});

// ---------------------------------------------------------------------------------------------

interface Probe {
  /** path with parameters filled, query included */
  path: string;
  body?: unknown;
  /** the addressed object or unit really exists, so a 404 means "hidden from you" (refused) */
  real?: boolean;
  headers?: Record<string, string>;
}
type ProbeFn = (who: Who, target: Target) => Probe | Promise<Probe>;
interface RowProbe {
  /** whether the row addresses a unit / region / object whose place can differ from the caller's */
  scoped: boolean;
  /** addressed by a region (own region vs another); else by a unit or an object at a unit */
  region?: boolean;
  probe: ProbeFn;
}

const u = (t: Target) => unitOf[t];
/** the own region, or a real second one (with a care provider and a unit) for peer and foreign */
const region = (t: Target) => (t === 'own' ? regionId : otherRegionId);
const pnrOf = () => patientPnr.own;
const slotOfBooking: Record<string, string> = {};
function claim(token: string, name: string): string {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())[name];
}
const single = (probe: (who: Who) => Probe | Promise<Probe>): RowProbe => ({ scoped: false, probe });
const scoped = (probe: ProbeFn): RowProbe => ({ scoped: true, probe });
const regional = (probe: ProbeFn): RowProbe => ({ scoped: true, region: true, probe });
/** a booking: the citizen's own one at `own`, another patient's elsewhere */
const bookingOf = (who: Who, t: Target) => (who === 'CITIZEN' ? fx.citizenBooking[t] : fx.booking[t]);

/**
 * One completed NVR export run of the region with one data file, made by SQL once (the row is what
 * is probed; the file itself is not on disk, so an allowed download answers 404 after the check).
 */
let exportRunId: string | undefined;
async function exportRun(): Promise<string> {
  exportRunId ??= (
    await db().query(
      `INSERT INTO nvr_export_run (region_id, status, trigger, dir, files)
       VALUES ($1, 'COMPLETED', 'manual', 'matrix-probe', '[{"name": "records.ndjson", "kind": "fhir-ndjson", "sha256": "0"}]')
       RETURNING id`,
      [regionId],
    )
  ).rows[0].id;
  return exportRunId!;
}

/** A failed SMS about the booking at each place, made by SQL once per place. */
const failedIds: Partial<Record<Target, string>> = {};
async function failedNotification(t: Target): Promise<string> {
  failedIds[t] ??= (
    await db().query(
      `INSERT INTO notification (dedupe_key, kind, patient_id, booking_id, to_phone, body, status, last_error)
       SELECT 'matrix:' || b.id, 'BOOKING_CONFIRMATION', b.patient_id, b.id, '+46700000000', 'Matrisprov', 'FAILED', '400 matrix'
         FROM booking b WHERE b.id = $1 RETURNING id`,
      [fx.booking[t]],
    )
  ).rows[0].id;
  return failedIds[t]!;
}

/**
 * How to call each row. A new row needs an entry here; a path whose only parameter is
 * `{unitId}` works without one (it is probed at the three units with no body).
 */
const PROBES: Record<string, RowProbe> = {
  // public and session
  'GET /api/health': single(() => ({ path: '/api/health' })),
  'GET /api/health/live': single(() => ({ path: '/api/health/live' })),
  'GET /api/auth/dev-users': single(() => ({ path: '/api/auth/dev-users' })),
  'POST /api/auth/dev-login': single(() => ({
    path: '/api/auth/dev-login',
    body: { hsaId: 'SE2321000057-B002' },
  })),
  'POST /api/auth/switch': single((who) => ({
    path: '/api/auth/switch',
    // the caller's own current assignment (from the token's `aid` claim)
    body: {
      assignmentId:
        who === 'CITIZEN' || who === 'ANONYMOUS' ? 'no-such-assignment' : claim(tokens[who], 'aid'),
    },
  })),
  'GET /api/citizen/dev-citizens': single(() => ({ path: '/api/citizen/dev-citizens' })),
  'POST /api/citizen/dev-login': single(() => ({
    path: '/api/citizen/dev-login',
    body: { personalIdentityNumber: citizenPnr },
  })),
  'GET /api/booking-links/{token}': single(() => ({ path: '/api/booking-links/no-such-link-token-00000' })),
  'DELETE /api/booking-links/{token}': single(() => ({
    path: '/api/booking-links/no-such-link-token-00000',
  })),
  // reference data
  'GET /api/units': single(() => ({ path: '/api/units' })),
  'GET /api/products': single(() => ({ path: '/api/products' })),
  'PATCH /api/products/{id}': single(async () => {
    const p = (await db().query(`SELECT id, name FROM product ORDER BY name LIMIT 1`)).rows[0];
    return { path: `/api/products/${p.id}`, body: { name: p.name }, real: true };
  }),
  'GET /api/health-declarations/questions': single(() => ({ path: '/api/health-declarations/questions' })),
  // timebook
  'GET /api/units/{unitId}/slots': scoped((_, t) => ({
    path: `/api/units/${u(t)}/slots?date=${FAR_DATE}`,
    real: true,
  })),
  'GET /api/units/{unitId}/availability': scoped((_, t) => ({
    path: `/api/units/${u(t)}/availability?from=${FAR_DATE}&to=${FAR_DATE}`,
    real: true,
  })),
  'GET /api/units/{unitId}/visit-types': scoped((_, t) => ({
    path: `/api/units/${u(t)}/visit-types`,
    real: true,
  })),
  'POST /api/units/{unitId}/visit-types': scoped((_, t) => ({
    path: `/api/units/${u(t)}/visit-types`,
    body: { name: 'Matrisprov (skapad)', resource: 'LAKARE', allowedWeekdays: [7], webBookable: false },
    real: true,
  })),
  'PATCH /api/visit-types/{id}': scoped((_, t) => ({
    path: `/api/visit-types/${fx.visitType[t]}`,
    body: { name: 'Matrisprov' },
    real: true,
  })),
  'DELETE /api/visit-types/{id}': scoped(async (_, t) => ({
    path: `/api/visit-types/${await makeVisitType(t, 'Matrisprov (radera)')}`,
    real: true,
  })),
  'POST /api/units/{unitId}/timebook/slots': scoped((_, t) => ({
    path: `/api/units/${u(t)}/timebook/slots`,
    body: {
      resource: 'SKOTERSKA',
      from: FAR_DATE,
      to: FAR_DATE,
      slotMinutes: 15,
      weekdays: { '2': [{ start: '06:00', end: '06:30' }] },
    },
    real: true,
  })),
  'POST /api/units/{unitId}/timebook/blocks': scoped((_, t) => ({
    path: `/api/units/${u(t)}/timebook/blocks`,
    body: { date: FAR_DATE, from: '06:00', to: '06:15', note: 'access matrix' },
    real: true,
  })),
  'GET /api/units/{unitId}/timebook/blocks': scoped((_, t) => ({
    path: `/api/units/${u(t)}/timebook/blocks?date=${FAR_DATE}`,
    real: true,
  })),
  'DELETE /api/timebook/blocks/{id}': scoped(async (_, t) => ({
    path: `/api/timebook/blocks/${await makeBlock(t)}`,
    real: true,
  })),
  'GET /api/units/{unitId}/timebook/resources': scoped((_, t) => ({
    path: `/api/units/${u(t)}/timebook/resources`,
    real: true,
  })),
  'PUT /api/units/{unitId}/timebook/days/{date}': scoped((_, t) => ({
    path: `/api/units/${u(t)}/timebook/days/${FAR_DATE}`,
    body: { note: 'access matrix' },
    real: true,
  })),
  'GET /api/units/{unitId}/timebook/days': scoped((_, t) => ({
    path: `/api/units/${u(t)}/timebook/days?from=${FAR_DATE}&to=${FAR_DATE}`,
    real: true,
  })),
  // booking
  'POST /api/bookings': scoped((who, t) => ({
    path: '/api/bookings',
    body: {
      slotId: fx.slot[t],
      visitTypeId: 'no-such-visit-type',
      patient: { personalIdentityNumber: who === 'CITIZEN' ? citizenPnr : patientPnr[t] },
    },
    real: true,
  })),
  'GET /api/bookings/{id}': scoped((who, t) => ({ path: `/api/bookings/${bookingOf(who, t)}`, real: true })),
  'DELETE /api/bookings/{id}': scoped((who, t) => ({
    path: `/api/bookings/${bookingOf(who, t)}`,
    real: true,
  })),
  'POST /api/bookings/{id}/rebook': scoped((who, t) => ({
    path: `/api/bookings/${bookingOf(who, t)}/rebook`,
    // the booking's own (booked) slot: 409 once allowed, so nothing is rebooked
    body: { slotId: slotOfBooking[bookingOf(who, t)] },
    real: true,
  })),
  'POST /api/slots/{slotId}/hold': scoped((_, t) => ({ path: `/api/slots/${fx.slot[t]}/hold`, real: true })),
  'DELETE /api/holds/{holdId}': single(() => ({ path: '/api/holds/no-such-hold' })),
  'POST /api/units/{unitId}/mass-cancellations': scoped((_, t) => ({
    path: `/api/units/${u(t)}/mass-cancellations`,
    body: { date: FAR_DATE, from: '06:00', to: '06:15', message: 'Matristest: inget ställs in.' },
    real: true,
  })),
  'GET /api/mass-cancellations/{id}': scoped((_, t) => ({
    path: `/api/mass-cancellations/${fx.massCancellation[t]}`,
    real: true,
  })),
  'GET /api/jobs/{id}': scoped((_, t) => ({ path: `/api/jobs/${fx.job[t]}`, real: true })),
  'GET /api/patients/{personalIdentityNumber}/bookings': single(() => ({
    path: `/api/patients/${pnrOf()}/bookings`,
    real: true,
  })),
  // citizen web booking
  'GET /api/citizen/me': single(() => ({ path: '/api/citizen/me' })),
  'GET /api/citizen/units': single(() => ({ path: '/api/citizen/units' })),
  'GET /api/citizen/units/{unitId}/days': single(() => ({
    path: `/api/citizen/units/${units.U1}/days?visitTypeId=${fx.visitType.own}&from=${FAR_DATE}&to=${FAR_DATE}`,
  })),
  'GET /api/citizen/units/{unitId}/times': single(() => ({
    path: `/api/citizen/units/${units.U1}/times?visitTypeId=${fx.visitType.own}&date=${FAR_DATE}`,
  })),
  'GET /api/citizen/bookings': single(() => ({ path: '/api/citizen/bookings' })),
  'POST /api/citizen/waiting-room': single(() => ({ path: '/api/citizen/waiting-room' })),
  'GET /api/citizen/vaccinations': single(() => ({ path: '/api/citizen/vaccinations' })),
  'POST /api/citizen/health-declarations': single(() => ({
    path: '/api/citizen/health-declarations',
    body: { disease: 'no-such-disease', answers: {} },
  })),
  // patients and journal (the patient is the region's; which doses show is R7/R8, tested in journal.test.ts)
  'POST /api/patients': single(() => ({
    path: '/api/patients',
    body: { personalIdentityNumber: pnrOf(), firstName: 'Matris', lastName: 'Prov' },
  })),
  'GET /api/patients/{personalIdentityNumber}': single(() => ({
    path: `/api/patients/${pnrOf()}`,
    real: true,
  })),
  'GET /api/patients/{pnr}/journal': single(() => ({ path: `/api/patients/${pnrOf()}/journal`, real: true })),
  'GET /api/patients/{pnr}/print': single(() => ({
    path: `/api/patients/${pnrOf()}/print?kind=history`,
    real: true,
  })),
  'GET /api/patients/{pnr}/access-log': single(() => ({
    path: `/api/patients/${pnrOf()}/access-log`,
    real: true,
  })),
  'POST /api/patients/{pnr}/health-declarations': single(() => ({
    path: `/api/patients/${pnrOf()}/health-declarations`,
    body: { disease: 'no-such-disease', answers: {} },
  })),
  'POST /api/patients/{pnr}/prescriptions': single(() => ({
    path: `/api/patients/${pnrOf()}/prescriptions`,
    body: { doses: [{ doseNumber: 1, productId: 'no-such-product' }] },
  })),
  'POST /api/prescriptions/{id}/void': scoped((_, t) => ({
    path: `/api/prescriptions/${fx.prescription[t]}/void`,
    body: { reason: 'matristest' },
    real: true,
  })),
  'POST /api/patients/{pnr}/historical-vaccinations': single(() => ({
    path: `/api/patients/${pnrOf()}/historical-vaccinations`,
    body: { productId: 'no-such-product', doseNumber: 1, givenOn: '2021-05-01', comment: 'given abroad' },
  })),
  'POST /api/vaccinations/{id}/void': scoped((_, t) => ({
    path: `/api/vaccinations/${fx.vaccination[t]}/void`,
    body: { reason: 'matristest' },
    real: true,
  })),
  'POST /api/vaccinations/{id}/sealing': scoped((_, t) => ({
    path: `/api/vaccinations/${fx.vaccination[t]}/sealing`,
    body: { sealed: false },
    real: true,
  })),
  'POST /api/patients/{pnr}/sealing': single(() => ({
    path: `/api/patients/${pnrOf()}/sealing`,
    body: { sealed: false },
    real: true,
  })),
  'POST /api/patients/{pnr}/identity': single(() => ({
    path: `/api/patients/${pnrOf()}/identity`,
    // another patient's number: 409 once allowed, so nothing changes
    body: { newIdentityNumber: patientPnr.peer },
    real: true,
  })),
  'POST /api/patients/{pnr}/consent': single(() => ({
    path: `/api/patients/${pnrOf()}/consent`,
    real: true,
  })),
  'DELETE /api/patients/{pnr}/consent': single(() => ({
    path: `/api/patients/${pnrOf()}/consent`,
    real: true,
  })),
  'POST /api/patients/{pnr}/provider-blocks': single(() => ({
    path: `/api/patients/${pnrOf()}/provider-blocks`,
    body: { careProviderId: foreignProviderId, blocked: false },
    real: true,
  })),
  'GET /api/control-report': single(() => ({ path: '/api/control-report?from=2035-01-01&to=2035-01-02' })),
  'POST /api/vaccinations': single(() => ({
    path: '/api/vaccinations',
    body: {
      personalIdentityNumber: pnrOf(),
      productId: 'no-such-product',
      batchId: 'no-such-batch',
      doseNumber: 1,
      prescriptionId: 'no-such-prescription',
    },
  })),
  // stock
  'GET /api/units/{unitId}/stock': scoped((_, t) => ({ path: `/api/units/${u(t)}/stock`, real: true })),
  'POST /api/units/{unitId}/stock/movements': scoped((_, t) => ({
    path: `/api/units/${u(t)}/stock/movements`,
    // a batch that does not exist: 404 after the unit check, so only 401/403 mean refused
    body: { kind: 'WASTAGE', batchId: 'no-such-batch', doses: 1, reason: 'BROKEN', expectedRowVersion: 1 },
  })),
  'GET /api/units/{unitId}/stock/batches/{batchId}/ledger': scoped((_, t) => ({
    path: `/api/units/${u(t)}/stock/batches/no-such-batch/ledger`,
    real: true,
  })),
  'GET /api/units/{unitId}/stock/history': scoped((_, t) => ({
    path: `/api/units/${u(t)}/stock/history?from=2035-01-01&to=2035-01-02`,
    real: true,
  })),
  'GET /api/units/{unitId}/stock/reconciliation': scoped((_, t) => ({
    // 404 while the unit has no reconciliation yet: only 401/403 mean refused here
    path: `/api/units/${u(t)}/stock/reconciliation`,
  })),
  'GET /api/stock/overview': regional((_, t) => ({ path: `/api/stock/overview?regionId=${region(t)}` })),
  'POST /api/stock/reconciliations': scoped((_, t) => ({
    path: '/api/stock/reconciliations',
    body: { unitId: u(t) },
    real: true,
  })),
  // coverage (region)
  'GET /api/coverage': regional((_, t) => ({
    path: `/api/coverage?regionId=${region(t)}&groupBy=municipality`,
  })),
  'GET /api/coverage/matrix': regional((_, t) => ({ path: `/api/coverage/matrix?regionId=${region(t)}` })),
  'GET /api/coverage/daily': regional((_, t) => ({ path: `/api/coverage/daily?regionId=${region(t)}` })),
  'GET /api/coverage/dropout': regional((_, t) => ({ path: `/api/coverage/dropout?regionId=${region(t)}` })),
  // NVR export (R28, region)
  'POST /api/nvr/exports': regional((_, t) => ({ path: '/api/nvr/exports', body: { regionId: region(t) } })),
  'GET /api/nvr/exports': regional((_, t) => ({ path: `/api/nvr/exports?regionId=${region(t)}` })),
  'GET /api/nvr/exports/{exportId}': single(async () => ({
    path: `/api/nvr/exports/${await exportRun()}`,
    real: true,
  })),
  'POST /api/nvr/exports/{exportId}/files/{name}/link': single(async () => ({
    path: `/api/nvr/exports/${await exportRun()}/files/records.ndjson/link`,
    real: true,
  })),
  'GET /api/nvr/exports/{exportId}/files/{name}': single(async () => ({
    path: `/api/nvr/exports/${await exportRun()}/files/records.ndjson`,
    // the run is real, its file is not on disk: a 404 after the check is allowed, 401/403 refused
    real: false,
  })),
  // SMS (R18): preferences, dead letters, campaigns, queue board, the demo's catcher
  'GET /api/dev/sms-sink/messages': single(() => ({ path: '/api/dev/sms-sink/messages' })),
  'GET /api/citizen/sms-preferences': single(() => ({ path: '/api/citizen/sms-preferences' })),
  'PUT /api/citizen/sms-preferences': single(() => ({
    path: '/api/citizen/sms-preferences',
    body: { smsOptOut: false },
  })),
  'PUT /api/patients/{personalIdentityNumber}/sms-preferences': single(() => ({
    path: `/api/patients/${pnrOf()}/sms-preferences`,
    body: { smsOptOut: false },
    real: true,
  })),
  'POST /api/sms/notifications/{id}/retry': scoped(async (_, t) => ({
    path: `/api/sms/notifications/${await failedNotification(t)}/retry`,
    real: true,
  })),
  'POST /api/units/{unitId}/sms-campaigns': scoped((_, t) => ({
    path: `/api/units/${u(t)}/sms-campaigns`,
    body: { date: FAR_DATE, from: '06:00', to: '06:30', message: 'Matrisprov' },
    real: true,
  })),
  // a mass cancellation is also an SMS campaign (same id)
  'GET /api/sms-campaigns/{id}': scoped((_, t) => ({
    path: `/api/sms-campaigns/${fx.massCancellation[t]}`,
    real: true,
  })),
  'POST /api/sms-campaigns/{id}/pause': scoped((_, t) => ({
    path: `/api/sms-campaigns/${fx.massCancellation[t]}/pause`,
    real: true,
  })),
  'POST /api/sms-campaigns/{id}/resume': scoped((_, t) => ({
    path: `/api/sms-campaigns/${fx.massCancellation[t]}/resume`,
    real: true,
  })),
  'POST /api/sms-campaigns/{id}/cancel': scoped((_, t) => ({
    path: `/api/sms-campaigns/${fx.massCancellation[t]}/cancel`,
    real: true,
  })),
  'POST /api/admin/queues/session': single(() => ({ path: '/api/admin/queues/session' })),
  'GET /api/coverage/filters': regional((_, t) => ({ path: `/api/coverage/filters?regionId=${region(t)}` })),
  'POST /api/coverage/rebuilds': regional((_, t) => ({
    path: '/api/coverage/rebuilds',
    body: { regionId: region(t) },
  })),
};

/** Socket rows: `SOCKET <topic> {unitId}` or `SOCKET <topic> {regionId}`. */
function socketRequest(key: string, t: Target) {
  const [, topic, param] = key.split(' ');
  return param === '{regionId}'
    ? { topic, regionId: region(t) }
    : { topic, unitId: u(t), ...(topic === 'timebook' ? { date: FAR_DATE } : {}) };
}

type Outcome = { allowed: boolean; status: string };

async function call(row: Row, who: Who, target: Target): Promise<Outcome> {
  const token = who === 'ANONYMOUS' ? undefined : tokens[who];
  if (row.key.startsWith('SOCKET ')) {
    const s = connectLive(app.url, token);
    try {
      const c = await connected(s);
      if (c !== true) return { allowed: false, status: `connect_error ${c}` };
      const ack = await subscribe(s, socketRequest(row.key, target) as never);
      return { allowed: ack.ok === true, status: ack.ok ? 'ack ok' : `ack ${ack.error}` };
    } finally {
      s.disconnect();
    }
  }
  const [method, path] = row.key.split(' ');
  const rp = PROBES[row.key] ?? defaultProbe(path);
  const probe = await rp.probe(who, target);
  const res = await api(app.url, method, probe.path, { token, body: probe.body, headers: probe.headers });
  if (res.status >= 500) throw new Error(`${row.key} as ${who} at ${target}: ${res.status}`);
  const refused = res.status === 401 || res.status === 403 || (probe.real === true && res.status === 404);
  return {
    allowed: !refused,
    status: `${res.status}${refused || res.status < 400 ? '' : ` ${res.body?.code ?? ''}`}`,
  };
}

function defaultProbe(path: string): RowProbe | undefined {
  if (!/^[^{}]*\{unitId\}[^{}]*$/.test(path)) return undefined;
  return scoped((_, t) => ({ path: path.replace('{unitId}', u(t)), real: true }));
}

function isRegional(row: Row): boolean {
  if (row.key.startsWith('SOCKET ')) return row.key.endsWith('{regionId}');
  return PROBES[row.key]?.region === true;
}

function isScoped(row: Row): boolean {
  if (row.key.startsWith('SOCKET ')) return true;
  return (PROBES[row.key] ?? defaultProbe(row.key.split(' ')[1]))?.scoped ?? false;
}

// ---------------------------------------------------------------------------------------------

/** The observed cell kind of one row and role (for a new row's draft and for mismatches). */
async function observe(row: Row, who: Who): Promise<string> {
  const scopedRow = isScoped(row);
  const got: Partial<Record<Target, Outcome>> = {};
  for (const t of scopedRow ? (['own', 'peer', 'foreign'] as Target[]) : (['own'] as Target[]))
    got[t] = await call(row, who, t);
  if (!scopedRow) return got.own!.allowed ? 'role' : '—';
  const [o, p, f] = [got.own!.allowed, got.peer!.allowed, got.foreign!.allowed];
  if (o && p && f) return 'any';
  if (!o && !p && !f) return '—';
  if (o && !p && !f) return isRegional(row) ? 'region' : 'unit';
  if (o && p && !f) return 'provider';
  return `?(${got.own!.status}/${got.peer!.status}/${got.foreign!.status})`;
}

describe('access matrix (docs/access-matrix.md)', () => {
  if (process.env.ACCESS_MATRIX_DRAFT) {
    // Prints a draft row for every endpoint and topic from what the system does today (review it!).
    it('drafts rows', async () => {
      const doc = (await api(app.url, 'GET', '/api/docs-json')).body as { paths: Record<string, object> };
      const keys = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      );
      keys.push(
        'SOCKET timebook {unitId}',
        'SOCKET presence {unitId}',
        'SOCKET stock {unitId}',
        'SOCKET stock {regionId}',
        'SOCKET coverage {regionId}',
        'SOCKET jobs {unitId}',
      );
      const out: string[] = [];
      for (const key of keys) {
        const row: Row = { key, cells: {} as never, line: 0 };
        if (!key.startsWith('SOCKET ') && !PROBES[key] && !defaultProbe(key.split(' ')[1])) {
          out.push(`| \`${key}\` | NO PROBE |`);
          continue;
        }
        const cells: string[] = [];
        for (const who of ROLES) cells.push(await observe(row, who));
        out.push(`| \`${key}\` | ${cells.join(' | ')} |`);
      }
      console.log(out.join('\n'));
    }, 600_000);
    return;
  }

  const { rows, errors } = parseMatrix(readFileSync(MATRIX_FILE, 'utf8'));

  it('is well-formed', () => {
    expect(errors).toEqual([]);
    expect(rows.length).toBeGreaterThan(50);
  });

  it('has a row for every endpoint in /api/docs-json and every realtime topic, and no row for anything else', async () => {
    const doc = (await api(app.url, 'GET', '/api/docs-json')).body as { paths: Record<string, object> };
    const endpoints = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    const keys = new Set(rows.map((r) => r.key));
    const missing = endpoints.filter((e) => !keys.has(e));
    for (const topic of TOPICS)
      if (!rows.some((r) => r.key.startsWith(`SOCKET ${topic} `)))
        missing.push(`SOCKET ${topic} {unitId|regionId}`);
    const known = new Set(endpoints);
    const stale = rows
      .filter((r) =>
        r.key.startsWith('SOCKET ') ? !TOPICS.includes(r.key.split(' ')[1] as never) : !known.has(r.key),
      )
      .map((r) => `line ${r.line}: ${r.key}`);
    const noProbe = rows
      .filter((r) => !r.key.startsWith('SOCKET ') && !PROBES[r.key] && !defaultProbe(r.key.split(' ')[1]))
      .map((r) => `${r.key} (add how to call it to PROBES in tests/integration/access-matrix.test.ts)`);
    // The messages name exactly what to add or remove.
    expect({ 'rows missing from docs/access-matrix.md': missing }).toEqual({
      'rows missing from docs/access-matrix.md': [],
    });
    expect({ 'rows naming nothing that exists': stale }).toEqual({ 'rows naming nothing that exists': [] });
    expect({ 'rows without a probe': noProbe }).toEqual({ 'rows without a probe': [] });
  });

  it('allows and refuses each row × role × place as the matrix says', async () => {
    const mismatches: string[] = [];
    let calls = 0;
    for (const row of rows) {
      if (!row.key.startsWith('SOCKET ') && !PROBES[row.key] && !defaultProbe(row.key.split(' ')[1]))
        continue;
      const targets: Target[] = isScoped(row) ? ['own', 'peer', 'foreign'] : ['own'];
      for (const who of ROLES) {
        const kind = row.cells[who];
        if ((kind === 'unit' || kind === 'provider') && !isScoped(row))
          mismatches.push(`${row.key} ${who}: "${kind}" on a row whose probe has no place (use role)`);
        for (const target of targets) {
          const want = expectation(kind, target, isScoped(row), isRegional(row));
          if (want === undefined) continue;
          const got = await call(row, who, target);
          calls++;
          if (got.allowed !== want)
            mismatches.push(
              `${row.key} as ${who} at ${target}: matrix says ${want ? 'allowed' : 'refused'} (${kind}), got ${got.status}`,
            );
        }
      }
    }
    console.log(`access matrix: ${rows.length} rows, ${calls} calls, ${mismatches.length} mismatches`);
    expect(mismatches).toEqual([]);
  }, 600_000);
});
