import { VaccinationsRepository } from '../../backend/src/vaccinations/vaccinations.repository';
import {
  api,
  closeDb,
  db,
  login,
  newPersonnummer,
  receiveBatch,
  seedInfo,
  startApp,
} from '../support/harness';

let app: Awaited<ReturnType<typeof startApp>>;
let stock: string;
let prescriber: string;
const { units } = seedInfo();

beforeAll(async () => {
  app = await startApp();
  stock = (await login(app.url, 'SE2321000057-S001', units.U1)).token;
  prescriber = (await login(app.url, 'SE2321000057-N002')).token;
});
afterAll(async () => {
  await app.close();
  await closeDb();
});

async function batchOf(dosesPerVial: number, doses: number) {
  const { rows } = await db().query(
    `SELECT id FROM product WHERE doses_per_vial = $1 ORDER BY name LIMIT 1`,
    [dosesPerVial],
  );
  const productId = rows[0].id as string;
  return { productId, batchId: await receiveBatch(app.url, stock, units.U1, productId, doses) };
}

const give = (token: string, productId: string, batchId: string) =>
  api(app.url, 'POST', '/api/vaccinations', {
    token,
    body: { personalIdentityNumber: newPersonnummer(), productId, batchId, doseNumber: 1 },
  });

async function ledger(batchId: string) {
  const { rows } = await db().query(
    `SELECT (SELECT coalesce(sum(delta), 0)::int FROM stock_movement WHERE unit_id = $1 AND batch_id = $2) AS sum,
            (SELECT doses FROM stock_balance WHERE unit_id = $1 AND batch_id = $2) AS balance`,
    [units.U1, batchId],
  );
  return rows[0] as { sum: number; balance: number };
}

describe('administration takes a dose from stock (R21) and tracks opened vials (R25)', () => {
  it('a dose from a 6-dose vial opens a vial; at day end its leftovers become open-vial wastage, once', async () => {
    const { productId, batchId } = await batchOf(6, 12);
    const first = await give(prescriber, productId, batchId);
    expect(first).toMatchObject({ status: 201, body: { stock: { doses: 11 }, openVialDosesLeft: 5 } });
    const second = await give(prescriber, productId, batchId);
    expect(second.body).toMatchObject({ stock: { doses: 10 }, openVialDosesLeft: 4 });

    const repo = app.app.get(VaccinationsRepository);
    expect(await repo.closeOpenVials(units.U1)).toMatchObject({ wasted: 4 });
    expect(await repo.closeOpenVials(units.U1)).toMatchObject({ closed: 0, wasted: 0 });
    const { rows } = await db().query(
      `SELECT delta FROM stock_movement WHERE batch_id = $1 AND reason = 'OPEN_VIAL_TIME_LIMIT'`,
      [batchId],
    );
    expect(rows).toEqual([{ delta: -4 }]);
    expect(await ledger(batchId)).toEqual({ sum: 6, balance: 6 });
  });

  it('concurrent administrations never take more doses than there are', async () => {
    const { productId, batchId } = await batchOf(1, 3);
    const results = await Promise.all(Array.from({ length: 10 }, () => give(prescriber, productId, batchId)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 422).every((r) => r.body.code === 'OUT_OF_STOCK')).toBe(true);
    expect(await ledger(batchId)).toEqual({ sum: 0, balance: 0 });
    const { rows } = await db().query(`SELECT count(*)::int AS n FROM vaccination WHERE batch_id = $1`, [
      batchId,
    ]);
    expect(rows[0].n).toBe(3);
  });

  it('a nurse without a prescription, a booker, or another product’s batch are refused', async () => {
    const { productId, batchId } = await batchOf(1, 5);
    const nurse = (await login(app.url, 'SE2321000057-N001')).token;
    const unprescribed = await give(nurse, productId, batchId);
    expect(unprescribed.status).toBe(422);
    expect(unprescribed.body.code).toBe('NO_PRESCRIPTION');
    const booker = (await login(app.url, 'SE2321000057-B001', units.U1)).token;
    expect((await give(booker, productId, batchId)).status).toBe(403);
    const { rows } = await db().query(`SELECT id FROM product WHERE id <> $1 LIMIT 1`, [productId]);
    const wrong = await give(prescriber, rows[0].id, batchId);
    expect(wrong.status).toBe(422);
    expect(wrong.body.field).toBe('batchId');
    expect(await ledger(batchId)).toEqual({ sum: 5, balance: 5 });
  });
});

describe('idempotent administration', () => {
  it('a retried POST with the same Idempotency-Key gives no second dose', async () => {
    const { productId, batchId } = await batchOf(1, 5);
    const body = { personalIdentityNumber: newPersonnummer(), productId, batchId, doseNumber: 1 };
    const headers = { 'idempotency-key': `dose-retry-${Date.now()}` };
    const [a, b] = await Promise.all([
      api(app.url, 'POST', '/api/vaccinations', { token: prescriber, body, headers }),
      api(app.url, 'POST', '/api/vaccinations', { token: prescriber, body, headers }),
    ]);
    expect(a.status).toBe(201);
    expect(b.body).toEqual(a.body);
    expect(await ledger(batchId)).toEqual({ sum: 4, balance: 4 });
    const { rows } = await db().query(`SELECT count(*)::int AS n FROM vaccination WHERE batch_id = $1`, [
      batchId,
    ]);
    expect(rows[0].n).toBe(1);
  });
});
