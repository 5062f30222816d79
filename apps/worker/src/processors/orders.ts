import { ordersJobSchema } from '@bridge/queues';
import type { Processor } from 'bullmq';
import type { WorkerDeps } from '../deps';
import { processJob } from '../run-processor';
import { syncOrder } from '../use-cases/sync-order';

/** `orders` queue: won or active orders open their lead's portal. */
export const ordersProcessor =
  (deps: WorkerDeps): Processor =>
  (job, token) =>
    processJob(job, token, ordersJobSchema, deps, (event, facts) => syncOrder(event, facts, deps));
