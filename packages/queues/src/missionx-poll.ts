import type { ConnectionOptions } from 'bullmq';
import { JOBS, type MissionxPollJob } from './catalog';
import { createScheduledQueue, upsertSchedule, type ScheduledQueue } from './scheduled';

/** The `missionx-poll` queue of the catalog: one job per interval reads what changed in MissionX. */
export const MISSIONX_POLL_QUEUE = JOBS.missionxPoll.name;
export const MISSIONX_POLL_SCHEDULER_ID = JOBS.missionxPoll.schedule.schedulerId;

export function createMissionxPollQueue(opts: { connection: ConnectionOptions; prefix: string }): ScheduledQueue<MissionxPollJob> {
  return createScheduledQueue<MissionxPollJob>(JOBS.missionxPoll, opts);
}

/** Makes (or updates) the schedule, first run at once; `everyMs = 0` removes it everywhere. */
export async function scheduleMissionxPoll(queue: ScheduledQueue<MissionxPollJob>, everyMs: number): Promise<void> {
  await upsertSchedule<MissionxPollJob>(queue, JOBS.missionxPoll, everyMs, { kind: 'missionx-poll.run' });
}
