/** Entry for a worker-only process: `node dist/backend/src/worker.js` = PROCESS_ROLE=worker. */
process.env.PROCESS_ROLE = 'worker';
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('./main')
  .bootstrap(require('./config/config').loadConfig())
  .catch((err: unknown) => {
    console.error(`vaxops worker: failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
