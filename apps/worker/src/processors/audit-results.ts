import { auditResultsJobSchema } from '@bridge/queues';
import type { Processor } from 'bullmq';
import type { WorkerDeps } from '../deps';
import { processJob } from '../run-processor';
import { recordAuditEvent } from '../use-cases/record-audit-event';
import { writeAuditResult } from '../use-cases/write-audit-result';

/** `audit-results` queue: submissions of the audit engine become AITable records; the datasheet's own webhooks are only recorded. */
export const auditResultsProcessor =
  (deps: WorkerDeps): Processor =>
  (job, token) =>
    processJob(job, token, auditResultsJobSchema, deps, (payload, facts) =>
      payload.kind === 'audit.submitted' ? writeAuditResult(payload, facts, deps) : recordAuditEvent(payload, deps),
    );
