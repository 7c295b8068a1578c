#!/usr/bin/env node
// Browser test in Debian's Chromium against the built system (run `npm run build` first):
// one booker books a slot; a second dashboard, already open, shows it booked without reloading.
// Uses its own database (vaxops_test_e2e) and Redis prefix.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import pg from 'pg';
import { chromium } from 'playwright-core';

const DB = process.env.E2E_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/vaxops_test_e2e';
const PORT = 3000 + 100 + Math.floor(Math.random() * 800);
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
      REDIS_PREFIX: 'vaxops-e2e',
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

/** A day with free nurse slots in the coming week, and one such slot. */
async function pickSlot() {
  const c = new pg.Client({ connectionString: DB, options: '-c TimeZone=Europe/Stockholm' });
  await c.connect();
  const { rows } = await c.query(`
    SELECT s.id, to_char(s.date, 'YYYY-MM-DD') AS date FROM slot s
      JOIN timebook_resource r ON r.id = s.resource_id AND r.kind = 'SKOTERSKA'
      JOIN unit u ON u.id = s.unit_id AND u.name = 'Vaccinationsmottagningen Jönköping'
     WHERE s.status = 'FREE' AND s.starts_at > now() + interval '1 hour'
     ORDER BY s.starts_at LIMIT 1`);
  await c.end();
  if (!rows[0]) throw new Error('no free slot in the seeded data');
  return rows[0];
}

async function loginAs(context, hsaId, date) {
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.getByTestId(`login-${hsaId}`).first().click();
  await page.waitForURL(/tidbok/);
  await page.goto(`${BASE}/tidbok?date=${date}`);
  await page.getByTestId('connection').and(page.locator('[data-state="live"]')).waitFor({ timeout: 10_000 });
  return page;
}

async function main() {
  await prepareDatabase();
  await startServer();
  const slot = await pickSlot();
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
    const watcher = await loginAs(await browser.newContext(), 'SE2321000057-N001', slot.date);
    const booker = await loginAs(await browser.newContext(), 'SE2321000057-B001', slot.date);
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
    const options = await select
      .locator('option')
      .evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
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
    mkdirSync('test-results', { recursive: true });
    await watcher.screenshot({ path: 'test-results/e2e-watcher.png', fullPage: true });
  } catch (e) {
    check('browser flow', false, e.message);
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
