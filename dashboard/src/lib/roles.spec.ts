import { describe, expect, it } from 'vitest';
import { homeFor } from '../router';
import { canWriteStock, mayEnter } from './roles';

describe('who goes where', () => {
  it('each role lands on its own page', () => {
    expect(homeFor('SMITTSKYDD')).toEqual({ name: 'stockOverview' });
    expect(homeFor('STOCK_MANAGER')).toEqual({ name: 'stock' });
    expect(homeFor('NURSE')).toEqual({ name: 'timebook' });
    expect(homeFor('BOOKING')).toEqual({ name: 'timebook' });
    expect(homeFor('SOMETHING_NEW')).toEqual({ name: 'start' });
    expect(homeFor(null)).toEqual({ name: 'start' });
  });

  it('unit clinicians see the stock, only stock managers and admins change it', () => {
    for (const role of ['STOCK_MANAGER', 'NURSE', 'NURSE_PRESCRIBER', 'PHYSICIAN', 'ADMIN', 'SMITTSKYDD'])
      expect(mayEnter('stock', role)).toBe(true);
    for (const role of ['BOOKING', 'TIMEBOOK_ADMIN']) expect(mayEnter('stock', role)).toBe(false);
    expect(['STOCK_MANAGER', 'ADMIN'].every(canWriteStock)).toBe(true);
    expect(['NURSE', 'PHYSICIAN', 'SMITTSKYDD'].some(canWriteStock)).toBe(false);
  });

  it('the region overview is for smittskydd and admins', () => {
    expect(mayEnter('stockOverview', 'SMITTSKYDD')).toBe(true);
    expect(mayEnter('stockOverview', 'ADMIN')).toBe(true);
    expect(mayEnter('stockOverview', 'STOCK_MANAGER')).toBe(false);
    expect(mayEnter('timebook', 'SMITTSKYDD')).toBe(false);
  });
});
