import { randomUUID } from 'node:crypto';
import {
  closeConflict,
  createSyncRepo,
  getConflict,
  listConflicts,
  type ConflictFilter,
  type PrismaClient,
  type SyncConflict,
} from '@bridge/db';
import { permanent } from '@bridge/errors';
import { enqueue, JOBS, type AitableEventJob, type BridgeQueues } from '@bridge/queues';

export type ConflictChoice = 'aitable' | 'missionx';

/** A conflict as the API and the CLI show it. */
export function toConflictItem(c: SyncConflict) {
  return {
    id: c.id,
    detectedAt: c.detectedAt.toISOString(),
    datasheetId: c.datasheetId,
    recordId: c.recordId,
    field: c.field,
    aitableValue: c.aitableValue,
    aitableAt: c.aitableAt?.toISOString() ?? null,
    bridgeValue: c.bridgeValue,
    bridgeAt: c.bridgeAt?.toISOString() ?? null,
    /** Set when both sides changed the fact since the last sync: what MissionX changed it to, and when. */
    missionxValue: c.missionxValue,
    missionxAt: c.missionxAt?.toISOString() ?? null,
    policy: c.policy,
    outcome: c.outcome,
    resolvedAt: c.resolvedAt?.toISOString() ?? null,
    resolvedBy: c.resolvedBy,
  };
}
export type ConflictItem = ReturnType<typeof toConflictItem>;

/** `?state=open|all&recordId=&limit=`, each checked: a bad one is a 400 naming it. */
export function parseConflictFilter(q: Record<string, unknown>): ConflictFilter {
  const state = q.state ?? 'all';
  if (state !== 'open' && state !== 'all')
    throw permanent('invalid_query', 'state must be open or all', { httpStatus: 400, details: { field: 'state' } });
  const limit = q.limit === undefined ? undefined : Number(q.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 1000)) {
    throw permanent('invalid_query', 'limit must be a whole number from 1 to 1000', { httpStatus: 400, details: { field: 'limit' } });
  }
  const recordId = typeof q.recordId === 'string' && q.recordId !== '' ? q.recordId : undefined;
  return { state, limit, recordId };
}

export async function conflicts(db: PrismaClient, filter: ConflictFilter = {}): Promise<ConflictItem[]> {
  return (await listConflicts(db, filter)).map(toConflictItem);
}

export async function conflict(db: PrismaClient, id: string): Promise<ConflictItem> {
  const c = await getConflict(db, id).catch(() => null);
  if (!c) throw permanent('not_found', `no conflict ${id}`, { httpStatus: 404, details: { field: 'id' } });
  return toConflictItem(c);
}

/**
 * An operator settles a held conflict. Take AITable: its value becomes the one the bridge stands
 * for, so nothing is written and the field no longer conflicts. Take MissionX: a lead job is
 * queued, and the worker writes the bridge's value back (a conflict resolved for MissionX with
 * this AITable value is restored, not held again); when MissionX changed the fact too, its value
 * becomes the bridge's first, so that is what is written.
 */
export async function resolveConflict(
  db: PrismaClient,
  queues: BridgeQueues,
  id: string,
  take: unknown,
  actor: string,
): Promise<ConflictItem & { jobId?: string }> {
  if (take !== 'aitable' && take !== 'missionx') {
    throw permanent('invalid_body', 'take must be "aitable" or "missionx"', { httpStatus: 400, details: { field: 'take' } });
  }
  const before = await conflict(db, id);
  const closed = await closeConflict(db, id, take === 'aitable' ? 'resolved_aitable' : 'resolved_missionx', actor);
  if (!closed) {
    throw permanent('conflict_not_held', `conflict ${id} is not waiting for an operator (outcome ${before.outcome})`, {
      httpStatus: 409,
      details: { field: 'id', outcome: before.outcome },
    });
  }
  const key = { datasheetId: closed.datasheetId, recordId: closed.recordId, direction: 'aitable_to_app' as const };
  if (take === 'aitable') {
    await createSyncRepo(db).recordOwnedValues(key, { [closed.field]: closed.aitableValue });
    return toConflictItem(closed);
  }
  if (closed.missionxValue !== null) await createSyncRepo(db).recordOwnedValues(key, { [closed.field]: closed.missionxValue });
  const job: AitableEventJob = {
    kind: 'aitable.event',
    deliveryId: randomUUID(),
    requestId: `conflict-${closed.id}`,
    receivedAt: new Date().toISOString(),
    eventType: 'record.updated',
    datasheetId: closed.datasheetId,
    recordId: closed.recordId,
  };
  const { jobId } = await enqueue(queues[JOBS.leads.name], job, { jobId: job.deliveryId });
  return { ...toConflictItem(closed), jobId };
}
