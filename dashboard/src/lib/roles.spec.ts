import { describe, expect, it } from 'vitest';
import { homeFor } from '../router';
import { canPrescribe, canPrintJournal, canWriteStock, mayEnter } from './roles';

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

  it('the NVR export page is for smittskydd and admins', () => {
    expect(mayEnter('nvr', 'SMITTSKYDD')).toBe(true);
    expect(mayEnter('nvr', 'ADMIN')).toBe(true);
    for (const role of ['BOOKING', 'NURSE', 'STOCK_MANAGER', 'TIMEBOOK_ADMIN'])
      expect(mayEnter('nvr', role)).toBe(false);
  });

  it('the patient view is for nurses and physicians; only prescribers prescribe; smittskydd sees no patient data', () => {
    for (const role of ['NURSE', 'NURSE_PRESCRIBER', 'PHYSICIAN']) {
      expect(mayEnter('journal', role)).toBe(true);
      expect(canPrintJournal(role)).toBe(true);
    }
    for (const role of ['BOOKING', 'SMITTSKYDD', 'STOCK_MANAGER', 'ADMIN'])
      expect(mayEnter('journal', role)).toBe(false);
    expect(canPrescribe('NURSE')).toBe(false);
    expect(['NURSE_PRESCRIBER', 'PHYSICIAN'].every(canPrescribe)).toBe(true);
    expect(mayEnter('controlReport', 'ADMIN')).toBe(true);
    expect(mayEnter('controlReport', 'SMITTSKYDD')).toBe(false);
  });
});
