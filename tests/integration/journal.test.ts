import { readFileSync } from 'node:fs';
import { VaccinationsRepository } from '../../backend/src/vaccinations/vaccinations.repository';
import { api, closeDb, db, login, newPersonnummer, receiveBatch, startApp } from '../support/harness';
import { SEED_SUMMARY_FILE } from '../support/test-env';
import type { SeedSummary } from '../../prisma/seed/demo-region';

let app: Awaited<ReturnType<typeof startApp>>;
const seed = JSON.parse(readFileSync(SEED_SUMMARY_FILE, 'utf8')) as SeedSummary;
const { units } = seed;
let stock: string;
let nurse: string; // NURSE at U1
let prescriber: string; // NURSE_PRESCRIBER at U1
let physician: string;
let booker: string;

const allNo = {
  feverOrIllToday: false,
  severeAllergy: false,
  reactionToEarlierDose: false,
  bleedingOrAnticoagulants: false,
  weakenedImmuneSystem: false,
  pregnant: false,
  otherVaccineLastWeek: false,
  covidLastThreeMonths: false,
  myocarditis: false,
};

beforeAll(async () => {
  app = await startApp();
  stock = (await login(app.url, 'SE2321000057-S001', units.U1)).token;
  nurse = (await login(app.url, 'SE2321000057-N001')).token;
  prescriber = (await login(app.url, 'SE2321000057-N002')).token;
  physician = (await login(app.url, 'SE2321000057-L001')).token;
  booker = (await login(app.url, 'SE2321000057-B001', units.U1)).token;
});
afterAll(async () => {
  // leave no opened multi-dose vial behind at U1: other files count the day-end wastage there
  await app.app.get(VaccinationsRepository).closeOpenVials(units.U1);
  await app.close();
  await closeDb();
});

async function comirnatyBatch(doses = 10) {
  return receiveBatch(app.url, stock, units.U1, seed.products.comirnaty, doses);
}

async function newPatient(): Promise<string> {
  const pnr = newPersonnummer();
  // a citizen login registers the person, as the population-register lookup would
  const res = await api(app.url, 'POST', '/api/citizen/dev-login', { body: { personalIdentityNumber: pnr } });
  expect(res.status).toBe(200);
  return pnr;
}

const journal = (token: string, pnr: string) =>
  api(app.url, 'GET', `/api/patients/${pnr}/journal`, { token });

async function stockOf(batchId: string): Promise<number> {
  const { rows } = await db().query(`SELECT doses FROM stock_balance WHERE unit_id = $1 AND batch_id = $2`, [
    units.U1,
    batchId,
  ]);
  return rows[0].doses;
}

async function patientId(pnr: string): Promise<string> {
  const { rows } = await db().query(`SELECT id FROM patient WHERE identity_number = $1`, [pnr]);
  return rows[0].id;
}

describe('prescriptions (R20)', () => {
  it('doses 1 and 2 prescribed together: dose 2 takes dose 1’s product', async () => {
    const pnr = await newPatient();
    const res = await api(app.url, 'POST', `/api/patients/${pnr}/prescriptions`, {
      token: prescriber,
      body: { doses: [{ doseNumber: 1, productId: seed.products.spikevax }, { doseNumber: 2 }] },
    });
    expect(res.status).toBe(201);
    expect(res.body.prescriptions).toEqual([
      expect.objectContaining({ doseNumber: 1, productId: seed.products.spikevax, status: 'ACTIVE' }),
      expect.objectContaining({ doseNumber: 2, productId: seed.products.spikevax, status: 'ACTIVE' }),
    ]);
  });

  it('a later dose 2 defaults to the product of the dose 1 prescribed earlier', async () => {
    const pnr = await newPatient();
    await api(app.url, 'POST', `/api/patients/${pnr}/prescriptions`, {
      token: physician,
      body: { doses: [{ doseNumber: 1, productId: seed.products.spikevax }] },
    });
    const second = await api(app.url, 'POST', `/api/patients/${pnr}/prescriptions`, {
      token: physician,
      body: { doses: [{ doseNumber: 2 }] },
    });
    expect(second.status).toBe(201);
    expect(second.body.prescriptions[0].productId).toBe(seed.products.spikevax);
  });

  it('a second active prescription for the same dose is refused; void and replace swaps it in one step', async () => {
    const pnr = await newPatient();
    const first = await api(app.url, 'POST', `/api/patients/${pnr}/prescriptions`, {
      token: prescriber,
      body: { doses: [{ doseNumber: 1, productId: seed.products.vaxzevria }] },
    });
    const again = await api(app.url, 'POST', `/api/patients/${pnr}/prescriptions`, {
      token: prescriber,
      body: { doses: [{ doseNumber: 1, productId: seed.products.comirnaty }] },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('PRESCRIPTION_EXISTS');

    const oldId = first.body.prescriptions[0].id;
    const replaced = await api(app.url, 'POST', `/api/prescriptions/${oldId}/void`, {
      token: prescriber,
      body: { reason: 'Byte till mRNA-vaccin', replacement: { productId: seed.products.comirnaty } },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.prescriptions[0]).toMatchObject({
      productId: seed.products.comirnaty,
      replacesId: oldId,
    });

    const j = await journal(prescriber, pnr);
    expect(j.body.prescriptions.map((p: any) => [p.product.id, p.status])).toEqual([
      [seed.products.vaxzevria, 'VOIDED'],
      [seed.products.comirnaty, 'ACTIVE'],
    ]);
    const twice = await api(app.url, 'POST', `/api/prescriptions/${oldId}/void`, {
      token: prescriber,
      body: { reason: 'igen' },
    });
    expect(twice.status).toBe(409);
  });

  it('a nurse cannot prescribe (R9)', async () => {
    const pnr = await newPatient();
    const res = await api(app.url, 'POST', `/api/patients/${pnr}/prescriptions`, {
      token: nurse,
      body: { doses: [{ doseNumber: 1, productId: seed.products.comirnaty }] },
    });
    expect(res.status).toBe(403);
  });

  it('risky declaration answers must be acknowledged by the prescriber (R19)', async () => {
    const pnr = await newPatient();
    const decl = await api(app.url, 'POST', `/api/patients/${pnr}/health-declarations`, {
      token: nurse,
      body: { diseaseArea: 'COVID-19', answers: { ...allNo, bleedingOrAnticoagulants: true } },
    });
    expect(decl.status).toBe(201);
    expect(decl.body.flags.map((f: any) => f.code)).toEqual(['BLEEDING_RISK']);
    const body = { doses: [{ doseNumber: 1, productId: seed.products.comirnaty }] };
    const unacked = await api(app.url, 'POST', `/api/patients/${pnr}/prescriptions`, {
      token: prescriber,
      body,
    });
    expect(unacked.status).toBe(422);
    expect(unacked.body.code).toBe('DECLARATION_FLAGS');
    const acked = await api(app.url, 'POST', `/api/patients/${pnr}/prescriptions`, {
      token: prescriber,
      body: { ...body, acknowledgeFlags: true },
    });
    expect(acked.status).toBe(201);
    expect(acked.body.declarationId).toBe(decl.body.id);
  });

  it('an incomplete declaration is a 400 naming the unanswered question', async () => {
    const pnr = await newPatient();
    const { myocarditis: _, ...missing } = allNo;
    const res = await api(app.url, 'POST', `/api/patients/${pnr}/health-declarations`, {
      token: nurse,
      body: { diseaseArea: 'COVID-19', answers: missing },
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('answers.myocarditis');
  });

  it('a citizen fills the declaration before the visit; the prescriber sees its flags', async () => {
    const pnr = newPersonnummer();
    const citizen = await api(app.url, 'POST', '/api/citizen/dev-login', {
      body: { personalIdentityNumber: pnr },
    });
    const res = await api(app.url, 'POST', '/api/citizen/health-declarations', {
      token: citizen.body.accessToken,
      body: { diseaseArea: 'COVID-19', answers: { ...allNo, pregnant: true }, comment: 'Vecka 20' },
    });
    expect(res.status).toBe(201);
    expect(res.body.flags).toEqual(['PREGNANCY']);
    const j = await journal(prescriber, pnr);
    expect(j.body.declarations[0]).toMatchObject({ source: 'CITIZEN', comment: 'Vecka 20' });
    expect(j.body.declarations[0].flags[0].code).toBe('PREGNANCY');
  });
});

describe('administration (R9, R21)', () => {
  it('a nurse gives only a prescribed dose; the prescription becomes ADMINISTERED with it', async () => {
    const batchId = await comirnatyBatch(5);
    const pnr = await newPatient();
    const give = () =>
      api(app.url, 'POST', '/api/vaccinations', {
        token: nurse,
        body: { personalIdentityNumber: pnr, productId: seed.products.comirnaty, batchId, doseNumber: 1 },
      });
    const refused = await give();
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('NO_PRESCRIPTION');
    expect(await stockOf(batchId)).toBe(5);

    const pres = await api(app.url, 'POST', `/api/patients/${pnr}/prescriptions`, {
      token: prescriber,
      body: { doses: [{ doseNumber: 1, productId: seed.products.comirnaty }] },
    });
    const given = await give();
    expect(given.status).toBe(201);
    expect(given.body.prescriptionId).toBe(pres.body.prescriptions[0].id);
    expect(await stockOf(batchId)).toBe(4);
    const { rows } = await db().query(`SELECT status FROM prescription WHERE id = $1`, [
      pres.body.prescriptions[0].id,
    ]);
    expect(rows[0].status).toBe('ADMINISTERED');

    // the same prescription is not given twice
    const again = await give();
    expect(again.status).toBe(422);
    expect(await stockOf(batchId)).toBe(4);
  });

  it('two nurses giving one prescription at once: one dose, one stock movement', async () => {
    const batchId = await comirnatyBatch(5);
    const pnr = await newPatient();
    await api(app.url, 'POST', `/api/patients/${pnr}/prescriptions`, {
      token: prescriber,
      body: { doses: [{ doseNumber: 1, productId: seed.products.comirnaty }] },
    });
    const body = { personalIdentityNumber: pnr, productId: seed.products.comirnaty, batchId, doseNumber: 1 };
    const results = await Promise.all(
      Array.from({ length: 4 }, () => api(app.url, 'POST', '/api/vaccinations', { token: nurse, body })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(await stockOf(batchId)).toBe(4);
  });
});

describe('historical doses (R22) and voiding', () => {
  it('a dose given abroad shows in the history without batch and is listed in the control report', async () => {
    const pnr = await newPatient();
    const res = await api(app.url, 'POST', `/api/patients/${pnr}/historical-vaccinations`, {
      token: nurse,
      body: {
        productId: seed.products.comirnaty,
        doseNumber: 1,
        givenOn: '2021-06-01',
        comment: 'Dos given i Tyskland enligt patienten',
      },
    });
    expect(res.status).toBe(201);
    const j = await journal(nurse, pnr);
    expect(j.body.vaccinations).toEqual([
      expect.objectContaining({
        id: res.body.id,
        historical: true,
        batch: null,
        unit: null,
        givenOn: '2021-06-01',
        comment: 'Dos given i Tyskland enligt patienten',
      }),
    ]);
    // listed in the period it was recorded in (today), though given years ago
    const report = await api(app.url, 'GET', '/api/control-report', { token: nurse });
    expect(report.status).toBe(200);
    const row = report.body.entries.find((e: any) => e.vaccinationId === res.body.id);
    expect(row).toMatchObject({
      givenOn: '2021-06-01',
      patient: { personalIdentityNumber: pnr },
      unit: { id: units.U1 },
      comment: 'Dos given i Tyskland enligt patienten',
    });
    expect(row.problems.map((p: any) => p.code)).toEqual(['HISTORICAL']);
  });

  it('a historical dose needs a comment; the error names the field', async () => {
    const pnr = await newPatient();
    const res = await api(app.url, 'POST', `/api/patients/${pnr}/historical-vaccinations`, {
      token: nurse,
      body: { productId: seed.products.comirnaty, doseNumber: 1, givenOn: '2021-06-01', comment: '' },
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('comment');
  });

  it('voiding a given dose keeps it, marks it, bumps its revision and lists it in the control report', async () => {
    const batchId = await comirnatyBatch(3);
    const pnr = await newPatient();
    const given = await api(app.url, 'POST', '/api/vaccinations', {
      token: prescriber,
      body: { personalIdentityNumber: pnr, productId: seed.products.comirnaty, batchId, doseNumber: 1 },
    });
    expect(given.status).toBe(201);
    const voided = await api(app.url, 'POST', `/api/vaccinations/${given.body.id}/void`, {
      token: nurse,
      body: { reason: 'Registrerad på fel patient' },
    });
    expect(voided.status).toBe(200);
    const { rows } = await db().query(
      `SELECT status, voided_at IS NOT NULL AS has_time, void_reason, revision FROM vaccination WHERE id = $1`,
      [given.body.id],
    );
    expect(rows[0]).toEqual({
      status: 'VOIDED',
      has_time: true,
      void_reason: 'Registrerad på fel patient',
      revision: 2,
    });
    const j = await journal(nurse, pnr);
    expect(j.body.vaccinations[0]).toMatchObject({
      status: 'VOIDED',
      voidReason: 'Registrerad på fel patient',
    });
    const report = await api(app.url, 'GET', '/api/control-report', { token: nurse });
    const row = report.body.entries.find((e: any) => e.vaccinationId === given.body.id);
    expect(row.problems.map((p: any) => p.code)).toEqual(['VOIDED']);
    const again = await api(app.url, 'POST', `/api/vaccinations/${given.body.id}/void`, {
      token: nurse,
      body: { reason: 'igen' },
    });
    expect(again.status).toBe(409);
  });

  it('NVR identity validation in the database: Luhn digit, real date, day + 60, no reserve numbers', async () => {
    const { rows } = await db().query(
      `SELECT nvr_identity_valid('199001010017', 'PERSONNUMMER') AS ok,
              nvr_identity_valid('199001010018', 'PERSONNUMMER') AS bad_luhn,
              nvr_identity_valid('199001610014', 'SAMORDNINGSNUMMER') AS coordination,
              nvr_identity_valid('199001010017', 'SAMORDNINGSNUMMER') AS day_not_plus_60,
              nvr_identity_valid('997806150011', 'RESERVNUMMER') AS reserve`,
    );
    expect(rows[0]).toEqual({
      ok: true,
      bad_luhn: false,
      coordination: true,
      day_not_plus_60: false,
      reserve: false,
    });
  });

  it('the control report names doses that would fail NVR validation: a reserve number', async () => {
    const { rows } = await db().query(
      `SELECT id FROM patient WHERE identity_type = 'RESERVNUMMER' ORDER BY identity_number LIMIT 1`,
    );
    const reserveId = rows[0].id;
    const batchId = await comirnatyBatch(1);
    const ins = await db().query(
      `INSERT INTO vaccination (patient_id, product_id, batch_id, dose_number, given_at, given_on, unit_id, care_provider_id)
       VALUES ($1, $2, $3, 1, now(), current_date, $4, (SELECT care_provider_id FROM unit WHERE id = $4)) RETURNING id`,
      [reserveId, seed.products.comirnaty, batchId, units.U1],
    );
    const report = await api(app.url, 'GET', '/api/control-report', { token: prescriber });
    const row = report.body.entries.find((e: any) => e.vaccinationId === ins.rows[0].id);
    expect(row.problems.map((p: any) => p.code)).toEqual(['INVALID_IDENTITY']);
    expect(row.problems[0].text).toMatch(/reservnummer/);
    expect(row.unit.id).toBe(units.U1);
  });
});

describe('identity change (R2)', () => {
  it('a reserve number becomes the real one: the history follows, NVR revisions bump, audited', async () => {
    const reserve = `99${Date.now().toString().slice(-10)}`;
    const { rows } = await db().query(
      `INSERT INTO patient (identity_number, identity_type, identity_issuer, first_name, last_name, birth_date)
       VALUES ($1, 'RESERVNUMMER', 'SE2321000057-reserv', 'Test', 'Reserv', '1980-01-01') RETURNING id`,
      [reserve],
    );
    const pid = rows[0].id;
    const batchId = await comirnatyBatch(1);
    // R4: staff vaccinate a reserve-number patient like anyone else
    const given = await api(app.url, 'POST', '/api/vaccinations', {
      token: prescriber,
      body: { personalIdentityNumber: reserve, productId: seed.products.comirnaty, batchId, doseNumber: 1 },
    });
    expect(given.status).toBe(201);
    expect(given.body.patientId).toBe(pid);
    const hist = await api(app.url, 'POST', `/api/patients/${reserve}/historical-vaccinations`, {
      token: nurse,
      body: {
        productId: seed.products.comirnaty,
        doseNumber: 2,
        givenOn: '2024-01-10',
        comment: 'Given i Polen',
      },
    });
    expect(hist.status).toBe(201);

    const real = newPersonnummer();
    const res = await api(app.url, 'POST', `/api/patients/${reserve}/identity`, {
      token: nurse,
      body: { newIdentityNumber: real },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ personalIdentityNumber: real, identityType: 'PERSONNUMMER' });

    const j = await journal(nurse, real);
    expect(j.status).toBe(200);
    expect(j.body.patient.id).toBe(pid);
    expect(j.body.vaccinations.map((v: any) => v.id).sort()).toEqual([given.body.id, hist.body.id].sort());
    const revs = await db().query(`SELECT revision FROM vaccination WHERE patient_id = $1`, [pid]);
    expect(revs.rows.every((r) => r.revision === 2)).toBe(true);
    const change = await db().query(
      `SELECT from_number, to_number, to_type FROM patient_identity_change WHERE patient_id = $1`,
      [pid],
    );
    expect(change.rows).toEqual([{ from_number: reserve, to_number: real, to_type: 'PERSONNUMMER' }]);
    const audit = await db().query(
      `SELECT count(*)::int AS n FROM audit_log WHERE patient_id = $1 AND action = 'patient.identity-change'`,
      [pid],
    );
    expect(audit.rows[0].n).toBe(1);
    expect((await journal(nurse, reserve)).status).toBe(404);
  });

  it('a personnummer is permanent, and a number someone else has is refused', async () => {
    const pnr = await newPatient();
    const res = await api(app.url, 'POST', `/api/patients/${pnr}/identity`, {
      token: nurse,
      body: { newIdentityNumber: newPersonnummer() },
    });
    expect(res.status).toBe(422);
  });
});

describe('who sees what (R7, R8)', () => {
  async function otherProviderDose(pnr: string, provider: 'VKS' | 'AVS') {
    const batchId = await comirnatyBatch(1);
    const { rows } = await db().query(
      `INSERT INTO vaccination (patient_id, product_id, batch_id, dose_number, given_at, given_on, care_provider_id)
       VALUES ($1, $2, $3, 1, now() - interval '30 days', current_date - 30, $4) RETURNING id`,
      [await patientId(pnr), seed.products.comirnaty, batchId, seed.careProviders[provider]],
    );
    return rows[0].id as string;
  }

  it('another provider’s dose is invisible without consent; with consent it shows and the read is audited', async () => {
    const pnr = await newPatient();
    const doseId = await otherProviderDose(pnr, 'VKS');
    const before = await journal(nurse, pnr);
    expect(before.body.vaccinations).toEqual([]);
    expect(before.body.crossProvider).toMatchObject({ consent: null, hiddenDoses: 1 });

    expect((await api(app.url, 'POST', `/api/patients/${pnr}/consent`, { token: nurse })).status).toBe(201);
    const after = await journal(nurse, pnr);
    expect(after.body.vaccinations).toEqual([expect.objectContaining({ id: doseId, otherProvider: true })]);
    const audit = await db().query(
      `SELECT detail FROM audit_log WHERE patient_id = $1 AND action = 'journal.cross-provider-read'`,
      [await patientId(pnr)],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].detail.vaccinationIds).toEqual([doseId]);

    await api(app.url, 'DELETE', `/api/patients/${pnr}/consent`, { token: nurse });
    expect((await journal(nurse, pnr)).body.vaccinations).toEqual([]);
  });

  it('a blocked provider’s dose is never shown, even with consent', async () => {
    const pnr = await newPatient();
    await otherProviderDose(pnr, 'AVS');
    const block = await api(app.url, 'POST', `/api/patients/${pnr}/provider-blocks`, {
      token: nurse,
      body: { careProviderId: seed.careProviders.AVS, blocked: true },
    });
    expect(block.status).toBe(200);
    await api(app.url, 'POST', `/api/patients/${pnr}/consent`, { token: nurse });
    const j = await journal(nurse, pnr);
    expect(j.body.vaccinations).toEqual([]);
    expect(j.body.crossProvider.otherProviderDoses).toBe(0);
    // lifted, the consent shows it again
    await api(app.url, 'POST', `/api/patients/${pnr}/provider-blocks`, {
      token: nurse,
      body: { careProviderId: seed.careProviders.AVS, blocked: false },
    });
    expect((await journal(nurse, pnr)).body.vaccinations).toHaveLength(1);
  });

  it('doses given at another unit of the same provider are seen without consent (R8)', async () => {
    const pnr = await newPatient();
    const { rows } = await db().query(
      `INSERT INTO vaccination (patient_id, product_id, dose_number, given_at, given_on, unit_id, care_provider_id, historical, comment, recorded_unit_id)
       VALUES ($1, $2, 1, now(), current_date, NULL, NULL, true, 'Utomlands', $3) RETURNING id`,
      [await patientId(pnr), seed.products.comirnaty, units.U3],
    );
    const j = await journal(nurse, pnr);
    expect(j.body.vaccinations.map((v: any) => v.id)).toEqual([rows[0].id]);
  });

  it('a booker sees no journal, and only nurses and physicians print (R9)', async () => {
    const pnr = await newPatient();
    expect((await journal(booker, pnr)).status).toBe(403);
    expect(
      (await api(app.url, 'GET', `/api/patients/${pnr}/print?kind=history`, { token: booker })).status,
    ).toBe(403);
    const res = await fetch(`${app.url}/api/patients/${pnr}/print?kind=journal`, {
      headers: { authorization: `Bearer ${nurse}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/pdf');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
  });
});

describe('citizen view: sealing (R5) and guardians (R6)', () => {
  async function citizenToken(pnr: string) {
    const res = await api(app.url, 'POST', '/api/citizen/dev-login', {
      body: { personalIdentityNumber: pnr },
    });
    return res.body.accessToken as string;
  }
  async function doseFor(pnr: string, sealed = false) {
    const batchId = await comirnatyBatch(1);
    const { rows } = await db().query(
      `INSERT INTO vaccination (patient_id, product_id, batch_id, dose_number, given_at, given_on, unit_id, care_provider_id, sealed_by_provider)
       VALUES ($1, $2, $3, 1, now(), current_date, $4, (SELECT care_provider_id FROM unit WHERE id = $4), $5) RETURNING id`,
      [await patientId(pnr), seed.products.comirnaty, batchId, units.U1, sealed],
    );
    return rows[0].id as string;
  }
  function childPnr(): string {
    // a personnummer of someone born ten years ago (a minor)
    for (;;) {
      const p = newPersonnummer();
      const year = new Date().getFullYear() - 10;
      const candidate = `${year}${p.slice(4, 11)}`;
      let sum = 0;
      const ten = candidate.slice(2);
      for (let i = 0; i < 9; i++) {
        let x = Number(ten[i]) * (i % 2 === 0 ? 2 : 1);
        if (x > 9) x -= 9;
        sum += x;
      }
      const full = `${candidate}${(10 - (sum % 10)) % 10}`;
      if (full.length === 12) return full;
    }
  }

  it('a provider-sealed dose is absent from the citizen’s view and the guardian’s; next dose is shown', async () => {
    const parent = await newPatient();
    const child = childPnr();
    await citizenToken(child); // registers the child
    await db().query(`INSERT INTO guardianship (guardian_id, child_id) VALUES ($1, $2)`, [
      await patientId(parent),
      await patientId(child),
    ]);
    const open = await doseFor(parent);
    await doseFor(parent, true);
    const childOpen = await doseFor(child);
    const childSealed = await doseFor(child);
    const seal = await api(app.url, 'POST', `/api/vaccinations/${childSealed}/sealing`, {
      token: nurse,
      body: { sealed: true },
    });
    expect(seal.status).toBe(200);

    const own = await api(app.url, 'GET', '/api/citizen/vaccinations', { token: await citizenToken(parent) });
    expect(own.status).toBe(200);
    expect(own.body.vaccinations.map((v: any) => v.id)).toEqual([open]);
    expect(own.body.nextDoses[0]).toMatchObject({ doseNumber: 2, productName: 'Comirnaty' });
    expect(own.body.children).toHaveLength(1);
    expect(own.body.children[0].vaccinations.map((v: any) => v.id)).toEqual([childOpen]);

    // the child seals their own data: the guardian sees none of it
    await api(app.url, 'POST', `/api/patients/${child}/sealing`, { token: nurse, body: { sealed: true } });
    const after = await api(app.url, 'GET', '/api/citizen/vaccinations', {
      token: await citizenToken(parent),
    });
    expect(after.body.children[0].vaccinations).toEqual([]);
    const childOwn = await api(app.url, 'GET', '/api/citizen/vaccinations', {
      token: await citizenToken(child),
    });
    expect(childOwn.body.vaccinations).toEqual([]);
  });

  it('a region hiding its data below 18 hides a minor’s doses from the citizen view', async () => {
    const child = childPnr();
    const token = await citizenToken(child);
    await doseFor(child);
    expect(
      (await api(app.url, 'GET', '/api/citizen/vaccinations', { token })).body.vaccinations,
    ).toHaveLength(1);
    await db().query(`UPDATE region SET citizen_view_min_age = 18 WHERE id = $1`, [seed.regionId]);
    try {
      expect((await api(app.url, 'GET', '/api/citizen/vaccinations', { token })).body.vaccinations).toEqual(
        [],
      );
    } finally {
      await db().query(`UPDATE region SET citizen_view_min_age = NULL WHERE id = $1`, [seed.regionId]);
    }
  });

  it('staff cannot use the citizen view', async () => {
    expect((await api(app.url, 'GET', '/api/citizen/vaccinations', { token: nurse })).status).toBe(403);
  });
});

describe('audit (R30)', () => {
  it('the database refuses UPDATE and DELETE on the audit log', async () => {
    await db().query(`INSERT INTO audit_log (action) VALUES ('test.row')`);
    await expect(
      db().query(`UPDATE audit_log SET action = 'changed' WHERE action = 'test.row'`),
    ).rejects.toThrow(/append-only/);
    await expect(db().query(`DELETE FROM audit_log WHERE action = 'test.row'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(db().query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
    const { rows } = await db().query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'test.row'`);
    expect(rows[0].n).toBe(1);
  });

  it('the access-log extract says who read the patient, in which assignment and unit, what and when', async () => {
    const pnr = await newPatient();
    await journal(nurse, pnr);
    await journal(physician, pnr);
    const log = await api(app.url, 'GET', `/api/patients/${pnr}/access-log`, { token: prescriber });
    expect(log.status).toBe(200);
    const reads = log.body.entries.filter((e: any) => e.action === 'patient.read' && e.what === 'journal');
    expect(reads.map((e: any) => e.user.hsaId).sort()).toEqual(['SE2321000057-L001', 'SE2321000057-N001']);
    expect(reads[0]).toMatchObject({
      unit: { name: 'Vaccinationsmottagningen Jönköping' },
      role: expect.any(String),
    });
    expect(reads[0].assignmentId).toEqual(expect.any(String));
    expect(reads[0].at).toEqual(expect.any(String));
  });
});
