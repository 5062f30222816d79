import { randomUUID } from 'node:crypto';
import { loadConfig, redisTopology } from '@bridge/config';
import { createDb, type AITableSync, type PrismaClient } from '@bridge/db';
import { createLogger } from '@bridge/logger';
import {
  closeQueues,
  createQueues,
  createRedis,
  enqueue,
  type AitableEventJob,
  type AuditResultJob,
  type BridgeQueues,
  type QueueName,
  type RedisConnection,
} from '@bridge/queues';
import { startSimulators, type RunningSimulators, type SimulatorOptions } from '@bridge/simulators';
import { captureLogs, createTestDatabase, TEST_REDIS_URL, uniquePrefix, waitFor, type LogLine, type TestDatabase } from '@bridge/testkit';
import type { Job } from 'bullmq';
import { startWorkerRuntime, WORKER_SECTIONS, type WorkerRuntime } from '../src';

export { advanceCursor, cursorKey } from '../src/reconcile-cursor';

export const DS = { leads: 'dstLeadsSim', orders: 'dstOrdersSim', audit: 'dstAuditSim' } as const;

/** One test file's world: simulators, its own database, queue prefix, and the worker under test. */
export interface Harness {
  sim: RunningSimulators;
  tdb: TestDatabase;
  prisma: PrismaClient;
  prefix: string;
  redis: RedisConnection;
  queues: BridgeQueues;
  /** Log lines of the running worker (JSON), for assertions on log context. */
  logLines: LogLine[];
  env(over?: Record<string, string>): Record<string, string>;
  start(over?: Record<string, string>): Promise<WorkerRuntime>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** Clients in the simulated MissionX organisation that are not the bridge's: our own must be found among them. */
export const FOREIGN_CLIENTS = 1000;

/** `redisEnv`: the variables of a Redis topology of the test's own (Sentinel, Cluster) instead of the shared Redis. */
export async function createHarness(opts: { simulator?: SimulatorOptions; redisEnv?: Record<string, string> } = {}): Promise<Harness> {
  const simulator: SimulatorOptions = { ...opts.simulator, missionx: { seedClients: FOREIGN_CLIENTS, ...opts.simulator?.missionx } };
  const [sim, tdb] = await Promise.all([startSimulators(simulator), createTestDatabase()]);
  const prefix = uniquePrefix('worker');
  const redisEnv = opts.redisEnv ?? { REDIS_URL: TEST_REDIS_URL };
  const redis = createRedis(redisTopology(loadConfig({ ...redisEnv, DATABASE_URL: tdb.url }, [])), 'worker');
  const prisma = createDb({ databaseUrl: tdb.url, poolSize: 2 });
  // Short backoffs so retries finish fast; the same retry policy ingest puts on jobs.
  const queues = createQueues({ connection: redis, prefix, retry: { attempts: 4, backoffMs: 50 } });
  // A failover makes every connection report errors while it reconnects; the test asserts outcomes, not these.
  if (opts.redisEnv) for (const q of Object.values(queues)) q.on('error', () => undefined);
  const logLines: LogLine[] = [];
  let runtime: WorkerRuntime | undefined;

  const env = (over: Record<string, string> = {}): Record<string, string> => ({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    DATABASE_URL: tdb.url,
    ...redisEnv,
    QUEUE_PREFIX: prefix,
    SHUTDOWN_TIMEOUT_MS: '10000',
    AITABLE_API_KEY: 'sim-aitable-key',
    AITABLE_BASE_URL: sim.aitableBaseUrl,
    AITABLE_LEADS_DATASHEET_ID: DS.leads,
    AITABLE_ORDERS_DATASHEET_ID: DS.orders,
    AITABLE_AUDIT_RESULTS_DATASHEET_ID: DS.audit,
    // Each file's limiter windows are its own: other files talk to other simulators.
    AITABLE_RATE_LIMIT_PREFIX: `${prefix}:rl`,
    AITABLE_THROTTLE_BACKOFF_MS: '100',
    AITABLE_TIMEOUT_MS: '3000',
    MISSIONX_BASE_URL: sim.missionxBaseUrl,
    MISSIONX_AUTH_URL: sim.missionxAuthUrl,
    MISSIONX_CLIENT_ID: 'sim-client',
    MISSIONX_CLIENT_SECRET: 'sim-secret',
    MISSIONX_ORG_ID: 'sim-org',
    MISSIONX_TIMEOUT_MS: '3000',
    // A lost create not found at once is looked for again for this long before a new one: short, so tests stay fast.
    MISSIONX_CREATE_SETTLE_MS: '300',
    JOB_BACKOFF_MS: '50',
    WORKER_METRICS_PORT: '0',
    WORKER_RECORD_BUSY_DELAY_MS: '50',
    // Off unless a test turns it on: a scheduled reconcile would add its own AITable reads and jobs.
    RECONCILE_INTERVAL_MS: '0',
    // Likewise the scheduled clean-up of old rows.
    RETENTION_INTERVAL_MS: '0',
    // Likewise the MissionX poll, whose list calls would show in the tests' request counts.
    MISSIONX_POLL_INTERVAL_MS: '0',
    ...over,
  });

  const stop = async () => {
    const r = runtime;
    runtime = undefined;
    if (r) await r.shutdown();
  };

  return {
    sim,
    tdb,
    prisma,
    prefix,
    redis,
    queues,
    logLines,
    env,
    async start(over = {}) {
      const config = loadConfig(env(over), WORKER_SECTIONS);
      const { stream } = captureLogs(logLines);
      const logger = createLogger({ service: 'worker', level: config.LOG_LEVEL, format: 'json', stream });
      runtime = await startWorkerRuntime(config, logger);
      return runtime;
    },
    stop,
    async close() {
      await stop();
      // A topology of the test's own is thrown away whole (KEYS would see one Cluster node only).
      if (!opts.redisEnv) await Promise.all(Object.values(queues).map((q) => q.obliterate({ force: true })));
      await closeQueues(queues);
      if (!opts.redisEnv) {
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length) await redis.del(...keys);
      }
      await redis.quit().catch(() => redis.disconnect());
      await prisma.$disconnect();
      await Promise.all([sim.close(), tdb.drop()]);
    },
  };
}

/** A lead event as ingest enqueues it; `fields` undefined means an id-only event. */
export function leadEvent(recordId: string, over: Partial<AitableEventJob> = {}): AitableEventJob {
  return {
    kind: 'aitable.event',
    deliveryId: randomUUID(),
    requestId: `req-${randomUUID().slice(0, 8)}`,
    receivedAt: new Date().toISOString(),
    eventType: 'record.created',
    datasheetId: DS.leads,
    recordId,
    ...over,
  };
}

export const orderEvent = (recordId: string, over: Partial<AitableEventJob> = {}) =>
  leadEvent(recordId, { datasheetId: DS.orders, ...over });

export function auditJob(orderRecordId: string, over: Partial<AuditResultJob> = {}): AuditResultJob {
  return {
    kind: 'audit.submitted',
    deliveryId: randomUUID(),
    requestId: `req-${randomUUID().slice(0, 8)}`,
    receivedAt: new Date().toISOString(),
    auditId: `audit-${randomUUID().slice(0, 8)}`,
    orderRecordId,
    fileName: 'payroll-2026-10.xlsx',
    uploadDate: '2026-11-01T09:30:00.000Z',
    employeesProcessed: 120,
    correctionsMade: 7,
    correctedFileUrl: 'https://files.example.com/corrected/payroll-2026-10.xlsx',
    status: 'completed',
    ...over,
  };
}

/** Adds a job the way ingest does and answers its id. */
export async function add(
  h: Harness,
  queue: QueueName,
  payload: AitableEventJob | AuditResultJob,
  jobId = payload.deliveryId,
): Promise<string> {
  const q = h.queues[queue] as unknown as Parameters<typeof enqueue>[0];
  return (await enqueue(q, payload, { jobId })).jobId;
}

/** Waits until the job is completed or failed and answers it with its final state. */
export async function settled(h: Harness, queue: QueueName, jobId: string, timeoutMs = 15_000): Promise<{ state: string; job: Job }> {
  return waitFor(
    async () => {
      const state = await h.queues[queue].getJobState(jobId);
      if (state !== 'completed' && state !== 'failed') return undefined;
      // Read after the state: a job read earlier may predate its result.
      const job = await h.queues[queue].getJob(jobId);
      return job ? { state, job: job as Job } : undefined;
    },
    { timeoutMs, what: `job ${jobId} of ${queue} to finish` },
  );
}

export async function syncRow(
  h: Harness,
  datasheetId: string,
  recordId: string,
  direction: 'aitable_to_app' | 'app_to_aitable' = 'aitable_to_app',
): Promise<AITableSync | null> {
  return h.prisma.aITableSync.findUnique({
    where: { datasheetId_recordId_syncDirection: { datasheetId, recordId, syncDirection: direction } },
  });
}

export async function addLead(h: Harness, fields: Record<string, unknown> = {}): Promise<string> {
  const { recordId } = await h.sim.control.addRecord(DS.leads, {
    'Client Name': 'Ada Lovelace',
    Email: 'ada@analytical.example',
    Company: 'Analytical Engines',
    Status: 'New',
    ...fields,
  });
  return recordId;
}

/** The MissionX clients whose customId is this record's (what "one portal per lead" counts). */
export async function clientsOf(h: Harness, recordId: string) {
  return (await h.sim.control.missionxClients()).filter((c) => c.customId === recordId);
}

/** MissionX list calls (`GET /v2/clients`) in the simulator's request log, optionally only those after `since` (epoch ms). */
export async function listCalls(h: Harness, since = 0): Promise<number> {
  return (await h.sim.control.requests({ service: 'missionx', method: 'GET', pathIncludes: '/v2/clients' })).filter((r) => r.at >= since)
    .length;
}

export async function recordOf(h: Harness, datasheetId: string, recordId: string) {
  return (await h.sim.control.records(datasheetId)).find((r) => r.recordId === recordId);
}
