import { describe, expect, it } from 'vitest';
import type { VisitType } from '../api/types';
import {
  editFormOf,
  emptyVisitTypeForm,
  validateVisitType,
  validateVisitTypeEdit,
  visitTypeFieldOf,
  type VisitTypeForm,
} from './visit-type-form';
import { weekdayRuns } from './weekdays';

const form = (over: Partial<VisitTypeForm> = {}): VisitTypeForm => ({
  ...emptyVisitTypeForm(),
  name: 'Covid-19 dos 2, Comirnaty, endast ons–fre',
  ...over,
});

describe('a new visit type', () => {
  it('“Covid-19 dos 2, Comirnaty, endast ons–fre”: product, dose and weekdays as the server wants them', () => {
    expect(
      validateVisitType(form({ productId: 'p-comirnaty', doseNumber: 2, allowedWeekdays: [5, 3, 4, 3] })),
    ).toEqual({
      ok: true,
      body: {
        name: 'Covid-19 dos 2, Comirnaty, endast ons–fre',
        resource: 'SKOTERSKA',
        durationMinutes: 10,
        productId: 'p-comirnaty',
        doseNumber: 2,
        allowedWeekdays: [3, 4, 5],
        webBookable: true,
      },
    });
  });

  it('without product or dose they are left out; no weekdays means every day', () => {
    expect(
      validateVisitType(form({ name: ' Läkarbedömning ', resource: 'LAKARE', durationMinutes: 20 })),
    ).toEqual({
      ok: true,
      body: {
        name: 'Läkarbedömning',
        resource: 'LAKARE',
        durationMinutes: 20,
        allowedWeekdays: [],
        webBookable: true,
      },
    });
  });

  it('checks name, length and dose before sending', () => {
    expect(validateVisitType(form({ name: ' ' }))).toEqual({
      ok: false,
      errors: { name: { key: 'nameRequired' } },
    });
    expect(validateVisitType(form({ name: 'x' }))).toEqual({
      ok: false,
      errors: { name: { key: 'nameTooShort', params: { min: 2 } } },
    });
    expect(validateVisitType(form({ durationMinutes: 3 }))).toEqual({
      ok: false,
      errors: { durationMinutes: { key: 'durationWhole', params: { min: 5, max: 240 } } },
    });
    expect(validateVisitType(form({ doseNumber: 2 }))).toEqual({
      ok: false,
      errors: { doseNumber: { key: 'doseNeedsProduct' } },
    });
    expect(validateVisitType(form({ productId: 'p', doseNumber: 11 }))).toEqual({
      ok: false,
      errors: { doseNumber: { key: 'doseWhole', params: { max: 10 } } },
    });
  });

  it('the default length follows the resource: 10 minutes for a nurse, 20 for a physician', () => {
    expect(emptyVisitTypeForm('LAKARE').durationMinutes).toBe(20);
  });
});

describe('changing a visit type', () => {
  const vt: VisitType = {
    id: 'vt-1',
    name: 'Covid-19 dos 1',
    resource: 'SKOTERSKA',
    webBookable: true,
    allowedWeekdays: [3, 4, 5],
  };

  it('sends only what changed, and nothing when nothing did', () => {
    expect(validateVisitTypeEdit(vt, editFormOf(vt))).toEqual({ ok: true, body: null });
    expect(validateVisitTypeEdit(vt, { ...editFormOf(vt), name: ' Covid-19 dos 1 (gamla) ' })).toEqual({
      ok: true,
      body: { name: 'Covid-19 dos 1 (gamla)' },
    });
    expect(
      validateVisitTypeEdit(vt, { name: vt.name, allowedWeekdays: [5, 4, 3], webBookable: false }),
    ).toEqual({
      ok: true,
      body: { webBookable: false },
    });
    expect(validateVisitTypeEdit(vt, { name: vt.name, allowedWeekdays: [], webBookable: true })).toEqual({
      ok: true,
      body: { allowedWeekdays: [] },
    });
  });

  it('a name is still required', () => {
    expect(validateVisitTypeEdit(vt, { ...editFormOf(vt), name: '' })).toEqual({
      ok: false,
      errors: { name: { key: 'nameRequired' } },
    });
  });

  it('the server’s field names map onto the form', () => {
    expect(visitTypeFieldOf('doseNumber')).toBe('doseNumber');
    expect(visitTypeFieldOf('allowedWeekdays.2')).toBe('allowedWeekdays');
    expect(visitTypeFieldOf('categoryId')).toBeNull();
  });
});

describe('weekdays as runs', () => {
  it('“ons–fre” rather than a list of every day', () => {
    expect(weekdayRuns([5, 3, 4])).toEqual([[3, 5]]);
    expect(weekdayRuns([1, 3, 4, 5, 7, 7, 9])).toEqual([
      [1, 1],
      [3, 5],
      [7, 7],
    ]);
    expect(weekdayRuns([])).toEqual([]);
  });
});
