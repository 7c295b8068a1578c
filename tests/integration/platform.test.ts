import { api, closeDb, login, newPersonnummer, startApp } from '../support/harness';

let app: Awaited<ReturnType<typeof startApp>>;

beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
  await closeDb();
});

describe('platform surface', () => {
  it('health answers 200 with PostgreSQL and Redis up', async () => {
    expect(await api(app.url, 'GET', '/api/health')).toMatchObject({
      status: 200,
      body: { postgres: 'up', redis: 'up' },
    });
  });

  it('OpenAPI documents the endpoints', async () => {
    const docs = await api(app.url, 'GET', '/api/docs-json');
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/api/bookings', '/api/units/{unitId}/slots', '/api/auth/dev-login']),
    );
  });

  it('metrics expose HTTP latency, open sockets and queue depths', async () => {
    await api(app.url, 'GET', '/api/health');
    const res = await fetch(`${app.url}/metrics`);
    const text = await res.text();
    expect(text).toMatch(/vaxops_http_request_duration_seconds_bucket/);
    expect(text).toMatch(/vaxops_open_sockets/);
    expect(text).toMatch(/vaxops_queue_jobs\{queue="timebook"/);
  });

  it('every error has the { statusCode, error, message } shape', async () => {
    const res = await api(app.url, 'GET', '/api/units');
    expect(res).toMatchObject({ status: 401, body: { statusCode: 401, error: 'Unauthorized' } });
    expect(typeof res.body.message).toBe('string');
    const unknown = await api(app.url, 'GET', '/api/nothing-here');
    expect(unknown).toMatchObject({ status: 404, body: { statusCode: 404 } });
  });

  it('dev login lists users, logs in and switches assignment ("Växla uppdrag")', async () => {
    const users = await api(app.url, 'GET', '/api/auth/dev-users');
    const birgitta = users.body.find((u: any) => u.hsaId === 'SE2321000057-B001');
    expect(birgitta.assignments).toHaveLength(2);
    const { token, assignments } = await login(app.url, 'SE2321000057-B001');
    const other = assignments[1];
    const sw = await api(app.url, 'POST', '/api/auth/switch', { token, body: { assignmentId: other.id } });
    expect(sw).toMatchObject({ status: 200, body: { activeAssignmentId: other.id } });
    const notMine = await api(app.url, 'POST', '/api/auth/switch', {
      token,
      body: { assignmentId: (await login(app.url, 'SE2321000057-R001')).assignments[0].id },
    });
    expect(notMine.status).toBe(403);
  });

  it('patients are found by any accepted form of their number, and unknown ones are 404', async () => {
    const { token } = await login(app.url, 'SE2321000057-B001');
    const pnr = newPersonnummer();
    expect((await api(app.url, 'GET', `/api/patients/${pnr}`, { token })).status).toBe(404);
    await api(app.url, 'POST', '/api/citizen/dev-login', { body: { personalIdentityNumber: pnr } }); // registers
    const short = `${pnr.slice(2, 8)}-${pnr.slice(8)}`;
    const res = await api(app.url, 'GET', `/api/patients/${short}`, { token });
    expect(res).toMatchObject({
      status: 200,
      body: { personalIdentityNumber: pnr, identityType: 'PERSONNUMMER' },
    });
    const bad = await api(app.url, 'GET', '/api/patients/12345', { token });
    expect(bad.status).toBe(400);
  });
});
