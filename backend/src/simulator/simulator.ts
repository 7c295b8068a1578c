/**
 * Demo activity: books and cancels at a gentle pace through the public API, as booking staff
 * on the phone would, so that the dashboard visibly lives. Started by `npm run demo` only.
 *   BASE_URL (default http://127.0.0.1:3000), SIM_INTERVAL_MS (default 2500)
 */
import { personnummerFor } from './pnr';

const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
const INTERVAL = Number(process.env.SIM_INTERVAL_MS ?? 2500);

interface Assignment {
  id: string;
  role: string;
  unitId: string;
  unitName: string;
}

async function call<T>(
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(BASE + path, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

function pick<T>(xs: T[]): T | undefined {
  return xs[Math.floor(Math.random() * xs.length)];
}

function stockholmDate(offsetDays: number): string {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(d);
}

async function main(): Promise<void> {
  const users = (
    await call<Array<{ hsaId: string; assignments: Assignment[] }>>('GET', '/api/auth/dev-users')
  ).body;
  const bookers: Array<{ token: string; unitId: string }> = [];
  for (const u of users) {
    for (const a of u.assignments.filter((x) => x.role === 'BOOKING')) {
      const login = await call<{ accessToken: string }>('POST', '/api/auth/dev-login', undefined, {
        hsaId: u.hsaId,
      });
      const sw = await call<{ accessToken: string }>('POST', '/api/auth/switch', login.body.accessToken, {
        assignmentId: a.id,
      });
      bookers.push({ token: sw.body.accessToken, unitId: a.unitId });
    }
  }
  if (bookers.length === 0) throw new Error('no BOOKING users to simulate');
  const made: Array<{ id: string; token: string }> = [];
  console.log(`simulator: ${bookers.length} booking desks, one action every ${INTERVAL} ms`);

  const tick = async () => {
    const desk = pick(bookers)!;
    if (made.length > 5 && Math.random() < 0.35) {
      const b = made.splice(Math.floor(Math.random() * made.length), 1)[0]!;
      await call('DELETE', `/api/bookings/${b.id}`, b.token);
      return;
    }
    const date = stockholmDate(Math.floor(Math.random() * 5));
    const [slots, types] = await Promise.all([
      call<{ slots: Array<{ id: string; status: string; resource: string; start: string }> }>(
        'GET',
        `/api/units/${desk.unitId}/slots?date=${date}`,
        desk.token,
      ),
      call<Array<{ id: string; resource: string; allowedWeekdays: number[] }>>(
        'GET',
        `/api/units/${desk.unitId}/visit-types`,
        desk.token,
      ),
    ]);
    const weekday = ((new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7) + 1;
    const free = (slots.body?.slots ?? []).filter(
      (s) => s.status === 'FREE' && new Date(s.start).getTime() > Date.now(),
    );
    const slot = pick(free);
    if (!slot) return;
    const type = pick(
      (types.body ?? []).filter(
        (t) =>
          t.resource === slot.resource &&
          (t.allowedWeekdays.length === 0 || t.allowedWeekdays.includes(weekday)),
      ),
    );
    if (!type) return;
    const res = await call<{ id: string }>('POST', '/api/bookings', desk.token, {
      slotId: slot.id,
      visitTypeId: type.id,
      patient: {
        personalIdentityNumber: personnummerFor(Math.random()),
        // most give a mobile number (Swedish numbers reserved for fiction), so the SMS sink fills up
        ...(Math.random() < 0.6
          ? { phone: `+467017406${String(5 + Math.floor(Math.random() * 95)).padStart(2, '0')}` }
          : {}),
      },
    });
    if (res.status === 201) made.push({ id: res.body.id, token: desk.token });
  };

  for (;;) {
    await tick().catch((e: unknown) => console.warn(`simulator: ${(e as Error).message}`));
    await new Promise((r) => setTimeout(r, INTERVAL * (0.5 + Math.random())));
  }
}

main().catch((e: unknown) => {
  console.error(`simulator stopped: ${(e as Error).message}`);
  process.exit(1);
});
