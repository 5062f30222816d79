import { z } from 'zod';
import { auditResultsJobSchema, leadsJobSchema, ordersJobSchema } from './payloads';

/**
 * The job catalog: every queue of the bridge, defined once. Names, payload schemas, retries,
 * timeouts, concurrency, Bull Board and schedules are read from here by enqueue, the workers,
 * replay, history, config and the dashboard, so adding a queue touches this file and its
 * handler. This is the only source file that spells a queue's name (test/job-catalog.unit.test.ts
 * checks). Pure (zod only): config and the parsing packages load it through `@bridge/queues/contracts`.
 *
 * Queue names never change: jobs already in Redis are found by them.
 */

/** Attempts and BullMQ's own `exponential` backoff: delay × 2^(attempt−1), of which `jitter` is random. */
export interface RetryDefinition {
  attempts: number;
  /** First delay in ms. */
  backoffMs: number;
  /** Share of each delay that is random (0–1); 0.5 spreads a burst's retries without ever coming back sooner than half the step. */
  jitter: number;
}

interface BaseDefinition {
  name: string;
  schema: z.ZodType;
  retry: RetryDefinition;
  /** Jobs at once per worker process; event queues can override it by `WORKER_CONCURRENCY_<NAME>`. */
  concurrency: number;
  /** Shown in Bull Board. */
  board: boolean;
  /** How long finished jobs are kept (seconds and count). */
  keep: { completed: { age: number; count: number }; failed: { age: number; count: number } };
}

/** A queue fed by ingest (and by reconciliation and replay): one job per event. */
export interface EventQueueDefinition extends BaseDefinition {
  kind: 'event';
  /** The datasheet (by role) whose AITable webhooks land in this queue. */
  datasheet: 'leads' | 'orders' | 'auditResults';
  /** What a history row of this queue's jobs is about. */
  entity: 'lead' | 'order' | 'audit_result';
  /** Reconciliation polls this queue's datasheet for events AITable never delivered. */
  reconciled: boolean;
  /**
   * A run longer than this is given up (a transient `job_timeout`, so it counts as an attempt); its
   * record lock keeps a retry from running beside it. Scheduled queues have none: a run given up
   * goes on all the same, and nothing would keep it from overlapping the next run of its schedule.
   */
  timeoutMs: number;
}

/** A queue of runs made by a BullMQ job scheduler. */
export interface ScheduledQueueDefinition extends BaseDefinition {
  kind: 'scheduled';
  schedule: {
    /** Id of the one job scheduler: upserting it from every worker process keeps a single schedule. */
    schedulerId: string;
    /** Interval when its config variable is not set; 0 turns the schedule off. */
    everyMs: number;
  };
  /** The worker process that consumes this event queue also runs the schedule (one owner, whatever the deployment). */
  hostedWith: string;
}

const DAY = 24 * 3600;
const MINUTE_MS = 60_000;

/**
 * Completed event jobs are kept a week (they are the proof of what ran and back dedup); failed
 * ones a month, because they are what an engineer replays. Never `removeOnFail: true`.
 */
const EVENT_KEEP = { completed: { age: 7 * DAY, count: 50_000 }, failed: { age: 30 * DAY, count: 100_000 } };

/**
 * 8 attempts from 2 s doubling: the last retry comes 4–8.5 min after the first failure. Outages
 * of Postgres, Redis or an API do not spend these (see the outage budget in the worker).
 */
const EVENT_RETRY: RetryDefinition = { attempts: 8, backoffMs: 2000, jitter: 0.5 };

/**
 * A scheduled run is not retried: the next interval does the same work. Runs are kept a day
 * (completed) and a week (failed) so Bull Board shows recent history.
 */
const SCHEDULED_RETRY: RetryDefinition = { attempts: 1, backoffMs: 1000, jitter: 0 };
const SCHEDULED_KEEP = { completed: { age: DAY, count: 1000 }, failed: { age: 7 * DAY, count: 1000 } };

/**
 * Jobs at once of a queue a backfill feeds. They wait on the network, not the CPU, and a backfill
 * fills the AITable budget only with enough of them: up to 200 gathering for one shared re-read
 * (MAX_RECORDS_PER_READ) while the others fill write-backs of 10 and wait on MissionX. Every job
 * also queues for Postgres, so a host whose Postgres is the bound wants fewer (runbook §7).
 */
const BACKFILL_CONCURRENCY = 300;

const leads = {
  kind: 'event',
  name: 'leads',
  schema: leadsJobSchema,
  retry: EVENT_RETRY,
  // Generous: a job of a burst can wait several seconds for its share of AITable's 5 req/s.
  timeoutMs: 5 * MINUTE_MS,
  concurrency: BACKFILL_CONCURRENCY,
  board: true,
  keep: EVENT_KEEP,
  datasheet: 'leads',
  entity: 'lead',
  reconciled: true,
} as const satisfies EventQueueDefinition;

const orders = {
  kind: 'event',
  name: 'orders',
  schema: ordersJobSchema,
  retry: EVENT_RETRY,
  timeoutMs: 5 * MINUTE_MS,
  concurrency: BACKFILL_CONCURRENCY,
  board: true,
  keep: EVENT_KEEP,
  datasheet: 'orders',
  entity: 'order',
  reconciled: true,
} as const satisfies EventQueueDefinition;

const auditResults = {
  kind: 'event',
  name: 'audit-results',
  schema: auditResultsJobSchema,
  retry: EVENT_RETRY,
  timeoutMs: 5 * MINUTE_MS,
  concurrency: 50,
  board: true,
  keep: EVENT_KEEP,
  datasheet: 'auditResults',
  entity: 'audit_result',
  reconciled: false,
} as const satisfies EventQueueDefinition;

/** The datasheets reconciliation can poll, by role; each feeds the event queue of the same role. */
export const RECONCILE_TARGETS = [leads.datasheet, orders.datasheet] as const;
export type ReconcileTarget = (typeof RECONCILE_TARGETS)[number];

/** One scheduled reconciliation: which datasheets to poll. */
export const reconcileJobSchema = z.object({
  kind: z.literal('reconcile.run'),
  targets: z.array(z.enum(RECONCILE_TARGETS)).min(1),
});
export type ReconcileJob = z.infer<typeof reconcileJobSchema>;

/** One scheduled deletion of expired history and delivery rows. */
export const retentionJobSchema = z.object({ kind: z.literal('retention.run') });
export type RetentionJob = z.infer<typeof retentionJobSchema>;

/**
 * Polls Leads and Orders for records modified since the last sync (AITable automations never
 * retry, so an event we missed is only found this way). Concurrency 1: runs share one cursor.
 */
const reconcile = {
  kind: 'scheduled',
  name: 'reconcile',
  schema: reconcileJobSchema,
  retry: SCHEDULED_RETRY,
  concurrency: 1,
  board: true,
  keep: SCHEDULED_KEEP,
  schedule: { schedulerId: 'reconcile-datasheets', everyMs: 5 * MINUTE_MS },
  hostedWith: leads.name,
} as const satisfies ScheduledQueueDefinition;

/** Deletes sync history and delivery rows older than the configured days; a failed run's rows go with the next one. */
const retention = {
  kind: 'scheduled',
  name: 'retention',
  schema: retentionJobSchema,
  retry: SCHEDULED_RETRY,
  concurrency: 1,
  board: true,
  keep: SCHEDULED_KEEP,
  schedule: { schedulerId: 'prune-expired-rows', everyMs: 60 * MINUTE_MS },
  hostedWith: leads.name,
} as const satisfies ScheduledQueueDefinition;

/** One scheduled read of the MissionX clients and projects changed since the poll's cursor. */
export const missionxPollJobSchema = z.object({ kind: z.literal('missionx-poll.run') });
export type MissionxPollJob = z.infer<typeof missionxPollJobSchema>;

/**
 * MissionX documents no webhooks: its changes (a client archived, a project completed) reach the
 * leads by polling `updatedAt`. Concurrency 1: runs share one cursor. A minute suits a real org:
 * one or two list calls per run when little changed, and MissionX documents no rate limit.
 */
const missionxPoll = {
  kind: 'scheduled',
  name: 'missionx-poll',
  schema: missionxPollJobSchema,
  retry: SCHEDULED_RETRY,
  concurrency: 1,
  board: true,
  keep: SCHEDULED_KEEP,
  schedule: { schedulerId: 'poll-missionx-changes', everyMs: MINUTE_MS },
  hostedWith: leads.name,
} as const satisfies ScheduledQueueDefinition;

/** Every queue, by a code name (the same as the datasheet role for event queues). */
export const JOBS = { leads, orders, auditResults, reconcile, retention, missionxPoll } as const;

export type JobId = keyof typeof JOBS;
type Def = (typeof JOBS)[JobId];
export type EventJobId = { [K in JobId]: (typeof JOBS)[K] extends { kind: 'event' } ? K : never }[JobId];

/** The event queues, in catalog order. */
export const EVENT_JOBS = Object.values(JOBS).filter((d): d is Extract<Def, { kind: 'event' }> => d.kind === 'event');
/** The scheduled queues, in catalog order. */
export const SCHEDULED_JOBS = Object.values(JOBS).filter((d): d is Extract<Def, { kind: 'scheduled' }> => d.kind === 'scheduled');

/** Names of the event queues: what `WORKER_QUEUES` chooses from, what replay and the status pages list. */
export type QueueName = Extract<Def, { kind: 'event' }>['name'];
export const QUEUE_NAMES: readonly QueueName[] = EVENT_JOBS.map((d) => d.name);
/** The name of any queue, scheduled ones included. */
export type AnyQueueName = Def['name'];

/** The event queues' catalog entries by name. */
type EventDefs = { [K in EventJobId as (typeof JOBS)[K]['name']]: (typeof JOBS)[K] };
export type JobPayload<N extends QueueName> = z.infer<EventDefs[N]['schema']>;

/** The catalog entry of an event queue, by name. */
export function eventJob<N extends QueueName>(name: N): EventDefs[N] {
  return EVENT_JOBS.find((d) => d.name === name) as EventDefs[N];
}

/** The catalog entry of any queue, by name (undefined for a name the catalog does not know). */
export const jobOfQueue = (name: string): Def | undefined => Object.values(JOBS).find((d) => d.name === name);

/** Where the audit engine's submissions (`audit.submitted` jobs) go. */
export const AUDIT_SUBMISSION_QUEUE = auditResults.name;

/** `audit-results` → `AUDIT_RESULTS`: how a queue name appears in an environment variable. */
type EnvWord<S extends string> = S extends `${infer A}-${infer B}` ? `${Uppercase<A>}_${EnvWord<B>}` : Uppercase<S>;
export type ConcurrencyVariable<N extends QueueName> = `WORKER_CONCURRENCY_${EnvWord<N>}`;

/** The variable that overrides a queue's concurrency, e.g. `WORKER_CONCURRENCY_AUDIT_RESULTS`. */
export const concurrencyVariable = <N extends QueueName>(name: N): ConcurrencyVariable<N> =>
  `WORKER_CONCURRENCY_${name.toUpperCase().replace(/-/g, '_')}` as ConcurrencyVariable<N>;
