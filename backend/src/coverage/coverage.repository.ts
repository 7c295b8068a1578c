import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../infra/database.service';
import { sql, type Sql } from '../infra/sql';
import type { ProductKey } from './coverage-api';

/** The version of a region's coverage topic, read in the same statement as the figures. */
const version = (regionId: string) =>
  sql`(SELECT coalesce((SELECT version FROM topic_version WHERE topic_key = ${`coverage:region:${regionId}`}), 0))::int`;

export interface CountRow {
  key: string;
  label: string | null;
  population: number;
  vaccinated: number;
}

export interface CellRow {
  municipality: string;
  age_group: string;
  population: number;
  vaccinated: number;
}

/**
 * All SQL of coverage (R29). The counters are kept by triggers (migration `coverage_counters`);
 * reads here are index range scans over them, never over the raw vaccinations.
 */
@Injectable()
export class CoverageRepository {
  constructor(private readonly db: DatabaseService) {}

  async regionExists(regionId: string): Promise<boolean> {
    return (await this.db.one(sql`SELECT 1 AS ok FROM region WHERE id = ${regionId}`)) !== undefined;
  }

  /** Whether a product key names something that exists (`*`, a disease area, a product id). */
  async productKeyExists(pk: ProductKey): Promise<boolean> {
    if (pk === '*') return true;
    const row = await this.db.one(sql`
      SELECT 1 AS ok FROM product
       WHERE id = ${pk} OR 'area:' || disease_area = ${pk} LIMIT 1`);
    return row !== undefined;
  }

  private async withVersion<R>(regionId: string, rows: Sql): Promise<{ version: number; year: number; rows: R[] }> {
    const r = await this.db.one<{ version: number; year: number; rows: R[] | null }>(sql`
      SELECT ${version(regionId)} AS version, extract(year FROM current_date)::int AS year,
             (SELECT json_agg(x) FROM (${rows}) x) AS rows`);
    return { version: r?.version ?? 0, year: r?.year ?? new Date().getFullYear(), rows: r?.rows ?? [] };
  }

  /** One rollup dimension (region, municipality, birthYear, sex) with its population. */
  byDimension(regionId: string, dim: 'region' | 'municipality' | 'birthYear' | 'sex', pk: ProductKey, dose: number) {
    return this.withVersion<CountRow>(
      regionId,
      sql`
      SELECT pp.key, NULL AS label, pp.population, coalesce(cc.vaccinated, 0) AS vaccinated
        FROM coverage_population pp
        LEFT JOIN coverage_count cc ON cc.region_id = pp.region_id AND cc.dim = pp.dim AND cc.key = pp.key
                                   AND cc.product_key = ${pk} AND cc.dose = ${dose}
       WHERE pp.region_id = ${regionId} AND pp.dim = ${dim}`,
    );
  }

  /**
   * Municipality × age group (optionally one sex), summed from the municipality × birth year ×
   * sex cells: two index range scans, grouped in the database.
   */
  cells(regionId: string, pk: ProductKey, dose: number, sex: string | null) {
    return this.withVersion<CellRow>(
      regionId,
      sql`
      WITH pop AS (
        SELECT split_part(key, '|', 1) AS municipality,
               coverage_age_group(split_part(key, '|', 2)::int, current_date) AS age_group, sum(population)::int AS n
          FROM coverage_population
         WHERE region_id = ${regionId} AND dim = 'cell' AND (${sex}::text IS NULL OR split_part(key, '|', 3) = ${sex}::text)
         GROUP BY 1, 2
      ), vac AS (
        SELECT split_part(key, '|', 1) AS municipality,
               coverage_age_group(split_part(key, '|', 2)::int, current_date) AS age_group, sum(vaccinated)::int AS n
          FROM coverage_count
         WHERE region_id = ${regionId} AND dim = 'cell' AND product_key = ${pk} AND dose = ${dose}
           AND (${sex}::text IS NULL OR split_part(key, '|', 3) = ${sex}::text)
         GROUP BY 1, 2
      )
      SELECT coalesce(pop.municipality, vac.municipality) AS municipality,
             coalesce(pop.age_group, vac.age_group) AS age_group,
             coalesce(pop.n, 0) AS population, coalesce(vac.n, 0) AS vaccinated
        FROM pop FULL JOIN vac ON vac.municipality = pop.municipality AND vac.age_group = pop.age_group`,
    );
  }

  async municipalities(regionId: string): Promise<Array<{ code: string; name: string }>> {
    return this.db.query(sql`SELECT code, name FROM municipality WHERE region_id = ${regionId} ORDER BY name`);
  }

  async regionName(regionId: string): Promise<string> {
    return (await this.db.one<{ name: string }>(sql`SELECT name FROM region WHERE id = ${regionId}`))?.name ?? '';
  }

  /**
   * By the care provider / unit that gave dose N: the region's providers/units (also those with
   * nobody yet), plus any other key that counts someone ('' = unknown: a historical dose without
   * a unit, or a gap in the dose numbers). The population is the region's register.
   */
  byGiver(regionId: string, dim: 'careProvider' | 'unit', pk: ProductKey, dose: number) {
    const table = dim === 'unit' ? sql`unit` : sql`care_provider`;
    return this.withVersion<CountRow>(
      regionId,
      sql`
      WITH total AS (
        SELECT coalesce((SELECT population FROM coverage_population
                          WHERE region_id = ${regionId} AND dim = 'region' AND key = ''), 0) AS n
      ), counted AS (
        SELECT key, vaccinated FROM coverage_count
         WHERE region_id = ${regionId} AND dim = ${dim} AND product_key = ${pk} AND dose = ${dose}
      )
      SELECT g.id AS key, g.name AS label, total.n AS population, coalesce(c.vaccinated, 0) AS vaccinated
        FROM ${table} g CROSS JOIN total LEFT JOIN counted c ON c.key = g.id
       WHERE g.region_id = ${regionId}
      UNION ALL
      SELECT c.key, g.name, total.n, c.vaccinated
        FROM counted c CROSS JOIN total LEFT JOIN ${table} g ON g.id = c.key
       WHERE c.vaccinated > 0 AND (g.id IS NULL OR g.region_id <> ${regionId})`,
    );
  }

  /** Doses given per day at the region's units, filtered by product key and dose. */
  async daily(regionId: string, pk: ProductKey, dose: number | null, from: string, to: string) {
    return this.db.one<{ version: number; before: number; days: Array<{ date: string; doses: number }> }>(sql`
      WITH d AS (
        SELECT cd.day, sum(cd.doses)::int AS doses
          FROM coverage_daily cd JOIN product p ON p.id = cd.product_id
         WHERE cd.region_id = ${regionId}
           AND (${pk}::text = '*' OR 'area:' || p.disease_area = ${pk}::text OR p.id = ${pk}::text)
           AND (${dose}::int IS NULL OR cd.dose = ${dose}::int)
           AND cd.day <= ${to}::date
         GROUP BY 1
      )
      SELECT ${version(regionId)} AS version,
             (SELECT coalesce(sum(doses), 0)::int FROM d WHERE day < ${from}::date) AS before,
             (SELECT json_agg(json_build_object('date', to_char(g.day, 'YYYY-MM-DD'), 'doses', coalesce(d.doses, 0))
                              ORDER BY g.day)
                FROM generate_series(${from}::date, ${to}::date, interval '1 day') AS g(day)
                LEFT JOIN d ON d.day = g.day::date) AS days`);
  }

  /** Dropout dose 1 → 2 per product key: due by today (interval passed) and still without dose 2. */
  async dropout(regionId: string) {
    return this.db.one<{
      version: number;
      rows: Array<{ product_key: string; label: string | null; due: number; open: number }> | null;
    }>(sql`
      SELECT ${version(regionId)} AS version,
             (SELECT json_agg(x ORDER BY x.product_key) FROM (
                SELECT cc.product_key,
                       (SELECT name FROM product WHERE id = cc.product_key) AS label,
                       coalesce(sum(cc.vaccinated) FILTER (WHERE cc.dim = 'dropoutDue'), 0)::int AS due,
                       coalesce(sum(cc.vaccinated) FILTER (WHERE cc.dim = 'dropoutOpen'), 0)::int AS open
                  FROM coverage_count cc
                 WHERE cc.region_id = ${regionId} AND cc.dim IN ('dropoutDue', 'dropoutOpen') AND cc.dose = 1
                   AND cc.key <= to_char(current_date, 'YYYY-MM-DD')
                 GROUP BY cc.product_key) x) AS rows`);
  }

  async filters(regionId: string) {
    return this.db.one<{
      products: Array<{ id: string; name: string; disease_area: string }>;
      max_dose: number;
    }>(sql`
      SELECT (SELECT json_agg(json_build_object('id', id, 'name', name, 'disease_area', disease_area)
                              ORDER BY disease_area, name) FROM product) AS products,
             coalesce((SELECT max(dose) FROM coverage_count
                        WHERE region_id = ${regionId} AND dim = 'region' AND vaccinated > 0), 1)::int AS max_dose`);
  }

  async dosesToday(regionId: string) {
    return this.db.one<{ version: number; doses_today: number }>(sql`
      SELECT ${version(regionId)} AS version,
             (SELECT coalesce(sum(doses), 0)::int FROM coverage_daily
               WHERE region_id = ${regionId} AND day = current_date) AS doses_today`);
  }

  /**
   * From scratch: first a comparison in one REPEATABLE READ snapshot, which blocks nobody; only
   * when it finds a difference (never, while the triggers do their job) a second pass replaces
   * the figures under the counters' lock and tells the regions' clients to resync.
   */
  async rebuild(replace: boolean) {
    const compared = await this.db.tx(async (q) => {
      await q(sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`);
      return q<{ tbl: string; mismatched: number; total: number }>(
        sql`SELECT tbl, mismatched::int, total::int FROM coverage_rebuild(false)`,
      );
    });
    const differs = compared.some((r) => r.mismatched > 0);
    if (replace && differs) {
      await this.db.tx(async (q) => {
        await q(sql`SELECT tbl FROM coverage_rebuild(true)`);
        await q(sql`SELECT coverage_emit(NULL, NULL, ARRAY(SELECT id FROM region), 'coverage.rebuilt')`);
      });
    }
    return { tables: compared, replaced: replace && differs };
  }
}
