import type { ConfiguredDatasheets, FieldMapping } from '@bridge/config';
import type { OutagePolicy } from '@bridge/errors';
import type { AitableClient } from '@bridge/aitable';
import type { InsightCounter, SyncEventSink, SyncRepo } from '@bridge/db';
import type { Logger } from '@bridge/logger';
import type { Metrics } from '@bridge/metrics';
import type { MissionxApiClient } from '@bridge/missionx';
import type { RedisConnection } from '@bridge/queues';

/** Everything the use cases call; built once in main.ts (or by a test) and passed down. */
export interface WorkerDeps {
  aitable: AitableClient;
  missionx: MissionxApiClient;
  sync: SyncRepo;
  /** Where each attempt's result goes (batched, off the job's path). */
  history: SyncEventSink;
  /** Counts for the insight charts that no history row carries (batched, off the job's path). */
  counts: InsightCounter;
  /** For the per-record locks. */
  redis: RedisConnection;
  fields: FieldMapping;
  datasheets: ConfiguredDatasheets;
  locks: { ttlMs: number; busyDelayMs: number; prefix: string };
  /** How long a job waits out an outage of Postgres, Redis, AITable or MissionX before it spends attempts. */
  outage: OutagePolicy;
  /** How old a backfill scan's read of a record may be for its job to decide from it (see read-record.ts). */
  backfillReadMaxAgeMs: number;
  /** How a MissionX create whose answer was lost is looked for (see lead-client.ts). */
  lostCreates: { clockSkewMs: number; settleMs: number };
  logger: Logger;
  metrics: Metrics;
}
