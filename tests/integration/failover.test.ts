import net from 'node:net';
import {
  api,
  closeDb,
  freeSlot,
  login,
  newPersonnummer,
  seedInfo,
  startApp,
  waitFor,
} from '../support/harness';
import { dashboardClient, type DashboardClient } from '../support/live-dashboard';

/**
 * Issue 8 §5, fault scenario: one of two API instances is killed with clients connected. The
 * clients (behind a load balancer, here a TCP proxy that sends new connections to the first live
 * instance) reconnect to the other instance and resync: after the resubscription they hold the
 * current timebook, including a booking made while they were away, and receive new events from
 * the surviving instance. The recovery time is measured and printed.
 */

const { units } = seedInfo();

/** A minimal TCP load balancer: new connections go to the first live backend. */
class Balancer {
  private server?: net.Server;
  private readonly alive: boolean[];
  private readonly conns: Array<Set<net.Socket>>;
  port = 0;
  constructor(private readonly backends: number[]) {
    this.alive = backends.map(() => true);
    this.conns = backends.map(() => new Set());
  }
  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      const i = this.alive.findIndex(Boolean);
      if (i < 0) return client.destroy();
      const upstream = net.connect(this.backends[i], '127.0.0.1');
      for (const s of [client, upstream]) {
        this.conns[i].add(s);
        s.on('close', () => this.conns[i].delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server!.address() as net.AddressInfo).port;
  }
  /** The instance dies: its connections drop at once, as with kill -9, and it gets no new ones. */
  kill(i: number): void {
    this.alive[i] = false;
    for (const s of this.conns[i]) s.destroy();
  }
  async stop(): Promise<void> {
    for (const set of this.conns) for (const s of set) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

const portOf = (url: string) => Number(new URL(url).port);

describe('fault: one of two API instances killed with clients connected', () => {
  it('the clients reconnect to the other instance, resync, and miss nothing', async () => {
    const a = await startApp();
    const b = await startApp();
    const lb = new Balancer([portOf(a.url), portOf(b.url)]);
    await lb.start();
    const lbUrl = `http://127.0.0.1:${lb.port}`;
    const clients: DashboardClient[] = [];
    const state = () =>
      JSON.stringify(
        clients.map((c) => ({
          version: c.live.version,
          resynced: c.resynced,
          gaps: c.gaps,
          events: c.events.map((e) => `${e.version}:${e.cause}`),
        })),
      );
    const until = (what: string, fn: () => boolean, ms: number) =>
      waitFor(() => (fn() ? true : undefined), ms).catch(() => {
        throw new Error(`${what} did not happen; clients: ${state()}`);
      });
    try {
      const first = await freeSlot(units.U1);
      const watcher = await login(b.url, 'SE2321000057-N001');
      for (let i = 0; i < 5; i++) clients.push(dashboardClient(lbUrl, watcher.token, units.U1, first.date));
      await until('first subscription', () => clients.every((c) => c.resynced >= 1), 10_000);

      // every client sits on instance A (the balancer's first live backend)
      const killedAt = Date.now();
      lb.kill(0);
      await a.close();

      // while they are away, a booking is made through B
      const booker = await login(b.url, 'SE2321000057-B001', units.U1);
      const during = await api(b.url, 'POST', '/api/bookings', {
        token: booker.token,
        body: {
          slotId: first.slotId,
          visitTypeId: first.visitTypeId,
          patient: { personalIdentityNumber: newPersonnummer() },
        },
      });
      expect(during.status).toBe(201);

      await until(
        'resubscription on the other instance',
        () => clients.every((c) => c.resynced >= 2),
        15_000,
      );
      const recoveredMs = Date.now() - killedAt;
      // the booking made meanwhile reaches every client, by the resync snapshot or by an event
      // after it, with no version gap
      await until(
        'the booking made meanwhile',
        () => clients.every((c) => c.live.state?.get(first.slotId) === 'BOOKED' && !c.live.syncing),
        10_000,
      );

      // and new events now come from B
      const next = await freeSlot(units.U1, [first.slotId]);
      const after = await api(b.url, 'POST', '/api/bookings', {
        token: booker.token,
        body: {
          slotId: next.slotId,
          visitTypeId: next.visitTypeId,
          patient: { personalIdentityNumber: newPersonnummer() },
        },
      });
      expect(after.status).toBe(201);
      await until(
        'the next booking event from the surviving instance',
        () => clients.every((c) => c.events.some((e) => e.changes.some((ch) => ch.slotId === next.slotId))),
        10_000,
      );
      expect(clients.map((c) => c.gaps)).toEqual(clients.map(() => 0));
      console.log(
        `failover: ${clients.length} clients on the killed instance reconnected to the other and resynced in ${recoveredMs} ms`,
      );
    } finally {
      clients.forEach((c) => c.socket.close());
      await lb.stop();
      await a.close().catch(() => undefined);
      await b.close();
      await closeDb();
    }
  }, 60_000);
});
