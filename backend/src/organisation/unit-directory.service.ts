import { Injectable } from '@nestjs/common';
import { PrismaService } from '../infra/prisma.service';

export interface UnitInfo {
  id: string;
  hsaId: string;
  name: string;
  careProviderId: string;
  regionId: string;
  municipalityCode: string;
  /** whether the unit vaccinates (has a timebook), i.e. holds stock and takes bookings */
  vaccinates: boolean;
}

/**
 * Units change rarely and are read on every access check: kept in memory, reloaded when an
 * unknown id is asked for (a unit created by another instance) at most once a second.
 */
@Injectable()
export class UnitDirectory {
  private units = new Map<string, UnitInfo>();
  private loadedAt = 0;
  private loading?: Promise<void>;

  constructor(private readonly prisma: PrismaService) {}

  async get(id: string): Promise<UnitInfo | undefined> {
    if (!this.units.has(id) && Date.now() - this.loadedAt > 1000) await this.reload();
    return this.units.get(id);
  }

  async list(): Promise<UnitInfo[]> {
    if (this.loadedAt === 0) await this.reload();
    return [...this.units.values()].sort((a, b) => a.name.localeCompare(b.name, 'sv'));
  }

  async reload(): Promise<void> {
    this.loading ??= (async () => {
      const rows = await this.prisma.unit.findMany({
        select: {
          id: true,
          hsaId: true,
          name: true,
          careProviderId: true,
          regionId: true,
          municipalityCode: true,
          _count: { select: { resources: true } },
        },
      });
      this.units = new Map(
        rows.map(({ _count, ...u }) => [u.id, { ...u, vaccinates: _count.resources > 0 }]),
      );
      this.loadedAt = Date.now();
    })().finally(() => (this.loading = undefined));
    await this.loading;
  }
}
