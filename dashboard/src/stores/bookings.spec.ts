import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { bookingsApi } from '../api/bookings';
import { ApiError, NetworkError } from '../api/http';
import { useBookingsStore } from './bookings';

const req = { slotId: 's1', visitTypeId: 'v1', patient: { personalIdentityNumber: '191212121212' } };

function apiError(statusCode: number, message: string | string[], extra: Record<string, unknown> = {}) {
  return new ApiError({ statusCode, error: 'x', message, ...extra });
}

describe('bookings store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('a submission without a definite answer is retried with the same Idempotency-Key; another one gets a new key', async () => {
    const create = vi
      .spyOn(bookingsApi, 'create')
      .mockRejectedValueOnce(apiError(503, 'the database is restarting'))
      .mockResolvedValueOnce({ id: 'b1', slotId: 's1', status: 'BOOKED' })
      .mockResolvedValueOnce({ id: 'b2', slotId: 's2', status: 'BOOKED' });
    const store = useBookingsStore();
    await expect(store.create(req)).resolves.toMatchObject({ kind: 'failed' });
    await expect(store.create(req)).resolves.toMatchObject({ kind: 'created' });
    await store.create({ ...req, slotId: 's2' });
    const keys = create.mock.calls.map((c) => c[1]);
    expect(keys[0]).toEqual(expect.any(String));
    expect(keys[1]).toBe(keys[0]); // the same submission
    expect(keys[2]).not.toBe(keys[0]); // a new one
  });

  it('returns the created booking', async () => {
    vi.spyOn(bookingsApi, 'create').mockResolvedValue({ id: 'b1', slotId: 's1', status: 'BOOKED' });
    await expect(useBookingsStore().create(req)).resolves.toEqual({
      kind: 'created',
      booking: { id: 'b1', slotId: 's1', status: 'BOOKED' },
    });
  });

  it('two bookers, one slot: the loser gets the alternatives', async () => {
    const alternatives = [{ id: 's2' }];
    vi.spyOn(bookingsApi, 'create').mockRejectedValue(
      apiError(409, 'taken', { code: 'SLOT_TAKEN', alternatives }),
    );
    await expect(useBookingsStore().create(req)).resolves.toEqual({ kind: 'taken', alternatives });
  });

  it('puts a 400 next to the field the message names', async () => {
    vi.spyOn(bookingsApi, 'create').mockRejectedValue(
      apiError(400, ['patient.personalIdentityNumber has an invalid check digit']),
    );
    await expect(useBookingsStore().create(req)).resolves.toMatchObject({
      kind: 'invalid',
      field: 'personalIdentityNumber',
      message: 'patient.personalIdentityNumber has an invalid check digit',
    });
  });

  it('prefers an explicit field in the error body', async () => {
    vi.spyOn(bookingsApi, 'create').mockRejectedValue(
      apiError(400, 'Ogiltigt nummer', { field: 'patient.phone' }),
    );
    await expect(useBookingsStore().create(req)).resolves.toMatchObject({ kind: 'invalid', field: 'phone' });
  });

  it('a broken rule (422) is shown as a general message', async () => {
    vi.spyOn(bookingsApi, 'create').mockRejectedValue(apiError(422, 'Besökstypen bokas endast ons–fre'));
    await expect(useBookingsStore().create(req)).resolves.toEqual({
      kind: 'rule',
      message: 'Besökstypen bokas endast ons–fre',
    });
  });

  it('a network failure is a generic failure', async () => {
    vi.spyOn(bookingsApi, 'create').mockRejectedValue(new NetworkError(new TypeError('offline')));
    await expect(useBookingsStore().create(req)).resolves.toEqual({ kind: 'failed', message: null });
    expect(useBookingsStore().submitting).toBe(false);
  });
});
