import { loadConfigOrExit, loadEnvFile } from '@bridge/config';
import { describeError } from '@bridge/errors';
import { createLogger } from '@bridge/logger';
import { WORKER_SECTIONS } from './create-deps';
import { startWorkerRuntime } from './runtime';

// `npm run start:worker`: config once, then the runtime; SIGTERM/SIGINT stop it gracefully.
loadEnvFile();
const config = loadConfigOrExit(process.env, WORKER_SECTIONS);
const logger = createLogger({ service: 'worker', level: config.LOG_LEVEL, format: config.LOG_FORMAT ?? 'json' });

startWorkerRuntime(config, logger).then(
  (runtime) => {
    const onSignal = (signal: string) => {
      logger.info('signal received', { signal });
      runtime.shutdown().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error('shutdown failed', { error: describeError(err) });
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  },
  (err: unknown) => {
    // Printed plainly too: this is what a person starting the worker reads first.
    process.stderr.write(`Worker did not start: ${describeError(err)}\n`);
    logger.error('worker did not start', { error: describeError(err) });
    process.exit(1);
  },
);
