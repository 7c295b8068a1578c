#!/usr/bin/env node
// `npm run demo`: from a fresh clone to a live demo region at http://localhost:3000.
// Installs, finds or starts PostgreSQL and Redis, migrates, seeds (idempotent), builds, and
// starts API + workers + a simulator that books and cancels at a gentle pace.
//   DEMO_SCALE=small|full (default small) · PORT (3000) · DATABASE_URL / REDIS_URL win.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { createRequire } from 'node:module';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from './services.mjs';

const require = createRequire(import.meta.url);
const PORT = process.env.PORT ?? '3000';
const SCALE = process.env.DEMO_SCALE ?? 'small';
const children = [];

const say = (s) => console.log(`\x1b[36m[demo]\x1b[0m ${s}`);
function die(s) {
  console.error(`\x1b[31m[demo]\x1b[0m ${s}`);
  stopAll();
  process.exit(1);
}
function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) die(`${cmd} ${args.join(' ')} failed`);
}
function canConnect(host, port, ms = 800) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port: Number(port) });
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    setTimeout(() => done(false), ms);
  });
}
async function waitPort(host, port, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await canConnect(host, port)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}
function start(name, cmd, args, env = {}) {
  const child = spawn(cmd, args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ...env },
  });
  child.on('exit', (code) => {
    if (!stopping) die(`${name} exited (${code})`);
  });
  children.push(child);
  return child;
}
let stopping = false;
function stopAll() {
  stopping = true;
  for (const c of children.reverse()) c.kill('SIGTERM');
}
process.on('SIGINT', () => {
  say('stopping…');
  stopAll();
  setTimeout(() => process.exit(0), 1500);
});
process.on('SIGTERM', () => {
  stopAll();
  process.exit(0);
});

// 1. dependencies
if (!existsSync('node_modules/.package-lock.json')) {
  say('installing dependencies…');
  // `npm ci` refuses a lock file without other platforms' optional packages (see .ci/run).
  const ci = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (ci.status !== 0) run('npm', ['install', '--no-audit', '--no-fund']);
}

// 2. PostgreSQL: the environment, else the local server, else an embedded PGlite.
let databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  const def = new URL(DEFAULT_DATABASE_URL);
  if (await canConnect(def.hostname, def.port || 5432)) {
    databaseUrl = DEFAULT_DATABASE_URL;
    const pg = require('pg');
    const admin = new pg.Client({ connectionString: DEFAULT_DATABASE_URL.replace(/\/vaxops$/, '/postgres') });
    await admin.connect();
    const exists = await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'vaxops'`);
    if (exists.rowCount === 0) await admin.query('CREATE DATABASE vaxops');
    await admin.end();
  } else {
    const port = 54329;
    say(
      `no PostgreSQL answers on ${def.host}: starting an embedded PGlite on port ${port} (data in .demo/pgdata)`,
    );
    mkdirSync('.demo', { recursive: true });
    start('embedded PostgreSQL', 'node', [
      'node_modules/@electric-sql/pglite-socket/dist/scripts/server.js',
      '--db',
      '.demo/pgdata',
      '--port',
      String(port),
      '--max-connections',
      '40',
    ]);
    if (!(await waitPort('127.0.0.1', port, 20_000))) die('the embedded PostgreSQL did not start');
    databaseUrl = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  }
}
say(`PostgreSQL: ${databaseUrl.replace(/\/\/[^@]*@/, '//')}`);

// 3. Redis: the environment, else the local server, else a redis-server of our own.
let redisUrl = process.env.REDIS_URL;
if (!redisUrl) {
  const def = new URL(DEFAULT_REDIS_URL);
  if (await canConnect(def.hostname, def.port || 6379)) redisUrl = DEFAULT_REDIS_URL;
  else {
    const which = spawnSync('sh', ['-c', 'command -v redis-server']);
    if (which.status !== 0) {
      die(
        'Redis is needed: set REDIS_URL, start Redis on 127.0.0.1:6379, or install it (apt-get install redis-server).',
      );
    }
    say('no Redis answers on 127.0.0.1:6379: starting redis-server on port 6389');
    start('redis-server', 'redis-server', [
      '--port',
      '6389',
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
    if (!(await waitPort('127.0.0.1', 6389, 10_000))) die('redis-server did not start');
    redisUrl = 'redis://127.0.0.1:6389';
  }
}
say(`Redis: ${redisUrl}`);

const env = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl };
// 4. schema, demo data (a second run adds nothing twice), build
say('migrating…');
run('node', ['scripts/with-db-url.mjs', 'prisma', 'migrate', 'deploy'], env);
say(`seeding the demo region (scale ${SCALE})…`);
run('npx', ['tsx', 'prisma/seed/index.ts', `--scale=${SCALE}`], env);
say('building…');
run('npm', ['run', 'build', '--silent']);

// 5. a local SMS provider (46elks' interface) that records every message, API + workers, the simulator
const SMS_SINK_PORT = process.env.SMS_SINK_PORT ?? '3099';
if (!process.env.SMS_PROVIDER_URL) {
  start('SMS sink', 'node', ['dist/backend/src/notifications/sms-sink.js'], { SMS_SINK_PORT });
}
start('vaxops', 'node', ['dist/backend/src/main.js'], {
  ...env,
  SMS_PROVIDER_URL: process.env.SMS_PROVIDER_URL ?? `http://127.0.0.1:${SMS_SINK_PORT}`,
  PUBLIC_URL: process.env.PUBLIC_URL ?? `http://localhost:${PORT}`,
  PORT,
  PROCESS_ROLE: 'all',
  AUTH_MODE: 'dev',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
});
if (!(await waitPort('127.0.0.1', PORT, 60_000))) die('the server did not start');
start('simulator', 'node', ['dist/backend/src/simulator/simulator.js'], {
  BASE_URL: `http://127.0.0.1:${PORT}`,
});

const users = await fetch(`http://127.0.0.1:${PORT}/api/auth/dev-users`).then((r) => r.json());
console.log(`
  vaxops demo is running: \x1b[1mhttp://localhost:${PORT}\x1b[0m
  API docs: http://localhost:${PORT}/api/docs · metrics: http://localhost:${PORT}/metrics
  SMS sent (local sink): http://127.0.0.1:${SMS_SINK_PORT}/messages

  Demo logins (click one on the login page):`);
for (const u of users.filter((x) => /-(B|N|L|T|S|R|A)00\d$/.test(x.hsaId))) {
  console.log(
    `    ${u.hsaId}  ${u.name.padEnd(20)} ${u.assignments.map((a) => `${a.role} @ ${a.unitName}`).join(', ')}`,
  );
}
console.log(`\n  Ctrl-C stops everything.\n`);
