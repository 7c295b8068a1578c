/**
 * The fixed part of the demo region: organisation, users, products and batches, as data.
 * Backend tests and the README name the region, the four fixed units (U1, U2, U3, SM) and the
 * fixed users by HSA-id, so these constants are part of the seed's contract.
 */

export type Scale = 'tiny' | 'small' | 'full';
export const SCALES: readonly Scale[] = ['tiny', 'small', 'full'];

export const REGION = {
  code: '06',
  name: 'Region Jönköpings län',
  hsaId: 'SE2321000057-0000',
  /** Reserve numbers have no national format: the region's own issuer name. */
  reserveNumberIssuer: 'SE2321000057-reserv',
} as const;

export type ProviderKey = 'REGION' | 'VKS' | 'AVS' | 'VH';

export interface ProviderDef {
  key: ProviderKey;
  hsaId: string;
  name: string;
  kind: 'REGION' | 'PRIVATE';
}

/** The region itself plus private providers with vaccination agreements (fictional companies). */
export const PROVIDERS: readonly ProviderDef[] = [
  { key: 'REGION', hsaId: 'SE2321000057-0001', name: 'Region Jönköpings län', kind: 'REGION' },
  { key: 'VKS', hsaId: 'SE5568231459-0000', name: 'Vaccinationskliniken Sverige AB', kind: 'PRIVATE' },
  { key: 'AVS', hsaId: 'SE5590417720-0000', name: 'Apoteksvaccin Småland AB', kind: 'PRIVATE' },
  { key: 'VH', hsaId: 'SE5591186043-0000', name: 'Vätterhälsan Vård AB', kind: 'PRIVATE' },
];

export type FixedUnitKey = 'U1' | 'U2' | 'U3' | 'SM';

export interface UnitDef {
  hsaId: string;
  name: string;
  municipalityCode: string;
  provider: ProviderKey;
  address: string;
  /** the four units every scale has; the tests name them */
  fixed?: FixedUnitKey;
  /** false for Regionalt smittskydd: no timebook, no stock */
  vaccination: boolean;
  /** columns of the SKOTERSKA resource */
  nurseColumns: number;
}

const unit = (
  n: number,
  name: string,
  municipalityCode: string,
  address: string,
  provider: ProviderKey = 'REGION',
  nurseColumns = 2,
): UnitDef => ({
  hsaId: `SE2321000057-${1000 + n}`,
  name,
  municipalityCode,
  provider,
  address,
  vaccination: true,
  nurseColumns,
});

export const UNITS: readonly UnitDef[] = [
  {
    ...unit(
      1,
      'Vaccinationsmottagningen Jönköping',
      '0680',
      'Barnarpsgatan 40, 553 16 Jönköping',
      'REGION',
      3,
    ),
    fixed: 'U1',
  },
  { ...unit(2, 'Vårdcentralen Huskvarna', '0680', 'Jönköpingsvägen 9, 561 31 Huskvarna'), fixed: 'U2' },
  { ...unit(3, 'Vårdcentralen Nässjö', '0682', 'Storgatan 15, 571 31 Nässjö', 'REGION', 3), fixed: 'U3' },
  {
    hsaId: 'SE2321000057-1000',
    name: 'Regionalt smittskydd',
    municipalityCode: '0680',
    provider: 'REGION',
    address: 'Länssjukhuset Ryhov, 551 85 Jönköping',
    fixed: 'SM',
    vaccination: false,
    nurseColumns: 0,
  },
  unit(4, 'Vårdcentralen Råslätt', '0680', 'Råslättsgatan 6, 554 66 Jönköping'),
  unit(5, 'Vårdcentralen Öxnehaga', '0680', 'Öxnehagatorget 2, 561 48 Huskvarna'),
  unit(6, 'Vårdcentralen Norrahammar', '0680', 'Järnvägsgatan 12, 562 31 Norrahammar'),
  unit(7, 'Vårdcentralen Bankeryd', '0680', 'Bankerydsvägen 28, 564 31 Bankeryd'),
  unit(8, 'Vårdcentralen Gränna', '0680', 'Brahegatan 40, 563 32 Gränna'),
  unit(9, 'Vårdcentralen Ljungarum', '0680', 'Ljungarumsvägen 4, 556 12 Jönköping'),
  unit(10, 'Vårdcentralen Anneberg', '0682', 'Backgatan 3, 571 40 Anneberg'),
  unit(11, 'Vårdcentralen Aneby', '0604', 'Stationsgatan 18, 578 31 Aneby'),
  unit(12, 'Vårdcentralen Gnosjö', '0617', 'Järnvägsgatan 21, 335 30 Gnosjö'),
  unit(13, 'Vårdcentralen Mullsjö', '0642', 'Bygatan 7, 565 31 Mullsjö'),
  unit(14, 'Vårdcentralen Habo', '0643', 'Storgatan 44, 566 32 Habo'),
  unit(15, 'Vårdcentralen Gislaved', '0662', 'Östergatan 12, 332 30 Gislaved', 'REGION', 3),
  unit(16, 'Vårdcentralen Smålandsstenar', '0662', 'Storgatan 30, 333 31 Smålandsstenar'),
  unit(17, 'Vårdcentralen Vaggeryd', '0665', 'Stationsgatan 7, 567 31 Vaggeryd'),
  unit(18, 'Vårdcentralen Skillingaryd', '0665', 'Storgatan 21, 568 31 Skillingaryd'),
  unit(19, 'Vårdcentralen Värnamo', '0683', 'Lasarettsgatan 3, 331 85 Värnamo', 'REGION', 3),
  unit(20, 'Vårdcentralen Rydaholm', '0683', 'Växjövägen 14, 330 10 Rydaholm'),
  unit(21, 'Vårdcentralen Sävsjö', '0684', 'Västra Storgatan 3, 576 31 Sävsjö'),
  unit(22, 'Vårdcentralen Vetlanda', '0685', 'Lasarettsgatan 17, 574 38 Vetlanda', 'REGION', 3),
  unit(23, 'Vårdcentralen Landsbro', '0685', 'Vetlandavägen 2, 570 12 Landsbro'),
  unit(24, 'Vårdcentralen Eksjö', '0686', 'Ränneslättsvägen 6, 575 38 Eksjö', 'REGION', 3),
  unit(25, 'Vårdcentralen Tranås', '0687', 'Storgatan 42, 573 31 Tranås', 'REGION', 3),
  unit(26, 'Vaccinationskliniken Jönköping', '0680', 'Västra Storgatan 14, 553 15 Jönköping', 'VKS'),
  unit(27, 'Vaccinationskliniken Värnamo', '0683', 'Storgatan 5, 331 31 Värnamo', 'VKS'),
  unit(28, 'Apoteksvaccin Vetlanda', '0685', 'Storgatan 19, 574 31 Vetlanda', 'AVS'),
  unit(29, 'Apoteksvaccin Tranås', '0687', 'Storgatan 22, 573 32 Tranås', 'AVS'),
  unit(30, 'Vätterhälsan Huskvarna', '0680', 'Drottninggatan 30, 561 33 Huskvarna', 'VH'),
];

export function unitsForScale(scale: Scale): UnitDef[] {
  return scale === 'tiny' ? UNITS.filter((u) => u.fixed) : [...UNITS];
}

export type Role =
  | 'BOOKING'
  | 'NURSE'
  | 'NURSE_PRESCRIBER'
  | 'PHYSICIAN'
  | 'TIMEBOOK_ADMIN'
  | 'STOCK_MANAGER'
  | 'SMITTSKYDD'
  | 'ADMIN';

export interface UserDef {
  hsaId: string;
  name: string;
  title: string;
  assignments: { unit: string /* unit hsaId */; role: Role }[];
}

const U1 = 'SE2321000057-1001';
const U2 = 'SE2321000057-1002';
const U3 = 'SE2321000057-1003';
const SM = 'SE2321000057-1000';

/** The users every scale has, with exactly these assignments (backend tests depend on them). */
export const FIXED_USERS: readonly UserDef[] = [
  {
    hsaId: 'SE2321000057-B001',
    name: 'Birgitta Bokare',
    title: 'Vårdadministratör',
    assignments: [
      { unit: U1, role: 'BOOKING' },
      { unit: U2, role: 'BOOKING' },
    ],
  },
  {
    hsaId: 'SE2321000057-B002',
    name: 'Bo Bokare',
    title: 'Vårdadministratör',
    assignments: [{ unit: U2, role: 'BOOKING' }],
  },
  {
    hsaId: 'SE2321000057-N001',
    name: 'Nina Sjöberg',
    title: 'Sjuksköterska',
    assignments: [{ unit: U1, role: 'NURSE' }],
  },
  {
    hsaId: 'SE2321000057-N002',
    name: 'Nils Förskrivare',
    title: 'Sjuksköterska med förskrivningsrätt',
    assignments: [{ unit: U1, role: 'NURSE_PRESCRIBER' }],
  },
  {
    hsaId: 'SE2321000057-L001',
    name: 'Lena Läkare',
    title: 'Läkare',
    assignments: [{ unit: U1, role: 'PHYSICIAN' }],
  },
  {
    hsaId: 'SE2321000057-T001',
    name: 'Tove Tidbok',
    title: 'Tidboksadministratör',
    assignments: [{ unit: U1, role: 'TIMEBOOK_ADMIN' }],
  },
  {
    hsaId: 'SE2321000057-S001',
    name: 'Stig Saldo',
    title: 'Saldoansvarig',
    assignments: [
      { unit: U1, role: 'STOCK_MANAGER' },
      { unit: U3, role: 'STOCK_MANAGER' },
    ],
  },
  {
    hsaId: 'SE2321000057-R001',
    name: 'Rut Smittskydd',
    title: 'Smittskyddsläkare',
    assignments: [{ unit: SM, role: 'SMITTSKYDD' }],
  },
  {
    hsaId: 'SE2321000057-A001',
    name: 'Anna Admin',
    title: 'Systemförvaltare',
    assignments: [{ unit: U1, role: 'ADMIN' }],
  },
];

export const FIXED_UNIT_HSA: Readonly<Record<FixedUnitKey, string>> = { U1, U2, U3, SM };

export type ProductKey = 'comirnaty' | 'spikevax' | 'vaxzevria' | 'influenza' | 'pneumococcal';

export interface ProductDef {
  key: ProductKey;
  name: string;
  manufacturer: string;
  atcCode: string;
  /** NPL-id (Läkemedelsverket's product id): 14 digits; fixed, plausible values */
  nplId: string;
  diseaseArea: string;
  dosesPerVial: number;
  openVialHours: number | null;
  doseIntervalDays: number | null;
  dosesInSeries: number;
  aliases?: { name: string; until: string }[];
}

export const PRODUCTS: readonly ProductDef[] = [
  {
    key: 'comirnaty',
    name: 'Comirnaty',
    manufacturer: 'Pfizer/BioNTech',
    atcCode: 'J07BN01',
    nplId: '20201221100012',
    diseaseArea: 'COVID-19',
    dosesPerVial: 6,
    openVialHours: 6,
    doseIntervalDays: 21,
    dosesInSeries: 2,
  },
  {
    key: 'spikevax',
    name: 'Spikevax',
    manufacturer: 'Moderna',
    atcCode: 'J07BN01',
    nplId: '20210106100018',
    diseaseArea: 'COVID-19',
    dosesPerVial: 10,
    openVialHours: 19,
    doseIntervalDays: 28,
    dosesInSeries: 2,
  },
  {
    key: 'vaxzevria',
    name: 'Vaxzevria',
    manufacturer: 'AstraZeneca',
    atcCode: 'J07BN02',
    nplId: '20210129100025',
    diseaseArea: 'COVID-19',
    dosesPerVial: 10,
    openVialHours: 6,
    doseIntervalDays: 84,
    dosesInSeries: 2,
    // R23: renamed on 25 March 2021; the old name stays searchable.
    aliases: [{ name: 'COVID-19 Vaccine AstraZeneca', until: '2021-03-25T00:00:00+01:00' }],
  },
  {
    key: 'influenza',
    name: 'Vaxigrip Tetra',
    manufacturer: 'Sanofi Pasteur',
    atcCode: 'J07BB02',
    nplId: '20161025100031',
    diseaseArea: 'INFLUENSA',
    dosesPerVial: 1,
    openVialHours: null,
    doseIntervalDays: null,
    dosesInSeries: 1,
  },
  {
    key: 'pneumococcal',
    name: 'Prevenar 20',
    manufacturer: 'Pfizer',
    atcCode: 'J07AL02',
    nplId: '20220214100047',
    diseaseArea: 'PNEUMOKOCK',
    dosesPerVial: 1,
    openVialHours: null,
    doseIntervalDays: null,
    dosesInSeries: 1,
  },
];

/**
 * How much of a batch a unit holds at the end of the seeded history:
 * - `active`: the batch in use now; every unit keeps several vials
 * - `fresh`: just delivered, not yet used; about half the units hold it
 * - `remnant`: in use earlier; about a third (expired) or half (short-dated) of the units still
 *   hold a vial or two, for expiry warnings and the reconciliation's write-off
 * - `none`: used up earlier; what is left after the last dose is written off (open-vial wastage)
 */
export type LeftoverPolicy = 'active' | 'fresh' | 'remnant' | 'none';

export interface BatchDef {
  product: ProductKey;
  batchNumber: string;
  /** expiry, in days from the seed's first run's `today` */
  expiresInDays: number;
  /** the days (relative to today, `to` exclusive) in which doses were given from this batch */
  use: { from: number; to: number } | null;
  leftover: LeftoverPolicy;
}

/** How far back the seeded vaccination history goes (about six months). */
export const HISTORY_DAYS = 182;

// prettier-ignore
export const BATCHES: readonly BatchDef[] = [
  { product: 'comirnaty', batchNumber: 'FK8891', expiresInDays: -12, use: { from: -HISTORY_DAYS, to: -100 }, leftover: 'remnant' },
  { product: 'comirnaty', batchNumber: 'FN5674', expiresInDays: 9, use: { from: -100, to: -40 }, leftover: 'remnant' },
  { product: 'comirnaty', batchNumber: 'GH2231', expiresInDays: 140, use: { from: -40, to: 1 }, leftover: 'active' },
  { product: 'comirnaty', batchNumber: 'HA7719', expiresInDays: 260, use: null, leftover: 'fresh' },
  { product: 'spikevax', batchNumber: 'AS7703', expiresInDays: 75, use: { from: -HISTORY_DAYS, to: -60 }, leftover: 'none' },
  { product: 'spikevax', batchNumber: 'AT1022', expiresInDays: 190, use: { from: -60, to: 1 }, leftover: 'active' },
  { product: 'vaxzevria', batchNumber: 'ABV5811', expiresInDays: 6, use: { from: -HISTORY_DAYS, to: 1 }, leftover: 'active' },
  { product: 'influenza', batchNumber: 'VT3307', expiresInDays: 45, use: { from: -HISTORY_DAYS, to: -90 }, leftover: 'none' },
  { product: 'influenza', batchNumber: 'VT4410', expiresInDays: 150, use: { from: -90, to: 1 }, leftover: 'active' },
  { product: 'pneumococcal', batchNumber: 'PV2078', expiresInDays: 320, use: { from: -HISTORY_DAYS, to: 1 }, leftover: 'active' },
];

/** Timebook set-up per vaccination unit. */
export const CATEGORY_COVID = 'Covid-19';
export const CATEGORY_INFLUENZA = 'Influensa';

export type VisitTypeKey = 'covidDose1' | 'covidDose2' | 'influenza' | 'physicianAssessment';

export interface VisitTypeDef {
  key: VisitTypeKey;
  name: string;
  category: string;
  resource: 'SKOTERSKA' | 'LAKARE';
  durationMinutes: number;
  product: ProductKey | null;
  doseNumber: number | null;
  allowedWeekdays: number[];
  webBookable: boolean;
}

export const VISIT_TYPES: readonly VisitTypeDef[] = [
  {
    key: 'covidDose1',
    name: 'Covid-19 dos 1',
    category: CATEGORY_COVID,
    resource: 'SKOTERSKA',
    durationMinutes: 10,
    product: 'comirnaty',
    doseNumber: 1,
    allowedWeekdays: [],
    webBookable: true,
  },
  {
    key: 'covidDose2',
    name: 'Covid-19 dos 2, Comirnaty, endast ons–fre',
    category: CATEGORY_COVID,
    resource: 'SKOTERSKA',
    durationMinutes: 10,
    product: 'comirnaty',
    doseNumber: 2,
    allowedWeekdays: [3, 4, 5],
    webBookable: true,
  },
  {
    key: 'influenza',
    name: 'Influensavaccination',
    category: CATEGORY_INFLUENZA,
    resource: 'SKOTERSKA',
    durationMinutes: 10,
    product: 'influenza',
    doseNumber: 1,
    allowedWeekdays: [],
    webBookable: true,
  },
  {
    key: 'physicianAssessment',
    name: 'Läkarbedömning före vaccination',
    category: CATEGORY_COVID,
    resource: 'LAKARE',
    durationMinutes: 20,
    product: null,
    doseNumber: null,
    allowedWeekdays: [],
    webBookable: false,
  },
];

/** Opening hours: 08:00–16:00 local with lunch 12:00–13:00, in minutes of the day. */
export const OPENING = { opens: 8 * 60, lunchFrom: 12 * 60, lunchTo: 13 * 60, closes: 16 * 60 } as const;
export const SLOT_MINUTES = { SKOTERSKA: 10, LAKARE: 20 } as const;

/** Per scale: how many calendar days of slots, the booked share, and how many doses of history. */
export const SCALE_SETTINGS: Readonly<
  Record<Scale, { slotDays: number; bookedShare: number; vaccinations: number; historicalDoses: number }>
> = {
  tiny: { slotDays: 7, bookedShare: 0.2, vaccinations: 300, historicalDoses: 3 },
  small: { slotDays: 14, bookedShare: 0.3, vaccinations: 20_000, historicalDoses: 25 },
  full: { slotDays: 28, bookedShare: 0.3, vaccinations: 300_000, historicalDoses: 150 },
};

/** PTS's fiction range for mobile numbers: 070-174 06 05 … 070-174 06 99. */
export function fictionPhone(n: number): string {
  return `+467017406${String(5 + (n % 95)).padStart(2, '0')}`;
}
