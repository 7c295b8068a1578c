import { isUnavailable } from './unavailable';

describe('isUnavailable', () => {
  it('recognises a refused or dropped connection and a PostgreSQL shutting down', () => {
    expect(
      isUnavailable(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      ),
    ).toBe(true);
    expect(
      isUnavailable(
        Object.assign(new Error('terminating connection due to administrator command'), {
          code: '57P01',
          severity: 'FATAL',
        }),
      ),
    ).toBe(true);
    expect(
      isUnavailable(Object.assign(new Error('the database system is starting up'), { code: '57P03' })),
    ).toBe(true);
    expect(isUnavailable(Object.assign(new Error('connection failure'), { code: '08006' }))).toBe(true);
    expect(isUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isUnavailable(new Error('Client has encountered a connection error and is not queryable'))).toBe(
      true,
    );
  });

  it('looks through Prisma’s wrapping to the driver’s error', () => {
    expect(isUnavailable(Object.assign(new Error("Can't reach database server"), { code: 'P1001' }))).toBe(
      true,
    );
    expect(
      isUnavailable(
        Object.assign(new Error('Invalid `prisma.unit.findMany()` invocation'), {
          code: 'P2010',
          meta: { driverAdapterError: { cause: { kind: 'postgres', originalCode: '57P01' } } },
        }),
      ),
    ).toBe(true);
    expect(isUnavailable(Object.assign(new Error('x'), { cause: { code: 'ECONNRESET' } }))).toBe(true);
  });

  it('leaves request and programming errors alone', () => {
    expect(isUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isUnavailable(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
    expect(isUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isUnavailable(undefined)).toBe(false);
    expect(isUnavailable('ECONNREFUSED')).toBe(false);
  });
});
