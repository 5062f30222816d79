import type { AITableSync, SyncKey } from '@bridge/db';
import { throttled } from '@bridge/errors';
import { oldestFirst, type MissionxClient, type NewMissionxClient } from '@bridge/missionx';
import type { WorkerDeps } from './deps';
import type { JobFacts } from './job-facts';

type Deps = Pick<WorkerDeps, 'missionx' | 'sync' | 'logger' | 'metrics' | 'lostCreates'>;

/** The lead's client as the index knows it; `client` when it was read on the way (a lost create found). */
export interface KnownClient {
  id: string;
  client?: MissionxClient;
}

/**
 * The MissionX client of a lead, from the sync row: MissionX has no customId filter, so the row
 * (AITable record → client `_id`) is the index. A new lead has neither a client id nor a create
 * intent, so this costs no call. Only a create whose outcome we never learned (timeout, cut
 * connection, crash before the id was recorded) is looked for, in the window since its intent.
 */
export async function knownClient(row: AITableSync, key: SyncKey, deps: Deps, job: Pick<JobFacts, 'bulk'>): Promise<KnownClient | null> {
  if (row.entityId) return { id: row.entityId };
  if (!row.createIntentAt) return null;
  const found = await findLostCreate(key.recordId, row.createIntentAt, deps, job);
  if (!found) {
    // Never took effect: forget the intent, or every later event of the record (a delete, a
    // restore) would pay for the window and the full scan again.
    await deps.sync.recordCreateIntent(key, null);
    return null;
  }
  await deps.sync.recordEntity(key, found._id);
  return { id: found._id, client: found };
}

/**
 * Creates the lead's client: the intent (record, time) is stored before the POST and the client id
 * right after it, so whatever happens in between, the next attempt knows to look, and where.
 */
export async function createLeadClient(
  key: SyncKey,
  input: NewMissionxClient,
  deps: Deps,
  job: Pick<JobFacts, 'bulk'>,
): Promise<MissionxClient> {
  await deps.sync.recordCreateIntent(key, new Date());
  const client = await deps.missionx.createClient(input, { bulk: job.bulk });
  await deps.sync.recordEntity(key, client._id);
  return client;
}

/**
 * Looks for the client of a create whose answer was lost. First the narrow window (clients
 * updated since the intent, less the clock skew, oldest first): a few calls however large the
 * organisation. While nothing is found and the create may still land (younger than `settleMs`),
 * the job waits without spending an attempt. After that, one full scan as the last resort
 * (⌈clients / 100⌉ calls, counted apart); null means the create never took effect.
 */
async function findLostCreate(customId: string, intentAt: Date, deps: Deps, job: Pick<JobFacts, 'bulk'>): Promise<MissionxClient | null> {
  const { clockSkewMs, settleMs } = deps.lostCreates;
  const inWindow = await deps.missionx.findInWindow(customId, new Date(intentAt.getTime() - clockSkewMs), { bulk: job.bulk });
  deps.metrics.missionxClientLookups.inc({ kind: 'window', outcome: inWindow.length ? 'found' : 'missing' });
  if (inWindow.length) return pick(inWindow, customId, 'window', deps);

  const age = Date.now() - intentAt.getTime();
  if (age < settleMs) {
    throw throttled(
      'missionx_create_unsettled',
      `A MissionX create for ${customId} ${Math.round(age / 1000)} s ago has no known outcome and its client is not there yet; looking again before creating another`,
      Math.max(250, Math.min(settleMs - age, 5000)),
      { details: { customId, intentAt: intentAt.toISOString() } },
    );
  }
  const matches: MissionxClient[] = [];
  for await (const page of deps.missionx.scanClients({ bulk: job.bulk })) matches.push(...page.filter((c) => c.customId === customId));
  deps.metrics.missionxClientLookups.inc({ kind: 'full_scan', outcome: matches.length ? 'found' : 'missing' });
  deps.logger.warn('MissionX client of a lost create searched by a full scan', { customId, found: matches.length });
  return matches.length ? pick(matches.sort(oldestFirst), customId, 'full_scan', deps) : null;
}

function pick(sorted: MissionxClient[], customId: string, how: string, deps: Deps): MissionxClient {
  if (sorted.length > 1) {
    deps.logger.warn('Several MissionX clients carry this customId; using the oldest', {
      customId,
      how,
      clientIds: sorted.map((c) => c._id),
    });
  }
  return sorted[0]!;
}
