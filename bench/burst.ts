/**
 * P4: a burst of webhooks as fast as this machine takes them, into one ingest process, drained by
 * one worker process with default settings. Each lead arrives twice: `record.created`, then a
 * `record.updated` with the same fields (a second job, which must not make a second portal).
 * AITable's limit is raised to 1000/s on both sides so the drain is bound by this machine, not by
 * the API (P2 covers the API ceiling). Redis memory (INFO used_memory; the Redis is shared, so
 * other users add noise) before, at its peak and after draining, with the jobs retention keeps.
 * Run: npx tsx bench/burst.ts [webhooks=10000] [concurrency=64]
 * Needs the local Redis and Postgres (as the tests do). Prints figures; asserts nothing.
 */
import { closeQueues, createQueues, createRedis } from '@bridge/queues';
import { TEST_REDIS_URL } from '@bridge/testkit';
import { benchCli } from './cli';
import { describeStatuses, fireWebhooks, leadFields, leadId, LEADS, startStack, runBench } from './stack';

const cli = benchCli(`Usage: npx tsx bench/burst.ts [webhooks=10000] [concurrency=64]
P4: a burst of webhooks into one ingest process (each lead twice: created, then updated), drained by one
worker: lost jobs, duplicate portals, Redis memory before, at peak and after.
Needs the local Redis and Postgres (TEST_REDIS_URL, TEST_DATABASE_URL). Prints figures; asserts nothing.`);
const WEBHOOKS = cli.count(0, 'webhooks', 10_000);
const CONCURRENCY = cli.count(1, 'concurrency', 64);
const LEAD_COUNT = Math.ceil(WEBHOOKS / 2);
const TIME_LIMIT_MS = 900_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

function body(n: number): string {
  const i = n % LEAD_COUNT;
  const eventType = n < LEAD_COUNT ? 'record.created' : 'record.updated';
  return JSON.stringify({ eventType, datasheetId: LEADS, recordId: leadId(i), record: { fields: leadFields(i) } });
}

async function main(): Promise<void> {
  const limit = { AITABLE_RATE_LIMIT_PER_SECOND: '1000' };
  const stack = await startStack({ leads: LEAD_COUNT, workers: 1, env: limit });
  await stack.sim.control.setRateLimit(1000);
  const redis = createRedis(TEST_REDIS_URL, 'worker');
  const queues = createQueues({ connection: redis, prefix: stack.prefix });
  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
  try {
    const before = await usedMemory();
    let peak = before;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await usedMemory());
        await sleep(200);
      }
    })();
    const started = Date.now();
    const statuses = await fireWebhooks(stack.ingestPort, WEBHOOKS, CONCURRENCY, body);
    const accepted = statuses.get(202) ?? 0;
    const ingestSeconds = (Date.now() - started) / 1000;
    let counts: Record<string, number> = {};
    for (;;) {
      counts = await queues.leads.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed');
      if ((counts.completed ?? 0) + (counts.failed ?? 0) >= accepted) break;
      if (Date.now() - started > TIME_LIMIT_MS) throw new Error(`not drained within ${TIME_LIMIT_MS / 1000} s: ${JSON.stringify(counts)}`);
      await sleep(250);
    }
    const drainSeconds = (Date.now() - started) / 1000;
    sampling = false;
    await sampler;
    const after = await usedMemory();
    const records = await stack.sim.control.records(LEADS);
    const clients = await stack.sim.control.missionxClients();
    const perLead = new Map<string, number>();
    for (const c of clients) perLead.set(c.customId, (perLead.get(c.customId) ?? 0) + 1);
    const written = records.filter((r) => r.fields['Portal URL']).length;
    console.log(
      `P4 burst: ${WEBHOOKS} webhooks (${LEAD_COUNT} leads × created + updated), ${CONCURRENCY} in flight: ` +
        `answers ${describeStatuses(statuses)} in ${ingestSeconds.toFixed(1)} s (${(accepted / ingestSeconds).toFixed(0)} accepted/s), drained in ${drainSeconds.toFixed(1)} s`,
    );
    console.log(
      `P4 lost ${Math.max(0, accepted - (counts.completed ?? 0))} (goal 0: accepted deliveries without a completed job), failed jobs ${counts.failed ?? 0}, ` +
        `leads written ${written}/${LEAD_COUNT}, portals ${clients.length}, leads with >1 portal ${[...perLead.values()].filter((n) => n > 1).length} (goal 0)`,
    );
    console.log(
      `P4 Redis used_memory: before ${mb(before)}, peak ${mb(peak)}, after draining ${mb(after)} ` +
        `(+${mb(after - before)} for ${counts.completed ?? 0} completed jobs kept by retention: ≤ 50,000 per queue, 7 days)`,
    );
  } finally {
    await closeQueues(queues);
    await redis.quit();
    await stack.close();
  }
}

runBench(main);
