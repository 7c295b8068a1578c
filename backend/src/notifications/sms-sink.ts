/**
 * A local SMS provider speaking 46elks' interface, for the demo and the tests: records every
 * message, and can be told to fail, throttle (429) or slow down — as a mail catcher does for mail.
 *   POST /a1/sms (basic auth when SINK_USER is set) · GET /messages · DELETE /messages
 *   POST /control { failRate, failStatus, throttleRate, delayMs }
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

export interface SmsSink {
  url: string;
  messages: SinkMessage[];
  control: { failRate: number; failStatus: number; throttleRate: number; delayMs: number };
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
  const control = { failRate: 0, failStatus: 503, throttleRate: 0, delayMs: 0 };
  const expectedAuth =
    opts.user !== undefined
      ? `Basic ${Buffer.from(`${opts.user}:${opts.password ?? ''}`).toString('base64')}`
      : undefined;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && path === '/messages') return send(200, messages);
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
          at: new Date().toISOString(),
        };
        messages.push(msg);
        if (msg.whendelivered) {
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
