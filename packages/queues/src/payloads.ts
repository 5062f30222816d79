import { z } from 'zod';
import { aitableId, boundedText, externalId, fieldValuesSchema, fileUrl, LIMITS } from './limits';

/**
 * Job payloads. They carry ids and small facts; fields added later must be optional so
 * jobs queued before a deploy still parse.
 */
export const EVENT_TYPES = ['record.created', 'record.updated', 'record.deleted'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An AITable automation event, as accepted by ingest. */
export const aitableEventJobSchema = z.object({
  kind: z.literal('aitable.event'),
  deliveryId: externalId(),
  requestId: z.string().max(LIMITS.requestIdLength),
  receivedAt: z.iso.datetime(),
  /** Set when an operator replayed the job: its history rows are told apart from automatic ones. */
  replayedAt: z.iso.datetime().optional(),
  /** Missing when the automation sent only ids: the worker decides from the record itself. */
  eventType: z.enum(EVENT_TYPES).optional(),
  datasheetId: aitableId('dst', 'datasheet'),
  recordId: aitableId('rec', 'record'),
  /** Field values as the automation sent them; missing means "fetch the record". */
  fields: fieldValuesSchema.optional(),
  /**
   * The record as a backfill's REST read returned it, cut to the fields its flow reads (the API
   * leaves empty cells out, so a field missing here is empty), and the `updatedAt` of the record's
   * sync row when the scan decided (null: no row). A worker that runs the job soon enough after `at`,
   * with the row as the scan saw it, decides from it instead of reading the record again
   * (BACKFILL_READ_MAX_AGE_MS).
   */
  scanned: z
    .object({
      at: z.iso.datetime(),
      updatedAt: z.number().int().nonnegative(),
      rowUpdatedAt: z.iso.datetime().nullable(),
      fields: fieldValuesSchema,
    })
    .optional(),
});
export type AitableEventJob = z.infer<typeof aitableEventJobSchema>;

export const AUDIT_STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;

/** What the audit engine submits to POST /api/audit-results; `http:` file links only when allowed. */
export const auditResultInputSchemaFor = (opts: { allowHttpFileUrls: boolean }) =>
  z.object({
    auditId: externalId(),
    orderRecordId: aitableId('rec', 'record'),
    fileName: boundedText(),
    uploadDate: z.iso.datetime({ offset: true }),
    employeesProcessed: z.number().int().min(0),
    correctionsMade: z.number().int().min(0),
    correctedFileUrl: fileUrl({ allowHttp: opts.allowHttpFileUrls }).optional(),
    status: z.enum(AUDIT_STATUSES),
  });
/** The audit engine's submission with the default: `https:` file links only. */
export const auditResultInputSchema = auditResultInputSchemaFor({ allowHttpFileUrls: false });
export type AuditResultInput = z.infer<typeof auditResultInputSchema>;

// A job holds what ingest let in under the configuration of its day, so the worker takes http: links too.
export const auditResultJobSchema = auditResultInputSchemaFor({ allowHttpFileUrls: true }).extend({
  kind: z.literal('audit.submitted'),
  deliveryId: externalId(),
  requestId: z.string().max(LIMITS.requestIdLength),
  receivedAt: z.iso.datetime(),
  /** Set when an operator replayed the job (see the AITable event's). */
  replayedAt: z.iso.datetime().optional(),
});
export type AuditResultJob = z.infer<typeof auditResultJobSchema>;

export const leadsJobSchema = aitableEventJobSchema;
export const ordersJobSchema = aitableEventJobSchema;
export const auditResultsJobSchema = z.discriminatedUnion('kind', [aitableEventJobSchema, auditResultJobSchema]);
