import { JOBS, type QueueName } from '@bridge/queues';
import { auditResultsHandler } from './audit-results';
import type { EventHandler } from './handler';
import { leadsHandler } from './leads';
import { ordersHandler } from './orders';

/** The handler of each event queue of the job catalog. */
export const HANDLERS = {
  [JOBS.leads.name]: leadsHandler,
  [JOBS.orders.name]: ordersHandler,
  [JOBS.auditResults.name]: auditResultsHandler,
} satisfies Record<QueueName, EventHandler>;
