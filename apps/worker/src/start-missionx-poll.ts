import { withLogContext } from '@bridge/logger';
import { createMissionxPollQueue, JOBS, MISSIONX_POLL_QUEUE, missionxPollJobSchema, scheduleMissionxPoll } from '@bridge/queues';
import { UnrecoverableError, type Processor } from 'bullmq';
import type { WorkerConfig } from './create-deps';
import type { WorkerDeps } from './deps';
import { startScheduledWorker, type RunningWorker } from './start-workers';
import { pollMissionx, type PollDeps, type PollOptions } from './use-cases/poll-missionx';

/**
 * Starts the MissionX poll in this process: makes (or, at `MISSIONX_POLL_INTERVAL_MS=0`, removes)
 * the one job scheduler and, unless it is off, a `missionx-poll` worker of concurrency 1.
 */
export async function startMissionxPoll(config: WorkerConfig, deps: WorkerDeps): Promise<RunningWorker | undefined> {
  const schedulerQueue = createMissionxPollQueue({ connection: deps.redis, prefix: config.QUEUE_PREFIX });
  try {
    await scheduleMissionxPoll(schedulerQueue, config.MISSIONX_POLL_INTERVAL_MS);
  } finally {
    await schedulerQueue.close();
  }
  if (config.MISSIONX_POLL_INTERVAL_MS === 0) return undefined;
  const pollDeps: PollDeps = { ...deps, queuePrefix: config.QUEUE_PREFIX };
  return startScheduledWorker(
    config,
    deps,
    JOBS.missionxPoll,
    missionxPollProcessor(pollDeps, { clockSkewMs: config.MISSIONX_CLOCK_SKEW_MS }),
  );
}

/** One scheduled run; a failed one is not retried: the next interval starts from the cursor it left. */
const missionxPollProcessor =
  (deps: PollDeps, opts: PollOptions): Processor =>
  (job) =>
    withLogContext({ queue: MISSIONX_POLL_QUEUE, jobId: job.id }, async () => {
      if (!missionxPollJobSchema.safeParse(job.data).success) {
        throw new UnrecoverableError(`Job payload of queue ${MISSIONX_POLL_QUEUE} is invalid`);
      }
      const result = await pollMissionx(deps, opts);
      if (result.clients.written + result.projects.written > 0) deps.logger.info('MissionX poll wrote changes to leads', { ...result });
      return result;
    });
