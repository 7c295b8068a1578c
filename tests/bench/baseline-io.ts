/**
 * Baseline for the live fan-out, run as a child process: a bare socket.io server (no framework,
 * no auth, no database, no Redis adapter) with the same namespace and subscribe handshake as
 * the real one. Each `POST /broadcast` emits one `timebook.changed` to the room at once: the
 * same payload as a real event (BENCH_SAMPLE_EVENT, captured from the server under test) with the
 * next version and `at` = the send time, so the same client code measures the same latency.
 *
 * Env: PORT, BENCH_SAMPLE_EVENT (JSON). `GET /health` → 200.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const ROOM = 'timebook:bench';
const sample = JSON.parse(process.env.BENCH_SAMPLE_EVENT ?? '{}') as Record<string, unknown>;
let version = 0;

const http = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  if (req.method === 'POST' && req.url === '/broadcast') {
    req.resume(); // the body carries nothing
    req.on('end', () => {
      version++;
      io.of('/live')
        .to(ROOM)
        .emit('timebook.changed', { ...sample, version, at: new Date().toISOString() });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ version }));
    });
    return;
  }
  res.writeHead(404).end();
});
http.keepAliveTimeout = 72_000;

const io = new Server(http, { transports: ['websocket'] });
io.of('/live').on('connection', (socket) => {
  socket.on('subscribe', (_req: unknown, ack: (res: unknown) => void) => {
    void socket.join(ROOM);
    ack({ ok: true, version, snapshot: null });
  });
});

http.listen(Number(process.env.PORT), '127.0.0.1');

process.on('SIGTERM', () => {
  void io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
});
