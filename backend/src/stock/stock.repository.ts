import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../infra/database.service';
import { OUTBOX_CHANNEL } from '../infra/outbox/outbox';
import { raw, sql } from '../infra/sql';
import type { LedgerEntry, LedgerKind, OverviewRow, StockHistoryDay, WastageReason } from './stock-api';

export interface MovementInput {
  unitId: string;
  batchId: string;
  /** the ledger kind written at `unitId` */
  kind: LedgerKind;
  /** signed change; for counts, the counted balance goes in `countedBalance` instead */
  delta: number;
  countedBalance: number | null;
  reason: WastageReason | null;
  note: string | null;
  expectedRowVersion: number | null;
  /** transfers: the other unit, which gets the opposite change in the same statement */
  counterpartUnitId: string | null;
  actor: { userId: string | null; assignmentId: string | null };
  idempotency: { scope: string; key: string; requestHash: string } | null;
  cause: string;
}

export interface MovementRow {
  movement_id: number;
  doses: number;
  row_version: number;
  counterpart: { unitId: string; batchId: string; doses: number; rowVersion: number } | null;
}

/** All SQL of stock. A movement is one statement: balances, ledger, versions, outbox, idempotency record. */
@Injectable()
export class StockRepository {
  constructor(private readonly db: DatabaseService) {}

  /** A balance row to lock and update (zero, with no ledger entry, is consistent with an empty ledger). */
  async ensureBalanceRow(unitId: string, batchId: string): Promise<void> {
    await this.db.query(sql`
      INSERT INTO stock_balance (unit_id, batch_id, doses, row_version) VALUES (${unitId}, ${batchId}, 0, 0)
      ON CONFLICT (unit_id, batch_id) DO NOTHING`);
  }

  /**
   * R24 in one statement. The balance row is locked (FOR UPDATE follows the newest committed
   * version), the change applies only if the row version matches (when given) and the result
   * is not below zero; the ledger entry, the counterpart of a transfer, the topic versions, the
   * outbox events and the idempotency record are written in the same statement — all or nothing.
   * Returns undefined when the condition failed (stale version, below zero).
   */
  async move(m: MovementInput): Promise<MovementRow | undefined> {
    const isCount = m.countedBalance !== null;
    const response = m.idempotency
      ? sql`, idem AS (
          INSERT INTO idempotency_record (scope, key, request_hash, status_code, response_body)
          SELECT ${m.idempotency.scope}, ${m.idempotency.key}, ${m.idempotency.requestHash}, 201,
                 json_strip_nulls(json_build_object('movementId', led.id, 'balance',
                   json_build_object('batchId', ${m.batchId}::text, 'doses', upd.doses, 'rowVersion', upd.row_version),
                   'counterpart', (SELECT json_build_object('unitId', unit_id, 'batchId', batch_id, 'doses', doses, 'rowVersion', row_version) FROM upd2)))
            FROM upd, led
          RETURNING 1)`
      : raw('');
    const counterpart = m.counterpartUnitId
      ? sql`, cur2 AS (
          SELECT doses FROM stock_balance WHERE unit_id = ${m.counterpartUnitId} AND batch_id = ${m.batchId}
             AND EXISTS (SELECT 1 FROM upd) FOR UPDATE
        ), upd2 AS (
          UPDATE stock_balance sb SET doses = sb.doses - (SELECT delta FROM upd), row_version = sb.row_version + 1, updated_at = now()
            FROM cur2
           WHERE sb.unit_id = ${m.counterpartUnitId} AND sb.batch_id = ${m.batchId}
             AND cur2.doses - (SELECT delta FROM upd) >= 0
          RETURNING sb.unit_id, sb.batch_id, sb.doses, sb.row_version
        ), led2 AS (
          INSERT INTO stock_movement (unit_id, batch_id, kind, delta, balance_after, note, user_id, assignment_id, counterpart_unit_id)
          SELECT ${m.counterpartUnitId}, ${m.batchId},
                 CASE WHEN ${m.kind} = 'TRANSFER_OUT' THEN 'TRANSFER_IN' ELSE 'TRANSFER_OUT' END::"StockMovementKind",
                 -(SELECT delta FROM upd), upd2.doses, ${m.note}, ${m.actor.userId}, ${m.actor.assignmentId}, ${m.unitId}
            FROM upd2
          RETURNING id
        )`
      : sql`, upd2 AS (SELECT NULL::text AS unit_id, NULL::text AS batch_id, NULL::int AS doses, NULL::int AS row_version WHERE false)`;
    const units = m.counterpartUnitId ? [m.unitId, m.counterpartUnitId] : [m.unitId];
    const row = await this.db.one<MovementRow & { ok2: boolean }>(
      sql`
      WITH cur AS (
        SELECT doses, row_version FROM stock_balance WHERE unit_id = ${m.unitId} AND batch_id = ${m.batchId} FOR UPDATE
      ), d AS (
        SELECT cur.row_version AS rv,
               CASE WHEN ${isCount}::boolean THEN ${m.countedBalance}::int - cur.doses ELSE ${m.delta}::int END AS delta,
               cur.doses AS before
          FROM cur
      ), upd AS (
        UPDATE stock_balance sb SET doses = d.before + d.delta, row_version = sb.row_version + 1, updated_at = now()
          FROM d
         WHERE sb.unit_id = ${m.unitId} AND sb.batch_id = ${m.batchId}
           AND (${m.expectedRowVersion}::int IS NULL OR d.rv = ${m.expectedRowVersion}::int)
           AND d.before + d.delta >= 0
        RETURNING sb.doses, sb.row_version, d.delta
      ), led AS (
        INSERT INTO stock_movement (unit_id, batch_id, kind, delta, balance_after, reason, note, user_id, assignment_id,
                                    counterpart_unit_id, idempotency_key)
        SELECT ${m.unitId}, ${m.batchId}, ${m.kind}::"StockMovementKind", upd.delta, upd.doses, ${m.reason}::"WastageReason",
               ${m.note}, ${m.actor.userId}, ${m.actor.assignmentId}, ${m.counterpartUnitId}, ${m.idempotency?.key ?? null}
          FROM upd
        RETURNING id
      )${counterpart}, changed AS (
        SELECT ${m.unitId}::text AS unit_id, upd.doses, upd.row_version FROM upd
        UNION ALL SELECT unit_id, doses, row_version FROM upd2
      ), v AS (
        INSERT INTO topic_version (topic_key, version)
        SELECT 'stock:' || u, 1 FROM unnest(${units}::text[]) AS u WHERE EXISTS (SELECT 1 FROM upd)
        ON CONFLICT (topic_key) DO UPDATE SET version = topic_version.version + 1
        RETURNING topic_key, version
      ), o AS (
        -- one event per unit; the relay also tells the region's room (see RealtimeService)
        INSERT INTO outbox_event (topic, topic_key, version, event_type, payload)
        SELECT 'stock', v.topic_key, v.version, 'stock.moved',
               json_build_object('unitId', substr(v.topic_key, 7), 'cause', ${m.cause}::text,
                 'balances', (SELECT json_agg(json_build_object('batchId', ${m.batchId}::text, 'doses', c.doses,
                              'rowVersion', c.row_version)) FROM changed c WHERE 'stock:' || c.unit_id = v.topic_key))
          FROM v
        RETURNING id
      )${response}
      SELECT led.id AS movement_id, upd.doses, upd.row_version,
             (SELECT json_build_object('unitId', unit_id, 'batchId', batch_id, 'doses', doses, 'rowVersion', row_version) FROM upd2) AS counterpart,
             (${m.counterpartUnitId}::text IS NULL OR EXISTS (SELECT 1 FROM upd2)) AS ok2,
             (SELECT pg_notify(${OUTBOX_CHANNEL}, '') FROM o LIMIT 1) AS notified
        FROM upd, led`,
      'stock.move',
    );
    // The receiving side only adds doses to a row that exists (ensured before), so it cannot fail
    // on its own; if it ever did, the giving side's change would stand — hence this loud check.
    if (row && !row.ok2) throw new Error('transfer counterpart was not updated');
    return row;
  }

  async balance(unitId: string, batchId: string) {
    return this.db.one<{ batchId: string; doses: number; rowVersion: number }>(sql`
      SELECT batch_id AS "batchId", doses, row_version AS "rowVersion"
        FROM stock_balance WHERE unit_id = ${unitId} AND batch_id = ${batchId}`);
  }

  async batch(batchId: string) {
    return this.db.one<{ id: string; product_id: string; expires_on: string; doses_per_vial: number }>(sql`
      SELECT b.id, b.product_id, to_char(b.expires_on, 'YYYY-MM-DD') AS expires_on, p.doses_per_vial
        FROM batch b JOIN product p ON p.id = b.product_id WHERE b.id = ${batchId}`);
  }

  async product(productId: string) {
    return this.db.one<{ id: string; doses_per_vial: number }>(
      sql`SELECT id, doses_per_vial FROM product WHERE id = ${productId}`,
    );
  }

  /** A delivered batch: found by product and batch number, or registered. */
  async findOrCreateBatch(productId: string, batchNumber: string, expiresOn: string) {
    return this.db.one<{ id: string; expires_on: string }>(sql`
      WITH ins AS (
        INSERT INTO batch (product_id, batch_number, expires_on) VALUES (${productId}, ${batchNumber}, ${expiresOn}::date)
        ON CONFLICT (product_id, batch_number) DO NOTHING
        RETURNING id, to_char(expires_on, 'YYYY-MM-DD') AS expires_on
      )
      SELECT * FROM ins
      UNION ALL
      SELECT id, to_char(expires_on, 'YYYY-MM-DD') FROM batch
       WHERE product_id = ${productId} AND batch_number = ${batchNumber} AND NOT EXISTS (SELECT 1 FROM ins)`);
  }

  /** Whether the user has a STOCK_MANAGER/ADMIN assignment at the unit (for pulling a transfer). */
  async userManagesStockAt(userId: string, unitId: string): Promise<boolean> {
    const row = await this.db.one(sql`
      SELECT 1 AS ok FROM assignment WHERE user_id = ${userId} AND unit_id = ${unitId} AND role IN ('STOCK_MANAGER', 'ADMIN')`);
    return !!row;
  }

  /** A unit's stock: batches with product data and the next 7 days' bookings per product, with the version. */
  async unitStock(unitId: string) {
    return this.db.one<{
      version: number | null;
      balances: Array<{
        batchId: string;
        batchNumber: string;
        productId: string;
        productName: string;
        expiresOn: string;
        doses: number;
        rowVersion: number;
        dosesPerVial: number;
        openVialDoses: number;
      }>;
      booked: Array<{ productId: string; productName: string; booked: number }>;
      today: string;
    }>(sql`
      SELECT (SELECT version FROM topic_version WHERE topic_key = ${`stock:${unitId}`}) AS version,
             to_char(now(), 'YYYY-MM-DD') AS today,
             (SELECT coalesce(json_agg(x ORDER BY x."productName", x."expiresOn", x."batchNumber"), '[]'::json) FROM (
                SELECT sb.batch_id AS "batchId", b.batch_number AS "batchNumber", p.id AS "productId", p.name AS "productName",
                       to_char(b.expires_on, 'YYYY-MM-DD') AS "expiresOn", sb.doses, sb.row_version AS "rowVersion",
                       p.doses_per_vial AS "dosesPerVial",
                       coalesce((SELECT sum(ov.doses_remaining) FROM opened_vial ov
                                  WHERE ov.unit_id = sb.unit_id AND ov.batch_id = sb.batch_id AND ov.closed_at IS NULL), 0)::int
                         AS "openVialDoses"
                  FROM stock_balance sb JOIN batch b ON b.id = sb.batch_id JOIN product p ON p.id = b.product_id
                 WHERE sb.unit_id = ${unitId}) x) AS balances,
             (SELECT coalesce(json_agg(y), '[]'::json) FROM (
                SELECT p.id AS "productId", p.name AS "productName", count(bk.id)::int AS booked
                  FROM booking bk JOIN slot s ON s.id = bk.slot_id JOIN visit_type vt ON vt.id = bk.visit_type_id
                  JOIN product p ON p.id = vt.product_id
                 WHERE bk.unit_id = ${unitId} AND bk.status = 'ACTIVE'
                   AND s.starts_at >= now() AND s.starts_at < now() + interval '7 days'
                 GROUP BY p.id, p.name) y) AS booked`);
  }

  async ledger(unitId: string, batchId: string): Promise<LedgerEntry[]> {
    return this.db.query<LedgerEntry>(sql`
      SELECT m.id, m.kind::text AS kind, m.delta, m.balance_after AS "balanceAfter", m.reason::text AS reason, m.note,
             u.name AS "userName", cu.name AS "counterpartUnitName", m.created_at AS "createdAt"
        FROM stock_movement m
        LEFT JOIN app_user u ON u.id = m.user_id
        LEFT JOIN unit cu ON cu.id = m.counterpart_unit_id
       WHERE m.unit_id = ${unitId} AND m.batch_id = ${batchId}
       ORDER BY m.id DESC LIMIT 200`);
  }

  /** Per day and product: end-of-day balance, doses administered and wasted (with reasons). */
  async history(unitId: string, from: string, to: string): Promise<StockHistoryDay[]> {
    return this.db.query<StockHistoryDay>(sql`
      WITH products AS (
        SELECT DISTINCT p.id, p.name FROM stock_balance sb JOIN batch b ON b.id = sb.batch_id JOIN product p ON p.id = b.product_id
         WHERE sb.unit_id = ${unitId}
      ), days AS (
        SELECT g::date AS day FROM generate_series(${from}::date, ${to}::date, interval '1 day') g
      ), moves AS (
        SELECT b.product_id, m.created_at::date AS day, m.kind, m.reason, m.delta
          FROM stock_movement m JOIN batch b ON b.id = m.batch_id
         WHERE m.unit_id = ${unitId} AND m.created_at < ${to}::date + 1
      ), base AS (
        SELECT product_id, sum(delta)::int AS before FROM moves WHERE day < ${from}::date GROUP BY product_id
      ), daily AS (
        SELECT product_id, day, sum(delta)::int AS net,
               (-sum(delta) FILTER (WHERE kind = 'ADMINISTERED'))::int AS administered,
               (-sum(delta) FILTER (WHERE kind = 'WASTAGE'))::int AS wasted
          FROM moves WHERE day >= ${from}::date GROUP BY product_id, day
      ), reasons AS (
        SELECT product_id, day, json_object_agg(reason, n) AS by_reason FROM (
          SELECT product_id, day, reason::text AS reason, (-sum(delta))::int AS n FROM moves
           WHERE kind = 'WASTAGE' AND day >= ${from}::date GROUP BY product_id, day, reason) r
         GROUP BY product_id, day
      )
      SELECT to_char(days.day, 'YYYY-MM-DD') AS date, p.id AS "productId", p.name AS "productName",
             (coalesce(base.before, 0) + coalesce(sum(daily.net) OVER (PARTITION BY p.id ORDER BY days.day), 0))::int AS balance,
             coalesce(daily.administered, 0) AS administered, coalesce(daily.wasted, 0) AS wasted,
             coalesce(reasons.by_reason, '{}'::json) AS "wastageByReason"
        FROM products p CROSS JOIN days
        LEFT JOIN base ON base.product_id = p.id
        LEFT JOIN daily ON daily.product_id = p.id AND daily.day = days.day
        LEFT JOIN reasons ON reasons.product_id = p.id AND reasons.day = days.day
       ORDER BY days.day, p.name`);
  }

  /** R26: per unit and product of a region, over the last 28 days. */
  async overview(regionId: string) {
    return this.db.one<{
      rows: Array<
        Omit<OverviewRow, 'averageDailyUse' | 'daysOfSupply' | 'coversNext7Days' | 'wastageRate'> & {
          administered28: number;
          usableDoses: number;
        }
      >;
    }>(sql`
      WITH bal AS (
        SELECT sb.unit_id, b.product_id, sum(sb.doses)::int AS doses,
               (sum(sb.doses) FILTER (WHERE b.expires_on >= current_date))::int AS usable,
               (sum(sb.doses) FILTER (WHERE b.expires_on >= current_date AND b.expires_on <= current_date + 14))::int AS expiring
          FROM stock_balance sb JOIN batch b ON b.id = sb.batch_id JOIN unit u ON u.id = sb.unit_id
         WHERE u.region_id = ${regionId}
         GROUP BY sb.unit_id, b.product_id
      ), mv AS (
        SELECT m.unit_id, b.product_id, m.created_at::date AS day, m.kind, m.delta
          FROM stock_movement m JOIN batch b ON b.id = m.batch_id JOIN unit u ON u.id = m.unit_id
         WHERE u.region_id = ${regionId} AND m.created_at >= current_date - 28
      ), use28 AS (
        SELECT unit_id, product_id,
               (-sum(delta) FILTER (WHERE kind = 'ADMINISTERED'))::int AS administered,
               (-sum(delta) FILTER (WHERE kind = 'WASTAGE'))::int AS wasted
          FROM mv GROUP BY unit_id, product_id
      ), days AS (
        SELECT g::date AS day FROM generate_series(current_date - 27, current_date, interval '1 day') g
      ), daily_net AS (
        SELECT unit_id, product_id, day, sum(delta)::int AS net FROM mv GROUP BY unit_id, product_id, day
      ), eod AS (
        -- end-of-day balance, walking back from today's balance through each later day's net change
        SELECT bal.unit_id, bal.product_id, days.day,
               bal.doses - coalesce((SELECT sum(n.net) FROM daily_net n WHERE n.unit_id = bal.unit_id
                                       AND n.product_id = bal.product_id AND n.day > days.day), 0) AS balance
          FROM bal CROSS JOIN days
      ), oos AS (
        SELECT unit_id, product_id, count(*) FILTER (WHERE balance <= 0)::int AS days_out FROM eod GROUP BY unit_id, product_id
      ), booked AS (
        SELECT bk.unit_id, vt.product_id, count(*)::int AS n
          FROM booking bk JOIN slot s ON s.id = bk.slot_id JOIN visit_type vt ON vt.id = bk.visit_type_id
          JOIN unit u ON u.id = bk.unit_id
         WHERE u.region_id = ${regionId} AND bk.status = 'ACTIVE' AND vt.product_id IS NOT NULL
           AND s.starts_at >= now() AND s.starts_at < now() + interval '7 days'
         GROUP BY bk.unit_id, vt.product_id
      )
      SELECT coalesce(json_agg(json_build_object(
               'unitId', u.id, 'unitName', u.name, 'careProviderId', cp.id, 'careProviderName', cp.name,
               'productId', p.id, 'productName', p.name, 'doses', bal.doses, 'usableDoses', coalesce(bal.usable, 0),
               'expiringDoses', coalesce(bal.expiring, 0),
               'administered28', coalesce(use28.administered, 0), 'wastedLast28Days', coalesce(use28.wasted, 0),
               'daysOutOfStock', coalesce(oos.days_out, 0), 'bookedNext7Days', coalesce(booked.n, 0))
               ORDER BY u.name, p.name), '[]'::json) AS rows
        FROM bal
        JOIN unit u ON u.id = bal.unit_id JOIN care_provider cp ON cp.id = u.care_provider_id
        JOIN product p ON p.id = bal.product_id
        LEFT JOIN use28 ON use28.unit_id = bal.unit_id AND use28.product_id = bal.product_id
        LEFT JOIN oos ON oos.unit_id = bal.unit_id AND oos.product_id = bal.product_id
        LEFT JOIN booked ON booked.unit_id = bal.unit_id AND booked.product_id = bal.product_id`);
  }

  /** Expired batches with doses left, for the reconciliation's write-off. */
  async expiredBalances(unitId: string) {
    return this.db.query<{ batch_id: string; doses: number; row_version: number }>(sql`
      SELECT sb.batch_id, sb.doses, sb.row_version FROM stock_balance sb JOIN batch b ON b.id = sb.batch_id
       WHERE sb.unit_id = ${unitId} AND sb.doses > 0 AND b.expires_on < current_date`);
  }

  /** R27 figures for a unit and period from the ledger. */
  async reconciliationFigures(unitId: string, from: string, to: string) {
    return this.db.query<{
      product_id: string;
      product_name: string;
      received: number;
      administered: number;
      closed_vial_wastage: number;
      open_vial_wastage: number;
      count_adjustment: number;
      counts: number;
    }>(sql`
      SELECT p.id AS product_id, p.name AS product_name,
             coalesce(sum(m.delta) FILTER (WHERE m.kind IN ('RECEIPT', 'TRANSFER_IN')), 0)::int AS received,
             coalesce(-sum(m.delta) FILTER (WHERE m.kind = 'ADMINISTERED'), 0)::int AS administered,
             coalesce(-sum(m.delta) FILTER (WHERE m.kind = 'WASTAGE' AND m.reason <> 'OPEN_VIAL_TIME_LIMIT'), 0)::int AS closed_vial_wastage,
             coalesce(-sum(m.delta) FILTER (WHERE m.kind = 'WASTAGE' AND m.reason = 'OPEN_VIAL_TIME_LIMIT'), 0)::int AS open_vial_wastage,
             coalesce(sum(m.delta) FILTER (WHERE m.kind = 'COUNT_ADJUSTMENT'), 0)::int AS count_adjustment,
             (count(*) FILTER (WHERE m.kind = 'COUNT_ADJUSTMENT'))::int AS counts
        FROM stock_movement m JOIN batch b ON b.id = m.batch_id JOIN product p ON p.id = b.product_id
       WHERE m.unit_id = ${unitId} AND m.created_at >= ${from}::date AND m.created_at < ${to}::date + 1
       GROUP BY p.id, p.name ORDER BY p.name`);
  }

  async saveReport(unitId: string, from: string, to: string, report: unknown): Promise<void> {
    await this.db.query(sql`
      INSERT INTO reconciliation_report (unit_id, period_from, period_to, report)
      VALUES (${unitId}, ${from}::date, ${to}::date, ${JSON.stringify(report)}::jsonb)
      ON CONFLICT (unit_id, period_from, period_to) DO UPDATE SET report = EXCLUDED.report, created_at = now()`);
  }

  async latestReport(unitId: string) {
    return this.db.one<{ period_from: string; period_to: string; report: unknown; created_at: string }>(sql`
      SELECT to_char(period_from, 'YYYY-MM-DD') AS period_from, to_char(period_to, 'YYYY-MM-DD') AS period_to, report, created_at
        FROM reconciliation_report WHERE unit_id = ${unitId} ORDER BY created_at DESC LIMIT 1`);
  }
}
