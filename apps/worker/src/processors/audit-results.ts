import { JOBS } from '@bridge/queues';
import { processJob } from '../run-processor';
import { recordAuditEvent } from '../use-cases/record-audit-event';
import { writeAuditResult } from '../use-cases/write-audit-result';
import type { EventHandler } from './handler';

/** `audit-results` queue: submissions of the audit engine become AITable records; the datasheet's own webhooks are only recorded. */
export const auditResultsHandler: EventHandler = {
  processor: (deps) => (job, token) =>
    processJob(job, token, JOBS.auditResults, deps, (payload, facts) =>
      payload.kind === 'audit.submitted' ? writeAuditResult(payload, facts, deps) : recordAuditEvent(payload, deps),
    ),
  fields: ({ datasheets, fields }) => [[datasheets.auditResults, fields.audit]],
};
