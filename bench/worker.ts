/**
 * Lead-flow throughput under AITable's 5 requests/s per datasheet: the write batcher with its
 * default 25 ms window against the same worker with window 0 (the baseline: only writes issued
 * in the same tick share a request), in one process, on the in-process simulators.
 * Prints figures; asserts nothing.
 * Run: npx tsx bench/worker.ts [leads=40]
 * Needs the local Redis and Postgres (as the tests do).
 */
import { loadConfig } from '@bridge/config';
import { createLogger } from '@bridge/logger';
import { closeQueues, createQueues, createRedis, enqueue } from '@bridge/queues';
import { startSimulators } from '@bridge/simulators';
import { createTestDatabase, TEST_REDIS_URL, uniquePrefix } from '@bridge/testkit';
import { startWorkerRuntime, WORKER_SECTIONS } from '@bridge/worker';
import { randomUUID } from 'node:crypto';

const LEADS = Number(process.argv[2] ?? 40);
const TIME_LIMIT_MS = 120_000;
const SHEET = 'dstLeadsSim';

interface Figures {
  seconds: number;
  aitableRequests: number;
  patches: number;
  missionxRequests: number;
  rssMb: number;
}

async function run(label: string, batchWindowMs: number): Promise<Figures> {
  const sim = await startSimulators();
  const tdb = await createTestDatabase();
  const prefix = uniquePrefix(`bench-${label}`);
  const redis = createRedis(TEST_REDIS_URL, 'worker');
  const queues = createQueues({ connection: redis, prefix });
  const config = loadConfig(
    {
      NODE_ENV: 'production',
      DATABASE_URL: tdb.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      AITABLE_API_KEY: 'sim-aitable-key',
      AITABLE_BASE_URL: sim.aitableBaseUrl,
      AITABLE_LEADS_DATASHEET_ID: SHEET,
      AITABLE_ORDERS_DATASHEET_ID: 'dstOrdersSim',
      AITABLE_AUDIT_RESULTS_DATASHEET_ID: 'dstAuditSim',
      AITABLE_RATE_LIMIT_PREFIX: `${prefix}:rl`,
      AITABLE_WRITE_BATCH_WINDOW_MS: String(batchWindowMs),
      MISSIONX_BASE_URL: sim.missionxBaseUrl,
      MISSIONX_AUTH_URL: sim.missionxAuthUrl,
      MISSIONX_CLIENT_ID: 'sim-client',
      MISSIONX_CLIENT_SECRET: 'sim-secret',
      MISSIONX_ORG_ID: 'sim-org',
      WORKER_QUEUES: 'leads',
      WORKER_CONCURRENCY_LEADS: '10',
      WORKER_METRICS_PORT: '0',
      RECONCILE_INTERVAL_MS: '0',
    },
    WORKER_SECTIONS,
  );
  const recordIds: string[] = [];
  for (let i = 0; i < LEADS; i++) {
    const fields = { 'Client Name': `Client ${i}`, Email: `c${i}@firm${i}.example`, Company: `Firm ${i}`, Status: 'New' };
    recordIds.push((await sim.control.addRecord(SHEET, fields)).recordId);
  }
  const runtime = await startWorkerRuntime(config, createLogger({ service: 'bench', level: 'silent' }));
  const started = Date.now();
  for (const recordId of recordIds) {
    const fields = { 'Client Name': 'x', Email: `${recordId}@firm.example`, Company: `Firm ${recordId}` };
    await enqueue(
      queues.leads,
      { kind: 'aitable.event', deliveryId: randomUUID(), requestId: 'bench', receivedAt: new Date().toISOString(), eventType: 'record.created', datasheetId: SHEET, recordId, fields },
      { jobId: randomUUID() },
    );
  }
  while ((await queues.leads.getCompletedCount()) + (await queues.leads.getFailedCount()) < LEADS) {
    if (Date.now() - started > TIME_LIMIT_MS) throw new Error(`${label}: not done within ${TIME_LIMIT_MS / 1000}s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (Date.now() - started) / 1000;
  const failed = await queues.leads.getFailedCount();
  if (failed) console.warn(`${label}: ${failed} jobs failed`);
  const aitable = (await sim.control.requests({ service: 'aitable' })).filter((r) => !r.path.endsWith('/fields'));
  const figures: Figures = {
    seconds,
    aitableRequests: aitable.length,
    patches: aitable.filter((r) => r.method === 'PATCH').length,
    missionxRequests: (await sim.control.requests({ service: 'missionx' })).length,
    rssMb: process.memoryUsage().rss / 2 ** 20,
  };
  await runtime.shutdown();
  await queues.leads.obliterate({ force: true });
  await closeQueues(queues);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await Promise.all([sim.close(), tdb.drop()]);
  return figures;
}

async function main(): Promise<void> {
  console.log(`lead flow, ${LEADS} new leads with fields, concurrency 10, AITable limit 5 req/s per datasheet`);
  const baseline = await run('window0', 0);
  const batched = await run('batched', 25);
  const row = (name: string, f: Figures) =>
    `${name.padEnd(24)} ${f.seconds.toFixed(2).padStart(7)} s  ${(LEADS / f.seconds).toFixed(1).padStart(6)} leads/s  ` +
    `${String(f.aitableRequests).padStart(4)} AITable requests (${f.patches} PATCH)  ${String(f.missionxRequests).padStart(4)} MissionX requests  RSS ${f.rssMb.toFixed(0)} MB`;
  console.log(row('baseline (window 0ms)', baseline));
  console.log(row('batched (window 25ms)', batched));
  console.log(`ratio batched/baseline: throughput ${(baseline.seconds / batched.seconds).toFixed(2)}x, AITable requests ${(batched.aitableRequests / baseline.aitableRequests).toFixed(2)}x`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
