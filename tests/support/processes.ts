import { ChildProcess, spawn } from 'node:child_process';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TEST_DATABASE_URL, TEST_REDIS_PREFIX, TEST_REDIS_URL } from './test-env';

const ROOT = resolve(__dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ChildHandle {
  proc: ChildProcess;
  logFile: string;
  /** SIGKILL (no shutdown hooks, jobs in hand abandoned) or SIGTERM; resolves once it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

function handle(proc: ChildProcess, logFile: string): ChildHandle {
  return {
    proc,
    logFile,
    async kill(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill(signal);
      await exited;
    },
  };
}

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitForLog(h: ChildHandle, pattern: RegExp, name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (h.proc.exitCode !== null) throw new Error(`${name} exited early:\n${logTail(h.logFile)}`);
    try {
      if (pattern.test(readFileSync(h.logFile, 'utf8'))) return;
    } catch {
      /* not yet written */
    }
    await sleep(100);
  }
  throw new Error(`${name} not ready in time:\n${logTail(h.logFile)}`);
}

/**
 * A worker as its own OS process (`backend/src/worker.ts` compiled by swc on the fly), so that
 * a test can SIGKILL it mid-job as a crash would. Resolves once its queues run.
 */
export async function startWorkerProcess(
  env: Record<string, string> = {},
  name = 'worker',
): Promise<ChildHandle> {
  const logFile = join(tmpdir(), `vaxops-test-${name}-${process.pid}-${Date.now()}.log`);
  const fd = openSync(logFile, 'w');
  const proc = spawn(process.execPath, ['-r', './tests/support/swc-register.js', 'backend/src/worker.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: TEST_DATABASE_URL,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: TEST_REDIS_PREFIX,
      AUTH_MODE: 'dev',
      LOG_LEVEL: 'info',
      DB_POOL_SIZE: '10',
      ...env,
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const h = handle(proc, logFile);
  await waitForLog(h, /workers running for queues/, name, 60_000);
  return h;
}

/**
 * A Redis of the test's own (nothing on disk, as in production), so that restarting it touches
 * nobody else's queues.
 */
export async function startRedisServer(port: number): Promise<ChildHandle> {
  const logFile = join(tmpdir(), `vaxops-test-redis-${port}.log`);
  const fd = openSync(logFile, 'w');
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', fd, fd],
    },
  );
  closeSync(fd);
  const h = handle(proc, logFile);
  await waitForLog(h, /Ready to accept connections/, `redis-server :${port}`);
  return h;
}

/** A PostgreSQL cluster of the test's own, on its own port, so that restarting it touches nobody else. */
export interface PostgresServer {
  port: number;
  /** `postgresql://postgres@127.0.0.1:<port>/<database>` */
  url(database: string): string;
  /** Stops the server: `fast` ends sessions and checkpoints; `immediate` is a crash (recovery at the next start). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops and deletes the cluster. */
  destroy(): Promise<void>;
}

function pgBin(name: string): string {
  const versions = readdirSync('/usr/lib/postgresql')
    .filter((v) => existsSync(join('/usr/lib/postgresql', v, 'bin', name)))
    .sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error(`no PostgreSQL binary ${name} under /usr/lib/postgresql/*/bin`);
  return join('/usr/lib/postgresql', versions[0], 'bin', name);
}

/** Runs a PostgreSQL binary as the `postgres` user when we are root (initdb and postgres refuse root). */
function runPg(name: string, args: string[]): Promise<void> {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', pgBin(name), ...args]]
    : [pgBin(name), args];
  return new Promise((resolvePromise, reject) => {
    const p = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: tmpdir() });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.once('error', reject);
    p.once('exit', (code) =>
      code === 0
        ? resolvePromise()
        : reject(new Error(`${name} ${args.join(' ')} failed (${code}):\n${out}`)),
    );
  });
}

export async function startPostgresServer(port: number): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), `vaxops-test-pg-${port}-`));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  if (process.getuid?.() === 0) chownSync(dir, postgresUid().uid, postgresUid().gid);
  await runPg('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
    '--no-instructions',
  ]);
  const opts = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c max_connections=100',
  ].join(' ');
  let running = false;
  const server: PostgresServer = {
    port,
    url: (database) => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      await runPg('pg_ctl', ['-D', data, '-l', logFile, '-o', opts, '-w', '-t', '60', 'start']);
      running = true;
    },
    async stop(mode = 'fast') {
      await runPg('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
      running = false;
    },
    async destroy() {
      if (running) await server.stop('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

function postgresUid(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('no postgres user to run a private PostgreSQL as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
