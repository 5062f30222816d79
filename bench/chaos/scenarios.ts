import type { FaultSpec } from '@bridge/simulators';
import type { ChaosContext, Scenario } from './run';
import { LEADS_SHEET } from './stack';

const LEADS = 100;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Adds `rounds` copies of the list in turn, so the faults of one request kind alternate instead of queueing up. */
async function interleave(inject: (f: FaultSpec) => Promise<void>, rounds: number, faults: FaultSpec[]): Promise<void> {
  for (let i = 0; i < rounds; i++) for (const f of faults) await inject(f);
}

/** Kills the one worker three times while it works through the burst, restarting it each time. */
async function killWorkerThrice(ctx: ChaosContext): Promise<void> {
  const worker = ctx.bridge.workers[0]!;
  for (const share of [0.15, 0.4, 0.65]) {
    await ctx.until(async () => (await ctx.portals()) >= LEADS * share);
    await worker.kill();
    await worker.start();
  }
}

export const SCENARIOS: Scenario[] = [
  { name: 'no faults (reference)', leads: LEADS, drainMs: 60_000 },
  { name: 'worker SIGKILLed 3 times', leads: LEADS, drainMs: 90_000, chaos: killWorkerThrice },
  {
    name: 'Redis SIGKILLed + restarted mid-burst',
    leads: LEADS,
    drainMs: 90_000,
    chaos: async (ctx) => {
      await ctx.until(() => ctx.accepted() >= LEADS * 0.4);
      await ctx.shared.redis.kill();
      await pause(2000);
      await ctx.shared.redis.start();
    },
  },
  {
    name: 'Postgres unavailable 20 s',
    leads: LEADS,
    drainMs: 90_000,
    chaos: async (ctx) => {
      await ctx.until(() => ctx.accepted() >= LEADS * 0.2);
      ctx.shared.pg.cut();
      await pause(20_000);
      ctx.shared.pg.restore();
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
        { ...find, count: 2, kind: 'status', status: 500 },
        { ...find, count: 1, kind: 'hang', hangMs: 1500 },
        { ...find, count: 1, kind: 'cut_after' },
      ]);
      await sim.control.injectFault({ service: 'missionx', method: 'POST', pathIncludes: '/auth/token', count: 1, kind: 'status', status: 502 });
    },
  },
  {
    name: 'AITable 429 storm + HTTP-200 errors',
    leads: LEADS,
    drainMs: 90_000,
    prepare: async ({ sim }) => {
      await interleave((f) => sim.control.injectFault(f), 5, [
        { service: 'aitable', pathIncludes: LEADS_SHEET, count: 12, kind: 'rate_limit' },
        { service: 'aitable', method: 'PATCH', pathIncludes: LEADS_SHEET, count: 3, kind: 'envelope_error', code: 500, message: 'Server error, please retry' },
      ]);
    },
  },
];
