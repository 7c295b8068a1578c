/** Entry for a worker-only process: `node dist/backend/src/worker.js` is PROCESS_ROLE=worker. */
import { loadConfig } from './config/config';
import { bootstrap } from './main';

bootstrap(loadConfig({ ...process.env, PROCESS_ROLE: 'worker' })).catch((err: unknown) => {
  console.error(`vaxops worker: failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
