import { loadConfigOrExit, loadEnvFile } from '@bridge/config';
import { NoDashboardUsersError } from './auth';
import { optionalAitableConfig, optionalMissionx } from './connections';
import { DASHBOARD_SECTIONS, startDashboard } from './server';

loadEnvFile();
const config = loadConfigOrExit(process.env, DASHBOARD_SECTIONS);

startDashboard(config, { missionx: optionalMissionx(process.env), aitable: optionalAitableConfig(process.env) }).then(
  ({ logger, port, metricsPort, shutdown }) => {
    const metricsAt = metricsPort === undefined ? '/metrics' : `:${metricsPort}/metrics`;
    logger.info(`dashboard listening on http://127.0.0.1:${port} (status: /status, queues: /admin/queues, metrics: ${metricsAt})`);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info(`${signal} received: closing the dashboard`);
      setTimeout(() => {
        logger.error('shutdown timed out; exiting anyway', { timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
        process.exit(1);
      }, config.SHUTDOWN_TIMEOUT_MS).unref();
      void shutdown().then(() => {
        logger.info('dashboard stopped');
        process.exit(0);
      });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  },
  (err: unknown) => {
    // NoDashboardUsersError says what to set; anything else (a port in use) is shown as it is.
    const known = err instanceof NoDashboardUsersError;
    process.stderr.write(`${known ? '' : 'dashboard failed to start: '}${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
