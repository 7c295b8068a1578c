import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { alternativesOf, bookingsApi, isSlotTaken } from './bookings';
import { ApiError, configureHttp, isApiError, NetworkError, request } from './http';

function respond(status: number, body: unknown, contentType = 'application/json'): Response {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Response(status === 204 ? null : text, { status, headers: { 'Content-Type': contentType } });
}

describe('api http wrapper', () => {
  const fetchMock = vi.fn<typeof fetch>();
  const onUnauthorized = vi.fn();
  let token: string | null = 'tok-1';

  beforeEach(() => {
    vi.stubGlobal('fetch', fetchMock);
    token = 'tok-1';
    configureHttp({ getToken: () => token, onUnauthorized, getLanguage: () => 'sv' });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    fetchMock.mockReset();
    onUnauthorized.mockReset();
  });

  it('sends the Bearer token, JSON body and query, and parses the answer', async () => {
    fetchMock.mockResolvedValue(respond(200, { ok: 1 }));
    await expect(
      request('POST', '/x', { body: { a: 1 }, query: { date: '2025-03-04', skip: undefined } }),
    ).resolves.toEqual({ ok: 1 });
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/api/x?date=2025-03-04');
    expect(init?.method).toBe('POST');
    expect(init?.body).toBe('{"a":1}');
    expect(init?.headers).toMatchObject({
      Authorization: 'Bearer tok-1',
      'Content-Type': 'application/json',
      'Accept-Language': 'sv',
    });
  });

  it('sends extra headers such as an Idempotency-Key', async () => {
    fetchMock.mockResolvedValue(respond(201, { movementId: 1 }));
    await request('POST', '/units/u/stock/movements', { body: {}, headers: { 'Idempotency-Key': 'k-1' } });
    expect(fetchMock.mock.calls[0]![1]?.headers).toMatchObject({
      'Idempotency-Key': 'k-1',
      Authorization: 'Bearer tok-1',
    });
  });

  it('sends no Authorization header without a session', async () => {
    token = null;
    fetchMock.mockResolvedValue(respond(200, []));
    await request('GET', '/auth/dev-users');
    expect(fetchMock.mock.calls[0]![1]?.headers).not.toHaveProperty('Authorization');
  });

  it('turns an error body into an ApiError with status, messages and extra fields', async () => {
    fetchMock.mockResolvedValue(
      respond(422, {
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: 'Besökstypen får inte bokas på måndagar',
        rule: 'R11',
      }),
    );
    const err = await request('POST', '/bookings').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(isApiError(err, 422)).toBe(true);
    const e = err as ApiError;
    expect(e.status).toBe(422);
    expect(e.messages).toEqual(['Besökstypen får inte bokas på måndagar']);
    expect(e.message).toBe('Besökstypen får inte bokas på måndagar');
    expect(e.body.rule).toBe('R11');
  });

  it('keeps every message of a validation error list', async () => {
    fetchMock.mockResolvedValue(
      respond(400, { statusCode: 400, error: 'Bad Request', message: ['a must be set', 'b is too long'] }),
    );
    const e = (await request('POST', '/bookings').catch((x: unknown) => x)) as ApiError;
    expect(e.messages).toEqual(['a must be set', 'b is too long']);
  });

  it('recognises SLOT_TAKEN with its alternatives', async () => {
    const alternatives = [
      {
        id: 's2',
        start: '2025-03-04T09:10:00+01:00',
        end: '2025-03-04T09:20:00+01:00',
        resource: 'SKOTERSKA',
        column: 2,
        status: 'FREE',
      },
    ];
    fetchMock.mockResolvedValue(
      respond(409, {
        statusCode: 409,
        error: 'Conflict',
        code: 'SLOT_TAKEN',
        message: 'Slot taken',
        alternatives,
      }),
    );
    const e = await bookingsApi
      .create({ slotId: 's1', visitTypeId: 'v', patient: { personalIdentityNumber: '191212121212' } })
      .catch((x: unknown) => x);
    expect(isSlotTaken(e)).toBe(true);
    if (isSlotTaken(e)) expect(alternativesOf(e)).toEqual(alternatives);
  });

  it('a 409 without the SLOT_TAKEN code is not a taken slot', async () => {
    fetchMock.mockResolvedValue(respond(409, { statusCode: 409, error: 'Conflict', message: 'stale' }));
    const e = await request('POST', '/x').catch((x: unknown) => x);
    expect(isApiError(e, 409)).toBe(true);
    expect(isSlotTaken(e)).toBe(false);
  });

  it('reports a 401 so the session can end, and still throws', async () => {
    fetchMock.mockResolvedValue(
      respond(401, { statusCode: 401, error: 'Unauthorized', message: 'jwt expired' }),
    );
    await expect(request('GET', '/units')).rejects.toBeInstanceOf(ApiError);
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('makes a well-formed error from a non-JSON body (e.g. a proxy page)', async () => {
    fetchMock.mockResolvedValue(
      new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    );
    const e = (await request('GET', '/units').catch((x: unknown) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(502);
    expect(e.body.error).toBe('Bad Gateway');
    expect(e.messages).toEqual([]);
  });

  it('turns a failed fetch into a NetworkError', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    await expect(request('GET', '/units')).rejects.toBeInstanceOf(NetworkError);
  });

  it('returns undefined for 204', async () => {
    fetchMock.mockResolvedValue(respond(204, ''));
    await expect(request('DELETE', '/x')).resolves.toBeUndefined();
  });

  it('encodes ids in paths', async () => {
    fetchMock.mockResolvedValue(respond(200, {}));
    await bookingsApi.get('a/b?c');
    expect(fetchMock.mock.calls[0]![0]).toBe('/api/bookings/a%2Fb%3Fc');
  });
});
