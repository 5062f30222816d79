import { JOBS } from '@bridge/queues';
import { processJob } from '../run-processor';
import { syncLead } from '../use-cases/sync-lead';
import type { EventHandler } from './handler';

/** `leads` queue: AITable lead events → MissionX portals. */
export const leadsHandler: EventHandler = {
  processor: (deps) => (job, token) => processJob(job, token, JOBS.leads, deps, (event, facts) => syncLead(event, facts, deps)),
  fields: ({ datasheets, fields }) => [[datasheets.leads, fields.lead]],
};
