/** Shared stock test data: one unit with two products, three batches. */
import type { StockChanged } from '@events';
import type { BatchBalance, OverviewRow, UnitStock } from '@stock-api';
import type { Product, Unit } from '../api/types';
import type { Session } from '../stores/auth';
import { UNIT } from './fixtures';

export { UNIT };
export const OTHER_UNIT = 'unit-2';
export const REGION = 'region-f';

export function batch(id: string, over: Partial<BatchBalance> = {}): BatchBalance {
  return {
    batchId: id,
    batchNumber: `FN-${id}`,
    productId: 'p-comirnaty',
    productName: 'Comirnaty JN.1',
    expiresOn: '2099-06-30',
    doses: 60,
    rowVersion: 3,
    dosesPerVial: 6,
    openVialDoses: 0,
    warnings: [],
    ...over,
  };
}

export function unitStock(over: Partial<UnitStock> = {}): UnitStock {
  return {
    version: 10,
    unitId: UNIT,
    balances: [
      batch('b-1'),
      batch('b-2', { batchNumber: 'FN-OLD', expiresOn: '2025-03-10', doses: 12, warnings: ['EXPIRING'] }),
      batch('b-flu', {
        batchNumber: 'VX-77',
        productId: 'p-flu',
        productName: 'Vaxigrip Tetra',
        dosesPerVial: 1,
        doses: 0,
        rowVersion: 8,
      }),
    ],
    products: [
      {
        productId: 'p-comirnaty',
        productName: 'Comirnaty JN.1',
        doses: 72,
        bookedNext7Days: 40,
        warnings: [],
      },
      {
        productId: 'p-flu',
        productName: 'Vaxigrip Tetra',
        doses: 0,
        bookedNext7Days: 15,
        warnings: ['OUT_OF_STOCK'],
      },
    ],
    ...over,
  };
}

export function moved(
  version: number,
  balances: StockChanged['balances'],
  over: Partial<StockChanged> = {},
): StockChanged {
  return {
    topic: 'stock',
    unitId: UNIT,
    version,
    cause: 'stock.moved',
    balances,
    at: '2025-03-04T09:00:00+01:00',
    ...over,
  };
}

export const products: Product[] = [
  {
    id: 'p-comirnaty',
    name: 'Comirnaty JN.1',
    aliases: [],
    atcCode: 'J07BN01',
    dosesPerVial: 6,
    diseaseArea: 'COVID-19',
  },
  {
    id: 'p-flu',
    name: 'Vaxigrip Tetra',
    aliases: [],
    atcCode: 'J07BB02',
    dosesPerVial: 1,
    diseaseArea: 'INFLUENSA',
  },
];

export const units: Unit[] = [
  {
    id: UNIT,
    hsaId: 'SE1',
    name: 'Vårdcentralen Centrum',
    careProviderId: 'cp',
    regionId: 'r',
    municipalityCode: '0680',
    vaccinates: true,
  },
  {
    id: OTHER_UNIT,
    hsaId: 'SE2',
    name: 'Vårdcentralen Huskvarna',
    careProviderId: 'cp',
    regionId: 'r',
    municipalityCode: '0680',
    vaccinates: true,
  },
  {
    id: 'u-sm',
    hsaId: 'SE0',
    name: 'Regionalt smittskydd',
    careProviderId: 'cp',
    regionId: 'r',
    municipalityCode: '0680',
    vaccinates: false,
  },
  {
    id: 'u-far',
    hsaId: 'SE9',
    name: 'Annan region',
    careProviderId: 'x',
    regionId: 'other',
    municipalityCode: '0180',
    vaccinates: true,
  },
];

export function overviewRow(over: Partial<OverviewRow> = {}): OverviewRow {
  return {
    unitId: UNIT,
    unitName: 'Vårdcentralen Centrum',
    careProviderId: 'cp-region',
    careProviderName: 'Region Jönköpings län',
    productId: 'p-comirnaty',
    productName: 'Comirnaty JN.1',
    doses: 72,
    averageDailyUse: 6.4,
    daysOutOfStock: 0,
    daysOfSupply: 11.25,
    bookedNext7Days: 40,
    coversNext7Days: true,
    expiringDoses: 12,
    wastedLast28Days: 3,
    wastageRate: 0.0163,
    ...over,
  };
}

/** A session whose active assignment has `role` at UNIT. */
export function sessionAs(role: string, over: Partial<Session['assignments'][number]> = {}): Session {
  return {
    accessToken: 'token-s',
    activeAssignmentId: 'as-x',
    assignments: [
      {
        id: 'as-x',
        role,
        unitId: UNIT,
        unitName: 'Vårdcentralen Centrum',
        careProviderId: 'cp',
        regionId: 'r',
        ...over,
      },
    ],
    user: { id: 'user-s', hsaId: 'SE2321000057-2001', name: 'Sara Saldo' },
  };
}
