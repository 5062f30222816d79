import { JOBS } from '@bridge/queues';
import { processJob } from '../run-processor';
import { syncOrder } from '../use-cases/sync-order';
import type { EventHandler } from './handler';

/** `orders` queue: won or active orders open their lead's portal. */
export const ordersHandler: EventHandler = {
  processor: (deps) => (job, token) => processJob(job, token, JOBS.orders, deps, (event, facts) => syncOrder(event, facts, deps)),
  fields: ({ datasheets, fields }) => [
    [datasheets.orders, fields.order],
    [datasheets.leads, fields.lead], // an order writes its lead's portal
  ],
};
