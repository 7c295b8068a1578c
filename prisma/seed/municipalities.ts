/**
 * The 13 municipalities of Region Jönköpings län with their official SCB codes and population on
 * 31 December 2023 (sum 368,856).
 * Source: Statistics Sweden (SCB), copied from ../shared/data/jonkopings-lan-municipalities.csv so
 * that the seed does not depend on where the shared folder sits at run time.
 */
export interface MunicipalityRow {
  code: string;
  name: string;
  population: number;
}

export const MUNICIPALITIES: readonly MunicipalityRow[] = [
  { code: '0604', name: 'Aneby', population: 6852 },
  { code: '0617', name: 'Gnosjö', population: 9246 },
  { code: '0642', name: 'Mullsjö', population: 7577 },
  { code: '0643', name: 'Habo', population: 13275 },
  { code: '0662', name: 'Gislaved', population: 29014 },
  { code: '0665', name: 'Vaggeryd', population: 14811 },
  { code: '0680', name: 'Jönköping', population: 146161 },
  { code: '0682', name: 'Nässjö', population: 31648 },
  { code: '0683', name: 'Värnamo', population: 34601 },
  { code: '0684', name: 'Sävsjö', population: 11668 },
  { code: '0685', name: 'Vetlanda', population: 27498 },
  { code: '0686', name: 'Eksjö', population: 17750 },
  { code: '0687', name: 'Tranås', population: 18755 },
];

/** Sum of the official figures: the size of the register at full scale. */
export const REGION_POPULATION = 368_856;
