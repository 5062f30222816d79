import { describeError, toJobDecision } from '@bridge/errors';
import type { QueueName } from '@bridge/queues';
import type { WorkerDeps } from './deps';
import { HANDLERS } from './processors';

/** The datasheets (and their mapped field names) the flows of these queues read or write. */
export function fieldsToCheck(queues: readonly QueueName[], deps: Pick<WorkerDeps, 'datasheets' | 'fields'>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [id, names] of queues.flatMap((q) => HANDLERS[q].fields(deps))) {
    out.set(id, [...new Set([...(out.get(id) ?? []), ...Object.values(names)])]);
  }
  return out;
}

/**
 * Start-up check: every mapped field exists in its datasheet. AITable silently drops writes to
 * unknown field names, so a typo in the mapping would lose data without a word. Throws the
 * client's `aitable_missing_fields` error, which names the datasheet and each missing field.
 */
export async function checkMappedFields(
  queues: readonly QueueName[],
  deps: Pick<WorkerDeps, 'datasheets' | 'fields' | 'aitable'>,
): Promise<void> {
  for (const [datasheetId, names] of fieldsToCheck(queues, deps)) await deps.aitable.checkFieldMapping(datasheetId, names);
}

/**
 * The start-up check, tried again while AITable's answer is a retriable one: a 429 storm or a 5xx
 * while a worker (re)starts must not stop it, or a restart during an incident becomes a crash loop.
 * Only a permanent answer (a missing field, a bad token) stops the start at once; after
 * `patienceMs` of retriable failures the last one is thrown.
 */
export async function checkMappedFieldsPatiently(
  queues: readonly QueueName[],
  deps: Pick<WorkerDeps, 'datasheets' | 'fields' | 'aitable' | 'logger'>,
  patienceMs = 120_000,
): Promise<void> {
  const giveUpAt = Date.now() + patienceMs;
  for (let waitMs = 500; ; waitMs = Math.min(waitMs * 2, 5000)) {
    try {
      return await checkMappedFields(queues, deps);
    } catch (err) {
      if (toJobDecision(err).action === 'fail' || Date.now() + waitMs > giveUpAt) throw err;
      deps.logger.warn('start-up field check could not reach an answer; trying again', { error: describeError(err), waitMs });
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
