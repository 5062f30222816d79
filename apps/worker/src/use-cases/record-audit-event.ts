import type { AitableEventJob } from '@bridge/queues';
import type { WorkerDeps } from '../deps';

/**
 * Audit Results records are written by the bridge, so their automation webhooks (which fire
 * for our own creates too) are echoes: recorded in the log and in the completed job, never acted on.
 */
export async function recordAuditEvent(event: AitableEventJob, deps: Pick<WorkerDeps, 'logger'>): Promise<'recorded'> {
  deps.logger.info('Audit Results webhook recorded, not acted on: the bridge writes that datasheet', {
    eventType: event.eventType ?? 'unknown',
  });
  return 'recorded';
}
