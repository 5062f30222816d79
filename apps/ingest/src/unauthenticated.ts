import { throttled, type AppError } from '@bridge/errors';
import { createFailureLimit, type FailureLimit, type LimitStore } from '@bridge/http-server';
import type { IngestConfig, IngestDeps } from './deps';
import { noteDelivery, type DeliveryFacts } from './note-delivery';

/** What unauthenticated requests may cost: a count per client address, and a budget of rows for all of them. */
export interface UnauthenticatedLimits {
  perSource: FailureLimit;
  /** Rows kept per minute for unauthenticated rejects, across every source and process. */
  stored: FailureLimit;
}

export function unauthenticatedLimitsFromConfig(config: IngestConfig, store: LimitStore): UnauthenticatedLimits {
  const prefix = `${config.QUEUE_PREFIX}:limits:ingest-unauth`;
  return {
    perSource: createFailureLimit({
      store,
      keyPrefix: `${prefix}-source`,
      points: config.INGEST_UNAUTH_LIMIT,
      windowSeconds: config.INGEST_UNAUTH_WINDOW_SECONDS,
    }),
    stored: createFailureLimit({ store, keyPrefix: `${prefix}-stored`, points: config.INGEST_UNAUTH_STORED_PER_MINUTE, windowSeconds: 60 }),
  };
}

/** One request that did not authenticate (or could not be read before it could): what it was and how it is answered. */
export interface Unauthenticated {
  reason: string;
  detail: string;
  error: AppError;
}

/**
 * Answers a request that did not authenticate, and makes it cost little: counted per client
 * address (`client`, see sourceKey), the one past INGEST_UNAUTH_LIMIT and those after it are
 * answered 429 with Retry-After instead, and only INGEST_UNAUTH_STORED_PER_MINUTE of them get a
 * delivery row: the rest are counted (bridge_unauthenticated_rejects_unstored_total) and not
 * logged one by one. Valid deliveries never come here, so they cost no Redis command for it.
 * Resolves with the error to answer with.
 */
export async function refuseUnauthenticated(deps: IngestDeps, facts: DeliveryFacts, client: string, r: Unauthenticated): Promise<AppError> {
  const wait = await deps.limits.perSource.fail(client);
  const error =
    wait > 0 ? throttled('too_many_unauthenticated', `Too many unauthenticated requests; try again in ${wait} s.`, wait * 1000) : r.error;
  const o = { outcome: 'rejected' as const, reason: wait > 0 ? 'rate_limited' : r.reason, detail: r.detail, httpStatus: error.httpStatus };
  const keepRow = wait === 0 && (await deps.limits.stored.fail('all')) === 0;
  noteDelivery(deps, facts, o, { keepRow });
  if (!keepRow) deps.metrics.unauthenticatedUnstored.inc({ source: facts.source, status: String(o.httpStatus) });
  return error;
}
