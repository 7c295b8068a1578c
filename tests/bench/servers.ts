import { join } from 'node:path';
import { BENCH_DATABASE_URL, BENCH_REDIS_PREFIX, BENCH_REDIS_URL } from './data';
import { Child, freePort, SERVER_MAIN, startChild } from './proc';

/** The system under test, as `npm start` runs it (built JS, role `all`: API, relay and workers). */
export async function startServer(extraEnv: Record<string, string> = {}, name = 'server'): Promise<Child> {
  const port = await freePort();
  return startChild({
    name,
    args: [SERVER_MAIN],
    port,
    healthPath: '/api/health',
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: BENCH_DATABASE_URL,
      REDIS_URL: BENCH_REDIS_URL,
      REDIS_PREFIX: BENCH_REDIS_PREFIX,
      PORT: String(port),
      HOST: '127.0.0.1',
      AUTH_MODE: 'dev',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      // one bench token drives 100 clients: the limit is checked (its Redis cost is measured) but not hit
      RATE_LIMIT_PER_MINUTE: '100000000',
      PROCESS_ROLE: 'all',
      DASHBOARD_DIR: '/nonexistent',
      DB_POOL_SIZE: '20',
      ...extraEnv,
    },
  });
}

/** A baseline program from this folder, run by Node through tsx's loader (no extra process). */
async function startBaseline(name: string, file: string, env: Record<string, string>): Promise<Child> {
  const port = await freePort();
  return startChild({
    name,
    args: ['--import', 'tsx', join(__dirname, file)],
    port,
    healthPath: '/health',
    env: { NODE_ENV: 'production', PORT: String(port), ...env },
  });
}

export const startBaselineHttp = () =>
  startBaseline('baseline-http', 'baseline-http.ts', { DATABASE_URL: BENCH_DATABASE_URL });

export const startBaselineIo = (sampleEvent: Record<string, unknown>) =>
  startBaseline('baseline-io', 'baseline-io.ts', { BENCH_SAMPLE_EVENT: JSON.stringify(sampleEvent) });

export const startBaselineStock = () =>
  startBaseline('baseline-stock', 'baseline-stock.ts', { DATABASE_URL: BENCH_DATABASE_URL });
