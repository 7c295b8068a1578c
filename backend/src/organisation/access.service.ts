import { Injectable } from '@nestjs/common';
import { can, Capability } from '../auth/access-policy';
import type { Principal } from '../auth/principal';
import { forbidden, notFound } from '../common/errors';
import { UnitDirectory, UnitInfo } from './unit-directory.service';

/** Resolves a target unit or region and applies the access policy: 404 unknown, 403 not yours. */
@Injectable()
export class AccessService {
  constructor(readonly units: UnitDirectory) {}

  async unit(p: Principal, capability: Capability, unitId: string): Promise<UnitInfo> {
    const unit = await this.units.get(unitId);
    if (!unit) throw notFound(`unit ${unitId} not found`, { field: 'unitId' });
    if (!can(p, capability, { unitId: unit.id, regionId: unit.regionId })) {
      throw forbidden(`your assignment does not allow ${capability} at this unit`);
    }
    return unit;
  }

  region(p: Principal, capability: Capability, regionId: string): void {
    if (!can(p, capability, { regionId }))
      throw forbidden(`your assignment does not allow ${capability} in this region`);
  }

  /** Non-throwing variant for socket subscriptions. */
  async allowedUnit(p: Principal, capability: Capability, unitId: string): Promise<UnitInfo | undefined> {
    const unit = await this.units.get(unitId);
    if (!unit || !can(p, capability, { unitId: unit.id, regionId: unit.regionId })) return undefined;
    return unit;
  }
}
