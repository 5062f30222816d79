import { leadsJobSchema } from '@bridge/queues';
import type { Processor } from 'bullmq';
import type { WorkerDeps } from '../deps';
import { processJob } from '../run-processor';
import { syncLead } from '../use-cases/sync-lead';

/** `leads` queue: AITable lead events → MissionX portals. */
export const leadsProcessor =
  (deps: WorkerDeps): Processor =>
  (job, token) =>
    processJob(job, token, leadsJobSchema, deps, (event, facts) => syncLead(event, facts, deps));
