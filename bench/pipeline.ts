/**
 * P2: new leads arriving at once through the real ingest, drained by 1 and then 3 worker processes
 * with default settings, simulated latency (MissionX 80 ms, AITable 60 ms, ±10 ms jitter), against
 * AITable's ceiling of 5 requests/s × 10 records = 50 lead write-backs/s per datasheet.
 * P3: one lead at a time, zero simulated latency: webhook sent → Portal URL written (answer of the
 * PATCH carrying it), against the same two API calls made directly (the floor of the flow).
 * MissionX list calls per lead, with the organisation holding 1,000 clients that are not ours (P2),
 * and with every create's answer lost among 10,000 (`lookups`): 0 for a new lead, at most 5 for a lost answer.
 * Prints figures; asserts nothing. Run: npx tsx bench/pipeline.ts [leads=600] [latency samples=40] [parts=p2,p3,lookups]
 * Needs the local Redis and Postgres (as the tests do).
 */
import { createQueues, createRedis, closeQueues } from '@bridge/queues';
import type { SimRequest } from '@bridge/simulators';
import { maxPerSecondPerDatasheet, TEST_REDIS_URL } from '@bridge/testkit';
import http from 'node:http';
import { benchCli } from './cli';
import { describeStatuses, fireWebhooks, leadId, LEADS, postWebhook, startStack, webhookBody, runBench, pct } from './stack';

const cli = benchCli(`Usage: npx tsx bench/pipeline.ts [leads=600] [latency samples=40] [parts=p2,p3,lookups]
P2: leads arriving at once through ingest, drained by 1 and by 3 worker processes (MissionX 80 ms, AITable
60 ms simulated) against AITable's ceiling of 50 write-backs/s. P3: webhook -> Portal URL written, one lead
at a time, against the same API calls made directly. lookups: MissionX list calls per lost create answer,
among 10,000 other clients. parts: any of p2, p3, lookups, comma-separated.
Needs the local Redis and Postgres (TEST_REDIS_URL, TEST_DATABASE_URL). Prints figures; asserts nothing.`);
const N = cli.count(0, 'leads', 600);
const SAMPLES = cli.count(1, 'latency samples', 40, 0);
const PARTS = (cli.args[2] ?? 'p2,p3,lookups').split(',');
const unknownPart = PARTS.find((p) => !['p2', 'p3', 'lookups'].includes(p));
if (unknownPart !== undefined) {
  console.error(`parts must be p2, p3 and/or lookups, comma-separated, got "${cli.args[2]}"`);
  process.exit(2);
}
const CEILING = 50;
/** MissionX clients of the organisation that are not ours. */
const FOREIGN = 1000;
const TIME_LIMIT_MS = Math.max(120_000, N * 200);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function drain(workers: number): Promise<void> {
  const stack = await startStack({ leads: N, workers, latency: { aitable: 60, missionx: 80, jitter: 10 }, missionxSeedClients: FOREIGN });
  const redis = createRedis(TEST_REDIS_URL, 'worker');
  const queues = createQueues({ connection: redis, prefix: stack.prefix });
  try {
    const cpu = () => ({ ingest: stack.ingest.cpuSeconds(), workers: stack.workers.reduce((s, w) => s + w.cpuSeconds(), 0) });
    const cpu0 = cpu();
    const started = Date.now();
    const statuses = await fireWebhooks(stack.ingestPort, N, 32);
    const accepted = statuses.get(202) ?? 0;
    const ingested = (Date.now() - started) / 1000;
    for (;;) {
      const c = await queues.leads.getJobCounts('completed', 'failed');
      if ((c.completed ?? 0) + (c.failed ?? 0) >= accepted) break;
      if (Date.now() - started > TIME_LIMIT_MS) throw new Error(`${workers} worker(s): not drained within ${TIME_LIMIT_MS / 1000} s`);
      await sleep(50);
    }
    const seconds = (Date.now() - started) / 1000;
    const cpu1 = cpu();
    const failed = (await queues.leads.getJobCounts('failed')).failed ?? 0;
    const log = await stack.sim.control.requests({ service: 'aitable' });
    const patches = log.filter((r) => r.method === 'PATCH' && r.status === 200);
    const written = (await stack.sim.control.records(LEADS)).filter((r) => r.fields['Portal URL']).length;
    const clients = (await stack.sim.control.missionxClients()).slice(FOREIGN);
    const perLead = new Map<string, number>();
    for (const c of clients) perLead.set(c.customId, (perLead.get(c.customId) ?? 0) + 1);
    const dupes = [...perLead.values()].filter((n) => n > 1).length;
    const lists = (await stack.sim.control.requests({ service: 'missionx', method: 'GET', pathIncludes: '/v2/clients' })).length;
    const rate = N / seconds;
    // Where the bound lies: how busy the API budget was between the first and the last write-back.
    const span = ((patches.at(-1)?.at ?? 0) - (patches[0]?.at ?? 0)) / 1000;
    console.log(
      `P2 ${String(workers).padStart(1)} worker process${workers > 1 ? 'es' : '  '}  ${N} leads  ${seconds.toFixed(1).padStart(6)} s  ${rate.toFixed(1).padStart(5)} leads/s = ` +
        `${(rate / CEILING).toFixed(2)}x of ${CEILING}/s (goal ≥ 0.90x)  | answers ${describeStatuses(statuses)} in ${ingested.toFixed(1)} s, failed jobs ${failed}, ` +
        `portals written ${written}, leads with >1 portal ${dupes}, portals ${clients.length} (besides ${FOREIGN} not ours), ` +
        `MissionX list calls per new lead ${(lists / N).toFixed(2)} (goal 0), PATCHes ${patches.length} ` +
        `(avg ${(written / Math.max(1, patches.length)).toFixed(1)} records), HTTP 429 ${log.filter((r) => r.status === 429).length}, ` +
        `PATCH rate between first and last ${(patches.length / span).toFixed(2)}/s (≤ 5), ` +
        `CPU per lead: ingest ${((1000 * (cpu1.ingest - cpu0.ingest)) / N).toFixed(2)} ms, workers ${((1000 * (cpu1.workers - cpu0.workers)) / N).toFixed(2)} ms, ` +
        `max AITable req/s per datasheet ${maxPerSecondPerDatasheet(log.filter((r) => r.status !== 429))} (≤ 5)`,
    );
  } finally {
    await closeQueues(queues);
    await redis.quit();
    await stack.close();
  }
}

async function latency(): Promise<void> {
  const written = new Map<string, number>();
  // Where the time goes: first MissionX request (ingest, queue, lock, sync row) and PATCH arrival.
  const firstMissionx = new Map<string, number>();
  const patchArrived = new Map<string, number>();
  const epochOffset = Date.now() - performance.now();
  const onRequest = (r: SimRequest) => {
    // A new lead's first MissionX request is its create (no lookup: the sync row is the index).
    const customId = (r.body as { customId?: string } | undefined)?.customId;
    if (r.service === 'missionx' && r.method === 'POST' && customId && !firstMissionx.has(customId))
      firstMissionx.set(customId, r.at - epochOffset);
    if (r.method !== 'PATCH' || r.status !== 200) return;
    for (const rec of (r.body as { records: { recordId: string }[] }).records) patchArrived.set(rec.recordId, r.at - epochOffset);
    for (const rec of (r.body as { records: { recordId: string }[] }).records) written.set(rec.recordId, performance.now());
  };
  const stack = await startStack({ leads: SAMPLES + 5, workers: 1, onRequest });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const samples: number[] = [];
    const toAccepted: number[] = [];
    const toMissionx: number[] = [];
    const toPatch: number[] = [];
    for (let i = 0; i < SAMPLES + 5; i++) {
      const t0 = performance.now();
      if ((await postWebhook(agent, stack.ingestPort, webhookBody(i))) !== 202) throw new Error('webhook not accepted');
      const accepted = performance.now() - t0;
      while (!written.has(leadId(i))) {
        if (performance.now() - t0 > 10_000) throw new Error(`lead ${i} not written within 10 s`);
        await sleep(1);
      }
      if (i >= 5) {
        // The first few warm up connections.
        samples.push((written.get(leadId(i)) as number) - t0);
        toAccepted.push(accepted);
        toMissionx.push((firstMissionx.get(leadId(i)) ?? NaN) - t0);
        toPatch.push((patchArrived.get(leadId(i)) ?? NaN) - t0);
      }
      // Unloaded: at most 4 leads a second, under AITable's 5 requests/s, so no lead waits for the limiter.
      await sleep(Math.max(0, 250 - (performance.now() - t0)));
    }
    const floor = await directCalls(stack.sim.missionxBaseUrl, stack.sim.missionxAuthUrl, stack.sim.aitableBaseUrl);
    samples.sort((a, b) => a - b);
    console.log(
      `P3 webhook → Portal URL written, unloaded, 0 ms simulated latency, ${SAMPLES} leads: p50 ${pct(samples, 50).toFixed(1)} ms (goal < 25), ` +
        `p95 ${pct(samples, 95).toFixed(1)} ms (goal < 100), max ${samples.at(-1)?.toFixed(1)} ms  | baseline: the flow's 2 API calls made directly ${floor.toFixed(1)} ms`,
    );
    const med = (xs: number[]) =>
      pct(
        [...xs].sort((a, b) => a - b),
        50,
      ).toFixed(1);
    console.log(
      `   medians from the webhook: 202 ${med(toAccepted)} ms, first MissionX request ${med(toMissionx)} ms, PATCH arrives ${med(toPatch)} ms, PATCH answered ${med(samples)} ms`,
    );
  } finally {
    agent.destroy();
    await stack.close();
  }
}

/** The flow's own API calls (MissionX create; AITable PATCH) from a bare client, median of 10. */
async function directCalls(missionxBase: string, authUrl: string, aitableBase: string): Promise<number> {
  const token = (
    (await (
      await fetch(authUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'org-id': 'sim-org' },
        body: 'grant_type=client_credentials&client_id=sim-client&client_secret=sim-secret',
      })
    ).json()) as { access_token: string }
  ).access_token;
  const mx = { authorization: `Bearer ${token}`, 'org-id': 'sim-org', 'content-type': 'application/json' };
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const id = leadId(i);
    const t0 = performance.now();
    await (
      await fetch(`${missionxBase}/clients`, {
        method: 'POST',
        headers: mx,
        body: JSON.stringify({ customId: `direct${i}`, title: 'Direct' }),
      })
    ).text();
    const body = JSON.stringify({ records: [{ recordId: id, fields: { 'Portal Status': 'Active' } }], fieldKey: 'name' });
    await (
      await fetch(`${aitableBase}/v1/datasheets/${LEADS}/records`, {
        method: 'PATCH',
        headers: { authorization: 'Bearer sim-aitable-key', 'content-type': 'application/json' },
        body,
      })
    ).text();
    times.push(performance.now() - t0);
    await sleep(250);
  }
  return times.sort((a, b) => a - b)[5] as number;
}

/**
 * Every create's answer is cut (the client is made, the worker never hears it) in an organisation
 * of 10,000 other clients: each lead's retry looks in the updatedAt window since its create intent.
 */
async function lostAnswers(leads = 50, foreign = 10_000): Promise<void> {
  const stack = await startStack({ leads, workers: 1, missionxSeedClients: foreign });
  const redis = createRedis(TEST_REDIS_URL, 'worker');
  const queues = createQueues({ connection: redis, prefix: stack.prefix });
  try {
    await stack.sim.control.injectFault({
      service: 'missionx',
      method: 'POST',
      pathIncludes: '/v2/clients',
      kind: 'cut_after',
      count: leads,
    });
    const statuses = await fireWebhooks(stack.ingestPort, leads, 8);
    const accepted = statuses.get(202) ?? 0;
    const started = Date.now();
    for (;;) {
      const c = await queues.leads.getJobCounts('completed', 'failed');
      if ((c.completed ?? 0) + (c.failed ?? 0) >= accepted) break;
      if (Date.now() - started > TIME_LIMIT_MS) throw new Error(`lost answers: not drained within ${TIME_LIMIT_MS / 1000} s`);
      await sleep(50);
    }
    const log = await stack.sim.control.requests({ service: 'missionx', pathIncludes: '/v2/clients' });
    const cut = log.filter((r) => r.method === 'POST').length;
    const lists = log.filter((r) => r.method === 'GET');
    const ours = (await stack.sim.control.missionxClients()).slice(foreign);
    const perLead = new Map<string, number>();
    for (const c of ours) perLead.set(c.customId, (perLead.get(c.customId) ?? 0) + 1);
    const windowed = lists.filter((r) => String(r.query.updatedAt ?? '').startsWith('gte ')).length;
    console.log(
      `LOOKUPS ${leads} leads, every create answer cut, ${foreign} other clients: MissionX list calls per lost answer ${(lists.length / leads).toFixed(2)} ` +
        `(goal ≤ 5; ${windowed} window pages, ${lists.length - windowed} other), creates ${cut}, portals ${ours.length}, ` +
        `max portals per lead ${Math.max(0, ...perLead.values())}, failed jobs ${(await queues.leads.getJobCounts('failed')).failed ?? 0}; ` +
        `a full scan would cost ${Math.ceil((foreign + leads) / 100)} calls`,
    );
  } finally {
    await closeQueues(queues);
    await redis.quit();
    await stack.close();
  }
}

async function main(): Promise<void> {
  if (PARTS.includes('p2')) {
    await drain(1);
    await drain(3);
  }
  if (PARTS.includes('p3')) await latency();
  if (PARTS.includes('lookups')) await lostAnswers();
}

runBench(main);
