import { describeError, permanent } from '@bridge/errors';
import { withLogContext } from '@bridge/logger';
import { runJob, useCaseError } from '@bridge/queues';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { z } from 'zod';
import type { WorkerDeps } from './deps';
import { historyRow } from './history';
import { isFinalFailure, jobFacts, type JobFacts } from './job-facts';

type Payload = { requestId: string; receivedAt: string };

/**
 * The frame of every processor: the job's log context, payload validation, BullMQ's error
 * mapping (`runJob`), the job metrics, one log line and one history row per attempt.
 */
export function processJob<S extends z.ZodType<Payload>>(
  job: Job,
  token: string | undefined,
  schema: S,
  deps: Pick<WorkerDeps, 'logger' | 'metrics' | 'history'>,
  useCase: (payload: z.output<S>, facts: JobFacts) => Promise<string>,
): Promise<string> {
  const raw = (job.data ?? {}) as Record<string, unknown>;
  // Clipped: a payload's ids have no bound of their own, and they go on every log line of the job.
  const text = (v: unknown) => (typeof v !== 'string' ? undefined : v.length > 128 ? `${v.slice(0, 128)}…` : v);
  const ctx = {
    requestId: text(raw.requestId),
    queue: job.queueName,
    jobId: job.id,
    recordId: text(raw.recordId) ?? text(raw.orderRecordId),
    datasheetId: text(raw.datasheetId),
    auditId: text(raw.auditId),
  };
  return withLogContext(ctx, async () => {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    const facts = { attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1 };
    try {
      const outcome = await runJob(job, token, () => {
        const payload = parsePayload(schema, job.data, job.queueName);
        return useCase(payload, jobFacts(job, payload));
      });
      deps.metrics.jobDuration.observe({ queue: job.queueName, outcome: 'completed' }, seconds());
      deps.metrics.jobAttempts.observe({ queue: job.queueName, state: 'completed' }, facts.attempt);
      deps.history.record(historyRow(job, facts.attempt, { outcome: 'success', result: outcome }));
      deps.logger.info('job completed', { outcome, attempt: facts.attempt });
      return outcome;
    } catch (err) {
      const outcome =
        err instanceof DelayedError
          ? 'delayed'
          : err instanceof UnrecoverableError || isFinalFailure(useCaseError(err), facts)
            ? 'failed'
            : 'retry';
      deps.metrics.jobDuration.observe({ queue: job.queueName, outcome }, seconds());
      if (outcome === 'failed') deps.metrics.jobAttempts.observe({ queue: job.queueName, state: 'failed' }, facts.attempt);
      // A delay (busy record, 429) spends no attempt and changes no state: it is not history.
      if (outcome !== 'delayed') deps.history.record(historyRow(job, facts.attempt, { outcome, err }));
      const what = {
        delayed: 'job delayed without spending an attempt',
        failed: 'job failed for good',
        retry: 'job attempt failed, will retry',
      }[outcome];
      deps.logger.log(outcome === 'delayed' ? 'debug' : 'warn', what, {
        attempt: facts.attempt,
        maxAttempts: facts.maxAttempts,
        error: describeError(useCaseError(err)),
      });
      throw err;
    }
  });
}

function parsePayload<S extends z.ZodType>(schema: S, data: unknown, queue: string): z.output<S> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');
  throw permanent('invalid_job_payload', `Job payload of queue ${queue} is invalid: ${problems}`, { details: { queue } });
}
