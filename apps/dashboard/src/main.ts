import { loadConfigOrExit, loadEnvFile, personalFieldNames } from '@bridge/config';
import { createLogger } from '@bridge/logger';
import { createMetrics } from '@bridge/metrics';
import { datasheetsFromConfig } from '@bridge/ops';
import { createMaskPolicy } from '@bridge/privacy';
import type { Express } from 'express';
import { createApp } from './app';
import { NoDashboardUsersError } from './auth';
import { openConnections } from './connections';

loadEnvFile();
const config = loadConfigOrExit(process.env, ['dashboard', 'jobs', 'datasheets']);
const logger = createLogger({ service: 'dashboard', level: config.LOG_LEVEL, format: config.LOG_FORMAT });

// One log line per Redis outage, not one per reconnect attempt.
let redisDown = false;
const conns = openConnections(config, (err) => {
  if (!redisDown) logger.error('Redis connection error; reconnecting', { error: err.message });
  redisDown = true;
});
conns.redis.on('ready', () => {
  if (redisDown) logger.info('Redis connection back');
  redisDown = false;
});

function buildApp(): Express | undefined {
  try {
    return createApp({
      ...conns,
      datasheets: datasheetsFromConfig(config),
      users: config.DASHBOARD_USERS,
      allowNoAuth: config.DASHBOARD_ALLOW_NO_AUTH,
      logger,
      metrics: createMetrics('dashboard'),
      mask: createMaskPolicy({ personalFields: personalFieldNames(config) }),
    });
  } catch (err) {
    if (!(err instanceof NoDashboardUsersError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return undefined;
  }
}

function serve(app: Express): void {
  const server = app.listen(config.DASHBOARD_PORT, () => {
    logger.info(`dashboard listening on http://127.0.0.1:${config.DASHBOARD_PORT} (status: /status, queues: /admin/queues, metrics: /metrics)`);
  });
  server.on('error', (err) => {
    logger.error('dashboard could not listen', { error: err.message, port: config.DASHBOARD_PORT });
    void conns.close().finally(() => process.exit(1));
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: closing the dashboard`);
    setTimeout(() => {
      logger.error('shutdown timed out; exiting anyway', { timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS).unref();
    // Stop taking requests (idle keep-alive sockets too), then close what they used.
    server.close(() => {
      void conns.close().then(() => {
        logger.info('dashboard stopped');
        process.exit(0);
      });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

const app = buildApp();
if (app) serve(app);
else void conns.close().finally(() => process.exit(1));
