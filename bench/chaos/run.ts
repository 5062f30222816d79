import { ClusterTopology, SentinelTopology, uniquePrefix } from '@bridge/testkit';
import { LEADS_SHEET, startBridge, WEBHOOK_SECRET, type Bridge, type Shared } from './stack';
import { outcome, type Row } from './tally';

/** What a scenario's chaos can reach while the burst runs. */
export interface ChaosContext {
  shared: Shared;
  bridge: Bridge;
  /** 202s so far. */
  accepted(): number;
  /** Every answer so far, with when its request was sent. */
  answers: Answer[];
  /** True once every webhook of the burst has its answer. */
  burstDone(): boolean;
  /** The scenario's queue prefix. */
  prefix: string;
  /** The scenario's own Redis topology, when it asked for one. */
  topology?: SentinelTopology | ClusterTopology;
  /** Portals created so far (any customId). */
  portals(): Promise<number>;
  /** Resolves once `check` holds, polling; gives up quietly at the deadline so the run goes on. */
  until(check: () => boolean | Promise<boolean>, timeoutMs?: number): Promise<void>;
}

export interface Scenario {
  name: string;
  leads: number;
  workers?: number;
  /** Before the burst, e.g. faults to inject. */
  prepare?(shared: Shared): Promise<void>;
  /** Runs alongside the burst and the drain; answers what it did, for the lines under the table, and what else it found lost or duplicated. */
  chaos?(ctx: ChaosContext): Promise<string | void | ChaosReport>;
  /** Settings of this scenario's processes over the chaos run's (stack.ts). */
  env?: Record<string, string>;
  /** How long the accepted leads may take to be fully synced after the burst. */
  drainMs: number;
  /** Webhooks sent per second. @defaultValue 50 */
  perSecond?: number;
  /**
   * Runs the bridge on a Redis topology of the scenario's own instead of the private Redis: two
   * replicas per primary, as the runbook advises, so WAIT has a replica left after a promotion.
   */
  topology?: 'sentinel' | 'cluster';
}

/** What a scenario checked beyond the burst's leads (e.g. MissionX changes reaching their leads), counted in the row's lost and duplicated. */
export interface ChaosReport {
  note: string;
  /** What was missed, by what it was (e.g. a record id), and why. */
  lost: Map<string, string>;
  /** What was done more than once, and why. */
  duplicated: Map<string, string>;
}

export interface Answer {
  sentAt: number;
  status: number;
}
const IN_FLIGHT = 8;

export async function runScenario(s: Scenario, shared: Shared, pgAdminUrl: string): Promise<Row> {
  const { sim } = shared;
  await sim.control.reset();
  const leads: Lead[] = [];
  for (let i = 0; i < s.leads; i++) {
    const fields = { 'Client Name': `Chaos ${i}`, Email: `c${i}@firm${i}.example`, Company: `Firm ${i}`, Status: 'New' };
    leads.push({ recordId: (await sim.control.addRecord(LEADS_SHEET, fields)).recordId, fields });
  }
  await s.prepare?.(shared);
  const topology =
    s.topology === 'sentinel'
      ? await SentinelTopology.start({ replicas: 2 })
      : s.topology === 'cluster'
        ? await ClusterTopology.start({ replicas: 2 })
        : undefined;
  try {
    return await runOn(s, shared, pgAdminUrl, leads, topology);
  } finally {
    await topology?.stop();
  }
}

async function runOn(
  s: Scenario,
  shared: Shared,
  pgAdminUrl: string,
  leads: Lead[],
  topology?: SentinelTopology | ClusterTopology,
): Promise<Row> {
  const { sim } = shared;
  const prefix = uniquePrefix('chaos');
  const bridge = await startBridge(shared, prefix, s.workers ?? 1, topology?.env, s.env);
  const accepted: string[] = [];
  const answers: Answer[] = [];
  let burstDone = false;
  const started = Date.now();
  const ctx: ChaosContext = {
    shared,
    bridge,
    accepted: () => accepted.length,
    answers,
    burstDone: () => burstDone,
    prefix,
    topology,
    portals: async () => (await sim.control.missionxClients()).length,
    until: async (check, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline && !(await check())) await new Promise((r) => setTimeout(r, 100));
    },
  };
  const chaos = s.chaos?.(ctx);
  const refused = new Map<number, number>();
  await sendBurst(bridge.webhookUrl, leads, s.perSecond ?? 50, (id, status, sentAt) => {
    answers.push({ sentAt, status });
    if (status === 202) accepted.push(id);
    else refused.set(status, (refused.get(status) ?? 0) + 1);
  });
  burstDone = true;
  // Done when every accepted lead is fully synced, or at the deadline (what is missing then is lost).
  const deadline = Date.now() + s.drainMs;
  let seen = await outcome(sim, pgAdminUrl, shared.databaseUrl, accepted);
  while (seen.lost.size > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    seen = await outcome(sim, pgAdminUrl, shared.databaseUrl, accepted);
  }
  const done = await chaos;
  const did = typeof done === 'object' ? done.note : done;
  const extra = typeof done === 'object' ? done : { lost: new Map<string, string>(), duplicated: new Map<string, string>() };
  const seconds = (Date.now() - started) / 1000;
  await bridge.stop();
  // Read again after the processes stopped: a late duplicate must show.
  seen = await outcome(sim, pgAdminUrl, shared.databaseUrl, accepted);
  const unused = (await sim.control.faults()).reduce((n, f) => n + f.remaining, 0);
  const taken = new Set(accepted);
  const refusedIds = new Set(leads.map((l) => l.recordId).filter((id) => !taken.has(id)));
  const portalsOfRefused = (await sim.control.missionxClients()).filter((c) => refusedIds.has(c.customId));
  const refusedWithPortal = new Set(portalsOfRefused.map((c) => c.customId)).size;
  const notes = [
    ...(did ? [did] : []),
    ...[...refused].map(([status, n]) => `${n} webhooks answered ${status || 'no answer'} (not accepted, so not counted as lost)`),
    ...(refusedWithPortal ? [`${refusedWithPortal} of the refused webhooks still got a portal (their job landed after the 503)`] : []),
    ...(unused ? [`${unused} injected fault uses never met a request`] : []),
    ...[...seen.lost].map(([id, why]) => `lost ${id}: ${why}`),
    ...[...seen.duplicated].map(([id, why]) => `duplicated ${id}: ${why}`),
    ...[...extra.lost].map(([id, why]) => `missed ${id}: ${why}`),
    ...[...extra.duplicated].map(([id, why]) => `twice ${id}: ${why}`),
  ];
  return {
    scenario: s.name,
    sent: leads.length,
    accepted: accepted.length,
    unavailable: refused.get(503) ?? 0,
    portalsMax: seen.portalsMax,
    portalsTotal: seen.portalsTotal,
    writeBacks: seen.writeBacks,
    syncRows: seen.syncRows,
    deliveryRows: seen.deliveryRows,
    lost: seen.lost.size + extra.lost.size,
    duplicated: seen.duplicated.size + extra.duplicated.size,
    seconds,
    notes,
  };
}

interface Lead {
  recordId: string;
  fields: Record<string, unknown>;
}

/** One POST per lead the way an AITable automation sends it (no retry), paced, a few in flight. */
async function sendBurst(
  url: string,
  leads: Lead[],
  perSecond: number,
  onAnswer: (id: string, status: number, sentAt: number) => void,
): Promise<void> {
  let next = 0;
  const started = Date.now();
  const sender = async () => {
    while (next < leads.length) {
      const i = next++;
      const { recordId, fields } = leads[i]!;
      const due = started + (i * 1000) / perSecond - Date.now();
      if (due > 0) await new Promise((r) => setTimeout(r, due));
      const body = JSON.stringify({ eventType: 'record.created', datasheetId: LEADS_SHEET, recordId, record: { fields } });
      const sentAt = Date.now();
      const status = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-aitable-signature': WEBHOOK_SECRET },
        body,
        signal: AbortSignal.timeout(5000),
      }).then(
        (r) => r.status,
        () => 0,
      );
      onAnswer(recordId, status, sentAt);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
}
