import type {
  CoverageDaily,
  CoverageDropout,
  CoverageFilters,
  CoverageGroupBy,
  CoverageResult,
} from '@coverage-api';
import { http } from './http';

/** R29: the region's coverage figures (regional numbers only, no patient data). */
export const coverageApi = {
  byGroup: (regionId: string, groupBy: CoverageGroupBy, dose: number, product: string) =>
    http.get<CoverageResult>('/coverage', { query: { regionId, groupBy, dose, product } }),
  daily: (regionId: string, product: string, from: string, to: string) =>
    http.get<CoverageDaily>('/coverage/daily', { query: { regionId, product, from, to } }),
  dropout: (regionId: string) => http.get<CoverageDropout>('/coverage/dropout', { query: { regionId } }),
  filters: (regionId: string) => http.get<CoverageFilters>('/coverage/filters', { query: { regionId } }),
};
