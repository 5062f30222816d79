import type { SyncRepo } from '@bridge/db';
import type { Logger } from '@bridge/logger';
import { oldestFirst, type MissionxApiClient, type MissionxClient } from '@bridge/missionx';

export interface IndexDeps {
  missionx: Pick<MissionxApiClient, 'scanClients'>;
  sync: Pick<SyncRepo, 'find' | 'linkEntity'>;
  leadsDatasheetId: string;
  logger: Logger;
}

/** What a record id of AITable looks like: clients whose customId has another shape were not made for a lead. */
const RECORD_ID = /^rec[A-Za-z0-9]{1,61}$/;

export interface IndexedRecord {
  recordId: string;
  clientId: string;
  /** `linked` (or `would_link` in a dry run): the row now names the client; `already`: it did; `conflict`: it names another. */
  outcome: 'linked' | 'would_link' | 'already' | 'conflict';
  /** Other clients carrying the same customId (made by hand twice, or a past race): listed, never linked. */
  others?: string[];
  rowClientId?: string;
}

export interface IndexResult {
  dryRun: boolean;
  /** List calls made: ⌈clients / 100⌉. */
  calls: number;
  clients: number;
  records: IndexedRecord[];
  linked: number;
  already: number;
  conflicts: number;
}

/**
 * Fills the index of lead → MissionX client from MissionX itself: pages through every client
 * once (100 a page, archived ones too) and links each lead recordId found as a customId to the
 * oldest client carrying it. For organisations that hold clients made for these leads by hand or
 * by an earlier integration, before any backfill: without it the bridge, which never searches by
 * customId, would make a second client for such a lead.
 */
export async function indexMissionxClients(deps: IndexDeps, opts: { dryRun: boolean }): Promise<IndexResult> {
  const byCustomId = new Map<string, MissionxClient[]>();
  let calls = 0;
  let clients = 0;
  for await (const page of deps.missionx.scanClients()) {
    calls++;
    clients += page.length;
    for (const c of page) if (RECORD_ID.test(c.customId)) byCustomId.set(c.customId, [...(byCustomId.get(c.customId) ?? []), c]);
  }
  const records: IndexedRecord[] = [];
  for (const [recordId, found] of byCustomId) {
    const [oldest, ...others] = found.sort(oldestFirst);
    const key = { datasheetId: deps.leadsDatasheetId, recordId, direction: 'aitable_to_app' as const };
    const base = { recordId, clientId: oldest!._id, ...(others.length ? { others: others.map((c) => c._id) } : {}) };
    const row = await deps.sync.find(key);
    if (row?.entityId && row.entityId !== oldest!._id) records.push({ ...base, outcome: 'conflict', rowClientId: row.entityId });
    else if (row?.entityId) records.push({ ...base, outcome: 'already' });
    else if (opts.dryRun) records.push({ ...base, outcome: 'would_link' });
    else {
      const outcome = await deps.sync.linkEntity(key, 'lead', oldest!._id);
      records.push({ ...base, outcome, ...(outcome === 'conflict' ? { rowClientId: (await deps.sync.find(key))?.entityId ?? '' } : {}) });
    }
  }
  const count = (o: IndexedRecord['outcome']) => records.filter((r) => r.outcome === o).length;
  const result = {
    dryRun: opts.dryRun,
    calls,
    clients,
    records,
    linked: count(opts.dryRun ? 'would_link' : 'linked'),
    already: count('already'),
    conflicts: count('conflict'),
  };
  deps.logger.info('MissionX clients indexed', { ...result, records: records.length });
  return result;
}
