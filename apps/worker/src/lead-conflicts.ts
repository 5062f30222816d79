import { FIELD_OWNERSHIP, type ConflictPolicy, type LeadFields } from '@bridge/config';
import { ownedValuesOf, type AITableSync, type ConflictOutcome, type SyncKey } from '@bridge/db';
import type { WorkerDeps } from './deps';
import { ownedPortalStatus, type LeadInput } from '@bridge/sync-rules';

type ConflictDeps = Pick<WorkerDeps, 'sync' | 'metrics' | 'logger'>;

/** Fields an aitable-wins conflict gave up on this record: the bridge no longer writes them. */
export const yieldedOf = (row: AITableSync | null): string[] => {
  const y = (row?.metadata as { yielded?: unknown } | null)?.yielded;
  return Array.isArray(y) ? y.filter((f): f is string => typeof f === 'string') : [];
};

/** The conflict policy of a lead field by its AITable name (undefined: not a field the bridge owns). */
export function leadFieldPolicy(fields: LeadFields, name: string): ConflictPolicy | undefined {
  const key = (Object.keys(fields) as (keyof LeadFields)[]).find((k) => fields[k] === name);
  return key ? FIELD_OWNERSHIP.lead[key].policy : undefined;
}

export interface FieldSeen {
  /** AITable field name. */
  name: string;
  /** What the record shows now; undefined when not known (an event that left it out). */
  shown: string | null | undefined;
  /** The last value the bridge wrote; undefined when it never wrote one. */
  ours: string | undefined;
  /** The record's AITable updatedAt (epoch ms), when known. */
  aitableAt?: number;
  /** What MissionX says the fact is now, and since when (the document's updatedAt), as the poll read it; absent in the lead flow. */
  missionx?: { value: string; at: string };
}

/**
 * One field the bridge owns, compared with the last value it wrote. A difference is a conflict: a
 * person changed the field, and when MissionX changed the same fact to another value since our
 * last write, both sides did (their values and times are both recorded). It is settled by the
 * field's policy and recorded: bridge-wins lets the caller write the bridge's side (MissionX's new
 * value, or ours again), aitable-wins adopts theirs and yields the field for this record, manual
 * holds it for an operator. Both sides changing it to the same value is no conflict. A held
 * conflict is not recorded again at every look, but a MissionX change met while it waits is noted
 * on it (and closes it when MissionX now says what AITable shows); one an operator resolved for
 * MissionX with this AITable value is restored.
 * Answers whether the caller may write the field.
 */
export async function settleField(
  deps: ConflictDeps,
  key: SyncKey,
  row: AITableSync,
  f: FieldSeen,
  policy: ConflictPolicy,
): Promise<boolean> {
  if (yieldedOf(row).includes(f.name)) return false;
  const theirs = f.missionx && f.missionx.value !== f.ours ? f.missionx : undefined;
  const latest = await deps.sync.latestConflict(key, f.name);
  if (latest?.outcome === 'held') {
    if (!theirs || latest.missionxValue === theirs.value) return false;
    // MissionX changed the held fact to what AITable shows: both sides agree, nothing is left to decide.
    const agreed = theirs.value === f.shown;
    if (!(await deps.sync.noteMissionxSide(latest.id, theirs.value, new Date(theirs.at), agreed))) return false;
    const what = agreed
      ? 'MissionX now agrees with a held conflict: closed'
      : 'MissionX changed a fact held for an operator: noted on the conflict';
    deps.logger.warn(what, { field: f.name, conflictId: latest.id });
    return agreed;
  }
  if (f.shown === undefined || f.ours === undefined || f.shown === f.ours) return true;
  if (theirs && theirs.value === f.shown) return true;
  if (latest?.outcome === 'resolved_missionx' && latest.aitableValue === f.shown) return true;
  const outcome: ConflictOutcome = policy === 'bridge-wins' ? 'restored' : policy === 'aitable-wins' ? 'adopted' : 'held';
  await deps.sync.recordConflict({
    datasheetId: key.datasheetId,
    recordId: key.recordId,
    field: f.name,
    aitableValue: f.shown,
    aitableAt: f.aitableAt !== undefined ? new Date(f.aitableAt) : null,
    bridgeValue: f.ours,
    bridgeAt: row.lastSyncedAt,
    ...(theirs ? { missionxValue: theirs.value, missionxAt: new Date(theirs.at) } : {}),
    policy,
    outcome,
  });
  deps.metrics.syncConflicts.inc({ field: f.name, outcome });
  const what = theirs
    ? 'a fact changed on both sides since the last sync'
    : 'a field the bridge owns holds a value the bridge did not write';
  deps.logger.warn(what, { field: f.name, policy, outcome });
  if (outcome === 'adopted') await deps.sync.recordOwnedValues(key, { [f.name]: f.shown }, { yielded: [...yieldedOf(row), f.name] });
  return outcome === 'restored';
}

/**
 * The lead's Portal URL and Portal Status as the record shows them now, settled one by one
 * (settleField). Answers the fields the flow must not write (held or yielded).
 */
export async function settleLeadConflicts(deps: WorkerDeps, key: SyncKey, row: AITableSync | null, lead: LeadInput): Promise<Set<string>> {
  const f = deps.fields.lead;
  const keep = new Set(yieldedOf(row));
  if (!row || row.syncStatus !== 'success' || !row.entityId) return keep;
  const owned = ownedValuesOf(row);
  const seen: FieldSeen[] = [
    { name: f.portalUrl, shown: lead.shown.url, ours: owned[f.portalUrl] ?? undefined, aitableAt: lead.updatedAt },
    { name: f.portalStatus, shown: lead.shown.status, ours: ownedPortalStatus(row, f.portalStatus), aitableAt: lead.updatedAt },
  ];
  for (const s of seen) {
    if (!(await settleField(deps, key, row, s, leadFieldPolicy(f, s.name)!))) keep.add(s.name);
  }
  return keep;
}
