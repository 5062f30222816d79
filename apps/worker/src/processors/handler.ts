import type { Processor } from 'bullmq';
import type { WorkerDeps } from '../deps';

/** What the worker needs of an event queue besides its catalog entry. */
export interface EventHandler {
  processor(deps: WorkerDeps): Processor;
  /** The datasheets (by id) and mapped field names its flows read or write, checked at start-up. */
  fields(deps: Pick<WorkerDeps, 'datasheets' | 'fields'>): [datasheetId: string, fieldNames: Record<string, string>][];
}
