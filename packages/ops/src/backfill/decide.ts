import type { AitableRecord } from '@bridge/aitable';
import type { FieldMapping } from '@bridge/config';
import type { AITableSync, PrismaClient } from '@bridge/db';
import { isAppError } from '@bridge/errors';
import {
  leadFlowFields,
  leadInput,
  leadNeed,
  leadOfOrder,
  orderInput,
  orderNeed,
  type RecordView,
  type SyncNeed,
} from '@bridge/sync-rules';
import { JOBS } from '@bridge/queues';

/** The queues whose records can need a job (see `nothingToBackfill`). */
export type WorkTarget = typeof JOBS.leads.name | typeof JOBS.orders.name;

/** What a record needs: a job (and why), nothing, or a person's fix (the error code the worker would fail with). */
export type Decision = { kind: 'needs'; need: SyncNeed } | { kind: 'up_to_date' } | { kind: 'invalid'; code: string };

/**
 * What a backfill job carries of the scan's read of its record: the fields its flow reads, or
 * nothing (the worker reads the record). Only leads: the lead flow skips a read older than the one
 * it last synced (`recordUpdatedAt`), and its live events are always re-read, so a live event that
 * synced a newer lead wins over an older scan. The order flow acts on a live event's values as sent
 * and keeps no such time, so an order changed after the scan (Won, then Lost) would be acted on as
 * the scan saw it.
 */
export const scannedFieldsOf = (queue: WorkTarget, fields: FieldMapping): string[] | null =>
  queue === JOBS.leads.name ? leadFlowFields(fields.lead) : null;

/** The sync rows of these records, by record id: one query per chunk. */
export async function syncRowsOf(db: PrismaClient, datasheetId: string, recordIds: readonly string[]): Promise<Map<string, AITableSync>> {
  const rows = await db.aITableSync.findMany({
    where: { datasheetId, syncDirection: 'aitable_to_app', recordId: { in: [...recordIds] } },
  });
  return new Map(rows.map((r) => [r.recordId, r]));
}

/**
 * Decides with the workers' own rules (@bridge/sync-rules): a lead needs what `leadNeed` says,
 * an order what `orderNeed` says; a record the worker would fail on for good is `invalid`.
 */
export function decide(
  queue: WorkTarget,
  record: AitableRecord,
  row: AITableSync | null,
  fields: FieldMapping,
  datasheetId: string,
): Decision {
  const view: RecordView = { recordId: record.recordId, source: 'api', fields: record.fields };
  try {
    if (queue === JOBS.leads.name) {
      const need = leadNeed(row, leadInput(view, fields.lead, datasheetId));
      return need ? { kind: 'needs', need } : { kind: 'up_to_date' };
    }
    const order = orderInput(view, fields.order);
    const need = orderNeed(row, order);
    if (!need) return { kind: 'up_to_date' };
    leadOfOrder(order, fields.order, datasheetId);
    return { kind: 'needs', need };
  } catch (err) {
    if (isAppError(err) && !err.retriable) return { kind: 'invalid', code: err.code };
    throw err;
  }
}
