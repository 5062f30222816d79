import type http from 'node:http';
import { AitableClient, aitableOptionsFromConfig } from '@bridge/aitable';
import { buildFieldMapping, describeRedis, personalFieldNames, redisTopology, type Config } from '@bridge/config';
import {
  createFailureLimit,
  createHttpServer,
  createProbeServer,
  httpTimeoutsFromConfig,
  listen,
  type LimitStore,
} from '@bridge/http-server';
import { createLogger, type Logger } from '@bridge/logger';
import { createMetrics } from '@bridge/metrics';
import { BulkRunner, datasheetsFromConfig, deliveryRulesFromConfig } from '@bridge/ops';
import { createMaskPolicy } from '@bridge/privacy';
import { createApp, type DashboardDeps } from './app';
import { passwordWarnings, type LoginLimits } from './auth';
import { openConnections } from './connections';
import { dashboardMetrics } from './routes/metrics';

export const DASHBOARD_SECTIONS = ['dashboard', 'jobs', 'datasheets', 'http', 'limits'] as const;
export type DashboardConfig = Config<(typeof DASHBOARD_SECTIONS)[number]>;

export interface RunningDashboard {
  server: http.Server;
  port: number;
  /** Port of the separate /metrics server, when DASHBOARD_METRICS_PORT is set. */
  metricsPort?: number;
  logger: Logger;
  /** Stops taking requests (idle keep-alive connections too), then closes Redis and Postgres. */
  shutdown(): Promise<void>;
}

function redisErrorsOnce(logger: Logger) {
  // One log line per Redis outage, not one per reconnect attempt.
  let down = false;
  return {
    onError: (err: Error) => {
      if (!down) logger.error('Redis connection error; reconnecting', { error: err.message });
      down = true;
    },
    onReady: () => {
      if (down) logger.info('Redis connection back');
      down = false;
    },
  };
}

/** The failed-login limits, counted in the queues' Redis under QUEUE_PREFIX so every dashboard process shares them. */
export function loginLimitsFromConfig(config: DashboardConfig, store: LimitStore): LoginLimits {
  const limit = (who: string, points: number) =>
    createFailureLimit({
      store,
      keyPrefix: `${config.QUEUE_PREFIX}:limits:login-${who}`,
      points,
      windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
    });
  return { perUser: limit('user', config.LOGIN_FAILURES_PER_USER), perSource: limit('source', config.LOGIN_FAILURES_PER_SOURCE) };
}

/**
 * The dashboard as `main` runs it: connections, the app behind the shared slow-client limits,
 * and /metrics on its own port when configured. Throws NoDashboardUsersError (connections
 * closed) when no user is configured and no-auth is not allowed.
 */
/**
 * The dashboard's few Postgres connections stay open across the insight page's 30 s refresh: with
 * node-postgres' 10 s they closed between refreshes, and each refresh of a quiet page began by opening
 * them again (4 connections took 70-90 ms on the loaded bench machine) before its cold queries.
 */
const DASHBOARD_DB_IDLE_MS = 60_000;

export async function startDashboard(
  config: DashboardConfig,
  opts: {
    port?: number;
    host?: string;
    logStream?: NodeJS.WritableStream;
    missionx?: DashboardDeps['missionx'];
    /** The AITable API and backfill settings: with them operators can start bulk runs. */
    aitable?: Config<'aitableApi' | 'backfill'>;
  } = {},
): Promise<RunningDashboard> {
  const logger = createLogger({ service: 'dashboard', level: config.LOG_LEVEL, format: config.LOG_FORMAT, stream: opts.logStream });
  const redisLog = redisErrorsOnce(logger);
  const conns = openConnections(config, redisLog.onError, {
    max: config.DASHBOARD_DB_POOL_MAX,
    statementTimeoutMs: config.DASHBOARD_DB_STATEMENT_TIMEOUT_MS,
    idleTimeoutMs: DASHBOARD_DB_IDLE_MS,
  });
  conns.redis.on('ready', redisLog.onReady);
  const metrics = createMetrics('dashboard');
  const datasheets = datasheetsFromConfig(config);
  const aitable = opts.aitable;
  const bulk =
    aitable &&
    new BulkRunner(
      {
        // Reads go through the same Redis rate limiter as the workers' writes, as in the backfill CLI.
        aitable: new AitableClient(aitableOptionsFromConfig(aitable, { redis: conns.redis, logger })),
        redis: conns.redis,
        db: conns.db,
        queues: conns.queues,
        datasheets,
        fields: buildFieldMapping(config),
        queuePrefix: config.QUEUE_PREFIX,
      },
      {
        pageSize: aitable.BACKFILL_PAGE_SIZE,
        chunkSize: aitable.BACKFILL_CHUNK_SIZE,
        maxAhead: aitable.BACKFILL_MAX_AHEAD,
        onError: (runId, err) => logger.error('bulk run failed', { runId, error: err instanceof Error ? err.message : String(err) }),
      },
    );
  const deps: DashboardDeps = {
    ...conns,
    datasheets: deliveryRulesFromConfig(config),
    bulk,
    users: config.DASHBOARD_USERS,
    allowNoAuth: config.DASHBOARD_ALLOW_NO_AUTH,
    logger,
    metrics,
    metricsAccess: { token: config.METRICS_TOKEN, ownPort: config.DASHBOARD_METRICS_PORT !== undefined },
    mask: createMaskPolicy({ personalFields: personalFieldNames(config) }),
    missionx: opts.missionx,
    loginLimits: loginLimitsFromConfig(config, conns.redis),
    publicUrl: config.APP_URL,
    trustProxy: config.TRUST_PROXY,
    redisMode: describeRedis(redisTopology(config)),
  };
  const limits = { timeouts: httpTimeoutsFromConfig(config), metrics };
  let server: http.Server | undefined;
  let metricsServer: http.Server | undefined;
  try {
    for (const warning of passwordWarnings(config.DASHBOARD_USERS, config.NODE_ENV === 'production')) logger.warn(warning);
    server = createHttpServer(limits, createApp(deps));
    const port = await listen(server, opts.port ?? config.DASHBOARD_PORT, opts.host);
    if (config.DASHBOARD_METRICS_PORT !== undefined) metricsServer = createProbeServer(limits, { '/metrics': dashboardMetrics(deps) });
    const metricsPort = metricsServer && (await listen(metricsServer, config.DASHBOARD_METRICS_PORT!, opts.host));
    const shutdown = async () => {
      // First, while Postgres is open: running bulk runs stop at a checkpoint and are marked interrupted.
      await bulk?.close();
      metricsServer?.close();
      await new Promise<void>((resolve) => {
        server!.close(() => resolve());
        server!.closeIdleConnections();
      });
      await conns.close();
    };
    return { server, port, metricsPort, logger, shutdown };
  } catch (err) {
    server?.close();
    await conns.close();
    throw err;
  }
}
