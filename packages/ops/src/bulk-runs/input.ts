import { permanent } from '@bridge/errors';
import { z } from 'zod';
import { BACKFILL_TARGETS, type BackfillTarget } from '../backfill';
import { parsePointInTime } from '../time-window';

export const BULK_RUN_KINDS = ['backfill', 'resync'] as const;
export type BulkRunKind = (typeof BULK_RUN_KINDS)[number];

/** At most this many record ids in one re-sync: a larger selection is a backfill by formula. */
export const MAX_RESYNC_IDS = 10_000;

/** What an operator asks for; a re-sync's selection fields are stored as given (times as ISO) so a restart selects the same. */
export interface BulkRunRequest {
  kind: BulkRunKind;
  datasheet: BackfillTarget;
  /** An AITable formula: only matching records. */
  where?: string;
  /** Re-sync: records whose last attempt failed with this error code. */
  errorCode?: string;
  /** Re-sync: records whose attempt failed in [since, until). ISO. */
  since?: string;
  until?: string;
  /** Re-sync: exactly these records. */
  recordIds?: string[];
}

const pointInTime = (field: string) =>
  z
    .string()
    .trim()
    .min(1)
    .transform((v, ctx) => {
      try {
        return parsePointInTime(v, field).toISOString();
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a duration back from now (e.g. 2h, 7d), an ISO date or epoch ms' });
        return z.NEVER;
      }
    });

const schema = z
  .strictObject({
    kind: z.enum(BULK_RUN_KINDS),
    datasheet: z.enum(BACKFILL_TARGETS as [BackfillTarget, ...BackfillTarget[]]),
    where: z.string().trim().min(1).max(2000).optional(),
    errorCode: z
      .string()
      .trim()
      .regex(/^[a-z0-9_.-]{1,100}$/i, 'must be an error code such as aitable_unavailable')
      .optional(),
    since: pointInTime('since').optional(),
    until: pointInTime('until').optional(),
    recordIds: z
      .array(z.string().regex(/^rec[A-Za-z0-9]{1,60}$/, 'must be AITable record ids (rec…)'))
      .min(1)
      .max(MAX_RESYNC_IDS)
      .optional(),
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'backfill')
      for (const field of ['errorCode', 'since', 'until', 'recordIds'] as const)
        if (v[field] !== undefined)
          ctx.addIssue({ code: 'custom', path: [field], message: 'is a re-sync filter; a backfill takes datasheet and where' });
    if (v.recordIds && (v.errorCode || v.since || v.until))
      ctx.addIssue({ code: 'custom', path: ['recordIds'], message: 'selects the records itself; leave errorCode, since and until out' });
    if (v.since && v.until && v.since >= v.until) ctx.addIssue({ code: 'custom', path: ['until'], message: 'must be after since' });
  });

/** Parses a start request (a JSON body); bad input is a 400 naming the first field at fault. */
export function parseBulkRunRequest(body: unknown): BulkRunRequest {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) {
    const v = parsed.data;
    return { ...v, ...(v.recordIds ? { recordIds: [...new Set(v.recordIds)] } : {}) };
  }
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : 'body');
  throw permanent('invalid_argument', `${field}: ${issue.message}`, { httpStatus: 400, details: { field } });
}
