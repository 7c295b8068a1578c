import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, NetworkError } from '../api/http';
import { timebookApi } from '../api/timebook';
import { unitsApi } from '../api/units';
import { visitTypesApi } from '../api/visitTypes';
import { UNIT, visitTypes } from '../test/fixtures';
import { adminFailure, useTimebookAdminStore } from './timebookAdmin';

const DATE = '2025-03-04';

function conflict(futureBookings?: number) {
  return new ApiError({
    statusCode: 409,
    error: 'Conflict',
    message: `${futureBookings ?? 'some'} future booking(s) use this visit type`,
    ...(futureBookings !== undefined ? { futureBookings } : {}),
  });
}

describe('timebook administration store', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    vi.spyOn(unitsApi, 'visitTypes').mockResolvedValue(structuredClone(visitTypes));
  });

  async function ready() {
    const admin = useTimebookAdminStore();
    admin.begin(UNIT);
    await admin.loadVisitTypes();
    return admin;
  }

  it('a visit type with future bookings is not deleted: the count comes back to offer rename or retire', async () => {
    vi.spyOn(visitTypesApi, 'remove').mockRejectedValue(conflict(3));
    const admin = await ready();
    expect(await admin.deleteVisitType('vt-covid')).toEqual({
      kind: 'inUse',
      futureBookings: 3,
      message: '3 future booking(s) use this visit type',
    });
    expect(admin.visitTypes.map((v) => v.id)).toContain('vt-covid');
    expect(admin.isPending('vt:vt-covid')).toBe(false);
  });

  it('a 409 without a count still says it is in use', async () => {
    vi.spyOn(visitTypesApi, 'remove').mockRejectedValue(conflict());
    const admin = await ready();
    expect(await admin.deleteVisitType('vt-covid')).toMatchObject({ kind: 'inUse', futureBookings: null });
  });

  it('deleted outright, or retired by the server because past bookings used it: gone from the list', async () => {
    const remove = vi
      .spyOn(visitTypesApi, 'remove')
      .mockResolvedValueOnce({ id: 'vt-covid', deleted: true })
      .mockResolvedValueOnce({ id: 'vt-doc', deleted: false, retired: true });
    const admin = await ready();
    expect(await admin.deleteVisitType('vt-covid')).toEqual({ kind: 'deleted' });
    expect(await admin.deleteVisitType('vt-doc')).toEqual({ kind: 'retired' });
    expect(remove).toHaveBeenCalledTimes(2);
    expect(admin.visitTypes.map((v) => v.id)).toEqual(['vt-wed']);
  });

  it('retiring takes it off the list; renaming keeps it, in name order', async () => {
    const update = vi.spyOn(visitTypesApi, 'update');
    update.mockResolvedValueOnce({ ...visitTypes[0]!, retiredAt: '2025-03-04T10:00:00Z' } as never);
    update.mockResolvedValueOnce({ ...visitTypes[2]!, name: 'Allmän läkarbedömning' });
    const admin = await ready();
    expect((await admin.updateVisitType('vt-covid', { retired: true })).kind).toBe('ok');
    expect(await admin.updateVisitType('vt-doc', { name: 'Allmän läkarbedömning' })).toMatchObject({
      kind: 'ok',
    });
    expect(admin.visitTypes.map((v) => v.name)).toEqual([
      'Allmän läkarbedömning',
      'Covid-19 dos 2, endast ons–fre',
    ]);
    expect(update).toHaveBeenNthCalledWith(1, 'vt-covid', { retired: true });
  });

  it('a block made on the day shown reloads the day’s blocks', async () => {
    vi.spyOn(timebookApi, 'days').mockResolvedValue([]);
    const blocks = vi
      .spyOn(timebookApi, 'blocks')
      .mockResolvedValueOnce([])
      .mockResolvedValueOnce([
        {
          id: 'bl-1',
          start: `${DATE}T12:00:00+01:00`,
          end: `${DATE}T13:00:00+01:00`,
          note: 'Personalmöte',
          slots: 9,
        },
      ]);
    const create = vi
      .spyOn(timebookApi, 'createBlock')
      .mockResolvedValue({ id: 'bl-1', blocked: 7, alreadyBooked: 2 });
    const admin = await ready();
    await admin.loadDay(DATE);
    const body = { date: DATE, from: '12:00', to: '13:00', note: 'Personalmöte' };
    expect(await admin.createBlock(body)).toEqual({
      kind: 'ok',
      value: { id: 'bl-1', blocked: 7, alreadyBooked: 2 },
    });
    expect(create).toHaveBeenCalledWith(UNIT, body);
    expect(blocks).toHaveBeenCalledTimes(2);
    expect(admin.blocks.map((b) => b.id)).toEqual(['bl-1']);
  });

  it('a day without a row is an empty day; a saved one is what the server answered', async () => {
    vi.spyOn(timebookApi, 'blocks').mockResolvedValue([]);
    vi.spyOn(timebookApi, 'days').mockResolvedValue([]);
    const save = vi
      .spyOn(timebookApi, 'saveDay')
      .mockResolvedValue({ date: DATE, note: 'Vaccinleverans väntas', webBookingClosed: true });
    const admin = await ready();
    await admin.loadDay(DATE);
    expect(admin.day).toEqual({ date: DATE, note: null, webBookingClosed: false });
    await admin.saveDay(DATE, { note: 'Vaccinleverans väntas', webBookingClosed: true });
    expect(save).toHaveBeenCalledWith(UNIT, DATE, { note: 'Vaccinleverans väntas', webBookingClosed: true });
    expect(admin.day).toEqual({ date: DATE, note: 'Vaccinleverans väntas', webBookingClosed: true });
  });

  it('an answer for the unit left behind is dropped', async () => {
    let answer: (v: never[]) => void = () => undefined;
    vi.spyOn(unitsApi, 'visitTypes').mockReturnValueOnce(new Promise((r) => (answer = r)));
    const admin = useTimebookAdminStore();
    admin.begin(UNIT);
    const loading = admin.loadVisitTypes();
    admin.begin('unit-2');
    answer([]);
    await loading;
    expect(admin.unitId).toBe('unit-2');
    expect(admin.visitTypesStatus).toBe('idle');
  });

  it('one submission at a time per form', async () => {
    let answer: (v: { created: number; skipped: number }) => void = () => undefined;
    const open = vi.spyOn(timebookApi, 'openSlots').mockReturnValue(new Promise((r) => (answer = r)));
    const admin = await ready();
    const body = {
      resource: 'SKOTERSKA' as const,
      from: DATE,
      to: DATE,
      slotMinutes: 10,
      columns: 1,
      weekdays: {} as never,
    };
    const first = admin.openSlots(body);
    expect(admin.isPending('openSlots')).toBe(true);
    expect(await admin.openSlots(body)).toEqual({ kind: 'failed', message: null });
    answer({ created: 42, skipped: 0 });
    expect(await first).toEqual({ kind: 'ok', value: { created: 42, skipped: 0 } });
    expect(open).toHaveBeenCalledTimes(1);
  });
});

describe('what an error answer means for a form', () => {
  it('400 and 422 name a field; 404 only when it names one', () => {
    const bad = (statusCode: number, extra: Record<string, unknown> = {}) =>
      adminFailure(
        new ApiError({ statusCode, error: 'x', message: 'weekdays.1.0.end: must be HH:MM', ...extra }),
      );
    expect(bad(400, { field: 'weekdays.1.0.end' })).toEqual({
      kind: 'invalid',
      field: 'weekdays.1.0.end',
      message: 'weekdays.1.0.end: must be HH:MM',
    });
    expect(bad(422, { field: 'doseNumber' })).toMatchObject({ kind: 'invalid', field: 'doseNumber' });
    expect(bad(404, { field: 'productId' })).toMatchObject({ kind: 'invalid', field: 'productId' });
    expect(bad(404)).toMatchObject({ kind: 'failed' });
    expect(bad(403)).toMatchObject({ kind: 'forbidden' });
    expect(bad(500)).toMatchObject({ kind: 'failed', message: 'weekdays.1.0.end: must be HH:MM' });
    expect(adminFailure(new NetworkError(new TypeError('offline')))).toEqual({
      kind: 'failed',
      message: null,
    });
    expect(() => adminFailure(new Error('bug'))).toThrow('bug');
  });
});
