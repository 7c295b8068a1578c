import {
  api,
  closeDb,
  connected,
  connectLive,
  db,
  login,
  newPersonnummer,
  seedInfo,
  startApp,
  subscribe,
  waitFor,
  type LiveClient,
  receiveBatch,
} from '../support/harness';
import type { CoverageChanged } from '../../backend/src/realtime/events';

let app: Awaited<ReturnType<typeof startApp>>;
let smittskydd: string;
let prescriber: string;
let stockManager: string;
let booker: string;
const { regionId, units } = seedInfo();
const sockets: LiveClient[] = [];

// Comparing every grouping × dose × product against an independent query takes a while when the
// database holds what earlier test files left.
jest.setTimeout(180_000);

beforeAll(async () => {
  // Earlier test files may have bulk-inserted doses (the NVR crash test adds 20,000): fresh
  // statistics keep the independent GROUP BY below on a sane plan.
  await db().query('ANALYZE');
  app = await startApp();
  smittskydd = (await login(app.url, 'SE2321000057-R001')).token;
  prescriber = (await login(app.url, 'SE2321000057-N002')).token;
  stockManager = (await login(app.url, 'SE2321000057-S001', units.U1)).token;
  booker = (await login(app.url, 'SE2321000057-B002')).token;
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await app.close();
  await closeDb();
});

type Figures = Map<string, { population: number; vaccinated: number }>;

const coverage = (q: string, token = smittskydd) =>
  api(app.url, 'GET', `/api/coverage?regionId=${regionId}&${q}`, { token });

async function apiFigures(groupBy: string, dose: number, product: string): Promise<Figures> {
  const res = await coverage(`groupBy=${groupBy}&dose=${dose}&product=${encodeURIComponent(product)}`);
  expect(res.status).toBe(200);
  const out: Figures = new Map();
  for (const r of res.body.rows as Array<{
    key: string;
    population: number;
    vaccinated: number;
    coverage: number | null;
  }>) {
    expect(r.coverage).toBe(
      r.population > 0 ? Math.round((r.vaccinated / r.population) * 10_000) / 10_000 : null,
    );
    if (groupBy === 'careProvider' || groupBy === 'unit') {
      if (r.vaccinated > 0) out.set(r.key, { population: r.population, vaccinated: r.vaccinated });
    } else if (r.population > 0 || r.vaccinated > 0) {
      out.set(groupBy === 'region' ? '' : r.key, { population: r.population, vaccinated: r.vaccinated });
    }
  }
  return out;
}

/**
 * The same figures the plainest way: a GROUP BY over population_register, patient and
 * vaccination, sharing nothing with the counters (no coverage_* table or function).
 */
async function independentFigures(groupBy: string, dose: number, product: string): Promise<Figures> {
  const groupExpr: Record<string, string> = {
    municipality: 'pr.municipality_code',
    sex: 'pr.sex::text',
    region: "''",
    ageGroup: `CASE WHEN a.age < 18 THEN '0-17' WHEN a.age < 30 THEN '18-29' WHEN a.age < 40 THEN '30-39'
                    WHEN a.age < 50 THEN '40-49' WHEN a.age < 60 THEN '50-59' WHEN a.age < 70 THEN '60-69'
                    WHEN a.age < 80 THEN '70-79' ELSE '80+' END`,
  };
  const matching = `v.status = 'GIVEN' AND ($3 = '*' OR p.id = $3 OR 'area:' || p.disease_area = $3)`;
  if (groupBy === 'careProvider' || groupBy === 'unit') {
    const col = groupBy === 'unit' ? 'unit_id' : 'care_provider_id';
    const { rows } = await db().query(
      `WITH reg AS (SELECT pa.id AS patient_id FROM population_register pr
                      JOIN patient pa ON pa.identity_number = pr.identity_number WHERE pr.region_id = $1),
            counted AS (SELECT v.patient_id FROM vaccination v JOIN product p ON p.id = v.product_id
                          JOIN reg ON reg.patient_id = v.patient_id WHERE ${matching}
                         GROUP BY v.patient_id HAVING max(v.dose_number) >= $2),
            dose_n AS (SELECT DISTINCT ON (v.patient_id) v.patient_id, v.${col} AS giver
                         FROM vaccination v JOIN product p ON p.id = v.product_id
                        WHERE ${matching} AND v.dose_number = $2 ORDER BY v.patient_id, v.given_at, v.id)
       SELECT coalesce(d.giver, '') AS key, count(*)::int AS vaccinated,
              (SELECT count(*)::int FROM population_register WHERE region_id = $1) AS population
         FROM counted c LEFT JOIN dose_n d ON d.patient_id = c.patient_id GROUP BY 1`,
      [regionId, dose, product],
    );
    return new Map(rows.map((r) => [r.key, { population: r.population, vaccinated: r.vaccinated }]));
  }
  const { rows } = await db().query(
    `WITH top AS (SELECT v.patient_id, max(v.dose_number) AS m FROM vaccination v JOIN product p ON p.id = v.product_id
                   WHERE ${matching} GROUP BY 1)
     SELECT ${groupExpr[groupBy]} AS key, count(*)::int AS population,
            count(*) FILTER (WHERE top.m >= $2)::int AS vaccinated
       FROM population_register pr
       CROSS JOIN LATERAL (SELECT extract(year FROM current_date)::int - extract(year FROM pr.birth_date)::int AS age) a
       LEFT JOIN patient pa ON pa.identity_number = pr.identity_number
       LEFT JOIN top ON top.patient_id = pa.id
      WHERE pr.region_id = $1
      GROUP BY 1`,
    [regionId, dose, product],
  );
  return new Map(rows.map((r) => [r.key, { population: r.population, vaccinated: r.vaccinated }]));
}

async function productKeys(): Promise<string[]> {
  const { rows } = await db().query(
    `SELECT DISTINCT p.id, p.disease_area FROM product p JOIN vaccination v ON v.product_id = p.id ORDER BY 1`,
  );
  return ['*', `area:${rows[0].disease_area}`, rows[0].id];
}

/** A person in the region's register with no patient record yet (so no dose either). */
async function unvaccinatedResident(): Promise<{ pnr: string; municipality: string }> {
  const { rows } = await db().query(
    `SELECT pr.identity_number AS pnr, pr.municipality_code AS municipality
       FROM population_register pr
      WHERE pr.region_id = $1 AND extract(year FROM pr.birth_date) < 2000
        AND NOT EXISTS (SELECT 1 FROM patient pa WHERE pa.identity_number = pr.identity_number)
      ORDER BY random() LIMIT 1`,
    [regionId],
  );
  return rows[0];
}

async function stockedBatch(): Promise<{ productId: string; batchId: string }> {
  const { rows } = await db().query(`SELECT id FROM product WHERE doses_per_vial = 1 ORDER BY name LIMIT 1`);
  return {
    productId: rows[0].id,
    batchId: await receiveBatch(app.url, stockManager, units.U1, rows[0].id, 20),
  };
}

async function liveCoverage(): Promise<{ events: CoverageChanged[]; version: number; dosesToday: number }> {
  const socket = connectLive(app.url, smittskydd);
  sockets.push(socket);
  expect(await connected(socket)).toBe(true);
  const events: CoverageChanged[] = [];
  socket.on('coverage.changed', (e) => events.push(e));
  const ack = await subscribe(socket, { topic: 'coverage', regionId });
  expect(ack).toMatchObject({ ok: true, snapshot: { regionId } });
  return { events, version: ack.version, dosesToday: ack.snapshot.dosesToday };
}

async function rebuild(): Promise<{
  mismatched: number;
  replaced: boolean;
  tables: Record<string, { mismatched: number }>;
}> {
  const start = await api(app.url, 'POST', '/api/coverage/rebuilds', { token: smittskydd, body: {} });
  expect(start.status).toBe(202);
  let job: any;
  for (let i = 0; i < 600; i++) {
    job = (await api(app.url, 'GET', `/api/jobs/${start.body.jobId}`, { token: smittskydd })).body;
    if (job.state === 'completed' || job.state === 'failed') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(job).toMatchObject({ state: 'completed', queue: 'coverage' });
  return job.result;
}

describe('coverage figures (R29)', () => {
  it('equal an independent GROUP BY over the demo region, for every grouping, dose and product key', async () => {
    const keys = await productKeys();
    let compared = 0;
    for (const groupBy of ['municipality', 'ageGroup', 'careProvider', 'unit', 'sex', 'region']) {
      for (const dose of [1, 2]) {
        for (const product of keys) {
          const [ours, theirs] = await Promise.all([
            apiFigures(groupBy, dose, product),
            independentFigures(groupBy, dose, product),
          ]);
          expect({ groupBy, dose, product, rows: Object.fromEntries(ours) }).toEqual({
            groupBy,
            dose,
            product,
            rows: Object.fromEntries(theirs),
          });
          compared += ours.size;
        }
      }
    }
    // the demo region has people vaccinated in it: the comparison is not one of empty sets
    const region = await apiFigures('region', 1, '*');
    expect(region.get('')!.vaccinated).toBeGreaterThan(0);
    expect(compared).toBeGreaterThan(50);
  });

  it('the municipality × age group table sums to the same figures as the two groupings', async () => {
    const m = await coverage('groupBy=municipality&dose=1');
    const res = await api(app.url, 'GET', `/api/coverage/matrix?regionId=${regionId}&dose=1`, {
      token: smittskydd,
    });
    expect(res.status).toBe(200);
    for (const row of res.body.rows) {
      const sum = row.cells.reduce((n: number, c: { vaccinated: number }) => n + c.vaccinated, 0);
      expect(sum).toBe(m.body.rows.find((r: { key: string }) => r.key === row.key).vaccinated);
    }
    const theirs = await independentFigures('ageGroup', 1, '*');
    for (const g of res.body.ageGroups as string[]) {
      const sum = res.body.rows.reduce(
        (n: number, r: { cells: Array<{ ageGroup: string; vaccinated: number }> }) =>
          n + r.cells.find((c) => c.ageGroup === g)!.vaccinated,
        0,
      );
      expect(sum).toBe(theirs.get(g)?.vaccinated ?? 0);
    }
  });

  it('filtered by sex, the municipality rows add up to the unfiltered ones', async () => {
    const all = await coverage('groupBy=municipality&dose=1');
    const female = await coverage('groupBy=municipality&dose=1&sex=FEMALE');
    const male = await coverage('groupBy=municipality&dose=1&sex=MALE');
    expect(female.status).toBe(200);
    const { rows: unknown } = await db().query(
      `SELECT count(*)::int AS n FROM population_register WHERE region_id = $1 AND sex = 'UNKNOWN'`,
      [regionId],
    );
    expect(unknown[0].n).toBe(0);
    for (const r of all.body.rows as Array<{ key: string; population: number; vaccinated: number }>) {
      const f = female.body.rows.find((x: { key: string }) => x.key === r.key);
      const m = male.body.rows.find((x: { key: string }) => x.key === r.key);
      expect({
        key: r.key,
        population: f.population + m.population,
        vaccinated: f.vaccinated + m.vaccinated,
      }).toEqual({
        key: r.key,
        population: r.population,
        vaccinated: r.vaccinated,
      });
    }
    expect((await coverage('groupBy=unit&sex=FEMALE')).status).toBe(400);
  });

  it('dropout dose 1 → 2 equals an independent count of people past the interval without dose 2', async () => {
    const res = await api(app.url, 'GET', `/api/coverage/dropout?regionId=${regionId}`, {
      token: smittskydd,
    });
    expect(res.status).toBe(200);
    const { rows } = await db().query(
      `WITH reg AS (SELECT pa.id FROM population_register pr JOIN patient pa ON pa.identity_number = pr.identity_number
                     WHERE pr.region_id = $1),
            doses AS (SELECT v.patient_id, v.dose_number, v.given_on, v.given_at, v.id, p.dose_interval_days, 'area:' || p.disease_area AS pk
                        FROM vaccination v JOIN product p ON p.id = v.product_id JOIN reg ON reg.id = v.patient_id
                       WHERE v.status = 'GIVEN'),
            first1 AS (SELECT DISTINCT ON (patient_id, pk) patient_id, pk, given_on, dose_interval_days
                         FROM doses WHERE dose_number = 1 ORDER BY patient_id, pk, given_at, id)
       SELECT f.pk, count(*)::int AS due,
              count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM doses d WHERE d.patient_id = f.patient_id AND d.pk = f.pk
                                                   AND d.dose_number >= 2))::int AS open
         FROM first1 f WHERE f.dose_interval_days IS NOT NULL AND f.given_on + f.dose_interval_days <= current_date
        GROUP BY 1`,
      [regionId],
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(res.body.rows).toContainEqual(
        expect.objectContaining({ productKey: r.pk, due: r.due, open: r.open }),
      );
    }
  });

  it('are for regional smittskydd and admins of the region only, with clear errors', async () => {
    expect((await coverage('groupBy=municipality', booker)).status).toBe(403);
    expect(
      (await api(app.url, 'GET', '/api/coverage?regionId=other-region&groupBy=unit', { token: smittskydd }))
        .status,
    ).toBe(403);
    const bad = await coverage('groupBy=postcode');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/groupBy/);
    const badDose = await coverage('groupBy=municipality&dose=0');
    expect(badDose.status).toBe(400);
    expect(badDose.body.message).toMatch(/dose/);
    expect((await coverage('groupBy=municipality&product=no-such-product')).status).toBe(404);
    const socket = connectLive(app.url, booker);
    sockets.push(socket);
    expect(await connected(socket)).toBe(true);
    expect(await subscribe(socket, { topic: 'coverage', regionId })).toEqual({
      ok: false,
      error: 'forbidden',
    });
  });
});

describe('live coverage', () => {
  it('a dose given to a resident moves the municipality row in a coverage.changed event and in GET /api/coverage', async () => {
    const live = await liveCoverage();
    const person = await unvaccinatedResident();
    const before = await coverage('groupBy=municipality&dose=1');
    const row = (b: any) => b.rows.find((r: { key: string }) => r.key === person.municipality);
    const { productId, batchId } = await stockedBatch();

    const given = await api(app.url, 'POST', '/api/vaccinations', {
      token: prescriber,
      body: { personalIdentityNumber: person.pnr, productId, batchId, doseNumber: 1 },
    });
    expect(given.status).toBe(201);

    const event = await waitFor(() =>
      live.events.find((e) =>
        e.rows.some((r) => r.groupBy === 'municipality' && r.key === person.municipality),
      ),
    );
    expect(event.rows).toContainEqual({
      groupBy: 'municipality',
      key: person.municipality,
      productKey: '*',
      dose: 1,
      vaccinated: row(before.body).vaccinated + 1,
      population: row(before.body).population,
    });
    expect(event.rows).toContainEqual(
      expect.objectContaining({ groupBy: 'unit', key: units.U1, productKey: productId, dose: 1 }),
    );
    expect(event.dosesToday).toBe(live.dosesToday + 1);
    expect(event.version).toBe(live.version + 1);

    const after = await coverage('groupBy=municipality&dose=1');
    expect(row(after.body).vaccinated).toBe(row(before.body).vaccinated + 1);
    expect(after.body.version).toBeGreaterThanOrEqual(event.version);
  });

  it('a dose to someone outside the register still moves the doses-per-day figure, but no coverage row', async () => {
    const live = await liveCoverage();
    let pnr = newPersonnummer();
    while ((await db().query('SELECT 1 FROM population_register WHERE identity_number = $1', [pnr])).rowCount)
      pnr = newPersonnummer();
    const { productId, batchId } = await stockedBatch();
    const daily = async () =>
      (
        await api(app.url, 'GET', `/api/coverage/daily?regionId=${regionId}&product=${productId}`, {
          token: smittskydd,
        })
      ).body;
    const before = await daily();
    const given = await api(app.url, 'POST', '/api/vaccinations', {
      token: prescriber,
      body: { personalIdentityNumber: pnr, productId, batchId, doseNumber: 1 },
    });
    expect(given.status).toBe(201);
    const event = await waitFor(() => live.events.find((e) => e.cause === 'vaccination.insert'));
    expect(event.rows).toEqual([]);
    expect(event.dosesToday).toBe(live.dosesToday + 1);
    expect(event.daily).toContainEqual(expect.objectContaining({ productId, dose: 1 }));
    const after = await daily();
    expect(after.days.at(-1).doses).toBe(before.days.at(-1).doses + 1);
    expect(after.days.at(-1).cumulative).toBe(before.days.at(-1).cumulative + 1);
  });

  it('a voided dose stops counting, and an identity change (R2) brings the person into the register', async () => {
    const person = await unvaccinatedResident();
    const figure = async () =>
      (await coverage('groupBy=municipality&dose=1')).body.rows.find(
        (r: { key: string }) => r.key === person.municipality,
      ).vaccinated as number;
    const start = await figure();
    // a patient known under a temporary number gets a dose: not in the register, not counted
    const temp = newPersonnummer();
    const { productId, batchId } = await stockedBatch();
    const given = await api(app.url, 'POST', '/api/vaccinations', {
      token: prescriber,
      body: { personalIdentityNumber: temp, productId, batchId, doseNumber: 1 },
    });
    expect(given.status).toBe(201);
    expect(await figure()).toBe(start);
    // R2 as the journal does it: the patient's identity number becomes the real one
    await db().query(`UPDATE patient SET identity_number = $1 WHERE identity_number = $2`, [
      person.pnr,
      temp,
    ]);
    expect(await figure()).toBe(start + 1);
    // void as the journal does it: status VOIDED, revision + 1
    await db().query(
      `UPDATE vaccination SET status = 'VOIDED', voided_at = now(), revision = revision + 1 WHERE id = $1`,
      [given.body.id],
    );
    expect(await figure()).toBe(start);
    expect((await independentFigures('municipality', 1, '*')).get(person.municipality)!.vaccinated).toBe(
      start,
    );
  });
});

describe('the rebuild job', () => {
  it('agrees with the incremental figures after all of the above', async () => {
    const before = await apiFigures('municipality', 1, '*');
    const result = await rebuild();
    expect(result.mismatched).toBe(0);
    expect(result.replaced).toBe(false); // compared in a snapshot; nothing to replace, nobody blocked
    expect(Object.keys(result.tables).sort()).toEqual([
      'coverage_count',
      'coverage_daily',
      'coverage_person',
      'coverage_population',
    ]);
    expect(await apiFigures('municipality', 1, '*')).toEqual(before);
  });

  it('finds and repairs a counter that drifted', async () => {
    const before = await apiFigures('municipality', 1, '*');
    const [key] = [...before.keys()];
    await db().query(
      `UPDATE coverage_count SET vaccinated = vaccinated + 5
        WHERE region_id = $1 AND dim = 'municipality' AND key = $2 AND product_key = '*' AND dose = 1`,
      [regionId, key],
    );
    expect((await apiFigures('municipality', 1, '*')).get(key!)!.vaccinated).toBe(
      before.get(key!)!.vaccinated + 5,
    );
    const result = await rebuild();
    expect(result.tables.coverage_count!.mismatched).toBe(1);
    expect(result.replaced).toBe(true);
    expect(await apiFigures('municipality', 1, '*')).toEqual(before);
  });
});
