import { formulaString, type FieldValues } from '@bridge/aitable';
import type { AuditResultJob } from '@bridge/queues';
import type { WorkerDeps } from '../deps';
import type { AuditFields } from '@bridge/config';
import type { JobFacts } from '../job-facts';
import { lockRecord, syncAttempt } from '../sync-attempt';

/** Processing Status option names, by the status the audit engine sends. */
const PROCESSING_STATUS = { pending: 'Pending', processing: 'Processing', completed: 'Completed', failed: 'Failed' } as const;

/**
 * An audit result submitted by the audit engine becomes one record in the Audit Results
 * datasheet, linked to its order. The audit id is the key: the record is looked up by
 * `{Audit ID}` before creating, so a retry or a repeated submission updates it instead of
 * duplicating it. The sync row (direction app_to_aitable) is keyed by the audit id too, since it
 * is known before the AITable record exists; its entityId is the AITable record id.
 */
export async function writeAuditResult(input: AuditResultJob, job: JobFacts, deps: WorkerDeps): Promise<'created' | 'updated'> {
  const ds = deps.datasheets.auditResults;
  const f = deps.fields.audit;
  const key = { datasheetId: ds, recordId: input.auditId, direction: 'app_to_aitable' as const };

  return lockRecord(deps, ds, `audit:${input.auditId}`, () =>
    syncAttempt(deps, key, 'audit_result', job, async () => {
      const found = await deps.aitable.findRecords(ds, `{${f.auditId}}=${formulaString(input.auditId)}`);
      if (found.length > 1)
        deps.logger.warn('several Audit Results records share one audit id; updating the oldest', {
          recordIds: found.map((r) => r.recordId),
        });
      const existing = [...found].sort((a, b) => a.createdAt - b.createdAt)[0];
      const fields = auditFields(input, f);
      const record = existing
        ? await deps.aitable.updateRecord(ds, existing.recordId, fields)
        : await deps.aitable.createRecord(ds, fields);
      deps.logger.info(existing ? 'audit result updated' : 'audit result created', {
        auditRecordId: record.recordId,
        orderRecordId: input.orderRecordId,
      });
      return {
        success: {
          entityId: record.recordId,
          metadata: { auditRecordId: record.recordId, orderRecordId: input.orderRecordId, status: input.status },
        },
        value: existing ? ('updated' as const) : ('created' as const),
      };
    }),
  );
}

/** The cells of an audit result; a missing corrected-file URL leaves the cell as it is. */
export function auditFields(input: AuditResultJob, f: AuditFields): FieldValues {
  return {
    [f.auditId]: input.auditId,
    [f.fileName]: input.fileName,
    [f.uploadDate]: input.uploadDate,
    [f.employeesProcessed]: input.employeesProcessed,
    [f.correctionsMade]: input.correctionsMade,
    ...(input.correctedFileUrl ? { [f.correctedFileUrl]: input.correctedFileUrl } : {}),
    [f.processingStatus]: PROCESSING_STATUS[input.status],
    [f.order]: [input.orderRecordId],
  };
}
