import { AppError, permanent } from './app-error';

/**
 * The one place that turns errors into answers: an HTTP response for the ingest and
 * dashboard apps, and a retry decision for the workers.
 */
export interface HttpAnswer {
  status: number;
  body: { error: string; message: string; details?: Record<string, unknown> };
  headers: Record<string, string>;
}

interface HttpErrorShape {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  expose?: unknown;
  message?: unknown;
}

/**
 * Errors raised by Express and body-parser (http-errors with a 4xx status) as AppErrors, so
 * one mapping answers every error. Anything else is returned as it is (and answers 500).
 * `bodyLimit` only makes the 413 message name the limit.
 */
export function fromHttpError(err: unknown, bodyLimit?: number): unknown {
  if (err instanceof AppError || typeof err !== 'object' || err === null) return err;
  const e = err as HttpErrorShape;
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status === undefined || status < 400 || status >= 500) return err;
  if (e.type === 'entity.too.large') {
    return permanent('body_too_large', `Body larger than the limit${bodyLimit ? ` of ${bodyLimit} bytes` : ''}`, { httpStatus: 413 });
  }
  if (e.type === 'encoding.unsupported') return permanent('unsupported_media_type', 'Unsupported content encoding', { httpStatus: 415 });
  const message = e.expose === true && typeof e.message === 'string' ? e.message : 'Bad request';
  return permanent('bad_request', message, { httpStatus: status });
}

export function toHttpAnswer(error: unknown): HttpAnswer {
  const err = fromHttpError(error);
  if (err instanceof AppError) {
    const headers: Record<string, string> = {};
    if (err.retryAfterMs !== undefined || err.httpStatus === 503) {
      headers['Retry-After'] = String(Math.max(1, Math.ceil((err.retryAfterMs ?? 1000) / 1000)));
    }
    return {
      status: err.httpStatus,
      body: { error: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
      headers,
    };
  }
  // Unknown errors may carry internals (SQL, stack, hostnames): never echo them.
  return { status: 500, body: { error: 'internal_error', message: 'Internal server error' }, headers: {} };
}

/**
 * What a worker does with a failed attempt:
 * - `fail`: stop now, keep the job in the failed set for replay (no retry can help);
 * - `retry`: spend an attempt and back off exponentially;
 * - `delay`: wait `delayMs` and run again without spending an attempt. With `outageSince` the
 *   delay waits out an outage, and the job must remember that instant (its budget starts there).
 */
export type JobDecision = { action: 'fail' } | { action: 'retry' } | { action: 'delay'; delayMs: number; outageSince?: number };

/** How long a job waits out outages of the services it needs before they spend its attempts. */
export interface OutagePolicy {
  /** From the job's first outage failure; after it an outage error is a normal attempt. */
  budgetMs: number;
  /** First wait; doubles with each outage delay of the job. */
  delayMs: number;
  /** Longest single wait: how late a job may notice that the service is back. */
  maxDelayMs: number;
}

/** A job's outage history (kept with the job, so it survives worker restarts) and the policy. */
export interface OutageContext {
  /** When the job first failed for an outage, epoch ms; undefined before that. */
  since: number | undefined;
  /** Outage delays the job has had. */
  delays: number;
  policy: OutagePolicy;
  now: number;
}

export function toJobDecision(err: unknown, outage?: OutageContext): JobDecision {
  if (err instanceof AppError) {
    if (err.kind === 'permanent') return { action: 'fail' };
    if (err.kind === 'throttled') return { action: 'delay', delayMs: Math.max(50, err.retryAfterMs ?? 1000) };
    if (err.outage && outage) {
      const since = outage.since ?? outage.now;
      if (outage.now - since < outage.policy.budgetMs) {
        const delayMs = Math.min(outage.policy.maxDelayMs, outage.policy.delayMs * 2 ** Math.min(outage.delays, 30));
        return { action: 'delay', delayMs, outageSince: since };
      }
    }
  }
  // Unknown errors (bugs, driver errors we did not classify) get the bounded retries:
  // failing them at once would turn a blip into a manual replay.
  return { action: 'retry' };
}
