import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';

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

/**
 * A failed run is not retried: the next interval runs again from the same cursor. Runs are
 * kept a day (completed) and a week (failed) so Bull Board shows recent history.
 */
const RUN_OPTIONS = {
  attempts: 1,
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
};

export function createReconcileQueue(opts: { connection: ConnectionOptions; prefix: string }): Queue<ReconcileJob> {
  return new Queue<ReconcileJob>(RECONCILE_QUEUE, { connection: opts.connection, prefix: opts.prefix, defaultJobOptions: RUN_OPTIONS });
}

/**
 * Makes (or updates) the schedule: a reconcile job every `everyMs`, the first one at once.
 * `everyMs = 0` removes the schedule, so turning reconciliation off takes effect everywhere.
 */
export async function scheduleReconcile(queue: Queue<ReconcileJob>, everyMs: number, targets: readonly ReconcileTarget[] = RECONCILE_TARGETS): Promise<void> {
  if (everyMs <= 0) {
    await queue.removeJobScheduler(RECONCILE_SCHEDULER_ID);
    return;
  }
  const data: ReconcileJob = { kind: 'reconcile.run', targets: [...targets] };
  await queue.upsertJobScheduler(RECONCILE_SCHEDULER_ID, { every: everyMs }, { name: data.kind, data, opts: RUN_OPTIONS });
}
