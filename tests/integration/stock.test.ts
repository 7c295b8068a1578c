import { RedisService } from '../../backend/src/infra/redis.service';
import type { StockChanged } from '../../backend/src/realtime/events';
import {
  api,
  closeDb,
  connected,
  connectLive,
  db,
  login,
  seedInfo,
  startApp,
  subscribe,
  waitFor,
} from '../support/harness';

let app: Awaited<ReturnType<typeof startApp>>;
let token: string;
const { units } = seedInfo();
let productId: string;

beforeAll(async () => {
  app = await startApp();
  token = (await login(app.url, 'SE2321000057-S001', units.U1)).token;
  const { rows } = await db().query(`SELECT id FROM product WHERE doses_per_vial = 1 ORDER BY name LIMIT 1`);
  productId = rows[0].id;
});
afterAll(async () => {
  await app.close();
  await closeDb();
});

let serial = 0;
/** A new batch at the unit holding `doses` doses, through the API. */
async function newBatch(doses: number, unitId = units.U1, t = token, expiresOn = '2030-01-01') {
  const batchNumber = `T${Date.now().toString(36)}${serial++}`.toUpperCase();
  const res = await api(app.url, 'POST', `/api/units/${unitId}/stock/movements`, {
    token: t,
    body: { kind: 'RECEIPT', newBatch: { productId, batchNumber, expiresOn }, doses },
  });
  expect(res.status).toBe(201);
  return res.body.balance as { batchId: string; doses: number; rowVersion: number };
}

async function ledgerSum(unitId: string, batchId: string): Promise<number> {
  const { rows } = await db().query(
    `SELECT coalesce(sum(delta), 0)::int AS s FROM stock_movement WHERE unit_id = $1 AND batch_id = $2`,
    [unitId, batchId],
  );
  return rows[0].s;
}

async function balanceOf(unitId: string, batchId: string): Promise<number | undefined> {
  const { rows } = await db().query(`SELECT doses FROM stock_balance WHERE unit_id = $1 AND batch_id = $2`, [
    unitId,
    batchId,
  ]);
  return rows[0]?.doses;
}

describe('stock ledger (R24)', () => {
  it('50 concurrent wastage movements of 10 doses on a batch holding 100: exactly 10 succeed, the rest 422', async () => {
    const { batchId } = await newBatch(100);
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        api(app.url, 'POST', `/api/units/${units.U1}/stock/movements`, {
          token,
          body: { kind: 'WASTAGE', batchId, doses: 10, reason: 'BROKEN' },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    const refused = results.filter((r) => r.status === 422);
    expect(refused).toHaveLength(40);
    expect(refused[0]!.body).toMatchObject({ code: 'BELOW_ZERO', current: { batchId } });
    expect(await balanceOf(units.U1, batchId)).toBe(0);
    expect(await ledgerSum(units.U1, batchId)).toBe(0);
  });

  it('a stale expectedRowVersion → 409 with the current balance, and nothing changes', async () => {
    const { batchId, rowVersion } = await newBatch(30);
    const first = await api(app.url, 'POST', `/api/units/${units.U1}/stock/movements`, {
      token,
      body: { kind: 'WASTAGE', batchId, doses: 5, reason: 'COLD_CHAIN', expectedRowVersion: rowVersion },
    });
    expect(first.status).toBe(201);
    const stale = await api(app.url, 'POST', `/api/units/${units.U1}/stock/movements`, {
      token,
      body: { kind: 'WASTAGE', batchId, doses: 5, reason: 'COLD_CHAIN', expectedRowVersion: rowVersion },
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      code: 'STALE_ROW_VERSION',
      current: { batchId, doses: 25, rowVersion: first.body.balance.rowVersion },
    });
    expect(await balanceOf(units.U1, batchId)).toBe(25);
    const reapplied = await api(app.url, 'POST', `/api/units/${units.U1}/stock/movements`, {
      token,
      body: {
        kind: 'WASTAGE',
        batchId,
        doses: 5,
        reason: 'COLD_CHAIN',
        expectedRowVersion: stale.body.current.rowVersion,
      },
    });
    expect(reapplied).toMatchObject({ status: 201, body: { balance: { doses: 20 } } });
  });

  it.each([
    [{ doses: 0 }, 'doses'],
    [{ doses: -5 }, 'doses'],
    [{ doses: 2.5 }, 'doses'],
    [{ doses: '10' }, 'doses'],
    [{ doses: 10, reason: undefined }, 'reason'],
  ])('bad movement %j → 400 naming %s, nothing written', async (patch, field) => {
    const { batchId } = await newBatch(10);
    const before = await ledgerSum(units.U1, batchId);
    const res = await api(app.url, 'POST', `/api/units/${units.U1}/stock/movements`, {
      token,
      body: { kind: 'WASTAGE', batchId, reason: 'BROKEN', ...patch },
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe(field);
    expect(await ledgerSum(units.U1, batchId)).toBe(before);
  });

  it('a count books the difference as a count adjustment', async () => {
    const { batchId } = await newBatch(40);
    const res = await api(app.url, 'POST', `/api/units/${units.U1}/stock/movements`, {
      token,
      body: { kind: 'COUNT', batchId, doses: 37, note: 'Inventering' },
    });
    expect(res).toMatchObject({ status: 201, body: { balance: { doses: 37 } } });
    const { rows } = await db().query(
      `SELECT kind, delta FROM stock_movement WHERE batch_id = $1 ORDER BY id DESC LIMIT 1`,
      [batchId],
    );
    expect(rows[0]).toEqual({ kind: 'COUNT_ADJUSTMENT', delta: -3 });
    expect(await ledgerSum(units.U1, batchId)).toBe(37);
  });

  it('an Idempotency-Key makes a retried POST return the first answer; another body with it is 422', async () => {
    const { batchId } = await newBatch(50);
    const key = `test-${Date.now()}-retry`;
    const body = { kind: 'WASTAGE', batchId, doses: 7, reason: 'OTHER' };
    const [a, b] = await Promise.all([
      api(app.url, 'POST', `/api/units/${units.U1}/stock/movements`, {
        token,
        body,
        headers: { 'idempotency-key': key },
      }),
      api(app.url, 'POST', `/api/units/${units.U1}/stock/movements`, {
        token,
        body,
        headers: { 'idempotency-key': key },
      }),
    ]);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body).toEqual(a.body);
    expect(await balanceOf(units.U1, batchId)).toBe(43);
    const other = await api(app.url, 'POST', `/api/units/${units.U1}/stock/movements`, {
      token,
      body: { ...body, doses: 8 },
      headers: { 'idempotency-key': key },
    });
    expect(other.status).toBe(422);
    expect(await balanceOf(units.U1, batchId)).toBe(43);
  });
});

describe('transfers', () => {
  it('moves doses between two units in one transaction, with a ledger entry on each side', async () => {
    const { batchId } = await newBatch(20);
    const res = await api(app.url, 'POST', `/api/units/${units.U1}/stock/movements`, {
      token,
      body: { kind: 'TRANSFER_OUT', batchId, doses: 8, toUnitId: units.U3 },
    });
    expect(res).toMatchObject({
      status: 201,
      body: { balance: { doses: 12 }, counterpart: { unitId: units.U3, doses: 8 } },
    });
    expect(await ledgerSum(units.U1, batchId)).toBe(12);
    expect(await ledgerSum(units.U3, batchId)).toBe(8);
  });

  it('is all-or-nothing: when the receiving side fails, the giving side is untouched', async () => {
    const { batchId } = await newBatch(20);
    // Make the receiving side's ledger insert fail, as a crash between the two halves would.
    await db().query(`CREATE OR REPLACE FUNCTION fail_transfer_in() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.kind = 'TRANSFER_IN' AND NEW.batch_id = '${batchId}' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`);
    await db().query(
      `CREATE TRIGGER fail_transfer_in BEFORE INSERT ON stock_movement FOR EACH ROW EXECUTE FUNCTION fail_transfer_in()`,
    );
    try {
      const res = await api(app.url, 'POST', `/api/units/${units.U1}/stock/movements`, {
        token,
        body: { kind: 'TRANSFER_OUT', batchId, doses: 8, toUnitId: units.U3 },
      });
      expect(res.status).toBe(500);
    } finally {
      await db().query(`DROP TRIGGER fail_transfer_in ON stock_movement`);
    }
    expect(await balanceOf(units.U1, batchId)).toBe(20);
    expect(await ledgerSum(units.U1, batchId)).toBe(20);
    expect((await balanceOf(units.U3, batchId)) ?? 0).toBe(0);
  });

  it('more than the balance → 422, and neither unit changes', async () => {
    const { batchId } = await newBatch(5);
    const res = await api(app.url, 'POST', `/api/units/${units.U1}/stock/movements`, {
      token,
      body: { kind: 'TRANSFER_OUT', batchId, doses: 6, toUnitId: units.U3 },
    });
    expect(res.status).toBe(422);
    expect(await balanceOf(units.U1, batchId)).toBe(5);
    expect((await balanceOf(units.U3, batchId)) ?? 0).toBe(0);
  });
});

describe('access and live updates', () => {
  it('a booker cannot move stock; a stock manager of another unit gets 403', async () => {
    const booker = (await login(app.url, 'SE2321000057-B001', units.U1)).token;
    const res = await api(app.url, 'POST', `/api/units/${units.U1}/stock/movements`, {
      token: booker,
      body: { kind: 'WASTAGE', batchId: 'x', doses: 1, reason: 'OTHER' },
    });
    expect(res.status).toBe(403);
    const other = (await login(app.url, 'SE2321000057-S001', units.U3)).token;
    expect((await api(app.url, 'GET', `/api/units/${units.U1}/stock`, { token: other })).status).toBe(403);
  });

  it("a movement reaches another stock manager's screen, and the region overview, live", async () => {
    const { batchId } = await newBatch(60);
    const watcher = (await login(app.url, 'SE2321000057-S001', units.U1)).token;
    const rut = (await login(app.url, 'SE2321000057-R001')).token;
    const s = connectLive(app.url, watcher);
    const region = connectLive(app.url, rut);
    try {
      await Promise.all([connected(s), connected(region)]);
      const ack = await subscribe(s, { topic: 'stock', unitId: units.U1 });
      expect(ack.ok).toBe(true);
      expect(ack.snapshot.balances.find((b: any) => b.batchId === batchId).doses).toBe(60);
      const rack = await subscribe(region, { topic: 'stock', regionId: seedInfo().regionId });
      expect(rack.ok).toBe(true);
      const seen: StockChanged[] = [];
      const regional: any[] = [];
      s.on('stock.changed', (e) => seen.push(e));
      region.on('stock.changed', (e) => regional.push(e));
      await api(app.url, 'POST', `/api/units/${units.U1}/stock/movements`, {
        token,
        body: { kind: 'WASTAGE', batchId, doses: 6, reason: 'CONTAMINATED' },
      });
      const e = await waitFor(() => seen.find((x) => x.balances.some((b) => b.batchId === batchId)), 1000);
      expect(e.version).toBe(ack.version + 1);
      expect(e.balances[0]).toMatchObject({ batchId, doses: 54 });
      const first = await waitFor(() => regional.find((x) => x.unitId === units.U1), 1000);
      expect(first.version).toBeGreaterThan(rack.version);

      // Redis restarted empty loses the region room's counter: the next version must still be
      // higher than the one the screen holds (else it would ignore every event until caught up)
      const redis = app.app.get(RedisService);
      expect(await redis.client.del(redis.key('version', 'stock-region', seedInfo().regionId))).toBe(1);
      await api(app.url, 'POST', `/api/units/${units.U1}/stock/movements`, {
        token,
        body: { kind: 'WASTAGE', batchId, doses: 1, reason: 'CONTAMINATED' },
      });
      const after = await waitFor(() => regional.find((x) => x.version !== first.version), 1000);
      expect(after.version).toBeGreaterThan(first.version);
    } finally {
      s.close();
      region.close();
    }
  });

  it('the region overview shows balance, days of supply, cover and wastage per unit and product', async () => {
    const rut = (await login(app.url, 'SE2321000057-R001')).token;
    const res = await api(app.url, 'GET', '/api/stock/overview', { token: rut });
    expect(res.status).toBe(200);
    const row = res.body.rows.find((r: any) => r.unitId === units.U1 && r.productId === productId);
    expect(row).toMatchObject({ unitName: expect.any(String), careProviderName: expect.any(String) });
    const { rows } = await db().query(
      `SELECT sum(sb.doses)::int AS d FROM stock_balance sb JOIN batch b ON b.id = sb.batch_id WHERE sb.unit_id = $1 AND b.product_id = $2`,
      [units.U1, productId],
    );
    expect(row.doses).toBe(rows[0].d);
    expect(typeof row.coversNext7Days).toBe('boolean');
    const booker = (await login(app.url, 'SE2321000057-B001', units.U1)).token;
    expect((await api(app.url, 'GET', '/api/stock/overview', { token: booker })).status).toBe(403);
  });
});

describe('reconciliation (R27) and renaming (R23)', () => {
  it('run twice for the same period, it writes off an expired batch once', async () => {
    const { batchId } = await newBatch(12);
    await db().query(`UPDATE batch SET expires_on = current_date - 1 WHERE id = $1`, [batchId]);
    const run = async () => {
      const res = await api(app.url, 'POST', '/api/stock/reconciliations', {
        token,
        body: { unitId: units.U1 },
      });
      expect(res.status).toBe(202);
      return res.body.jobId as string;
    };
    for (let i = 0; i < 2; i++) {
      const jobId = await run();
      const done = await pollJob(jobId);
      expect(done.state).toBe('completed');
    }
    const { rows } = await db().query(
      `SELECT count(*)::int AS n, coalesce(sum(delta), 0)::int AS d FROM stock_movement
        WHERE batch_id = $1 AND kind = 'WASTAGE' AND reason = 'EXPIRED'`,
      [batchId],
    );
    expect(rows[0]).toEqual({ n: 1, d: -12 });
    expect(await balanceOf(units.U1, batchId)).toBe(0);
    const report = await db().query(
      `SELECT count(*)::int AS n FROM reconciliation_report WHERE unit_id = $1`,
      [units.U1],
    );
    expect(report.rows[0].n).toBe(1);
  });

  it('a renamed product shows its new name on existing batches, and keeps the old one as an alias', async () => {
    await newBatch(3);
    const admin = (await login(app.url, 'SE2321000057-A001')).token;
    const { rows } = await db().query(`SELECT name FROM product WHERE id = $1`, [productId]);
    const newName = `${rows[0].name} (nytt namn)`;
    const res = await api(app.url, 'PATCH', `/api/products/${productId}`, {
      token: admin,
      body: { name: newName },
    });
    expect(res.status).toBe(200);
    const stock = await api(app.url, 'GET', `/api/units/${units.U1}/stock`, { token });
    expect(
      stock.body.balances
        .filter((b: any) => b.productId === productId)
        .every((b: any) => b.productName === newName),
    ).toBe(true);
    const products = await api(app.url, 'GET', '/api/products', { token });
    expect(products.body.find((p: any) => p.id === productId).aliases).toContain(rows[0].name);
    expect(
      (await api(app.url, 'PATCH', `/api/products/${productId}`, { token, body: { name: 'X Y' } })).status,
    ).toBe(403);
  });
});

async function pollJob(jobId: string): Promise<any> {
  for (let i = 0; i < 100; i++) {
    const res = await api(app.url, 'GET', `/api/jobs/${jobId}`, { token });
    if (res.body.state === 'completed' || res.body.state === 'failed') return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('job did not finish');
}
