import { Queue } from 'bullmq';
import { NvrProcessor } from '../../backend/src/nvr/nvr.processor';
import { TEST_REDIS_PREFIX, TEST_REDIS_URL } from '../support/test-env';
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
  receiveBatch,
} from '../support/harness';
import {
  doseOf,
  exportNow,
  fhirErrors,
  finished,
  fileOf,
  missingNvrFields,
  ndjsonLines,
  RunView,
  sha256,
  waitFor,
} from '../support/nvr';

/*
 * R28 against real PostgreSQL and Redis, through the API and a worker. Voids (makulera) and R2
 * identity changes go through the journal's endpoints, as a nurse makes them; broken data that no
 * endpoint accepts (a dose without batch, an invalid number) is arranged in SQL.
 */

let app: Awaited<ReturnType<typeof startApp>>;
let smittskydd: string;
let admin: string;
let prescriber: string;
const { units, regionId } = seedInfo();

beforeAll(async () => {
  app = await startApp();
  smittskydd = (await login(app.url, 'SE2321000057-R001')).token;
  admin = (await login(app.url, 'SE2321000057-A001')).token;
  prescriber = (await login(app.url, 'SE2321000057-N002')).token;
});
afterAll(async () => {
  await app.close();
  await closeDb();
});

/** 12 digits: the first 11 and their Luhn check digit. */
function withCheckDigit(eleven: string): string {
  let sum = 0;
  for (let i = 2; i < 11; i++) {
    let x = Number(eleven[i]) * (i % 2 === 0 ? 2 : 1);
    if (x > 9) x -= 9;
    sum += x;
  }
  return eleven + ((10 - (sum % 10)) % 10);
}

/** A dose given through the API (R21), from a fresh batch at U1. */
async function giveDose(personalIdentityNumber = newPersonnummer()): Promise<string> {
  const stock = (await login(app.url, 'SE2321000057-S001', units.U1)).token;
  const { rows } = await db().query(`SELECT id FROM product WHERE doses_per_vial = 1 ORDER BY name LIMIT 1`);
  const batchId = await receiveBatch(app.url, stock, units.U1, rows[0].id, 5);
  const res = await api(app.url, 'POST', '/api/vaccinations', {
    token: prescriber,
    body: {
      personalIdentityNumber,
      productId: rows[0].id,
      batchId,
      doseNumber: 1,
    },
  });
  expect(res.status).toBe(201);
  const { rows: v } = await db().query(
    `SELECT v.id FROM vaccination v JOIN patient p ON p.id = v.patient_id
      WHERE p.identity_number = $1 ORDER BY v.created_at DESC LIMIT 1`,
    [personalIdentityNumber],
  );
  return v[0].id as string;
}

async function records(run: RunView): Promise<any[]> {
  return ndjsonLines(await fileOf(run, 'fhir-ndjson'));
}

describe('NVR export (R28)', () => {
  it('two runs back to back: the second sends nothing; one new vaccination: the next run sends exactly that one', async () => {
    const first = await exportNow(app.url, smittskydd);
    expect(first.status).toBe('COMPLETED');
    const second = await exportNow(app.url, smittskydd);
    expect(second).toMatchObject({ status: 'COMPLETED', doseCount: 0, recordCount: 0 });
    expect(await records(second)).toEqual([]);

    const id = await giveDose();
    const third = await exportNow(app.url, smittskydd);
    expect(third).toMatchObject({ status: 'COMPLETED', doseCount: 1, recordCount: 1 });
    const [only, ...rest] = await records(third);
    expect(rest).toEqual([]);
    expect(doseOf(only)).toBe(id);
    expect(only.status).toBe('completed');
  });

  it('every record of a run is a valid FHIR R4 Immunization with what NVR needs; CSV and manifest agree', async () => {
    // doses still unreported from the seed if this file runs first, plus two new ones
    await giveDose();
    await giveDose();
    const run = await exportNow(app.url, smittskydd);
    const lines = await records(run);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const r of lines) {
      expect(fhirErrors(r)).toEqual([]);
      expect(missingNvrFields(r)).toEqual([]);
    }
    // the schema does catch a broken record (so the check above can fail)
    expect(
      fhirErrors({ ...lines[0], status: 'done', occurrenceDateTime: 'yesterday' }).length,
    ).toBeGreaterThan(0);

    const csv = (await fileOf(run, 'csv')).trim().split('\r\n');
    expect(csv[0]).toContain('record_id,vaccination_id,revision,status');
    expect(csv.length - 1).toBe(lines.length);

    const manifest = JSON.parse(await fileOf(run, 'manifest'));
    expect(manifest.counts).toMatchObject({ doses: run.doseCount, records: run.recordCount });
    for (const kind of ['fhir-ndjson', 'csv', 'control-report']) {
      const entry = manifest.files.find((f: any) => f.kind === kind);
      expect(entry.sha256).toBe(sha256(await fileOf(run, kind)));
    }
    const historical = await db().query(`SELECT id FROM vaccination WHERE historical`);
    const sent = new Set(lines.map(doseOf));
    expect(historical.rows.length).toBeGreaterThan(0);
    for (const h of historical.rows) expect(sent.has(h.id)).toBe(false); // R22
    const { rows: marked } = await db().query(
      `SELECT count(*)::int AS n FROM vaccination v WHERE v.historical AND v.nvr_reported_rev IS NOT NULL`,
    );
    expect(marked[0].n).toBe(0);
  });

  it('voiding an exported dose sends a correction in the next run; a dose voided before it was reported sends nothing', async () => {
    const reported = await giveDose();
    const neverReported = await giveDose();
    // export `reported` only: void the other first, as a nurse does in the journal (makulera)
    const voidDose = async (id: string) => {
      const res = await api(app.url, 'POST', `/api/vaccinations/${id}/void`, {
        token: prescriber,
        body: { reason: 'Registrerad på fel patient' },
      });
      expect(res.status).toBe(200);
    };
    await voidDose(neverReported);
    const before = await exportNow(app.url, smittskydd);
    const sentBefore = await records(before);
    expect(sentBefore.map(doseOf)).toContain(reported);
    expect(sentBefore.map(doseOf)).not.toContain(neverReported);

    await voidDose(reported);
    const run = await exportNow(app.url, smittskydd);
    expect(run).toMatchObject({ status: 'COMPLETED', doseCount: 1, recordCount: 1, correctionCount: 1 });
    const [correction] = await records(run);
    expect(correction).toMatchObject({
      id: `${reported}-1`,
      status: 'entered-in-error',
      statusReason: { text: 'Registrerad på fel patient' },
    });
    expect(fhirErrors(correction)).toEqual([]);
    const again = await exportNow(app.url, smittskydd);
    expect(again.doseCount).toBe(0);
    const { rows } = await db().query(
      `SELECT v.id, v.nvr_reported_rev, v.revision FROM vaccination v WHERE v.id = ANY($1::text[]) ORDER BY v.id`,
      [[reported, neverReported]],
    );
    for (const r of rows) expect(r.nvr_reported_rev).toBe(r.revision);
  });

  it('an R2 identity change re-reports the patient’s doses: old record entered-in-error, new record under the new number', async () => {
    // a samordningsnummer (day + 60) that later becomes the person's personnummer
    const coordination = withCheckDigit(
      newPersonnummer().slice(0, 6) + String(Number(newPersonnummer().slice(6, 8)) + 60) + '123',
    );
    const dose = await giveDose(coordination);
    const first = await exportNow(app.url, smittskydd);
    const [sent] = (await records(first)).filter((r) => doseOf(r) === dose);
    expect(sent.patient.identifier).toEqual({
      system: 'http://electronichealth.se/identifier/samordningsnummer',
      value: coordination,
    });

    // R2 through the journal: the coordination number becomes the person's personnummer
    const real = newPersonnummer();
    const changed = await api(app.url, 'POST', `/api/patients/${coordination}/identity`, {
      token: prescriber,
      body: { newIdentityNumber: real },
    });
    expect(changed.status).toBe(200);
    const run = await exportNow(app.url, smittskydd);
    const mine = (await records(run)).filter((r) => doseOf(r) === dose);
    expect(mine).toHaveLength(2);
    expect(mine[0]).toMatchObject({ id: `${dose}-1`, status: 'entered-in-error' });
    expect(mine[0].patient.identifier.value).toBe(coordination);
    expect(mine[1]).toMatchObject({ id: `${dose}-2`, status: 'completed' });
    expect(mine[1].patient.identifier).toEqual({
      system: 'http://electronichealth.se/identifier/personnummer',
      value: real,
    });
    for (const r of mine) expect(fhirErrors(r)).toEqual([]);
  });

  it('a dose failing validation is not sent, is listed in the run and the control report, and goes out once fixed', async () => {
    const badIdentity = await giveDose();
    const badBatch = await giveDose();
    const badProduct = await giveDose();
    const { rows: pat } = await db().query(
      `SELECT p.id, p.identity_number FROM patient p JOIN vaccination v ON v.patient_id = p.id WHERE v.id = $1`,
      [badIdentity],
    );
    const good = pat[0].identity_number as string;
    const broken = good.slice(0, 11) + ((Number(good[11]) + 1) % 10); // wrong check digit
    await db().query(`UPDATE patient SET identity_number = $2 WHERE id = $1`, [pat[0].id, broken]);
    const { rows: b } = await db().query(
      `INSERT INTO batch (product_id, batch_number, expires_on)
       SELECT product_id, '  ', '2030-01-01' FROM vaccination WHERE id = $1 RETURNING id`,
      [badBatch],
    );
    await db().query(`UPDATE vaccination SET batch_id = $2 WHERE id = $1`, [badBatch, b[0].id]);
    const { rows: prod } = await db().query(
      `INSERT INTO product (name, atc_code, npl_id, disease_area) VALUES ($1, 'X99', $2, 'TEST') RETURNING id`,
      [`Okänd produkt ${Date.now()}`, `UNKNOWN-${Date.now()}`],
    );
    await db().query(`UPDATE vaccination SET product_id = $2 WHERE id = $1`, [badProduct, prod[0].id]);

    const run = await exportNow(app.url, smittskydd);
    const sent = (await records(run)).map(doseOf);
    for (const id of [badIdentity, badBatch, badProduct]) expect(sent).not.toContain(id);
    const byDose = Object.fromEntries(run.errors.map((e) => [e.vaccinationId, e]));
    expect(byDose[badIdentity]).toMatchObject({ code: 'INVALID_IDENTITY', field: 'identityNumber' });
    expect(byDose[badIdentity]!.identityNumber).toMatch(/^\d{8}-\*{4}$/); // masked for smittskydd
    expect(byDose[badBatch]).toMatchObject({ code: 'MISSING_BATCH', field: 'batch' });
    expect(byDose[badProduct]).toMatchObject({ code: 'UNKNOWN_PRODUCT', field: 'product' });
    const before = run.errorCount; // the seed's reserve-number patients' doses are listed too
    const report = await fileOf(run, 'control-report');
    for (const id of [badIdentity, badBatch, badProduct]) expect(report).toContain(id);

    // still broken: listed again, still not sent
    const still = await exportNow(app.url, smittskydd);
    expect(still).toMatchObject({ doseCount: 0, errorCount: before });

    // fixed: the first run after it sends exactly those
    await db().query(`UPDATE patient SET identity_number = $2 WHERE id = $1`, [pat[0].id, good]);
    await db().query(`UPDATE batch SET batch_number = $2 WHERE id = $1`, [b[0].id, `FIX${Date.now()}`]);
    await db().query(`UPDATE product SET atc_code = 'J07BN01', npl_id = $2 WHERE id = $1`, [
      prod[0].id,
      String(Date.now()).padStart(14, '7').slice(-14),
    ]);
    const fixed = await exportNow(app.url, smittskydd);
    expect(fixed).toMatchObject({ doseCount: 3, errorCount: before - 3 });
    expect((await records(fixed)).map(doseOf).sort()).toEqual([badIdentity, badBatch, badProduct].sort());
  });

  it('access: ADMIN and SMITTSKYDD start and read runs; only ADMIN downloads the data files; others get 403', async () => {
    const booker = (await login(app.url, 'SE2321000057-B002')).token;
    expect((await api(app.url, 'POST', '/api/nvr/exports', { token: booker, body: {} })).status).toBe(403);
    expect((await api(app.url, 'POST', '/api/nvr/exports', { body: {} })).status).toBe(401);
    expect(
      (await api(app.url, 'POST', '/api/nvr/exports', { token: admin, body: { regionId: 'no such region' } }))
        .status,
    ).toBe(400);
    expect((await api(app.url, 'GET', '/api/nvr/exports/unknown-run', { token: admin })).status).toBe(404);

    await giveDose();
    const run = await exportNow(app.url, admin);
    const list = await api(app.url, 'GET', `/api/nvr/exports?regionId=${regionId}`, { token: smittskydd });
    expect(list.status).toBe(200);
    expect(list.body.runs[0].id).toBe(run.id);

    const ndjson = run.files.find((f) => f.kind === 'fhir-ndjson')!;
    const manifest = run.files.find((f) => f.kind === 'manifest')!;
    const asSmittskydd = await api(app.url, 'GET', `/api/nvr/exports/${run.id}`, { token: smittskydd });
    expect(asSmittskydd.body.files.find((f: any) => f.kind === 'fhir-ndjson').downloadable).toBe(false);
    const denied = await api(app.url, 'POST', `/api/nvr/exports/${run.id}/files/${ndjson.name}/link`, {
      token: smittskydd,
    });
    expect(denied.status).toBe(403);
    const manifestLink = await api(
      app.url,
      'POST',
      `/api/nvr/exports/${run.id}/files/${manifest.name}/link`,
      {
        token: smittskydd,
      },
    );
    expect(manifestLink.status).toBe(200);

    const link = await api(app.url, 'POST', `/api/nvr/exports/${run.id}/files/${ndjson.name}/link`, {
      token: admin,
    });
    expect(link.status).toBe(200);
    const file = await fetch(app.url + link.body.url);
    expect(file.status).toBe(200);
    const text = await file.text();
    expect(sha256(text)).toBe(ndjson.sha256);
    const forged = await fetch(app.url + link.body.url.replace(/ticket=.{5}/, 'ticket=AAAAA'));
    expect(forged.status).toBe(403);
    const noTicket = await fetch(`${app.url}/api/nvr/exports/${run.id}/files/${ndjson.name}`);
    expect(noTicket.status).toBe(401);
    const { rows } = await db().query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'nvr.download' AND detail->>'exportId' = $1`,
      [run.id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('a running export shows its progress live on the region’s jobs topic', async () => {
    const s = connectLive(app.url, smittskydd);
    await connected(s);
    const ack = await subscribe(s, { topic: 'jobs', regionId });
    expect(ack.ok).toBe(true);
    const booker = connectLive(app.url, (await login(app.url, 'SE2321000057-B002')).token);
    await connected(booker);
    expect((await subscribe(booker, { topic: 'jobs', regionId })).ok).toBe(false);
    booker.close();
    const events: any[] = [];
    s.on('job.progress', (e) => events.push(e));
    await giveDose();
    const started = await api(app.url, 'POST', '/api/nvr/exports', { token: smittskydd, body: {} });
    const exportId = started.body.exportId as string;
    await waitFor(() => events.find((e) => e.exportId === exportId && e.state === 'completed'), 30_000);
    const mine = events.filter((e) => e.exportId === exportId);
    expect(mine[0].state).toBe('waiting');
    expect(mine.at(-1)).toMatchObject({ state: 'completed', progress: { done: 1, total: 1 } });
    for (let i = 1; i < events.length; i++) expect(events[i].version).toBe(events[i - 1].version + 1);
    s.close();
  });

  it('nightly: a job scheduler at 02:00 Swedish time starts one run per region, which completes', async () => {
    const nvr = new Queue('nvr', {
      connection: { url: TEST_REDIS_URL },
      prefix: `${TEST_REDIS_PREFIX}:bull`,
    });
    try {
      const scheduler = await nvr.getJobScheduler('nvr.export-nightly');
      expect(scheduler).toMatchObject({ pattern: '0 2 * * *', tz: 'Europe/Stockholm' });
    } finally {
      await nvr.close();
    }
    const id = await giveDose();
    const result = await app.app.get(NvrProcessor).nightly();
    const [exportId] = (result.detail as { runs: string[] }).runs;
    const run = await finished(app.url, smittskydd, exportId!);
    expect(run).toMatchObject({ status: 'COMPLETED', trigger: 'schedule', doseCount: 1 });
    expect((await records(run)).map(doseOf)).toEqual([id]);
  });
});
