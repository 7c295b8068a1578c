/**
 * A worker process for the "killed mid-export" test (run with `node --import tsx`): a real BullMQ
 * worker on the `nvr` queue running the real exporter. It announces `HALF` on stdout once half of
 * the run's rows are written and then stalls, so the test can SIGKILL it at exactly that point:
 * the doses claimed (committed) and the files half written.
 */
import { Worker } from 'bullmq';
import { loadConfig } from '../../backend/src/config/config';
import { DatabaseService } from '../../backend/src/infra/database.service';
import { NvrExporter } from '../../backend/src/nvr/nvr-exporter';

const config = loadConfig({ ...process.env, PROCESS_ROLE: 'worker', AUTH_MODE: 'dev' });
const db = new DatabaseService(config);
const exporter = new NvrExporter(db, config);

const worker = new Worker(
  'nvr',
  async (job) => {
    if (job.name !== 'nvr.export') throw new Error(`unexpected job ${job.name}`);
    const data = job.data as { exportId: string };
    return exporter.run(data.exportId, {
      jobId: job.id,
      progressEveryMs: 0,
      onProgress: async ({ done, total }) => {
        await job.updateProgress({ done, total });
        if (total > 0 && done >= total / 2) {
          process.stdout.write(`HALF ${done}/${total}\n`);
          await new Promise(() => undefined); // wait here for the SIGKILL
        }
      },
    });
  },
  {
    connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
    prefix: `${config.REDIS_PREFIX}:bull`,
  },
);
worker.on('ready', () => process.stdout.write('READY\n'));
