import { Injectable } from '@nestjs/common';
import type { Principal, StaffPrincipal } from '../auth/principal';
import { badRequest, notFound } from '../common/errors';
import { QueueRegistry } from '../infra/queue/queue.registry';
import { AccessService } from '../organisation/access.service';
import { addDays, todayInStockholm } from '../timebook/dates';
import {
  AGE_GROUPS,
  ageGroupOf,
  coverageRatio,
  type CoverageDaily,
  type CoverageDropout,
  type CoverageFilters,
  type CoverageGroupBy,
  type CoverageMatrix,
  type CoverageResult,
  type CoverageRow,
} from './coverage-api';
import { CoverageRepository } from './coverage.repository';
import type { CoverageQuery, DailyQuery, MatrixQuery } from './dto';

const SEX_LABEL: Record<string, string> = { FEMALE: 'Kvinnor', MALE: 'Män', UNKNOWN: 'Okänt kön' };
const UNKNOWN_GIVER = 'Okänd (historisk dos eller saknad dos)';
const MAX_DAILY_DAYS = 730;

const ageLabel = (g: string) => `${g.replace('-', '–')} år`;

function row(key: string, label: string, population: number, vaccinated: number): CoverageRow {
  return { key, label, population, vaccinated, coverage: coverageRatio(vaccinated, population) };
}

/** Sums rows into groups (keys in `order` first, in that order, with zeros where nobody is). */
function sumBy<T>(
  items: readonly T[],
  keyOf: (t: T) => string,
  order: readonly string[],
  value: (t: T) => { population: number; vaccinated: number },
): Map<string, { population: number; vaccinated: number }> {
  const out = new Map(order.map((k) => [k, { population: 0, vaccinated: 0 }]));
  for (const t of items) {
    const k = keyOf(t);
    const acc = out.get(k) ?? { population: 0, vaccinated: 0 };
    const v = value(t);
    acc.population += v.population;
    acc.vaccinated += v.vaccinated;
    out.set(k, acc);
  }
  return out;
}

/**
 * R29: coverage over the population register, from the counters the database keeps. Regional
 * figures only: no patient data leaves here.
 */
@Injectable()
export class CoverageService {
  constructor(
    private readonly repo: CoverageRepository,
    private readonly access: AccessService,
    private readonly queues: QueueRegistry,
  ) {}

  private async checkRegion(p: Principal, regionId: string): Promise<void> {
    this.access.region(p, 'coverage.read', regionId);
    if (!(await this.repo.regionExists(regionId))) throw notFound(`region ${regionId} not found`);
  }

  /** Access first (no query), then both existence checks in one round trip's time. */
  private async checkRegionAndProduct(p: Principal, regionId: string, product: string): Promise<void> {
    this.access.region(p, 'coverage.read', regionId);
    await Promise.all([this.checkRegion(p, regionId), this.checkProduct(product)]);
  }

  private async checkProduct(product: string): Promise<void> {
    if (!(await this.repo.productKeyExists(product)))
      throw notFound(`product ${product} not found (use *, area:<disease area> or a product id)`);
  }

  async coverage(p: Principal, regionId: string, q: CoverageQuery): Promise<CoverageResult> {
    await this.checkRegionAndProduct(p, regionId, q.product);
    const groupBy = q.groupBy as CoverageGroupBy;
    const base = { regionId, groupBy, dose: q.dose, productKey: q.product, sex: q.sex ?? null };
    if (q.sex && (groupBy === 'careProvider' || groupBy === 'unit'))
      throw badRequest('sex can be combined with groupBy municipality, ageGroup, sex or region only', 'sex');

    if (groupBy === 'careProvider' || groupBy === 'unit') {
      const r = await this.repo.byGiver(regionId, groupBy, q.product, q.dose);
      const rows = r.rows
        .map((x) => row(x.key, x.key === '' ? UNKNOWN_GIVER : (x.label ?? x.key), x.population, x.vaccinated))
        .sort((a, b) => Number(a.key === '') - Number(b.key === '') || a.label.localeCompare(b.label, 'sv'));
      return { ...base, version: r.version, rows };
    }

    if (q.sex) {
      const [cells, munis] = await Promise.all([
        this.repo.cells(regionId, q.product, q.dose, q.sex),
        this.repo.municipalities(regionId),
      ]);
      const value = (c: { population: number; vaccinated: number }) => c;
      let rows: CoverageRow[];
      if (groupBy === 'municipality') {
        const sums = sumBy(cells.rows, (c) => c.municipality, munis.map((m) => m.code), value);
        const names = new Map(munis.map((m) => [m.code, m.name]));
        rows = [...sums].map(([k, v]) => row(k, names.get(k) ?? k, v.population, v.vaccinated));
      } else if (groupBy === 'ageGroup') {
        const sums = sumBy(cells.rows, (c) => c.age_group, AGE_GROUPS, value);
        rows = [...sums].map(([k, v]) => row(k, ageLabel(k), v.population, v.vaccinated));
      } else {
        const key = groupBy === 'sex' ? q.sex : regionId;
        const label = groupBy === 'sex' ? SEX_LABEL[q.sex]! : await this.repo.regionName(regionId);
        const sums = sumBy(cells.rows, () => key, [key], value);
        rows = [...sums].map(([k, v]) => row(k, label, v.population, v.vaccinated));
      }
      return { ...base, version: cells.version, rows };
    }

    if (groupBy === 'ageGroup') {
      const r = await this.repo.byDimension(regionId, 'birthYear', q.product, q.dose);
      const sums = sumBy(r.rows, (x) => ageGroupOf(Number(x.key), r.year), AGE_GROUPS, (x) => x);
      const rows = [...sums].map(([k, v]) => row(k, ageLabel(k), v.population, v.vaccinated));
      return { ...base, version: r.version, rows };
    }
    if (groupBy === 'municipality') {
      const [r, munis] = await Promise.all([
        this.repo.byDimension(regionId, 'municipality', q.product, q.dose),
        this.repo.municipalities(regionId),
      ]);
      const sums = sumBy(r.rows, (x) => x.key, munis.map((m) => m.code), (x) => x);
      const names = new Map(munis.map((m) => [m.code, m.name]));
      const rows = [...sums].map(([k, v]) => row(k, names.get(k) ?? k, v.population, v.vaccinated));
      return { ...base, version: r.version, rows };
    }
    if (groupBy === 'sex') {
      const r = await this.repo.byDimension(regionId, 'sex', q.product, q.dose);
      const rows = r.rows
        .map((x) => row(x.key, SEX_LABEL[x.key] ?? x.key, x.population, x.vaccinated))
        .sort((a, b) => a.key.localeCompare(b.key));
      return { ...base, version: r.version, rows };
    }
    const [r, name] = await Promise.all([
      this.repo.byDimension(regionId, 'region', q.product, q.dose),
      this.repo.regionName(regionId),
    ]);
    const total = r.rows[0] ?? { population: 0, vaccinated: 0 };
    return { ...base, version: r.version, rows: [row(regionId, name, total.population, total.vaccinated)] };
  }

  /** Municipality × age group, one dose and product key (optionally one sex). */
  async matrix(p: Principal, regionId: string, q: MatrixQuery): Promise<CoverageMatrix> {
    await this.checkRegionAndProduct(p, regionId, q.product);
    const [cells, munis] = await Promise.all([
      this.repo.cells(regionId, q.product, q.dose, q.sex ?? null),
      this.repo.municipalities(regionId),
    ]);
    const byMuni = new Map<string, typeof cells.rows>();
    for (const c of cells.rows) {
      const list = byMuni.get(c.municipality) ?? [];
      list.push(c);
      byMuni.set(c.municipality, list);
    }
    const rows = munis.map((m) => {
      const sums = sumBy(byMuni.get(m.code) ?? [], (c) => c.age_group, AGE_GROUPS, (c) => c);
      return {
        key: m.code,
        label: m.name,
        cells: [...sums].map(([g, v]) => ({
          ageGroup: g,
          population: v.population,
          vaccinated: v.vaccinated,
          coverage: coverageRatio(v.vaccinated, v.population),
        })),
      };
    });
    return { version: cells.version, regionId, dose: q.dose, productKey: q.product, ageGroups: AGE_GROUPS, rows };
  }

  async daily(p: Principal, regionId: string, q: DailyQuery): Promise<CoverageDaily> {
    await this.checkRegionAndProduct(p, regionId, q.product);
    const to = q.to ?? todayInStockholm();
    const from = q.from ?? addDays(to, -179);
    if (from > to) throw badRequest('from must not be after to', 'from');
    if (addDays(from, MAX_DAILY_DAYS) < to) throw badRequest(`at most ${MAX_DAILY_DAYS} days at a time`, 'from');
    const r = await this.repo.daily(regionId, q.product, q.dose ?? null, from, to);
    let cumulative = r?.before ?? 0;
    const days = (r?.days ?? []).map((d) => ({ ...d, cumulative: (cumulative += d.doses) }));
    return { version: r?.version ?? 0, regionId, productKey: q.product, dose: q.dose ?? null, before: r?.before ?? 0, days };
  }

  async dropout(p: Principal, regionId: string): Promise<CoverageDropout> {
    await this.checkRegion(p, regionId);
    const r = await this.repo.dropout(regionId);
    const rows = (r?.rows ?? []).map((x) => ({
      productKey: x.product_key,
      label: x.product_key === '*' ? 'Alla produkter' : x.product_key.startsWith('area:') ? x.product_key.slice(5) : (x.label ?? x.product_key),
      due: x.due,
      open: x.open,
      dropout: coverageRatio(x.open, x.due),
    }));
    return { version: r?.version ?? 0, regionId, rows };
  }

  async filters(p: Principal, regionId: string): Promise<CoverageFilters> {
    await this.checkRegion(p, regionId);
    const r = await this.repo.filters(regionId);
    const products = r?.products ?? [];
    const areas = [...new Set(products.map((x) => x.disease_area))];
    return {
      products: [
        { productKey: '*', label: 'Alla produkter', kind: 'any' },
        ...areas.map((a) => ({ productKey: `area:${a}`, label: a, kind: 'area' as const })),
        ...products.map((x) => ({
          productKey: x.id,
          label: x.name,
          kind: 'product' as const,
          area: x.disease_area,
        })),
      ],
      maxDose: Math.max(1, r?.max_dose ?? 1),
    };
  }

  /** The realtime snapshot: small on purpose; the dashboard reads the figures over REST. */
  async snapshot(regionId: string): Promise<{ version: number; regionId: string; dosesToday: number }> {
    const r = await this.repo.dosesToday(regionId);
    return { version: r?.version ?? 0, regionId, dosesToday: r?.doses_today ?? 0 };
  }

  async startRebuild(p: StaffPrincipal, regionId: string): Promise<{ jobId: string }> {
    await this.checkRegion(p, regionId);
    const jobId = await this.queues.enqueue('coverage.rebuild', { regionId, requestedBy: p.userId });
    return { jobId };
  }
}
