#!/usr/bin/env node
// Browser test in Debian's Chromium against the built system (run `npm run build` first).
// Several scenarios against one server start:
//  - timebook: one booker books a slot; a second dashboard, already open, shows it booked
//    without reloading;
//  - stock: two stock managers on the same unit; one registers wastage, the other's table
//    follows live; the other's form, opened before that change, gets the 409 conflict panel
//    and re-applies; the region overview (smittskydd) shows the unit and the product;
//  - journal: a nurse gives a prescribed dose, registers a historical one and voids a dose; the
//    Kontrollrapport lists them; a guardian sees a child's dose but not the sealed one.
//  - coverage: a smittskydd browser on the coverage view; a dose given over the API moves its
//    figures without a reload.
// Uses its own database (vaxops_test_e2e, or E2E_DATABASE_URL) and a Redis prefix named after it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import pg from 'pg';
import { chromium } from 'playwright-core';

const DB = process.env.E2E_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/vaxops_test_e2e';
const PORT = Number(process.env.E2E_PORT ?? 3000 + 100 + Math.floor(Math.random() * 800));
const BASE = `http://127.0.0.1:${PORT}`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let passed = 0;
let failed = 0;
let server;

function check(label, ok, detail = '') {
  ok ? passed++ : failed++;
  console.log(`${ok ? '  ✔' : '  ✘'} ${label}${!ok && detail ? ` — ${detail}` : ''}`);
}

async function prepareDatabase() {
  const u = new URL(DB);
  const name = u.pathname.slice(1);
  u.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: u.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const env = { ...process.env, DATABASE_URL: DB };
  for (const args of [
    ['scripts/with-db-url.mjs', 'prisma', 'migrate', 'deploy'],
    ['node_modules/.bin/tsx', 'prisma/seed/index.ts', '--scale=tiny'],
  ]) {
    const r = spawnSync('node', args, { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  }
}

async function startServer() {
  server = spawn('node', ['dist/backend/src/main.js'], {
    env: {
      ...process.env,
      DATABASE_URL: DB,
      PORT: String(PORT),
      HOST: '127.0.0.1',
      AUTH_MODE: 'dev',
      REDIS_PREFIX: `vaxops-e2e-${new URL(DB).pathname.slice(1)}`,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${BASE}/api/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('server did not become healthy');
}

const U1 = 'Vaccinationsmottagningen Jönköping';
const STOCK_MANAGER = 'SE2321000057-S001';
const SMITTSKYDD = 'SE2321000057-R001';

async function query(sql, params = []) {
  const c = new pg.Client({ connectionString: DB, options: '-c TimeZone=Europe/Stockholm' });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** A day with free nurse slots in the coming week, and one such slot. */
async function pickSlot() {
  const rows = await query(
    `SELECT s.id, to_char(s.date, 'YYYY-MM-DD') AS date FROM slot s
       JOIN timebook_resource r ON r.id = s.resource_id AND r.kind = 'SKOTERSKA'
       JOIN unit u ON u.id = s.unit_id AND u.name = $1
      WHERE s.status = 'FREE' AND s.starts_at > now() + interval '1 hour'
      ORDER BY s.starts_at LIMIT 1`,
    [U1],
  );
  if (!rows[0]) throw new Error('no free slot in the seeded data');
  return rows[0];
}

/** Logs in on the login page and waits for the role's landing page. */
async function login(context, hsaId, landing) {
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.getByTestId(`login-${hsaId}`).first().click();
  await page.waitForURL(landing);
  return page;
}

async function waitLive(page) {
  await page.getByTestId('connection').and(page.locator('[data-state="live"]')).waitFor({ timeout: 10_000 });
}

async function timebookScenario(browser) {
  console.log('timebook');
  const slot = await pickSlot();
  const open = async (hsaId) => {
    const page = await login(await browser.newContext(), hsaId, /tidbok/);
    await page.goto(`${BASE}/tidbok?date=${slot.date}`);
    await waitLive(page);
    return page;
  };
  const watcher = await open('SE2321000057-N001');
  const booker = await open('SE2321000057-B001');
  const cell = (page) => page.getByTestId(`slot-${slot.id}`);
  check(
    'both dashboards show the slot as free',
    (await cell(watcher).getAttribute('data-status')) === 'FREE' &&
      (await cell(booker).getAttribute('data-status')) === 'FREE',
  );
  const freeBefore = Number(await watcher.getByTestId('count-free').getAttribute('data-value'));

  await cell(booker).click();
  await booker.getByTestId('pnr-input').fill('19121212-1212');
  const select = booker.getByTestId('visit-type-select');
  const options = await select.locator('option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  await select.selectOption(options[0]);
  await booker.getByTestId('book-submit').click();
  await booker.locator(`[data-testid="slot-${slot.id}"][data-status="BOOKED"]`).waitFor({ timeout: 5000 });
  check('the booker sees the slot booked', true);

  const t0 = Date.now();
  await watcher.locator(`[data-testid="slot-${slot.id}"][data-status="BOOKED"]`).waitFor({ timeout: 3000 });
  check(
    `the other dashboard shows it booked without reloading (${Date.now() - t0} ms after the booker saw it)`,
    true,
  );
  const freeAfter = Number(await watcher.getByTestId('count-free').getAttribute('data-value'));
  check('its free count went down by one', freeAfter === freeBefore - 1, `${freeBefore} → ${freeAfter}`);
  await watcher.screenshot({ path: 'test-results/e2e-watcher.png', fullPage: true });
}

/** A valid personnummer nobody has (random birth date and serial, correct check digit). */
function newPersonnummer() {
  const y = 1960 + Math.floor(Math.random() * 40);
  const m = 1 + Math.floor(Math.random() * 12);
  const d = 1 + Math.floor(Math.random() * 28);
  const nine = `${String(y).slice(2)}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${String(1 + Math.floor(Math.random() * 999)).padStart(3, '0')}`;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let x = Number(nine[i]) * (i % 2 === 0 ? 2 : 1);
    if (x > 9) x -= 9;
    sum += x;
  }
  return `${String(y).slice(0, 2)}${nine}${(10 - (sum % 10)) % 10}`;
}

/**
 * Issue 3: a citizen holds and books a time on /boka while a staff timebook shows that slot go
 * HELD, then BOOKED, without reloading. Screenshots of both views at both moments.
 */
async function citizenScenario(browser) {
  console.log('citizen web booking');
  const [target] = await query(
    `SELECT u.id AS unit_id, v.id AS visit_type_id, to_char(s.date, 'YYYY-MM-DD') AS date,
            to_char(min(s.starts_at), 'HH24:MI') AS time
       FROM slot s JOIN unit u ON u.id = s.unit_id AND u.name = $1
       JOIN timebook_resource r ON r.id = s.resource_id AND r.kind = 'SKOTERSKA'
       JOIN visit_type v ON v.unit_id = u.id AND v.name = 'Covid-19 dos 1'
      WHERE s.status = 'FREE' AND s.starts_at > now() + interval '2 hours'
        AND s.date = (SELECT min(s2.date) FROM slot s2 WHERE s2.unit_id = u.id AND s2.status = 'FREE'
                        AND s2.starts_at > now() + interval '2 hours' AND s2.date > current_date)
      GROUP BY u.id, v.id, s.date`,
    [U1],
  );
  if (!target) throw new Error('no free web time at U1');
  const staff = await login(await browser.newContext(), 'SE2321000057-B001', /tidbok/);
  await staff.goto(`${BASE}/tidbok?date=${target.date}`);
  await waitLive(staff);

  const pnr = newPersonnummer();
  const citizen = await (await browser.newContext({ viewport: { width: 1000, height: 1200 } })).newPage();
  await citizen.goto(`${BASE}/boka`);
  await citizen.getByTestId('citizen-pnr').fill(pnr);
  await citizen.getByTestId('citizen-login').click();
  await citizen.getByTestId(`unit-${target.unit_id}`).click();
  await citizen.getByTestId(`visit-type-${target.visit_type_id}`).click();
  await citizen.getByTestId(`day-${target.date}`).click();
  await citizen.getByTestId(`time-${target.time}`).click();
  await citizen.getByTestId('held').waitFor({ timeout: 5000 });
  check(
    'the citizen holds a time and sees the countdown',
    await citizen.getByTestId('hold-countdown').isVisible(),
  );

  const [held] = await query(
    `SELECT s.id FROM slot s JOIN slot_hold h ON h.id = s.hold_id JOIN patient p ON p.id = h.held_by
      WHERE p.identity_number = $1 AND s.status = 'HELD'`,
    [pnr],
  );
  check('the database holds exactly that time for the citizen', !!held);
  const cell = staff.locator(`[data-testid="slot-${held.id}"]`);
  await staff.locator(`[data-testid="slot-${held.id}"][data-status="HELD"]`).waitFor({ timeout: 3000 });
  check('the staff timebook shows the slot held, without reloading', true);
  await staff.screenshot({ path: 'test-results/e2e-citizen-1-staff-held.png', fullPage: true });
  await citizen.screenshot({ path: 'test-results/e2e-citizen-1-citizen-held.png', fullPage: true });

  // R19: the health declaration, answered "no" throughout
  const questions = citizen.locator('[data-testid="citizen-declaration"] [data-testid^="q-"]');
  const n = await questions.count();
  for (let i = 0; i < n; i++) await questions.nth(i).locator('input[type="radio"]').nth(1).check();
  check(`the citizen answers the health declaration (${n} questions)`, n > 0);
  await citizen.getByTestId('citizen-phone').fill('0701234567');
  await citizen.getByTestId('confirm-booking').click();
  await citizen.getByTestId('booked').waitFor({ timeout: 5000 });
  check('the citizen sees the booking confirmed', true);
  await staff.locator(`[data-testid="slot-${held.id}"][data-status="BOOKED"]`).waitFor({ timeout: 3000 });
  check('the staff timebook shows the slot booked, without reloading', (await cell.count()) === 1);
  await staff.screenshot({ path: 'test-results/e2e-citizen-2-staff-booked.png', fullPage: true });
  await citizen.screenshot({ path: 'test-results/e2e-citizen-2-citizen-booked.png', fullPage: true });
  const [row] = await query(
    `SELECT b.source, b.status FROM booking b JOIN patient p ON p.id = b.patient_id WHERE p.identity_number = $1`,
    [pnr],
  );
  check(
    'one WEB booking is recorded',
    row?.source === 'WEB' && row?.status === 'ACTIVE',
    JSON.stringify(row),
  );
  const [decl] = await query(
    `SELECT d.source FROM health_declaration d JOIN booking b ON b.id = d.booking_id
       JOIN patient p ON p.id = b.patient_id WHERE p.identity_number = $1`,
    [pnr],
  );
  check('its health declaration is stored with the booking (R19)', decl?.source === 'CITIZEN');

  // R18: the citizen turns SMS off on the same page; the choice is stored on the patient
  const smsBox = citizen.locator('[data-testid="sms-opt-out"] input[type="checkbox"]');
  await smsBox.waitFor({ timeout: 5000 });
  check('the SMS choice is shown, on by default', await smsBox.isChecked());
  await smsBox.uncheck();
  await citizen.getByText('Du får inga SMS från oss').waitFor({ timeout: 5000 });
  const [opt] = await query(`SELECT sms_opt_out FROM patient WHERE identity_number = $1`, [pnr]);
  check('turning SMS off is stored (sms_opt_out)', opt?.sms_opt_out === true, JSON.stringify(opt));
  console.log(
    '  screenshots: test-results/e2e-citizen-{1-staff-held,1-citizen-held,2-staff-booked,2-citizen-booked}.png',
  );
}

/** U1's batch with the most doses (at least 10) that is not about to expire, and its product. */
async function pickBatch() {
  const rows = await query(
    `SELECT sb.unit_id, sb.batch_id, b.product_id, sb.doses, sb.row_version FROM stock_balance sb
       JOIN unit u ON u.id = sb.unit_id AND u.name = $1
       JOIN batch b ON b.id = sb.batch_id
      WHERE b.expires_on > current_date + 30 AND sb.doses >= 10
      ORDER BY sb.doses DESC, sb.batch_id LIMIT 1`,
    [U1],
  );
  if (!rows[0]) throw new Error('no batch with at least 10 doses at U1 in the seeded data');
  return rows[0];
}

async function ledgerOf(unitId, batchId) {
  const [row] = await query(
    `SELECT sb.doses, sb.row_version,
            (SELECT coalesce(sum(m.delta), 0)::int FROM stock_movement m
              WHERE m.unit_id = sb.unit_id AND m.batch_id = sb.batch_id) AS ledger_sum
       FROM stock_balance sb WHERE sb.unit_id = $1 AND sb.batch_id = $2`,
    [unitId, batchId],
  );
  return row;
}

/** A stock manager on the stock page of `unitId`, live, with the batch's row shown. */
async function openStock(browser, unitId, batchId) {
  const page = await login(await browser.newContext(), STOCK_MANAGER, /\/saldo/);
  const session = await page.evaluate(() => JSON.parse(sessionStorage.getItem('vaxops.session') ?? 'null'));
  const active = session?.assignments.find((a) => a.id === session.activeAssignmentId);
  if (active?.unitId !== unitId) {
    // Not on U1 first: switch to the stock manager assignment there.
    const target = session?.assignments.find((a) => a.unitId === unitId && a.role === 'STOCK_MANAGER');
    if (!target) throw new Error(`${STOCK_MANAGER} has no stock manager assignment at U1`);
    await page.getByTestId('switch-assignment').click();
    await page.getByTestId(`assignment-${target.id}`).click();
    await page.getByTestId('active-assignment').filter({ hasText: U1 }).waitFor({ timeout: 5000 });
  }
  await waitLive(page);
  await page.getByTestId(`stock-row-${batchId}`).waitFor({ timeout: 10_000 });
  return page;
}

/** Fills the movement form with a wastage of `doses` on the batch, without submitting. */
async function fillWastage(page, batchId, doses) {
  await page.getByTestId('movement-kind-select').selectOption('WASTAGE');
  await page.getByTestId('movement-batch-select').selectOption(batchId);
  await page.getByTestId('movement-doses-input').fill(String(doses));
  await page.getByTestId('movement-reason-select').selectOption('BROKEN');
}

const rowDoses = async (page, batchId) =>
  Number(await page.getByTestId(`stock-row-${batchId}`).getAttribute('data-doses'));

async function waitRowDoses(page, batchId, doses, timeout = 5000) {
  await page.locator(`[data-testid="stock-row-${batchId}"][data-doses="${doses}"]`).waitFor({ timeout });
}

async function stockScenario(browser) {
  console.log('stock');
  const batch = await pickBatch();
  const { unit_id: unitId, batch_id: batchId, product_id: productId } = batch;
  const start = batch.doses;
  const N = 3;
  const M = 2;

  const a = await openStock(browser, unitId, batchId);
  const b = await openStock(browser, unitId, batchId);
  check(
    `both stock managers see the batch with ${start} doses`,
    (await rowDoses(a, batchId)) === start && (await rowDoses(b, batchId)) === start,
    `${await rowDoses(a, batchId)} / ${await rowDoses(b, batchId)}`,
  );

  // B reads the batch first: the form's base is the balance before A's change.
  await fillWastage(b, batchId, M);
  const baseVersion = Number(await b.getByTestId(`stock-row-${batchId}`).getAttribute('data-row-version'));

  await fillWastage(a, batchId, N);
  await a.getByTestId('movement-submit').click();
  await a.getByTestId('movement-done').waitFor({ timeout: 5000 });
  await waitRowDoses(a, batchId, start - N);
  check(`manager A registered wastage of ${N} doses`, true);

  const t0 = Date.now();
  try {
    await waitRowDoses(b, batchId, start - N, 5000);
    check(`manager B's table shows ${start - N} doses without reloading (${Date.now() - t0} ms)`, true);
  } catch {
    check(
      "manager B's table follows live",
      false,
      `still ${await rowDoses(b, batchId)} doses after 5 s, expected ${start - N}`,
    );
  }
  const liveVersion = Number(await b.getByTestId(`stock-row-${batchId}`).getAttribute('data-row-version'));
  check("B's row version moved on", liveVersion > baseVersion, `${baseVersion} → ${liveVersion}`);
  check(
    "B's form notices the batch changed after it was chosen",
    await b.getByTestId('stock-changed-notice').isVisible(),
  );

  // B submits on the stale base: the server answers 409 and the form offers to re-apply.
  await b.getByTestId('movement-submit').click();
  const conflict = b.getByTestId('stock-conflict');
  await conflict.waitFor({ timeout: 5000 }).catch(() => {
    throw new Error('manager B got no conflict panel (stock-conflict) within 5 s');
  });
  check('manager B gets the conflict panel', true);
  check(
    `the conflict panel names the current balance (${start - N})`,
    (await conflict.innerText()).includes(String(start - N)),
    await conflict.innerText(),
  );
  check(
    'the balance did not change on the stale submission',
    (await ledgerOf(unitId, batchId)).doses === start - N,
  );
  await b.screenshot({ path: 'test-results/e2e-stock-conflict.png', fullPage: true });

  await b.getByTestId('stock-reapply').click();
  await b.getByTestId('movement-done').waitFor({ timeout: 5000 });
  check('re-applying goes through', !(await conflict.isVisible()));

  const end = start - N - M;
  for (const [name, page] of [
    ['A', a],
    ['B', b],
  ]) {
    try {
      await waitRowDoses(page, batchId, end);
      check(`manager ${name}'s table ends at ${end} doses (${start} − ${N} − ${M})`, true);
    } catch {
      check(`manager ${name}'s table ends at ${end} doses`, false, `shows ${await rowDoses(page, batchId)}`);
    }
  }
  const db = await ledgerOf(unitId, batchId);
  check(
    `the database balance is ${end} and equals the ledger's sum`,
    db.doses === end && db.ledger_sum === end,
    `balance ${db.doses}, ledger sum ${db.ledger_sum}`,
  );
  const moves = await query(
    `SELECT kind, delta, reason FROM stock_movement WHERE unit_id = $1 AND batch_id = $2 ORDER BY id DESC LIMIT 3`,
    [unitId, batchId],
  );
  check(
    'the ledger holds exactly the two wastages, A first',
    moves[0]?.kind === 'WASTAGE' &&
      moves[0].delta === -M &&
      moves[1]?.kind === 'WASTAGE' &&
      moves[1].delta === -N &&
      moves[2]?.kind !== 'WASTAGE',
    JSON.stringify(moves),
  );

  // The region overview (smittskydd) shows U1 and the batch's product with the new total.
  const rut = await login(await browser.newContext(), SMITTSKYDD, /\/saldo\/oversikt/);
  await rut.getByTestId('overview-table').waitFor({ timeout: 10_000 });
  const row = rut.getByTestId(`overview-row-${unitId}-${productId}`);
  const [{ doses: productDoses }] = await query(
    `SELECT sum(sb.doses)::int AS doses FROM stock_balance sb JOIN batch b ON b.id = sb.batch_id
      WHERE sb.unit_id = $1 AND b.product_id = $2`,
    [unitId, productId],
  );
  try {
    await row.waitFor({ timeout: 5000 });
    check('the region overview shows a row for U1 and the product', true);
    check(
      `the overview row has the unit's doses of the product (${productDoses})`,
      Number(await row.getAttribute('data-doses')) === productDoses && (await row.innerText()).includes(U1),
      `${await row.getAttribute('data-doses')}: ${await row.innerText()}`,
    );
  } catch {
    check('the region overview shows a row for U1 and the product', false, 'no such row');
  }
  await rut.screenshot({ path: 'test-results/e2e-stock-overview.png', fullPage: true });
}

// ---------------------------------------------------------------- journal (issue 5, R9 R19–R22 R5 R6)
/**
 * A nurse opens the seeded patient with doses 1–2 prescribed, gives dose 1 from the unit's stock
 * ("Signera administrering"), registers a dose given abroad and voids the given one; the
 * Kontrollrapport lists both; a guardian sees one child's dose and not the sealed one.
 */
async function journalScenario(browser) {
  const [olena] = await query(`SELECT id, identity_number FROM patient WHERE first_name = 'Olena' LIMIT 1`);
  const nurse = await login(await browser.newContext(), 'SE2321000057-N001', /\/tidbok/);
  await nurse.goto(`${BASE}/patient?pnr=${olena.identity_number}`);
  await nurse.getByTestId('patient-card').waitFor();
  check(
    'journal: the patient view shows the seeded flag',
    (await nurse.getByTestId('declaration-flags').innerText()).includes('Blödningsrisk'),
  );

  const rx = await query(
    `SELECT id FROM prescription WHERE patient_id = $1 AND dose_number = 1 AND status = 'ACTIVE'`,
    [olena.id],
  );
  await nurse.getByTestId('adm-prescription').selectOption(rx[0].id);
  await nurse.getByTestId('adm-batch').locator('option').first().waitFor({ state: 'attached' });
  await nurse.getByRole('button', { name: 'Signera administrering' }).click();
  await nurse.getByTestId('journal-message').waitFor();
  const [given] = await query(
    `SELECT v.id, pr.status FROM vaccination v JOIN prescription pr ON pr.id = v.prescription_id
      WHERE v.patient_id = $1 AND pr.id = $2`,
    [olena.id, rx[0].id],
  );
  check(
    'journal: a nurse gives the prescribed dose; the prescription is administered',
    given?.status === 'ADMINISTERED',
  );

  await nurse.getByTestId('hist-product').selectOption({ label: 'Comirnaty' });
  await nurse.getByTestId('hist-date').fill('2021-05-10');
  await nurse.getByTestId('hist-comment').fill('Dos given i Ukraina enligt intyg');
  await nurse.getByTestId('hist-save').click();
  await nurse.getByTestId('tag-historical').first().waitFor();
  check('journal: the dose given abroad shows as historical', true);

  await nurse.getByTestId(`dose-${given.id}`).getByRole('button', { name: 'Makulera' }).click();
  await nurse.getByTestId('void-reason').fill('Registrerad två gånger');
  await nurse.getByTestId('void-confirm').click();
  await nurse.getByTestId(`dose-${given.id}`).getByTestId('tag-voided').waitFor();
  check('journal: the voided dose stays in the history, marked', true);
  await nurse.screenshot({ path: 'test-results/journal-patient.png', fullPage: true });

  await nurse.goto(`${BASE}/kontrollrapport`);
  await nurse.getByTestId(`cr-row-${given.id}`).waitFor();
  const report = await nurse.getByTestId('control-report').innerText();
  check(
    'journal: the Kontrollrapport lists the voided and the historical dose',
    report.includes('Makulerad') && report.includes('Dos given i Ukraina'),
  );
  await nurse.screenshot({ path: 'test-results/journal-control-report.png', fullPage: true });

  const [guardian] = await query(
    `SELECT p.identity_number FROM patient p WHERE EXISTS (SELECT 1 FROM guardianship g WHERE g.guardian_id = p.id) LIMIT 1`,
  );
  const citizen = await (await browser.newContext()).newPage();
  await citizen.goto(`${BASE}/mina-vaccinationer`);
  await citizen.getByTestId('citizen-pnr').fill(guardian.identity_number);
  await citizen.getByTestId('citizen-login').click();
  await citizen.getByTestId('citizen-person-self').waitFor();
  const children = await citizen.locator('[data-testid^="citizen-person-"]').count();
  const childDoses = await citizen
    .locator(
      '[data-testid^="citizen-person-"]:not([data-testid="citizen-person-self"]) [data-testid^="citizen-dose-"]',
    )
    .count();
  check(
    'journal: the guardian sees both children and only the unsealed dose',
    children === 3 && childDoses === 1,
    `${children} people, ${childDoses} child doses`,
  );
  await citizen.screenshot({ path: 'test-results/journal-citizen.png', fullPage: true });
}

// ---------------------------------------------------------------- coverage (issue 5, R29)
/** R29: a dose given over the API shows in an open coverage view, without reload. */
async function coverageScenario(browser) {
  const [unit] = await query(`SELECT id FROM unit WHERE name = $1`, [U1]);
  const [person] = await query(
    `SELECT pr.identity_number AS pnr, pr.municipality_code AS municipality
       FROM population_register pr JOIN region r ON r.id = pr.region_id
      WHERE extract(year FROM pr.birth_date) < 2000
        AND NOT EXISTS (SELECT 1 FROM patient pa JOIN vaccination v ON v.patient_id = pa.id
                         WHERE pa.identity_number = pr.identity_number)
      ORDER BY pr.identity_number LIMIT 1`,
  );
  const [batch] = await query(
    `SELECT b.id AS "batchId", b.product_id AS "productId" FROM stock_balance sb JOIN batch b ON b.id = sb.batch_id
      WHERE sb.unit_id = $1 AND sb.doses > 0 AND b.expires_on >= current_date ORDER BY sb.doses DESC LIMIT 1`,
    [unit.id],
  );
  if (!person || !batch) throw new Error('no unvaccinated resident or no stock at U1 in the seeded data');

  const rut = await login(await browser.newContext(), SMITTSKYDD, /\/saldo\/oversikt/);
  await rut.getByTestId('nav-coverage').click();
  await rut.waitForURL(/\/tackning/);
  await waitLive(rut);
  const tile = rut.getByTestId('coverage-region-vaccinated');
  await tile.waitFor({ timeout: 10_000 });
  const muniRow = rut.getByTestId(`coverage-municipality-row-${person.municipality}`);
  const regionBefore = Number(await tile.getAttribute('data-vaccinated'));
  const muniBefore = Number(await muniRow.getAttribute('data-vaccinated'));
  const dosesBefore = Number(await rut.getByTestId('coverage-doses-today').getAttribute('data-doses'));
  await rut.evaluate(() => {
    window.__sameDocument = true;
  });

  const loginRes = await fetch(`${BASE}/api/auth/dev-login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ hsaId: 'SE2321000057-N002' }),
  });
  const { accessToken } = await loginRes.json();
  const given = await fetch(`${BASE}/api/vaccinations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ personalIdentityNumber: person.pnr, ...batch, doseNumber: 1 }),
  });
  check('a dose is given over the API (201)', given.status === 201, `${given.status}`);
  const t0 = Date.now();
  try {
    await rut
      .locator(`[data-testid="coverage-region-vaccinated"][data-vaccinated="${regionBefore + 1}"]`)
      .waitFor({ timeout: 5000 });
    check(`the coverage view's region figure moves without reload (${Date.now() - t0} ms)`, true);
  } catch {
    check(
      "the coverage view's region figure moves without reload",
      false,
      `still ${await tile.getAttribute('data-vaccinated')}`,
    );
  }
  check(
    `the municipality row ${person.municipality} counts the new dose`,
    Number(await muniRow.getAttribute('data-vaccinated')) === muniBefore + 1,
    `${muniBefore} → ${await muniRow.getAttribute('data-vaccinated')}`,
  );
  check(
    "today's dose count moved",
    Number(await rut.getByTestId('coverage-doses-today').getAttribute('data-doses')) === dosesBefore + 1,
  );
  check('same document (no reload)', (await rut.evaluate(() => window.__sameDocument)) === true);
  await rut.screenshot({ path: 'test-results/e2e-coverage.png', fullPage: true });
}

async function main() {
  await prepareDatabase();
  await startServer();
  mkdirSync('test-results', { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    for (const [name, scenario] of [
      ['timebook', timebookScenario],
      ['citizen', citizenScenario],
      ['stock', stockScenario],
      ['journal', journalScenario],
      ['coverage', coverageScenario],
    ]) {
      try {
        await scenario(browser);
      } catch (e) {
        check(`${name} flow`, false, e.message);
      } finally {
        // Each scenario starts with fresh browser contexts.
        for (const context of browser.contexts()) await context.close();
      }
    }
  } finally {
    await browser.close();
  }
}

main()
  .catch((e) => check('setup', false, e.message))
  .finally(() => {
    server?.kill('SIGTERM');
    console.log(`e2e: ${passed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
  });
