import { asFailedJob, findFailedJobs, MAX_LIMIT, replayJobs } from '@bridge/ops';
import { QUEUE_NAMES, type BridgeQueues, type QueueName } from '@bridge/queues';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { principalOf } from '../auth';

const queueOf = (req: Request): QueueName | undefined => {
  const q = String(req.params.queueName);
  return QUEUE_NAMES.includes(q as QueueName) ? (q as QueueName) : undefined;
};

/**
 * Bull Board's "Retry" on a failed job calls BullMQ's plain `retry()`, which gives a job that
 * used all its attempts exactly one more. For operators these two routes answer first and
 * replay with a fresh set of attempts instead; anything else (completed jobs, unknown ids)
 * falls through to Bull Board. Mounted under the board's path, for operators only.
 */
export function boardRetryRoutes(queues: BridgeQueues): Router {
  const r = Router();

  r.put('/api/queues/:queueName/retry/failed', async (req: Request, res: Response, next: NextFunction) => {
    const queue = queueOf(req);
    if (!queue) return next();
    const found = await findFailedJobs(queues, { queue, limit: MAX_LIMIT });
    const summary = await replayJobs(found.jobs, { dryRun: false, actor: principalOf(res).name });
    res.json({ retried: summary.replayed, skipped: summary.skipped + summary.errors.length });
  });

  r.put('/api/queues/:queueName/:jobId/retry', async (req: Request, res: Response, next: NextFunction) => {
    const queue = queueOf(req);
    const job = queue ? await queues[queue].getJob(String(req.params.jobId)) : undefined;
    if (!queue || !job || (await job.getState()) !== 'failed') return next();
    const summary = await replayJobs([asFailedJob(queue, job)], { dryRun: false, actor: principalOf(res).name });
    if (summary.replayed === 1) return void res.status(204).end();
    res.status(409).json({ error: 'not_retried', message: summary.items[0]?.reason ?? 'the job could not be retried' });
  });

  return r;
}
