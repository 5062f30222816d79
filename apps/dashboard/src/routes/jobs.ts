import { assertSelective, failedJobView, findFailedJobs, parseFailedJobFilter, replayJobs } from '@bridge/ops';
import type { BridgeQueues } from '@bridge/queues';
import { Router } from 'express';
import { principalOf, requireOperator } from '../auth';
import { flag } from './params';

/**
 * Failed jobs and their replay, with the CLI's filters:
 * `queue`, `since`, `until` (2h, ISO date, epoch ms), `record` (rec…), `error` (text), `limit`.
 */
export function jobsRoutes(queues: BridgeQueues): Router {
  const r = Router();

  r.get('/api/failed-jobs', async (req, res) => {
    const result = await findFailedJobs(queues, parseFailedJobFilter(req.query));
    res.json({ jobs: result.jobs.map(failedJobView), scanned: result.scanned, truncated: result.truncated });
  });

  // Body: the same filters plus `dryRun` (list only) and `all` (no filter: every failed job).
  r.post('/api/replay', requireOperator, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const filter = parseFailedJobFilter(body);
    assertSelective(filter, flag(body.all, 'all'));
    const found = await findFailedJobs(queues, filter);
    const summary = await replayJobs(found.jobs, { dryRun: flag(body.dryRun, 'dryRun'), actor: principalOf(res).name });
    res.json({ ...summary, truncated: found.truncated, jobs: found.jobs.map(failedJobView) });
  });

  return r;
}
