import { api, closeDb, db, login, newPersonnummer, seedInfo, startApp } from '../support/harness';

/**
 * Issue 8: a generated suite throws wrong types, missing fields, huge strings, unicode, injection
 * strings and malformed JSON at EVERY endpoint in /api/docs-json (a new endpoint is covered
 * without anyone writing a case), as every kind of user. Every answer must be a 4xx with a
 * message, never a 500, and nothing may be written.
 */

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  format?: string;
  items?: Schema;
  anyOf?: Schema[];
  maxLength?: number;
};
interface Operation {
  method: string;
  path: string;
  params: Array<{ name: string; in: string; required?: boolean }>;
  body?: Schema;
}

const INJECTIONS = [
  "'; DROP TABLE patient;--",
  "1' OR '1'='1",
  '../../../etc/passwd',
  '<script>alert(1)</script>',
  '${7*7}{{7*7}}',
  '\u0000\u0007\u001b',
  '😷💉‮ﷺ',
  'Ω'.repeat(300),
];
const HUGE = 'x'.repeat(300_000);

let app: Awaited<ReturnType<typeof startApp>>;
const { units } = seedInfo();
const tokens: Array<[string, string]> = [];

beforeAll(async () => {
  // no workers: scheduled jobs (reminders, campaign progress, recovery) would write while we count rows
  app = await startApp({ PROCESS_ROLE: 'api' });
  // validation runs before the handler, so a few kinds of user cover every path through it
  for (const hsa of ['A001', 'B001', 'R001']) {
    tokens.push([hsa, (await login(app.url, `SE2321000057-${hsa}`)).token]);
  }
  const citizen = await api(app.url, 'POST', '/api/citizen/dev-login', {
    body: { personalIdentityNumber: newPersonnummer() },
  });
  tokens.push(['citizen', citizen.body.accessToken]);
});
afterAll(async () => {
  await app.close();
  await closeDb();
});

async function operations(): Promise<Operation[]> {
  const doc = (await api(app.url, 'GET', '/api/docs-json')).body as {
    paths: Record<string, Record<string, any>>;
  };
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      ops.push({
        method: method.toUpperCase(),
        path,
        params: (op.parameters ?? []).filter((p: any) => p.in !== 'header'),
        body: op.requestBody?.content?.['application/json']?.schema,
      });
    }
  }
  return ops;
}

/** A plausible value of the right type (not necessarily valid), used around the mutated field. */
function sample(s: Schema | undefined): unknown {
  if (!s) return 'x';
  if (s.enum?.length) return s.enum[0];
  if (s.anyOf?.length) return sample(s.anyOf.find((a) => a.type !== 'null') ?? s.anyOf[0]);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object':
      return Object.fromEntries((s.required ?? []).map((k) => [k, sample(s.properties?.[k])]));
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    default:
      return 'x';
  }
}

/** The (non-null) type of a property, looking into `anyOf` (nullable and optional fields). */
function typeOf(s: Schema): string | undefined {
  if (s.anyOf) return s.anyOf.map(typeOf).find((t) => t && t !== 'null');
  return Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
}

/** One field changed to something it must refuse. */
function mutations(body: Schema): Array<{ what: string; value: unknown }> {
  const out: Array<{ what: string; value: unknown }> = [];
  const base = sample(body) as Record<string, unknown>;
  for (const [key, prop] of Object.entries(body.properties ?? {})) {
    const type = typeOf(prop);
    const inner = prop.anyOf?.find((a) => typeOf(a) === type) ?? prop;
    const constrained = !!(inner.enum || inner.pattern || inner.format);
    const wrongType = type === 'string' ? { nested: { $gt: '' } } : 'not-a-' + (type ?? 'value');
    out.push({ what: `${key}: wrong type`, value: { ...base, [key]: wrongType } });
    if ((body.required ?? []).includes(key)) {
      const rest = { ...base };
      delete rest[key];
      out.push({ what: `${key}: missing`, value: rest });
    }
    if (type === 'string') {
      out.push({ what: `${key}: huge`, value: { ...base, [key]: HUGE } });
      if (constrained)
        for (const inj of INJECTIONS)
          out.push({ what: `${key}: ${JSON.stringify(inj).slice(0, 20)}`, value: { ...base, [key]: inj } });
    }
    if (type === 'integer' || type === 'number') {
      out.push({ what: `${key}: -1e308`, value: { ...base, [key]: -1e308 } });
      out.push({ what: `${key}: 1.5e300`, value: { ...base, [key]: 1.5e300 } });
    }
  }
  return out;
}

async function tableCounts(): Promise<Record<string, number>> {
  const { rows } = await db().query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
       AND table_name NOT LIKE '\\_prisma%'`,
  );
  const out: Record<string, number> = {};
  for (const r of rows) {
    out[r.table_name] = (await db().query(`SELECT count(*)::int AS n FROM "${r.table_name}"`)).rows[0].n;
  }
  return out;
}

function fill(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(values[name] ?? 'nonexistent-id-000'),
  );
}

const VALID_PATH: Record<string, string> = {
  unitId: units.U1,
  date: '2030-01-07',
  personalIdentityNumber: '191212121212',
  token: 'nonexistent.abcdefabcdefabcdefabcd',
};

describe('bad input at every endpoint', () => {
  it('answers 4xx with a message, never 500, and writes nothing', async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(40);
    const before = await tableCounts();
    const serverErrors: string[] = [];
    const accepted: string[] = [];
    const silent: string[] = [];
    let requests = 0;

    const cases: Array<() => Promise<void>> = [];
    const check = (label: string, method: string, url: string, token: string | undefined, rawBody?: string) =>
      cases.push(() => send(label, method, url, token, rawBody));
    const send = async (
      label: string,
      method: string,
      url: string,
      token: string | undefined,
      rawBody?: string,
    ) => {
      const res = await api(app.url, method, url, { token, rawBody });
      requests++;
      if (res.status >= 500) serverErrors.push(`${res.status} ${label}`);
      else if (res.status < 400) accepted.push(`${res.status} ${label}`);
      else if (typeof res.body !== 'object' || !res.body?.message) silent.push(`${res.status} ${label}`);
    };

    for (const op of ops) {
      if (
        op.path.startsWith('/api/health') ||
        op.path.endsWith('/dev-users') ||
        op.path.endsWith('/dev-citizens')
      )
        continue;
      const pathParams = op.params.filter((p) => p.in === 'path');
      const queryParams = op.params.filter((p) => p.in === 'query');
      const hasBody = ['POST', 'PUT', 'PATCH'].includes(op.method);
      for (const [who, token] of tokens) {
        // garbage in each path parameter
        for (const p of pathParams) {
          for (const bad of [...INJECTIONS, 'x'.repeat(5000)]) {
            const url = fill(op.path, { ...VALID_PATH, [p.name]: bad });
            check(
              `${op.method} ${op.path} ${p.name}=${bad.slice(0, 12)} as ${who}`,
              op.method,
              url,
              token,
              hasBody ? '{}' : undefined,
            );
          }
        }
        // garbage in each required query parameter
        const required = queryParams.filter((q) => q.required);
        for (const q of required) {
          for (const bad of ['2026-13-45', "'; DROP TABLE slot;--", 'x'.repeat(5000), '']) {
            const qs = new URLSearchParams(
              Object.fromEntries(required.map((r) => [r.name, r.name === q.name ? bad : '2030-01-07'])),
            );
            check(
              `${op.method} ${op.path}?${q.name}=${bad.slice(0, 12)} as ${who}`,
              op.method,
              `${fill(op.path, VALID_PATH)}?${qs}`,
              token,
            );
          }
        }
        if (!hasBody) continue;
        const url = fill(op.path, VALID_PATH);
        check(`${op.method} ${op.path} malformed JSON as ${who}`, op.method, url, token, '{"slotId": ');
        // bodies of the wrong shape where the endpoint requires one (a body-less POST ignores a body)
        if (op.body?.required?.length) {
          for (const raw of ['[1,2,3]', '"just a string"', '42', 'null', '{"__proto__": {"admin": true}}'])
            check(`${op.method} ${op.path} body ${raw.slice(0, 12)} as ${who}`, op.method, url, token, raw);
        }
        if (op.body?.properties)
          for (const m of mutations(op.body))
            check(
              `${op.method} ${op.path} ${m.what} as ${who}`,
              op.method,
              url,
              token,
              JSON.stringify(m.value),
            );
      }
    }
    // eight at a time, like a few busy clients
    for (let i = 0; i < cases.length; i += 8) await Promise.all(cases.slice(i, i + 8).map((c) => c()));
    const after = await tableCounts();
    const written = Object.keys(after).filter((t) => after[t] !== before[t]);
    console.log(
      `bad-input suite: ${requests} requests over ${ops.length} operations, ${serverErrors.length} answers ≥ 500`,
    );
    expect(serverErrors).toEqual([]);
    expect(silent).toEqual([]);
    expect(accepted).toEqual([]);
    expect(written.map((t) => `${t}: ${before[t]} → ${after[t]}`)).toEqual([]);
  }, 300_000);
});
