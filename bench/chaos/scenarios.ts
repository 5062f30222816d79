import { createQueues, closeQueues, queuePrefix, QUEUE_NAMES } from '@bridge/queues';
import type { FaultSpec } from '@bridge/simulators';
import type { ClusterTopology, SentinelTopology } from '@bridge/testkit';
import { pollerThroughKillAndRestart, POLLER_INTERVAL_MS } from './poller';
import type { ChaosContext, Scenario } from './run';
import { LEADS_SHEET } from './stack';

const LEADS = 100;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Adds `rounds` copies of the list in turn, so the faults of one request kind alternate instead of queueing up. */
async function interleave(inject: (f: FaultSpec) => Promise<void>, rounds: number, faults: FaultSpec[]): Promise<void> {
  for (let i = 0; i < rounds; i++) for (const f of faults) await inject(f);
}

/**
 * Kills the worker three times, at 15%, 40% and 65% of the portals made, restarting it each time.
 * One worker, so nothing moves while it is down and every kill lands mid-work however slow the
 * restart (seconds on a loaded 2-core machine).
 */
async function killWorkerThrice(ctx: ChaosContext): Promise<string> {
  const worker = ctx.bridge.workers[0]!;
  const at: number[] = [];
  for (const share of [0.15, 0.4, 0.65]) {
    await ctx.until(async () => (await ctx.portals()) >= LEADS * share);
    at.push(await ctx.portals());
    await worker.kill();
    await worker.start();
  }
  return `worker SIGKILLed with ${at.join(', ')} of ${LEADS} portals made`;
}

/** Cuts Postgres (through the proxy) once a fifth of the burst is accepted, for `ms`; says after how many 202s. */
async function cutPostgres(ctx: ChaosContext, ms: number): Promise<number> {
  await ctx.until(() => ctx.accepted() >= LEADS * 0.2);
  const at = ctx.accepted();
  ctx.shared.pg.cut();
  await pause(ms);
  ctx.shared.pg.restore();
  return at;
}

/** Jobs in the failed set of every event queue: what a person would have to look at. */
async function failedJobs(ctx: ChaosContext): Promise<number> {
  const queues = createQueues({ connection: { url: ctx.shared.redis.url }, prefix: ctx.bridge.prefix });
  try {
    const counts = await Promise.all(QUEUE_NAMES.map((n) => queues[n].getFailedCount()));
    return counts.reduce((a, b) => a + b, 0);
  } finally {
    await closeQueues(queues);
  }
}

/**
 * How the requests sent between the kill and the new primary's first accepted write fared; read
 * once the burst has all its answers. The goal: at least 75% of them answered 202.
 */
async function failoverShare(ctx: ChaosContext, from: number, to: number): Promise<string> {
  await ctx.until(() => ctx.burstDone(), 120_000);
  const during = ctx.answers.filter((a) => a.sentAt >= from && a.sentAt <= to);
  const ok = during.filter((a) => a.status === 202).length;
  const share = during.length ? Math.round((ok / during.length) * 100) : 100;
  return `${ok} of ${during.length} webhooks sent during the failover (${((to - from) / 1000).toFixed(1)} s) answered 202 (${share}%)`;
}

/** When the first request sent at or after `t` that got a 202 was sent: the new primary took writes again. */
async function firstAcceptedAfter(ctx: ChaosContext, t: number): Promise<number> {
  let at = 0;
  await ctx.until(() => {
    const a = ctx.answers.find((x) => x.sentAt >= t && x.status === 202);
    if (a) at = a.sentAt;
    return !!a || ctx.burstDone();
  }, 60_000);
  return at || Date.now();
}

export const SCENARIOS: Scenario[] = [
  { name: 'no faults (reference)', leads: LEADS, drainMs: 60_000 },
  { name: 'worker SIGKILLed 3 times', leads: LEADS, drainMs: 120_000, chaos: killWorkerThrice },
  {
    name: 'Redis SIGKILLed + restarted mid-burst',
    leads: LEADS,
    drainMs: 90_000,
    // A 10 s burst, so it goes on well after Redis is back: ingest answers 503 while Redis is away.
    perSecond: 10,
    chaos: async (ctx) => {
      await ctx.until(() => ctx.accepted() >= LEADS * 0.3);
      const at = ctx.accepted();
      await ctx.shared.redis.kill();
      await pause(2000);
      await ctx.shared.redis.start();
      return `Redis SIGKILLed after ${at} 202s, restarted from its AOF 2 s later`;
    },
  },
  {
    name: 'Redis Sentinel: primary SIGKILLed mid-burst',
    leads: LEADS,
    drainMs: 90_000,
    perSecond: 10,
    topology: 'sentinel',
    chaos: async (ctx) => {
      const t = ctx.topology as SentinelTopology;
      await ctx.until(() => ctx.accepted() >= LEADS * 0.3);
      const at = ctx.accepted();
      const from = Date.now();
      const old = await t.killPrimary();
      const promoted = await t.waitForFailover(old);
      const elected = Date.now();
      const to = await firstAcceptedAfter(ctx, elected);
      await t.restart(old);
      const share = await failoverShare(ctx, from, Math.max(to, elected));
      return `primary :${old} SIGKILLed after ${at} 202s; sentinels named :${promoted} after ${((elected - from) / 1000).toFixed(1)} s; ${share}`;
    },
  },
  {
    name: 'Redis Cluster: a primary SIGKILLed mid-burst',
    leads: LEADS,
    drainMs: 90_000,
    perSecond: 10,
    topology: 'cluster',
    chaos: async (ctx) => {
      const t = ctx.topology as ClusterTopology;
      const leadsKey = `${queuePrefix(ctx.prefix, 'leads', { isCluster: true })}:leads`;
      await ctx.until(() => ctx.accepted() >= LEADS * 0.3);
      const at = ctx.accepted();
      const from = Date.now();
      const old = await t.killPrimaryOf(leadsKey);
      const promoted = await t.waitForFailover(leadsKey, old);
      const elected = Date.now();
      // As a supervisor would: the old node comes back as the promoted one's replica, so WAIT can be met again.
      await t.restart(old);
      const to = await firstAcceptedAfter(ctx, elected);
      const share = await failoverShare(ctx, from, Math.max(to, elected));
      return `primary :${old} of the leads queue's slot SIGKILLed after ${at} 202s; :${promoted} promoted after ${((elected - from) / 1000).toFixed(1)} s; ${share}`;
    },
  },
  {
    name: 'Postgres unavailable 20 s',
    leads: LEADS,
    drainMs: 90_000,
    chaos: async (ctx) => {
      const at = await cutPostgres(ctx, 20_000);
      return `Postgres connections cut and refused for 20 s from ${at} 202s on`;
    },
  },
  {
    // Longer than 8 attempts last (at most 127 s from the run's 1 s first backoff): only the outage budget keeps these jobs out of the failed set.
    name: 'Postgres stopped 5 min',
    leads: LEADS,
    drainMs: 300_000 + 120_000,
    chaos: async (ctx) => {
      const at = await cutPostgres(ctx, 300_000);
      await ctx.until(async () => (await ctx.portals()) >= ctx.accepted(), 120_000);
      return `Postgres connections cut and refused for 5 min from ${at} 202s on; ${await failedJobs(ctx)} jobs in the failed set after the drain`;
    },
  },
  {
    name: 'MissionX 5xx, hangs, lost answers',
    leads: LEADS,
    drainMs: 90_000,
    prepare: async ({ sim }) => {
      const create = { service: 'missionx', method: 'POST', pathIncludes: '/v2/clients' } as const;
      const find = { service: 'missionx', method: 'GET', pathIncludes: '/v2/clients' } as const;
      await interleave((f) => sim.control.injectFault(f), 5, [
        { ...create, count: 2, kind: 'status', status: 503 },
        { ...create, count: 3, kind: 'cut_after' },
        { ...create, count: 1, kind: 'hang' },
        { ...create, count: 1, kind: 'hang', hangMs: 3000 },
        { ...find, count: 2, kind: 'status', status: 500 },
        { ...find, count: 1, kind: 'hang', hangMs: 1500 },
        { ...find, count: 1, kind: 'cut_after' },
      ]);
      const token = { service: 'missionx', method: 'POST', pathIncludes: '/auth/token' } as const;
      await sim.control.injectFault({ ...token, count: 1, kind: 'status', status: 502 });
    },
  },
  {
    name: 'AITable 429 storm + HTTP-200 errors',
    leads: LEADS,
    drainMs: 90_000,
    // Once the bridge is up, so the storm meets the burst rather than the start-up field check.
    chaos: async ({ shared: { sim } }) => {
      await interleave((f) => sim.control.injectFault(f), 5, [
        { service: 'aitable', pathIncludes: LEADS_SHEET, count: 12, kind: 'rate_limit' },
        { service: 'aitable', method: 'PATCH', pathIncludes: LEADS_SHEET, count: 3, kind: 'envelope_error', code: 500 },
      ]);
    },
  },
  {
    name: 'MissionX poller through a worker kill + Redis restart',
    leads: LEADS,
    drainMs: 60_000,
    env: { MISSIONX_POLL_INTERVAL_MS: String(POLLER_INTERVAL_MS) },
    chaos: pollerThroughKillAndRestart,
  },
];
