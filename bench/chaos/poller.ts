import { createMissionxPollQueue } from '@bridge/queues';
import type { RunningSimulators } from '@bridge/simulators';
import type { ChaosContext, ChaosReport } from './run';
import { LEADS_SHEET } from './stack';

/** The poll interval of the poller row: short, so many runs meet the kill and the restart. */
export const POLLER_INTERVAL_MS = 1000;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Field = 'Portal Status' | 'Project Status';

/** One change made in MissionX during the chaos, and what its lead must then show. */
interface Change {
  recordId: string;
  field: Field;
  value: string;
  make(): Promise<unknown>;
}

/** Each lead's cells the poll writes, by record id. */
async function cells(sim: RunningSimulators): Promise<Map<string, Record<Field | 'url', string | undefined>>> {
  const out = new Map<string, Record<Field | 'url', string | undefined>>();
  for (const r of await sim.control.records(LEADS_SHEET)) {
    const f = r.fields;
    out.set(r.recordId, {
      url: (f['Portal URL'] as { text?: string } | undefined)?.text,
      'Portal Status': typeof f['Portal Status'] === 'string' ? f['Portal Status'] : undefined,
      'Project Status': typeof f['Project Status'] === 'string' ? f['Project Status'] : undefined,
    });
  }
  return out;
}

/** Applied AITable writes of the poll's fields per lead since `since`, read from the simulator's request log. */
async function writesPerLead(sim: RunningSimulators, since: number): Promise<Map<string, number>> {
  const n = new Map<string, number>();
  const requests = await sim.control.requests({ service: 'aitable', method: 'PATCH', pathIncludes: `/datasheets/${LEADS_SHEET}/records` });
  for (const r of requests) {
    if (r.at < since || r.status !== 200) continue;
    for (const rec of (r.body as { records?: { recordId: string; fields: Record<string, unknown> }[] }).records ?? []) {
      if ('Portal Status' in rec.fields || 'Project Status' in rec.fields) n.set(rec.recordId, (n.get(rec.recordId) ?? 0) + 1);
    }
  }
  return n;
}

/** Waits (up to 5 s) for a poll run to be active, so a kill lands mid-run; answers whether one was. */
async function duringAPollRun(ctx: ChaosContext): Promise<boolean> {
  const queue = createMissionxPollQueue({ connection: { url: ctx.shared.redis.url }, prefix: ctx.bridge.prefix });
  try {
    let active = false;
    await ctx.until(async () => (active = (await queue.getActiveCount()) > 0), 5000);
    return active;
  } finally {
    await queue.close();
  }
}

/**
 * The burst's leads get their portals; then a third of their clients is archived and another third
 * given a project, and both land. While the poll runs every second, each lead then gets exactly one
 * MissionX change (an archive, an unarchive, a project completed), a few at a time; the worker is
 * SIGKILLed after a third of them and restarted, Redis SIGKILLed after two thirds and restarted from
 * its AOF 2 s later. Every change must reach its lead, and with exactly one AITable write: a lead
 * that never shows its change is missed, one written more than once is written twice.
 */
export async function pollerThroughKillAndRestart(ctx: ChaosContext): Promise<ChaosReport> {
  const { sim } = ctx.shared;
  await ctx.until(() => ctx.burstDone(), 120_000);
  await ctx.until(
    async () => [...(await cells(sim)).values()].filter((c) => c.url && c['Portal Status'] === 'Active').length >= ctx.accepted(),
  );
  const shown = await cells(sim);
  const clients = (await sim.control.missionxClients())
    .filter((c) => shown.get(c.customId)?.url)
    .sort((a, b) => a.customId.localeCompare(b.customId));
  const third = Math.floor(clients.length / 3);
  const [toArchive, toUnarchive, toComplete] = [clients.slice(0, third), clients.slice(third, 2 * third), clients.slice(2 * third)];

  // Before: archived clients and open projects the leads already show.
  for (const c of toUnarchive) await sim.control.editMissionxClient(c._id, { archived: true });
  const projects = new Map<string, string>();
  for (const c of toComplete)
    projects.set(c._id, (await sim.control.createMissionxProject({ title: `Chaos ${c.customId}`, client: c._id }))._id);
  const landed = (m: Map<string, Record<Field | 'url', string | undefined>>) =>
    toUnarchive.every((c) => m.get(c.customId)?.['Portal Status'] === 'Inactive') &&
    toComplete.every((c) => m.get(c.customId)?.['Project Status'] === 'open');
  await ctx.until(async () => landed(await cells(sim)), 120_000);
  await pause(3 * POLLER_INTERVAL_MS);

  const changes: Change[] = [
    ...toArchive.map((c) => ({
      c,
      field: 'Portal Status' as const,
      value: 'Inactive',
      make: () => sim.control.editMissionxClient(c._id, { archived: true }),
    })),
    ...toUnarchive.map((c) => ({
      c,
      field: 'Portal Status' as const,
      value: 'Active',
      make: () => sim.control.editMissionxClient(c._id, { archived: false }),
    })),
    ...toComplete.map((c) => ({
      c,
      field: 'Project Status' as const,
      value: 'completed',
      make: () => sim.control.editMissionxProject(projects.get(c._id)!, { projectStatus: 'completed' }),
    })),
  ]
    // Interleaved, so every kind of change meets every disruption.
    .map((x, i) => ({ x, k: (i % third) * 3 + Math.floor(i / third) }))
    .sort((a, b) => a.k - b.k)
    .map(({ x }) => ({ recordId: x.c.customId, field: x.field, value: x.value, make: x.make }));

  const since = Date.now();
  const worker = ctx.bridge.workers[0]!;
  const redis = ctx.shared.redis;
  const makeSome = async (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      await changes[i]!.make();
      if (i % 5 === 4) await pause(300);
    }
  };
  const a = Math.round(changes.length / 3);
  const b = Math.round((2 * changes.length) / 3);
  await makeSome(0, a);
  const workerMidRun = await duringAPollRun(ctx);
  const killedAt = Date.now();
  await worker.kill();
  const workerBack = worker.start().then(() => (Date.now() - killedAt) / 1000);
  await makeSome(a, b);
  const workerSeconds = await workerBack;
  const redisMidRun = await duringAPollRun(ctx);
  await redis.kill();
  const redisBack = pause(2000).then(() => redis.start());
  await makeSome(b, changes.length);
  await redisBack;

  const reached = (m: Map<string, Record<Field | 'url', string | undefined>>) =>
    changes.every((c) => m.get(c.recordId)?.[c.field] === c.value);
  await ctx.until(async () => reached(await cells(sim)), 120_000);
  const settledIn = (Date.now() - since) / 1000;
  // A few more runs: a change written again would show now.
  await pause(5 * POLLER_INTERVAL_MS);

  const final = await cells(sim);
  const writes = await writesPerLead(sim, since);
  const missionxWrites = (await sim.control.requests({ service: 'missionx' })).filter(
    (r) => r.at >= since && r.method !== 'GET' && !r.path.includes('/auth/'),
  ).length;
  const lost = new Map<string, string>();
  const duplicated = new Map<string, string>();
  for (const c of changes) {
    const now = final.get(c.recordId)?.[c.field];
    const n = writes.get(c.recordId) ?? 0;
    if (now !== c.value || n === 0) lost.set(c.recordId, `${c.field} shows ${now ?? 'nothing'} (MissionX: ${c.value}), ${n} writes`);
    if (n > 1) duplicated.set(c.recordId, `${c.field} written ${n} times`);
  }
  const once = changes.filter((c) => !lost.has(c.recordId) && !duplicated.has(c.recordId)).length;
  const total = [...writes.values()].reduce((x, y) => x + y, 0);
  return {
    note:
      `${changes.length} MissionX changes (${toArchive.length} archives, ${toUnarchive.length} unarchives, ${toComplete.length} projects completed), ` +
      `poll every ${POLLER_INTERVAL_MS / 1000} s; worker SIGKILLed after ${a} changes${workerMidRun ? ' during a poll run' : ''} ` +
      `(back ${workerSeconds.toFixed(1)} s later), Redis SIGKILLed after ${b}${redisMidRun ? ' during a poll run' : ''} and restarted ` +
      `from its AOF 2 s later; all on their leads ${settledIn.toFixed(1)} s after the first; ` +
      `${once} reached their lead exactly once, ${lost.size} missed, ${duplicated.size} written twice ` +
      `(${total} AITable lead writes counted in the simulator's request log, ${missionxWrites} MissionX writes)`,
    lost,
    duplicated,
  };
}
