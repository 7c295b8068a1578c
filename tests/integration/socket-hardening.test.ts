import { io } from 'socket.io-client';
import {
  api,
  closeDb,
  connectLive,
  connected,
  login,
  seedInfo,
  startApp,
  subscribe,
} from '../support/harness';

let app: Awaited<ReturnType<typeof startApp>>;
let token: string;
const { units } = seedInfo();

beforeAll(async () => {
  app = await startApp({ CORS_ORIGINS: 'https://dashboard.region.example' });
  token = (await login(app.url, 'SE2321000057-B001', units.U1)).token;
});
afterAll(async () => {
  await app.close();
  await closeDb();
});

function withOrigin(origin: string) {
  return io(`${app.url}/live`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { origin },
  });
}

const emitRaw = (s: ReturnType<typeof connectLive>, event: string, ...args: unknown[]) =>
  new Promise<any>((resolve) => (s as any).emit(event, ...args, resolve));

describe('socket hardening', () => {
  it('a handshake from a foreign origin is refused, from the allowlist accepted', async () => {
    const evil = withOrigin('https://evil.example');
    expect(await connected(evil as any)).not.toBe(true);
    evil.close();
    const ok = withOrigin('https://dashboard.region.example');
    expect(await connected(ok as any)).toBe(true);
    ok.close();
  });

  it('garbage events get an error ack and the connection and server stay up', async () => {
    const s = connectLive(app.url, token);
    expect(await connected(s)).toBe(true);
    expect(await emitRaw(s, 'drop-tables', { x: 1 })).toMatchObject({ ok: false, error: 'invalid' });
    expect(await emitRaw(s, 'subscribe', 'not an object')).toMatchObject({ ok: false, error: 'invalid' });
    expect(await emitRaw(s, 'subscribe', { topic: 'timebook', unitId: { $ne: null } })).toMatchObject({
      ok: false,
      error: 'invalid',
    });
    expect(await emitRaw(s, 'subscribe', null)).toMatchObject({ ok: false, error: 'invalid' });
    expect(await emitRaw(s, 'unsubscribe', [1, 2, 3])).toMatchObject({ ok: false, error: 'invalid' });
    // still serving real requests on the same socket
    const ack = await subscribe(s, { topic: 'timebook', unitId: units.U1 });
    expect(ack.ok).toBe(true);
    s.close();
  });

  it('a flood of events is answered rate-limited while other clients are served', async () => {
    const flooder = connectLive(app.url, token);
    const calm = connectLive(app.url, token);
    expect(await connected(flooder)).toBe(true);
    expect(await connected(calm)).toBe(true);
    const acks = await Promise.all(
      Array.from({ length: 120 }, () =>
        emitRaw(flooder, 'unsubscribe', { topic: 'timebook', unitId: units.U1 }),
      ),
    );
    const limited = acks.filter((a) => a?.error === 'rate-limited').length;
    expect(limited).toBeGreaterThan(50);
    expect(acks.filter((a) => a?.ok === true).length).toBeGreaterThan(0);
    expect((await subscribe(calm, { topic: 'timebook', unitId: units.U1 })).ok).toBe(true);
    flooder.close();
    calm.close();
  });

  it('an oversized payload ends that connection only; the server goes on', async () => {
    const s = connectLive(app.url, token);
    expect(await connected(s)).toBe(true);
    const closed = new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));
    s.emit('subscribe', { topic: 'timebook', unitId: 'x'.repeat(200_000) } as any, () => undefined);
    expect(await closed).toBeTruthy();
    expect((await api(app.url, 'GET', '/api/health')).status).toBe(200);
    const again = connectLive(app.url, token);
    expect(await connected(again)).toBe(true);
    again.close();
  });
});
