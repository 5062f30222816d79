import { classifyDbError, tableSizes, type PrismaClient } from '@bridge/db';
import { describeError, isAppError, transient, withTimeLimit } from '@bridge/errors';
import { QUEUE_NAMES, type BridgeQueues, type QueueName } from '@bridge/queues';

/** Job states shown per queue, in the order a job moves through them. */
export const JOB_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed', 'waiting-children'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface SyncStatusOptions {
  /** How many recent failures and rejected deliveries to list. @defaultValue 20 */
  recentLimit?: number;
  now?: Date;
}

/** Job counts of every queue, by state. */
export async function queueDepths(queues: BridgeQueues): Promise<Record<QueueName, Record<JobState, number>>> {
  const entries = await Promise.all(
    QUEUE_NAMES.map(async (name) => {
      const counts = await queues[name].getJobCounts(...JOB_STATES);
      const row = Object.fromEntries(JOB_STATES.map((s) => [s, counts[s] ?? 0])) as Record<JobState, number>;
      return [name, row] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<QueueName, Record<JobState, number>>;
}

/**
 * The "monitor sync status and health" view: where AITableSync rows stand, what failed
 * recently and why, the oldest piece of work still pending, queue depths, and webhook
 * deliveries that were rejected and still wait for a fix.
 */
// Which store failed decides the answer: a page that says "Postgres is down" (503) instead of a bare 500.
const fromDb = <T>(p: Promise<T>): Promise<T> =>
  p.catch((err: unknown) => {
    throw classifyDbError(err);
  });
const redisDown = (cause: unknown) => transient('redis_unavailable', `Redis did not answer: ${describeError(cause)}`, { cause });
// BullMQ waits for a connection that is down instead of failing, so the page bounds the wait.
const REDIS_WAIT_MS = 3000;
const fromRedis = <T>(p: Promise<T>): Promise<T> =>
  withTimeLimit(p, REDIS_WAIT_MS, () => {
    throw redisDown(new Error(`no answer within ${REDIS_WAIT_MS} ms`));
  }).catch((err: unknown) => {
    throw isAppError(err) ? err : redisDown(err);
  });

export async function syncStatus(db: PrismaClient, queues: BridgeQueues, opts: SyncStatusOptions = {}) {
  const now = opts.now ?? new Date();
  const take = opts.recentLimit ?? 20;
  const awaitingFix = { outcome: 'rejected', replayedAt: null, rawBody: { not: null } } as const;
  const [groups, failures, oldestPending, depths, rejectedCount, rejected, lastAccepted, tables] = await Promise.all([
    fromDb(db.aITableSync.groupBy({ by: ['entityType', 'syncStatus'], _count: { _all: true } })),
    fromDb(db.aITableSync.findMany({ where: { syncStatus: 'failed' }, orderBy: { updatedAt: 'desc' }, take })),
    fromDb(db.aITableSync.findFirst({ where: { syncStatus: 'pending' }, orderBy: { updatedAt: 'asc' } })),
    fromRedis(queueDepths(queues)),
    fromDb(db.webhookDelivery.count({ where: awaitingFix })),
    fromDb(
      db.webhookDelivery.findMany({
        where: awaitingFix,
        orderBy: { receivedAt: 'desc' },
        take,
        select: { id: true, receivedAt: true, source: true, reason: true, detail: true, datasheetId: true, recordId: true },
      }),
    ),
    fromDb(db.webhookDelivery.findFirst({ where: { outcome: 'accepted' }, orderBy: { receivedAt: 'desc' }, select: { receivedAt: true } })),
    fromDb(tableSizes(db)),
  ]);

  const counts: Record<string, Record<string, number>> = {};
  for (const g of groups) (counts[g.entityType] ??= { pending: 0, success: 0, failed: 0 })[g.syncStatus] = g._count._all;

  return {
    generatedAt: now.toISOString(),
    syncCounts: counts,
    recentFailures: failures.map((r) => ({
      entityType: r.entityType,
      recordId: r.recordId,
      datasheetId: r.datasheetId,
      errorMessage: r.errorMessage,
      retryCount: r.retryCount,
      lastJobId: r.lastJobId,
      updatedAt: r.updatedAt.toISOString(),
    })),
    oldestPending: oldestPending && {
      entityType: oldestPending.entityType,
      recordId: oldestPending.recordId,
      lastJobId: oldestPending.lastJobId,
      since: oldestPending.updatedAt.toISOString(),
      ageSeconds: Math.max(0, Math.round((now.getTime() - oldestPending.updatedAt.getTime()) / 1000)),
    },
    queues: depths,
    rejectedDeliveries: {
      awaitingFix: rejectedCount,
      recent: rejected.map((d) => ({ ...d, receivedAt: d.receivedAt.toISOString() })),
    },
    lastAcceptedDeliveryAt: lastAccepted?.receivedAt.toISOString() ?? null,
    /** Rows and bytes of the tables retention keeps bounded. */
    tables,
  };
}
export type SyncStatus = Awaited<ReturnType<typeof syncStatus>>;
