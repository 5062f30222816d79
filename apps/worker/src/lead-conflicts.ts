import { FIELD_OWNERSHIP, type ConflictPolicy } from '@bridge/config';
import { ownedValuesOf, type AITableSync, type ConflictOutcome, type SyncKey } from '@bridge/db';
import type { WorkerDeps } from './deps';
import type { LeadInput } from './lead-input';
import { ownedPortalStatus } from './snapshot';

/** Fields an aitable-wins conflict gave up on this record: the bridge no longer writes them. */
export const yieldedOf = (row: AITableSync | null): string[] => {
  const y = (row?.metadata as { yielded?: unknown } | null)?.yielded;
  return Array.isArray(y) ? y.filter((f): f is string => typeof f === 'string') : [];
};

/**
 * Compares the lead's fields the bridge owns, as the record shows them now, with the last values
 * the bridge wrote. A difference is a conflict, settled by the field's policy (FIELD_OWNERSHIP)
 * and recorded: bridge-wins lets the flow write ours back, aitable-wins adopts theirs and yields
 * the field for this record, manual holds it for an operator. A held conflict is not recorded
 * again at every event; one an operator resolved for MissionX is restored. Answers the fields
 * the flow must not write (held or yielded).
 */
export async function settleLeadConflicts(deps: WorkerDeps, key: SyncKey, row: AITableSync | null, lead: LeadInput): Promise<Set<string>> {
  const f = deps.fields.lead;
  const keep = new Set(yieldedOf(row));
  if (!row || row.syncStatus !== 'success' || !row.entityId) return keep;
  const owned = ownedValuesOf(row);
  const candidates: { name: string; shown: string | null | undefined; ours: string | undefined; policy: ConflictPolicy }[] = [
    { name: f.portalUrl, shown: lead.shown.url, ours: owned[f.portalUrl] ?? undefined, policy: FIELD_OWNERSHIP.lead.portalUrl.policy! },
    {
      name: f.portalStatus,
      shown: lead.shown.status,
      ours: ownedPortalStatus(row, f.portalStatus),
      policy: FIELD_OWNERSHIP.lead.portalStatus.policy!,
    },
  ];
  for (const c of candidates) {
    // Not shown (an event that left it out), never written by us, or ours: nothing to settle.
    if (c.shown === undefined || c.ours === undefined || c.shown === c.ours || keep.has(c.name)) continue;
    const latest = await deps.sync.latestConflict(key, c.name);
    if (latest?.outcome === 'held') {
      keep.add(c.name);
      continue;
    }
    if (latest?.outcome === 'resolved_missionx' && latest.aitableValue === c.shown) continue;
    const outcome: ConflictOutcome = c.policy === 'bridge-wins' ? 'restored' : c.policy === 'aitable-wins' ? 'adopted' : 'held';
    await deps.sync.recordConflict({
      datasheetId: key.datasheetId,
      recordId: key.recordId,
      field: c.name,
      aitableValue: c.shown,
      aitableAt: lead.updatedAt !== undefined ? new Date(lead.updatedAt) : null,
      bridgeValue: c.ours,
      bridgeAt: row.lastSyncedAt,
      policy: c.policy,
      outcome,
    });
    deps.metrics.syncConflicts.inc({ field: c.name, outcome });
    deps.logger.warn('a field the bridge owns holds a value the bridge did not write', { field: c.name, policy: c.policy, outcome });
    if (outcome === 'adopted') {
      await deps.sync.recordOwnedValues(key, { [c.name]: c.shown }, { yielded: [...yieldedOf(row), c.name] });
      keep.add(c.name);
    } else if (outcome === 'held') keep.add(c.name);
  }
  return keep;
}
