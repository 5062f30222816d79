import { createHash } from 'node:crypto';
import { ownedValuesOf, type AITableSync } from '@bridge/db';
import { PORTAL_STATUS } from '@bridge/config';

/**
 * What the bridge keeps in a lead's or order's sync row metadata to recognise its own
 * write-back: a hash of the input fields it used (not the values: they are personal data)
 * and the portal URL it wrote.
 */
export interface SyncedMeta {
  inputHash?: string;
  portalUrl?: string;
  missionxClientId?: string;
}

/** Portal cells as the event or record shows them: `undefined` = not shown (the event left it out), `null` = empty. */
export interface PortalCells {
  url: string | null | undefined;
  status: string | null | undefined;
}

/** Stable hash of the input values a flow uses (key order does not matter). */
export function inputHash(values: Record<string, string | readonly string[] | null | undefined>): string {
  const sorted = Object.keys(values)
    .sort()
    .map((k) => [k, values[k] ?? null]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 32);
}

export function metaOf(row: AITableSync | null): SyncedMeta {
  const m = row?.metadata;
  return m && typeof m === 'object' && !Array.isArray(m) ? (m as SyncedMeta) : {};
}

/**
 * True when nothing is left to do: the row succeeded for these very inputs and the record still
 * shows what we wrote. That is the case of an update caused by our own write-back, which a
 * "record matches conditions" automation sends back to us; acting on it would loop.
 */
export function alreadySynced(row: AITableSync | null, hash: string, shown: PortalCells, status: string = PORTAL_STATUS.active): boolean {
  if (!row || row.syncStatus !== 'success' || !row.active) return false;
  const meta = metaOf(row);
  if (meta.inputHash !== hash) return false;
  if (shown.url !== undefined && shown.url !== meta.portalUrl) return false;
  return shown.status === undefined || shown.status === status;
}

/** True when the record already shows this URL and status, so a write-back would change nothing. */
export function showsPortal(shown: PortalCells, portalUrl: string, status: string = PORTAL_STATUS.active): boolean {
  return shown.url === portalUrl && shown.status === status;
}

/**
 * The Portal Status the bridge stands for on this record: the last one it wrote (Inactive once the
 * MissionX poll saw the client archived), Active before any. An echo of that write shows it.
 */
export function ownedPortalStatus(row: AITableSync | null, field: string): string {
  return ownedValuesOf(row)[field] ?? PORTAL_STATUS.active;
}
