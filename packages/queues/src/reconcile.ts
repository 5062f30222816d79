import type { ConnectionOptions } from 'bullmq';
import { z } from 'zod';
import { createScheduledQueue, upsertSchedule, type ScheduledQueue } from './scheduled';

/**
 * The `reconcile` queue: one job per interval, made by a BullMQ job scheduler, tells a worker
 * to poll the Leads and Orders datasheets for records modified since the last sync (AITable
 * automations never retry, so an event we missed is only found this way). Kept apart from
 * `QUEUES`, which are the event queues ingest feeds.
 */
export const RECONCILE_QUEUE = 'reconcile';

/** The datasheets reconciliation polls, by role; each feeds the event queue of the same name. */
export const RECONCILE_TARGETS = ['leads', 'orders'] as const;
export type ReconcileTarget = (typeof RECONCILE_TARGETS)[number];

/** Id of the one job scheduler: upserting it from every worker process keeps a single schedule. */
export const RECONCILE_SCHEDULER_ID = 'reconcile-datasheets';

export const reconcileJobSchema = z.object({
  kind: z.literal('reconcile.run'),
  targets: z.array(z.enum(RECONCILE_TARGETS)).min(1),
});
export type ReconcileJob = z.infer<typeof reconcileJobSchema>;

export function createReconcileQueue(opts: { connection: ConnectionOptions; prefix: string }): ScheduledQueue<ReconcileJob> {
  return createScheduledQueue<ReconcileJob>(RECONCILE_QUEUE, opts);
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
  await upsertSchedule<ReconcileJob>(queue, RECONCILE_SCHEDULER_ID, everyMs, { kind: 'reconcile.run', targets: [...targets] });
}
