import { createMissionxPollQueue, JOBS, missionxPollJobSchema, scheduleMissionxPoll } from '@bridge/queues';
import type { Processor } from 'bullmq';
import type { WorkerConfig } from './create-deps';
import type { WorkerDeps } from './deps';
import { applySchedule, scheduledRun, startScheduledWorker, type RunningWorker } from './start-workers';
import { pollMissionx, type PollDeps, type PollOptions } from './use-cases/poll-missionx';

/**
 * Starts the MissionX poll in this process: makes (or, at `MISSIONX_POLL_INTERVAL_MS=0`, removes)
 * the one job scheduler and, unless it is off, a `missionx-poll` worker of concurrency 1.
 */
export async function startMissionxPoll(config: WorkerConfig, deps: WorkerDeps): Promise<RunningWorker | undefined> {
  await applySchedule(createMissionxPollQueue({ connection: deps.redis, prefix: config.QUEUE_PREFIX }), (q) =>
    scheduleMissionxPoll(q, config.MISSIONX_POLL_INTERVAL_MS),
  );
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
const missionxPollProcessor = (deps: PollDeps, opts: PollOptions): Processor =>
  scheduledRun(JOBS.missionxPoll, missionxPollJobSchema, async () => {
    const result = await pollMissionx(deps, opts);
    if (result.clients.written + result.projects.written > 0) deps.logger.info('MissionX poll wrote changes to leads', { ...result });
    return result;
  });
