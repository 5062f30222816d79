import { formulaString } from '@bridge/aitable';
import type { PrismaClient } from '@bridge/db';
import { permanent } from '@bridge/errors';
import { MAX_RESYNC_IDS, type BulkRunRequest } from './input';

/** Record ids per AITable formula: keeps each read's URL short. */
export const IDS_PER_PART = 100;

/**
 * The record ids a re-sync works through: those given, or those whose last attempt failed (with
 * the error code, in the time range) according to the sync history. Null when the run scans
 * the datasheet by formula instead (a backfill, or a re-sync by formula alone).
 */
export async function selectRecordIds(db: PrismaClient, datasheetId: string, req: BulkRunRequest): Promise<string[] | null> {
  if (req.recordIds) return req.recordIds;
  if (req.kind !== 'resync' || (req.errorCode === undefined && req.since === undefined && req.until === undefined)) return null;
  const rows = await db.syncEvent.findMany({
    where: {
      datasheetId,
      outcome: 'failed',
      recordId: { not: null },
      ...(req.errorCode !== undefined ? { errorCode: req.errorCode } : {}),
      ...(req.since !== undefined || req.until !== undefined
        ? { finishedAt: { ...(req.since ? { gte: new Date(req.since) } : {}), ...(req.until ? { lt: new Date(req.until) } : {}) } }
        : {}),
    },
    distinct: ['recordId'],
    select: { recordId: true },
    orderBy: { recordId: 'asc' },
    take: MAX_RESYNC_IDS + 1,
  });
  if (rows.length > MAX_RESYNC_IDS) {
    const field = req.errorCode !== undefined ? 'errorCode' : 'since';
    throw permanent(
      'invalid_argument',
      `${field}: the filter selects more than ${MAX_RESYNC_IDS} records; narrow it or backfill by formula`,
      {
        httpStatus: 400,
        details: { field },
      },
    );
  }
  return rows.map((r) => r.recordId!);
}

/**
 * The formulas a run scans, one after the other: the operator's formula alone, or with one
 * slice of the selected ids each. Each formula has its own backfill checkpoint.
 */
export function partsOf(where: string | undefined, recordIds: readonly string[] | null): (string | undefined)[] {
  if (recordIds === null) return [where];
  const parts: (string | undefined)[] = [];
  for (let i = 0; i < recordIds.length; i += IDS_PER_PART) {
    const ids = `OR(${recordIds
      .slice(i, i + IDS_PER_PART)
      .map((id) => `RECORD_ID() = ${formulaString(id)}`)
      .join(', ')})`;
    parts.push(where ? `AND(${where}, ${ids})` : ids);
  }
  return parts;
}
