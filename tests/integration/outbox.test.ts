import { OutboxRetentionProcessor } from '../../backend/src/infra/outbox/outbox-retention.processor';
import type { TimebookChanged } from '../../backend/src/realtime/events';
import {
  api,
  closeDb,
  connected,
  connectLive,
  db,
  freeSlot,
  login,
  newPersonnummer,
  seedInfo,
  startApp,
  subscribe,
  waitFor,
} from '../support/harness';

const { units } = seedInfo();

afterAll(async () => {
  await closeDb();
});

describe('outbox and scale-out', () => {
  it('an instance stopped between commit and publish loses no event: the next relay delivers it', async () => {
    // B serves the watcher's socket but does not relay; A takes the booking and stops before
    // anything is published; C starts later with the relay on.
    const b = await startApp({ OUTBOX_RELAY: 'off' });
    const a = await startApp({ OUTBOX_RELAY: 'off' });
    try {
      const watcher = await login(b.url, 'SE2321000057-N001');
      const s = connectLive(b.url, watcher.token);
      await connected(s);
      const ack = await subscribe(s, { topic: 'timebook', unitId: units.U1 });
      const seen: TimebookChanged[] = [];
      s.on('timebook.changed', (e) => seen.push(e));

      const booker = await login(a.url, 'SE2321000057-B001', units.U1);
      const { slotId, visitTypeId } = await freeSlot(units.U1);
      const res = await api(a.url, 'POST', '/api/bookings', {
        token: booker.token,
        body: { slotId, visitTypeId, patient: { personalIdentityNumber: newPersonnummer() } },
      });
      expect(res.status).toBe(201);
      await a.close();
      const pending = await db().query(
        `SELECT count(*)::int AS n FROM outbox_event WHERE published_at IS NULL`,
      );
      expect(pending.rows[0].n).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 300));
      expect(seen).toHaveLength(0);

      const c = await startApp();
      try {
        const e = await waitFor(() => seen.find((x) => x.changes.some((ch) => ch.slotId === slotId)), 5000);
        expect(e.version).toBeGreaterThan(ack.version);
        const after = await db().query(
          `SELECT count(*)::int AS n FROM outbox_event WHERE published_at IS NULL`,
        );
        expect(after.rows[0].n).toBe(0);
      } finally {
        await c.close();
      }
      s.close();
    } finally {
      await b.close();
    }
  });

  it('two instances: a booking through instance A reaches a socket on instance B', async () => {
    const a = await startApp();
    const b = await startApp();
    try {
      const watcher = await login(b.url, 'SE2321000057-N001');
      const s = connectLive(b.url, watcher.token);
      await connected(s);
      await subscribe(s, { topic: 'timebook', unitId: units.U1 });
      const seen: TimebookChanged[] = [];
      s.on('timebook.changed', (e) => seen.push(e));
      const booker = await login(a.url, 'SE2321000057-B001', units.U1);
      const { slotId, visitTypeId } = await freeSlot(units.U1);
      const res = await api(a.url, 'POST', '/api/bookings', {
        token: booker.token,
        body: { slotId, visitTypeId, patient: { personalIdentityNumber: newPersonnummer() } },
      });
      expect(res.status).toBe(201);
      await waitFor(() => seen.find((x) => x.changes.some((ch) => ch.slotId === slotId)), 5000);
      // published once, not once per instance
      await new Promise((r) => setTimeout(r, 200));
      expect(seen.filter((x) => x.changes.some((ch) => ch.slotId === slotId))).toHaveLength(1);
      s.close();
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('outbox retention', () => {
  it('published events older than two days are deleted; recent and unpublished ones stay', async () => {
    const app = await startApp({ OUTBOX_RELAY: 'off', PROCESS_ROLE: 'api' });
    try {
      const key = `retention-test:${Date.now()}`;
      const { rows } = await db().query(
        `INSERT INTO outbox_event (topic, topic_key, version, event_type, payload, created_at, published_at)
         VALUES ('jobs', $1, 1, 'job.progress', '{}', now() - interval '3 days', now() - interval '3 days'),
                ('jobs', $1, 2, 'job.progress', '{}', now() - interval '3 hours', now() - interval '3 hours'),
                -- never published (a relay down for days): kept whatever its age
                ('jobs', $1, 3, 'job.progress', '{}', now() - interval '3 days', NULL)
         RETURNING id, version`,
        [key],
      );
      await app.app.get(OutboxRetentionProcessor).prune();
      const left = await db().query(
        `SELECT version FROM outbox_event WHERE topic_key = $1 ORDER BY version`,
        [key],
      );
      expect(left.rows.map((r) => r.version)).toEqual([2, 3]);
      await db().query(`DELETE FROM outbox_event WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
    } finally {
      await app.close();
    }
  });
});
