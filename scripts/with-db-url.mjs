#!/usr/bin/env node
// Runs a Prisma CLI command with DATABASE_URL always set. Prisma 6.19 falls back to
// downloading a native engine when it is missing, which fails on machines without internet.
import { spawnSync } from 'node:child_process';
import { resolveDatabaseUrl } from './services.mjs';

const [cmd, ...args] = process.argv.slice(2);
const env = { ...process.env, DATABASE_URL: resolveDatabaseUrl(), PRISMA_HIDE_UPDATE_MESSAGE: '1' };
const bin = cmd === 'prisma' ? 'node_modules/.bin/prisma' : cmd;
const r = spawnSync(bin, args, { stdio: 'inherit', env });
process.exit(r.status ?? 1);
