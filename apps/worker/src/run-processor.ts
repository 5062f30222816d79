import { describeError, permanent } from '@bridge/errors';
import { withLogContext } from '@bridge/logger';
import { forgetOutage, outageOfJob, runJob, useCaseError, withinTimeout, type EventQueueDefinition } from '@bridge/queues';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { z } from 'zod';
import type { WorkerDeps } from './deps';
import { errorCodeOf, historyRow } from './history';
import { isFinalFailure, jobFacts, type JobFacts } from './job-facts';

type Payload = { requestId: string; receivedAt: string };

type Definition = Pick<EventQueueDefinition, 'name' | 'entity' | 'timeoutMs'> & { schema: z.ZodType<Payload> };

/**
 * The frame of every event processor, from the queue's catalog entry: the job's log context,
 * payload validation, the time limit, BullMQ's error mapping (`runJob`, with the job's outage
 * budget), the job metrics, one log line and one history row per attempt.
 */
export function processJob<D extends Definition>(
  job: Job,
  token: string | undefined,
  def: D,
  deps: Pick<WorkerDeps, 'logger' | 'metrics' | 'history' | 'outage'>,
  useCase: (payload: z.output<D['schema']>, facts: JobFacts) => Promise<string>,
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
    // The outage budget is measured from the attempt's start: close enough for a budget of an hour.
    const outage = { ...outageOfJob(job), policy: deps.outage, now: Date.now() };
    const facts = { attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1, outage };
    const onDelay = (d: { delayMs: number; outageSince?: number }, err: unknown) => {
      const error = describeError(err);
      if (d.outageSince === undefined) {
        deps.logger.debug('job delayed without spending an attempt', { delayMs: d.delayMs, error });
        return;
      }
      deps.metrics.outageDelays.inc({ queue: job.queueName, code: errorCodeOf(err) });
      deps.logger.warn('a service the job needs is down: the job waits without spending an attempt', {
        attempt: facts.attempt,
        delayMs: d.delayMs,
        outageSince: new Date(d.outageSince).toISOString(),
        budgetLeftMs: Math.max(0, d.outageSince + deps.outage.budgetMs - outage.now),
        error,
      });
    };
    try {
      const outcome = await runJob(
        job,
        token,
        () =>
          withinTimeout(def, async () => {
            const payload = parsePayload(def.schema, job.data, job.queueName) as z.output<D['schema']>;
            return useCase(payload, jobFacts(job, payload, outage));
          }),
        { outage, onDelay },
      );
      deps.metrics.jobDuration.observe({ queue: job.queueName, outcome: 'completed' }, seconds());
      deps.metrics.jobAttempts.observe({ queue: job.queueName, state: 'completed' }, facts.attempt);
      deps.history.record(historyRow(job, def, facts.attempt, { outcome: 'success', result: outcome }));
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
      // A delay (busy record, 429, outage) spends no attempt and changes no state: it is not history; runJob's onDelay logged it.
      if (outcome === 'delayed') throw err;
      if (outcome === 'failed') {
        await forgetOutage(job).catch((e: unknown) =>
          deps.logger.warn('could not reset the outage budget of a failed job', { error: describeError(e) }),
        );
      }
      deps.history.record(historyRow(job, def, facts.attempt, { outcome, err }));
      deps.logger.warn(outcome === 'failed' ? 'job failed for good' : 'job attempt failed, will retry', {
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
