import type { RunningSimulators } from '@bridge/simulators';
import type { WriteStream } from 'node:fs';
import { freePort, type PgProxy } from '@bridge/testkit';
import type { PrivateRedis } from './infra';
import { BridgeProcess } from './processes';

export const LEADS_SHEET = 'dstLeadsSim';
export const WEBHOOK_SECRET = 'chaos-run-webhook-secret';

/** What every scenario runs on: the simulators, the private Redis, the Postgres proxy and the database behind it. */
export interface Shared {
  sim: RunningSimulators;
  redis: PrivateRedis;
  pg: PgProxy;
  /** The scenario database, reached through the proxy. */
  databaseUrl: string;
  log: WriteStream;
}

/** One scenario's ingest and workers, on a queue prefix of their own. */
export interface Bridge {
  ingest: BridgeProcess;
  workers: BridgeProcess[];
  webhookUrl: string;
  /** Its QUEUE_PREFIX, to look into its queues. */
  prefix: string;
  stop(): Promise<void>;
}

/**
 * Production settings except where a chaos run needs them shorter: job and record locks of 3 s
 * (a killed worker's jobs come back within seconds, not 30 s) and short HTTP timeouts and backoffs.
 */
function baseEnv(shared: Shared, prefix: string): Record<string, string> {
  const { sim } = shared;
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    DATABASE_URL: shared.databaseUrl,
    REDIS_URL: shared.redis.url,
    QUEUE_PREFIX: prefix,
    SHUTDOWN_TIMEOUT_MS: '5000',
    AITABLE_LEADS_DATASHEET_ID: LEADS_SHEET,
    AITABLE_ORDERS_DATASHEET_ID: 'dstOrdersSim',
    AITABLE_AUDIT_RESULTS_DATASHEET_ID: 'dstAuditSim',
    AITABLE_API_KEY: 'sim-aitable-key',
    AITABLE_BASE_URL: sim.aitableBaseUrl,
    AITABLE_RATE_LIMIT_PREFIX: `${prefix}:rl`,
    AITABLE_TIMEOUT_MS: '3000',
    AITABLE_THROTTLE_BACKOFF_MS: '300',
    MISSIONX_BASE_URL: sim.missionxBaseUrl,
    MISSIONX_AUTH_URL: sim.missionxAuthUrl,
    MISSIONX_CLIENT_ID: 'sim-client',
    MISSIONX_CLIENT_SECRET: 'sim-secret',
    MISSIONX_ORG_ID: 'sim-org',
    MISSIONX_TIMEOUT_MS: '2000',
    AITABLE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    AITABLE_WEBHOOK_AUTH: 'token',
    AUDIT_API_TOKEN: 'chaos-run-audit-token',
    JOB_ATTEMPTS: '8',
    JOB_BACKOFF_MS: '1000',
    WORKER_QUEUES: 'leads',
    WORKER_CONCURRENCY_LEADS: '10',
    WORKER_JOB_LOCK_MS: '3000',
    WORKER_STALLED_INTERVAL_MS: '1000',
    WORKER_RECORD_LOCK_TTL_MS: '3000',
    WORKER_RECORD_BUSY_DELAY_MS: '200',
    RECONCILE_INTERVAL_MS: '0',
    MISSIONX_POLL_INTERVAL_MS: '0',
  };
}

/**
 * `redisEnv`: a topology of the scenario's own (Sentinel, Cluster) in place of the private Redis;
 * `over`: the scenario's own settings (e.g. the MissionX poll on).
 */
export async function startBridge(
  shared: Shared,
  prefix: string,
  workerCount: number,
  redisEnv?: Record<string, string>,
  over: Record<string, string> = {},
): Promise<Bridge> {
  const { REDIS_URL, ...rest } = baseEnv(shared, prefix);
  const env: Record<string, string> = { ...rest, ...(redisEnv ?? { REDIS_URL: REDIS_URL! }), ...over };
  const ingestPort = await freePort();
  const ingestEnv = { ...env, INGEST_PORT: String(ingestPort) };
  const ingest = new BridgeProcess('ingest', 'apps/ingest/src/main.ts', ingestEnv, `http://127.0.0.1:${ingestPort}/healthz`, shared.log);
  const workers: BridgeProcess[] = [];
  for (let i = 0; i < workerCount; i++) {
    const port = await freePort();
    const workerEnv = { ...env, WORKER_METRICS_PORT: String(port) };
    workers.push(new BridgeProcess(`worker${i + 1}`, 'apps/worker/src/main.ts', workerEnv, `http://127.0.0.1:${port}/healthz`, shared.log));
  }
  await Promise.all([ingest, ...workers].map((p) => p.start()));
  return {
    ingest,
    workers,
    webhookUrl: `http://127.0.0.1:${ingestPort}/api/aitable/webhook`,
    prefix,
    stop: async () => {
      await Promise.all([ingest, ...workers].map((p) => p.stop()));
    },
  };
}
