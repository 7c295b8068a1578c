import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sleep } from './stats';

/** The repository root (tests/bench/ is two levels down). */
export const ROOT = resolve(__dirname, '../..');
export const SERVER_MAIN = join(ROOT, 'dist/backend/src/main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the backend when dist is missing or older than any file under backend/src, so that the
 * bench never measures stale code. Other engineers edit backend/ concurrently: a type error
 * elsewhere still emits JavaScript, so it is reported but only a missing main.js is fatal.
 */
export function ensureBuilt(log: (msg: string) => void): void {
  const built = existsSync(SERVER_MAIN) ? statSync(SERVER_MAIN).mtimeMs : 0;
  if (built > newestMtime(join(ROOT, 'backend/src'))) return;
  log('building the backend (tsc -p tsconfig.build.json)…');
  const r = spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    const errors = `${r.stdout}${r.stderr}`.trim().split('\n').slice(0, 10).join('\n');
    if (!existsSync(SERVER_MAIN)) throw new Error(`backend build failed:\n${errors}`);
    log(`warning: tsc reported errors; measuring the JavaScript it emitted anyway:\n${errors}`);
  }
}

/** A free loopback port (tiny race between closing and the child binding it; fine here). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

/** Every child started by the bench, so that an error or Ctrl-C never leaves one running. */
const children = new Set<ChildProcess>();

export function killAllChildren(): void {
  for (const child of children) if (child.exitCode === null && child.pid) child.kill('SIGKILL');
  children.clear();
}
process.once('exit', killAllChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllChildren();
    process.exit(130);
  });
}

export interface Child {
  name: string;
  url: string;
  logFile: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts `node <args>` with its output in a log file under the temp dir, and waits until
 * `GET <url><healthPath>` answers 200. Throws with the log's tail when it dies or times out.
 */
export async function startChild(opts: {
  name: string;
  args: string[];
  env: Record<string, string>;
  port: number;
  healthPath: string;
  timeoutMs?: number;
}): Promise<Child> {
  const logFile = join(tmpdir(), `vaxops-bench-${opts.name}.log`);
  const fd = openSync(logFile, 'w');
  const proc = spawn(process.execPath, opts.args, {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  children.add(proc);
  const url = `http://127.0.0.1:${opts.port}`;
  const child: Child = {
    name: opts.name,
    url,
    logFile,
    proc,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise<void>((r) => proc.once('exit', () => r()));
        proc.kill('SIGTERM');
        // A graceful stop closes sockets and pools; a hung one is killed so the bench goes on.
        const timedOut = await Promise.race([exited.then(() => false), sleep(8000).then(() => true)]);
        if (timedOut) {
          proc.kill('SIGKILL');
          await exited;
        }
      }
      children.delete(proc);
    },
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) {
      children.delete(proc);
      throw new Error(`${opts.name} exited with ${proc.exitCode} before it was ready:\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(url + opts.healthPath, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return child;
    } catch {
      /* not listening yet */
    }
    await sleep(200);
  }
  await child.stop();
  throw new Error(
    `${opts.name} did not become healthy within ${opts.timeoutMs ?? 60_000} ms:\n${tail(logFile)}`,
  );
}
