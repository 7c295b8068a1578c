#!/usr/bin/env node
// `npm test`: every test, from a fresh clone. Installs what it needs, then runs, in order:
// format and lint, type checks, backend unit tests, integration tests against real PostgreSQL
// and Redis (a database of their own), dashboard component tests, and the browser test in
// Chromium against the built system. Stops at the first failing step.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const steps = [
  ['format (prettier)', 'npx', ['prettier', '--check', '.', '--log-level', 'warn']],
  ['lint (eslint)', 'npx', ['eslint', '.']],
  ['types (backend)', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['types (dashboard)', 'npx', ['vue-tsc', '-p', 'dashboard/tsconfig.json', '--noEmit']],
  ['types (dashboard config)', 'npx', ['vue-tsc', '-p', 'dashboard/tsconfig.node.json', '--noEmit']],
  ['unit tests (jest)', 'npx', ['jest', '--selectProjects', 'unit']],
  [
    'integration tests (jest, PostgreSQL + Redis)',
    'npx',
    ['jest', '--selectProjects', 'integration', '--runInBand', '--forceExit'],
  ],
  ['dashboard tests (vitest)', 'npx', ['vitest', 'run', '--config', 'dashboard/vite.config.mts']],
  ['build', 'npm', ['run', 'build']],
  ['browser test (Playwright + Chromium)', 'node', ['tests/e2e/run.mjs']],
];

function run(cmd, args) {
  const r = spawnSync(cmd, args, {
    stdio: 'inherit',
    env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : '1' },
  });
  return r.status === 0;
}

if (!existsSync('node_modules/.package-lock.json')) {
  console.log('\n▶ installing dependencies');
  // `npm ci` refuses a lock file without other platforms' optional packages (see .ci/run).
  if (!run('npm', ['ci', '--no-audit', '--no-fund']) && !run('npm', ['install', '--no-audit', '--no-fund']))
    process.exit(1);
}
if (!existsSync('backend/src/generated/prisma/client.ts')) {
  console.log('\n▶ generating the Prisma client');
  if (!run('npm', ['run', 'prisma:generate'])) process.exit(1);
}
if (!existsSync('/usr/bin/chromium') && process.getuid?.() === 0) {
  console.log('\n▶ installing Chromium for the browser test');
  run('apt-get', ['install', '-y', '-q', 'chromium']) ||
    (run('apt-get', ['update', '-q']) && run('apt-get', ['install', '-y', '-q', 'chromium']));
}

const only = process.argv.slice(2);
let passed = 0;
let failed = 0;
const started = Date.now();
for (const [name, cmd, args] of steps) {
  if (only.length && !only.some((o) => name.includes(o))) continue;
  console.log(`\n▶ ${name}`);
  const t = Date.now();
  if (run(cmd, args)) {
    passed++;
    console.log(`✔ ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  } else {
    failed++;
    console.log(`✘ ${name} failed`);
    break;
  }
}
console.log(`\nnpm test: ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`steps: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
