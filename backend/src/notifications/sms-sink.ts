/**
 * A local SMS provider speaking 46elks' interface, for the demo and the tests: records every
 * message, and can be told to fail, throttle (429) or slow down — as a mail catcher does for mail.
 *   POST /a1/sms (basic auth when SINK_USER is set) · GET /a1/sms (the sent history, as 46elks
 *   documents it: newest first, `start` = before, `end` = after, `limit` ≤ 100, `to`, `next`)
 *   GET /messages · DELETE /messages
 *   POST /control { failRate, failStatus, throttleRate, delayMs, hangAfterAcceptRate, hangMs, receipts }
 * `hangAfterAcceptRate` records the message and then answers only after `hangMs`: the window in
 * which a sender may time out or be killed although the message went.
 */
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';

export interface SinkMessage {
  id: string;
  from: string;
  to: string;
  message: string;
  whendelivered?: string;
  at: string;
}

export interface SinkControl {
  failRate: number;
  failStatus: number;
  throttleRate: number;
  delayMs: number;
  hangAfterAcceptRate: number;
  hangMs: number;
  /** post delivery receipts to `whendelivered` (as 46elks does); off spares a load test the extra requests */
  receipts: boolean;
}

/** 46elks writes instants in UTC without an offset. */
const elksTime = (iso: string) => iso.replace('Z', '');
const parseTime = (s: string) => Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);

export interface SmsSink {
  url: string;
  messages: SinkMessage[];
  control: SinkControl;
  close(): Promise<void>;
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

export async function startSmsSink(
  opts: { port?: number; host?: string; user?: string; password?: string } = {},
): Promise<SmsSink> {
  const messages: SinkMessage[] = [];
  // strictly increasing instants, so that paging the history by time skips nothing
  let lastAt = 0;
  const nextAt = () => (lastAt = Math.max(Date.now(), lastAt + 1));
  const control: SinkControl = {
    failRate: 0,
    failStatus: 503,
    throttleRate: 0,
    delayMs: 0,
    hangAfterAcceptRate: 0,
    hangMs: 0,
    receipts: true,
  };
  const expectedAuth =
    opts.user !== undefined
      ? `Basic ${Buffer.from(`${opts.user}:${opts.password ?? ''}`).toString('base64')}`
      : undefined;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, {
          'content-type': 'application/json',
          // the dashboard's sink page reads it from another port in dev
          'access-control-allow-origin': '*',
        });
        res.end(JSON.stringify(body));
      };
      const [path, search] = (req.url ?? '').split('?');
      const query = new URLSearchParams(search ?? '');
      if (req.method === 'GET' && path === '/messages') return send(200, messages);
      if (req.method === 'GET' && path === '/a1/sms') {
        if (expectedAuth && req.headers.authorization !== expectedAuth)
          return send(401, { error: 'bad credentials' });
        const before = query.get('start') ? parseTime(query.get('start')!) : Infinity;
        const after = query.get('end') ? parseTime(query.get('end')!) : -Infinity;
        const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 100) || 100));
        const to = query.get('to');
        const page: SinkMessage[] = [];
        let more = false;
        for (let i = messages.length - 1; i >= 0; i--) {
          const m = messages[i];
          const t = Date.parse(m.at);
          if (t >= before || (to && m.to !== to)) continue;
          if (t < after) break;
          if (page.length === limit) {
            more = true;
            break;
          }
          page.push(m);
        }
        return send(200, {
          data: page.map((m) => ({
            id: m.id,
            created: elksTime(m.at),
            direction: 'outgoing',
            from: m.from,
            to: m.to,
            message: m.message,
            status: 'delivered',
          })),
          ...(more && page.length ? { next: elksTime(page[page.length - 1].at) } : {}),
        });
      }
      if (req.method === 'DELETE' && path === '/messages') {
        messages.length = 0;
        return send(200, { ok: true });
      }
      if (req.method === 'POST' && path === '/control') {
        Object.assign(control, JSON.parse((await read(req)) || '{}'));
        return send(200, control);
      }
      if (req.method === 'POST' && path === '/a1/sms') {
        if (expectedAuth && req.headers.authorization !== expectedAuth)
          return send(401, { error: 'bad credentials' });
        const form = new URLSearchParams(await read(req));
        if (control.delayMs) await new Promise((r) => setTimeout(r, control.delayMs));
        if (Math.random() < control.throttleRate) return send(429, { error: 'too many requests' });
        if (Math.random() < control.failRate) return send(control.failStatus, { error: 'injected failure' });
        const to = form.get('to') ?? '';
        if (!/^\+\d{8,15}$/.test(to)) return send(400, { error: `invalid to: ${to}` });
        const msg: SinkMessage = {
          id: `s${randomUUID().replace(/-/g, '')}`,
          from: form.get('from') ?? '',
          to,
          message: form.get('message') ?? '',
          whendelivered: form.get('whendelivered') ?? undefined,
          at: new Date(nextAt()).toISOString(),
        };
        messages.push(msg);
        if (Math.random() < control.hangAfterAcceptRate) {
          await new Promise((r) => setTimeout(r, control.hangMs));
        }
        if (msg.whendelivered && control.receipts) {
          // the delivery receipt, as 46elks posts it
          setTimeout(() => {
            void fetch(msg.whendelivered!, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams({
                id: msg.id,
                status: 'delivered',
                delivered: new Date().toISOString(),
              }),
            }).catch(() => undefined);
          }, 50);
        }
        return send(200, { id: msg.id, status: 'created', from: msg.from, to: msg.to, message: msg.message });
      }
      send(404, { error: 'not found' });
    })().catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    url: `http://127.0.0.1:${port}`,
    messages,
    control,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (require.main === module) {
  const port = Number(process.env.SMS_SINK_PORT ?? 3099);
  void startSmsSink({
    port,
    user: process.env.SMS_PROVIDER_USER,
    password: process.env.SMS_PROVIDER_PASSWORD,
  }).then((s) => console.log(`SMS sink on ${s.url} (messages at ${s.url}/messages)`));
}
