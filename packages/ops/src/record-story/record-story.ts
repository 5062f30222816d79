import type { AITableSync, PrismaClient, SyncEvent, WebhookDelivery } from '@bridge/db';
import { describeError, permanent } from '@bridge/errors';
import { EVENT_JOBS, QUEUE_NAMES, type BridgeQueues, type QueueName } from '@bridge/queues';
import type { ConfiguredDatasheets } from '@bridge/config';
import type { Job } from 'bullmq';
import { backfillDedupKey } from '../backfill/backfill-datasheet';

/** How an operator names the record: by itself, by its MissionX client, or by one delivery about it. */
export type RecordStoryQuery = { recordId: string } | { missionxClientId: string } | { deliveryId: string };

/** What the story needs to read the MissionX client live (the MissionX client API's `getClient`). */
export interface ClientReader {
  getClient(clientId: string): Promise<unknown>;
}

export interface RecordStoryDeps {
  db: PrismaClient;
  queues: BridgeQueues;
  datasheets: ConfiguredDatasheets;
  /** Without it the story says the client was not read. */
  missionx?: ClientReader;
}

/** One thing that happened to the record, at `at` (ISO). */
export type StoryEvent =
  | {
      at: string;
      kind: 'delivery';
      deliveryId: string;
      source: string;
      eventType: string | null;
      outcome: string;
      reason: string | null;
      detail: string | null;
      httpStatus: number;
      queue: string | null;
      jobId: string | null;
      replayedAt: string | null;
      replayJobId: string | null;
    }
  | {
      at: string;
      kind: 'job_added';
      queue: QueueName;
      jobId: string;
      name: string;
      priority: number;
      backfill: boolean;
    }
  | {
      at: string;
      kind: 'attempt';
      queue: string;
      jobId: string;
      attempt: number;
      outcome: string;
      result: string | null;
      errorCode: string | null;
    }
  | {
      at: string;
      kind: 'sync_row';
      direction: string;
      syncStatus: string;
      active: boolean;
      entityId: string | null;
      errorMessage: string | null;
    };

/** A job of the record, in whatever state it is now. */
export interface StoryJob {
  queue: QueueName;
  jobId: string;
  name: string;
  state: string;
  attemptsMade: number;
  attempts: number;
  priority: number;
  backfill: boolean;
  addedAt: string;
  processedAt: string | null;
  finishedAt: string | null;
  failedReason: string | null;
  /** The errors of its attempts, newest last (BullMQ keeps one stack trace per failed attempt). */
  errors: string[];
}

export interface RecordStory {
  query: RecordStoryQuery;
  recordId: string;
  datasheetId: string | null;
  /** The datasheet's role: leads, orders or audit-results (unknown when the bridge never saw the record). */
  datasheet: QueueName | null;
  /** One per direction: status, error, the MissionX id and the last values written (metadata). */
  syncRows: {
    direction: string;
    syncStatus: string;
    active: boolean;
    entityId: string | null;
    lastSyncedAt: string | null;
    retryCount: number;
    errorMessage: string | null;
    lastJobId: string | null;
    lastValuesWritten: unknown;
    updatedAt: string;
  }[];
  jobs: StoryJob[];
  /** Deliveries, jobs added, attempts and the sync rows' last change, oldest first. */
  timeline: StoryEvent[];
  /** Read live from MissionX by the client id on the sync row. */
  missionxClient: { clientId: string; client: unknown; error?: string } | null;
}

const LIMIT = 200;
const iso = (d: Date | number | null | undefined) => (d === null || d === undefined ? null : new Date(d).toISOString());

/** Every AITable record id the bridge could know: `rec` followed by letters and digits. */
const RECORD_ID = /^rec[A-Za-z0-9]{1,61}$/;

/**
 * Everything the bridge knows about one AITable record, in time order: the deliveries that named
 * it, its jobs in every state with their attempts and errors, its history rows (SyncEvent), its
 * sync rows with the last values written, and its MissionX client read live. Found by record id,
 * by MissionX client id (the sync row's entityId) or by delivery id (a WebhookDelivery row, or a
 * job of that id: ingest uses the delivery id as the job id).
 */
export async function getRecordStory(deps: RecordStoryDeps, query: RecordStoryQuery): Promise<RecordStory | null> {
  const recordId = await resolveRecordId(deps, query);
  if (!recordId) return null;
  const [syncRows, deliveries, history] = await Promise.all([
    deps.db.aITableSync.findMany({ where: { recordId }, orderBy: { createdAt: 'asc' } }),
    deps.db.webhookDelivery.findMany({ where: { recordId }, orderBy: { receivedAt: 'asc' }, take: LIMIT }),
    deps.db.syncEvent.findMany({ where: { recordId }, orderBy: { finishedAt: 'asc' }, take: LIMIT }),
  ]);
  const datasheetId = syncRows[0]?.datasheetId ?? deliveries.find((d) => d.datasheetId)?.datasheetId ?? history[0]?.datasheetId ?? null;
  const jobs = await jobsOf(deps, recordId, datasheetId, deliveries, history, syncRows);
  if (syncRows.length + deliveries.length + history.length + jobs.length === 0) return null;
  const timeline: StoryEvent[] = [
    ...deliveries.map(deliveryEvent),
    ...jobs.map((j): StoryEvent => ({
      at: j.addedAt,
      kind: 'job_added',
      queue: j.queue,
      jobId: j.jobId,
      name: j.name,
      priority: j.priority,
      backfill: j.backfill,
    })),
    ...history.map(attemptEvent),
    ...syncRows.map((r): StoryEvent => ({
      at: r.updatedAt.toISOString(),
      kind: 'sync_row',
      direction: r.syncDirection,
      syncStatus: r.syncStatus,
      active: r.active,
      entityId: r.entityId,
      errorMessage: r.errorMessage,
    })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return {
    query,
    recordId,
    datasheetId,
    datasheet: roleOf(deps.datasheets, datasheetId),
    syncRows: syncRows.map((r) => ({
      direction: r.syncDirection,
      syncStatus: r.syncStatus,
      active: r.active,
      entityId: r.entityId,
      lastSyncedAt: iso(r.lastSyncedAt),
      retryCount: r.retryCount,
      errorMessage: r.errorMessage,
      lastJobId: r.lastJobId,
      lastValuesWritten: r.metadata,
      updatedAt: r.updatedAt.toISOString(),
    })),
    jobs,
    timeline,
    missionxClient: await clientOf(deps, syncRows),
  };
}

async function resolveRecordId(deps: RecordStoryDeps, q: RecordStoryQuery): Promise<string | null> {
  if ('recordId' in q) {
    if (!RECORD_ID.test(q.recordId))
      throw permanent('invalid_record_id', 'record must be an AITable record id (rec…)', { httpStatus: 400, details: { field: 'record' } });
    return q.recordId;
  }
  if ('missionxClientId' in q) {
    const row = await deps.db.aITableSync.findFirst({
      where: { entityId: q.missionxClientId, entityType: { in: ['lead', 'order'] } },
      orderBy: { entityType: 'asc' },
    });
    return row?.recordId ?? null;
  }
  const delivery = /^[0-9a-f-]{36}$/i.test(q.deliveryId) ? await deps.db.webhookDelivery.findUnique({ where: { id: q.deliveryId } }) : null;
  if (delivery?.recordId) return delivery.recordId;
  for (const name of QUEUE_NAMES) {
    const job = await deps.queues[name].getJob(q.deliveryId);
    const data = (job?.data ?? {}) as { recordId?: unknown; orderRecordId?: unknown };
    const id = typeof data.recordId === 'string' ? data.recordId : typeof data.orderRecordId === 'string' ? data.orderRecordId : undefined;
    if (id) return id;
  }
  return null;
}

function roleOf(ds: ConfiguredDatasheets, datasheetId: string | null): QueueName | null {
  return EVENT_JOBS.find((d) => ds[d.datasheet] === datasheetId)?.name ?? null;
}

/**
 * The record's jobs: those its deliveries, history rows and sync rows name, the backfill job
 * holding its dedup key, and failed jobs whose data names it (a job that failed before any
 * history row was written). Completed jobs are found through the rows that name them.
 */
async function jobsOf(
  deps: RecordStoryDeps,
  recordId: string,
  datasheetId: string | null,
  deliveries: WebhookDelivery[],
  history: SyncEvent[],
  syncRows: AITableSync[],
): Promise<StoryJob[]> {
  const role = roleOf(deps.datasheets, datasheetId);
  const wanted = new Map<string, QueueName[]>();
  const want = (id: string | null | undefined, queue: string | null | undefined) => {
    if (!id) return;
    const q = (QUEUE_NAMES as readonly string[]).includes(queue ?? '') ? [queue as QueueName] : role ? [role] : [...QUEUE_NAMES];
    wanted.set(id, q);
  };
  for (const d of deliveries) {
    want(d.jobId, d.queue);
    want(d.replayJobId, d.queue);
  }
  for (const e of history) want(e.jobId, e.queue);
  for (const r of syncRows) want(r.lastJobId, role);
  if (role && datasheetId) want(await deps.queues[role].getDeduplicationJobId(backfillDedupKey(datasheetId, recordId)), role);
  const found = new Map<string, StoryJob>();
  for (const [id, queues] of wanted) {
    for (const q of queues) {
      const job = await deps.queues[q].getJob(id);
      if (job) {
        found.set(`${q}:${id}`, await storyJob(q, job));
        break;
      }
    }
  }
  for (const q of role ? [role] : QUEUE_NAMES) {
    for (const job of await deps.queues[q].getJobs(['failed', 'waiting', 'prioritized', 'delayed', 'active'], 0, 999)) {
      const data = (job?.data ?? {}) as { recordId?: unknown; orderRecordId?: unknown };
      if (job?.id && (data.recordId === recordId || data.orderRecordId === recordId) && !found.has(`${q}:${job.id}`))
        found.set(`${q}:${job.id}`, await storyJob(q, job));
    }
  }
  return [...found.values()].sort((a, b) => a.addedAt.localeCompare(b.addedAt));
}

async function storyJob(queue: QueueName, job: Job): Promise<StoryJob> {
  const data = (job.data ?? {}) as { requestId?: unknown };
  return {
    queue,
    jobId: String(job.id),
    name: job.name,
    state: await job.getState(),
    attemptsMade: job.attemptsMade,
    attempts: job.opts.attempts ?? 1,
    priority: job.opts.priority ?? 0,
    backfill: typeof data.requestId === 'string' && data.requestId.startsWith('backfill-'),
    addedAt: new Date(job.timestamp).toISOString(),
    processedAt: iso(job.processedOn),
    finishedAt: iso(job.finishedOn),
    failedReason: job.failedReason || null,
    errors: (job.stacktrace ?? []).map((s) => s.split('\n')[0] ?? s),
  };
}

const deliveryEvent = (d: WebhookDelivery): StoryEvent => ({
  at: d.receivedAt.toISOString(),
  kind: 'delivery',
  deliveryId: d.id,
  source: d.source,
  eventType: d.eventType,
  outcome: d.outcome,
  reason: d.reason,
  detail: d.detail,
  httpStatus: d.httpStatus,
  queue: d.queue,
  jobId: d.jobId,
  replayedAt: iso(d.replayedAt),
  replayJobId: d.replayJobId,
});

const attemptEvent = (e: SyncEvent): StoryEvent => ({
  at: e.finishedAt.toISOString(),
  kind: 'attempt',
  queue: e.queue,
  jobId: e.jobId,
  attempt: e.attempt,
  outcome: e.outcome,
  result: e.result,
  errorCode: e.errorCode,
});

async function clientOf(deps: RecordStoryDeps, rows: AITableSync[]): Promise<RecordStory['missionxClient']> {
  const clientId =
    rows.find((r) => r.entityType === 'lead' && r.entityId)?.entityId ?? rows.find((r) => r.entityType === 'order' && r.entityId)?.entityId;
  if (!clientId) return null;
  if (!deps.missionx) return { clientId, client: null, error: 'MissionX is not configured for this process' };
  try {
    return { clientId, client: await deps.missionx.getClient(clientId) };
  } catch (err) {
    return { clientId, client: null, error: describeError(err) };
  }
}
