import type { PrismaClient } from '@bridge/db';
import { toHttpAnswer } from '@bridge/errors';
import { noStoreJson } from '@bridge/http-server';
import type { Logger } from '@bridge/logger';
import type { Metrics } from '@bridge/metrics';
import type { BulkRunner, ClientReader, DeliveryRules } from '@bridge/ops';
import type { MaskPolicy } from '@bridge/privacy';
import type { BridgeQueues, RedisConnection } from '@bridge/queues';
import express, { type ErrorRequestHandler, type Express } from 'express';
import helmet from 'helmet';
import { basicAuth, principalOf, type DashboardUser, type LoginLimits } from './auth';
import { BOARD_PATH, capViewerPageSize, createBoards, offlineBoardPage } from './board';
import { maskAnswers } from './mask-answers';
import { boardRetryRoutes } from './routes/board-retry';
import { bulkRunRoutes } from './routes/bulk-runs';
import { conflictsRoutes } from './routes/conflicts';
import { deliveriesRoutes } from './routes/deliveries';
import { faviconRoutes } from './routes/favicon';
import { insightRoutes } from './routes/insight';
import { jobsRoutes } from './routes/jobs';
import { recordRoutes } from './routes/records';
import { probeRoutes, type MetricsAccess } from './routes/metrics';
import { statusRoutes } from './routes/status';
import { sameOriginOnly } from './same-origin';

export interface DashboardDeps {
  queues: BridgeQueues;
  db: PrismaClient;
  /** The connection the queues use; pinged by /healthz. */
  redis: RedisConnection;
  /** The datasheets by role, and the rest of what ingest checks deliveries by (deliveryRulesFromConfig). */
  datasheets: DeliveryRules;
  users: readonly DashboardUser[];
  /** Start with no users, everyone an operator (local development only). */
  allowNoAuth: boolean;
  logger: Logger;
  metrics: Metrics;
  /** How personal data is masked in every answer (built from the field names in config). */
  mask: MaskPolicy;
  /** Reads a MissionX client live for the record story; without it the story says MissionX is not configured. */
  missionx?: ClientReader;
  /** Runs the bulk runs operators start; without it (no AITable API key) the runs are listed and starting one answers 503. */
  bulk?: BulkRunner;
  /** Which Redis mode runs and where (describeRedis), shown on /status; left out when not given. */
  redisMode?: string;
  /** METRICS_TOKEN and whether /metrics has a port of its own. @defaultValue open, on the dashboard's port */
  metricsAccess?: MetricsAccess;
  /** Failed logins counted per name and per address (LOGIN_FAILURES_*). @defaultValue no limit */
  loginLimits?: LoginLimits;
  /** APP_URL: an Origin of this host is the dashboard's own too, besides the Host asked for. */
  publicUrl?: string;
  /** TRUST_PROXY: Express's `trust proxy`, which decides the client address the login limit counts. @defaultValue false */
  trustProxy?: number | string[] | false;
}

/**
 * The dashboard without a port: Bull Board per role at /admin/queues, the sync status page and
 * its JSON, failed-job replay and rejected-delivery fixes, bulk runs, /metrics and /healthz.
 * Throws NoDashboardUsersError when no user is configured and `allowNoAuth` is false.
 */
export function createApp(deps: DashboardDeps): Express {
  const auth = basicAuth({ users: deps.users, allowNoAuth: deps.allowNoAuth, limits: deps.loginLimits, metrics: deps.metrics });
  if (deps.users.length === 0) {
    deps.logger.warn(
      'DASHBOARD_ALLOW_NO_AUTH is set: the dashboard has NO LOGIN and anyone who can reach it can retry, clean and replay jobs. Never do this outside a developer machine.',
    );
  }
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
  // Bull Board's page loads only its own scripts, so helmet's CSP fits it; but the dashboard
  // is often reached over plain HTTP on a private network, where upgrade-insecure-requests
  // would send the board's assets to an https:// port nobody listens on.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.use(noStoreJson);

  app.use(probeRoutes(deps));
  app.use(faviconRoutes());

  app.use(sameOriginOnly({ publicUrl: deps.publicUrl }));
  app.use(auth);
  app.use(maskAnswers(deps.mask));
  app.use(express.json({ limit: '1mb' }));

  const boards = createBoards(deps.queues);
  const boardRetry = boardRetryRoutes(deps.queues);
  app.use(BOARD_PATH, offlineBoardPage, (req, res, next) => {
    if (principalOf(res).role !== 'operator')
      capViewerPageSize(req, res, (err?: unknown) => (err ? next(err) : boards.viewer(req, res, next)));
    else boardRetry(req, res, (err?: unknown) => (err ? next(err) : boards.operator(req, res, next)));
  });

  app.use(statusRoutes(deps.db, deps.queues, deps.mask, deps.redisMode));
  app.use(jobsRoutes(deps.queues));
  app.use(deliveriesRoutes(deps));
  app.use(insightRoutes(deps.db, deps.queues));
  app.use(recordRoutes(deps, deps.mask));
  app.use(conflictsRoutes(deps.db, deps.queues, deps.mask));
  app.use(bulkRunRoutes(deps.db, deps.bulk));

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', message: 'No such page. Try /status, /admin/queues or /api/status.' });
  });
  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    const answer = toHttpAnswer(err);
    if (answer.status >= 500)
      deps.logger.error('dashboard request failed', {
        method: req.method,
        path: req.path,
        error: err instanceof Error ? err.message : String(err),
      });
    res.status(answer.status).set(answer.headers).json(answer.body);
  };
  app.use(onError);
  return app;
}
