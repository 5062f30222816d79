import type { ConnectionOptions } from 'bullmq';
import { JOBS, RECONCILE_TARGETS, type ReconcileJob, type ReconcileTarget } from './catalog';
import { createScheduledQueue, upsertSchedule, type ScheduledQueue } from './scheduled';

/** The `reconcile` queue of the catalog: one job per interval tells a worker to poll the datasheets. */
export const RECONCILE_QUEUE = JOBS.reconcile.name;
export const RECONCILE_SCHEDULER_ID = JOBS.reconcile.schedule.schedulerId;

export function createReconcileQueue(opts: { connection: ConnectionOptions; prefix: string }): ScheduledQueue<ReconcileJob> {
  return createScheduledQueue<ReconcileJob>(JOBS.reconcile, opts);
}

/**
 * Makes (or updates) the schedule: a reconcile job every `everyMs`, the first one at once.
 * `everyMs = 0` removes the schedule, so turning reconciliation off takes effect everywhere.
 */
export async function scheduleReconcile(
  queue: ScheduledQueue<ReconcileJob>,
  everyMs: number,
  targets: readonly ReconcileTarget[] = RECONCILE_TARGETS,
): Promise<void> {
  await upsertSchedule<ReconcileJob>(queue, JOBS.reconcile, everyMs, { kind: 'reconcile.run', targets: [...targets] });
}
