import { AppError } from './app-error';

/**
 * The one place that turns errors into answers: an HTTP response for the ingest and
 * dashboard apps, and a retry decision for the workers.
 */
export interface HttpAnswer {
  status: number;
  body: { error: string; message: string; details?: Record<string, unknown> };
  headers: Record<string, string>;
}

export function toHttpAnswer(err: unknown): HttpAnswer {
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
 * - `delay`: wait `delayMs` and run again without spending an attempt.
 */
export type JobDecision = { action: 'fail' } | { action: 'retry' } | { action: 'delay'; delayMs: number };

export function toJobDecision(err: unknown): JobDecision {
  if (err instanceof AppError) {
    if (err.kind === 'permanent') return { action: 'fail' };
    if (err.kind === 'throttled') return { action: 'delay', delayMs: Math.max(50, err.retryAfterMs ?? 1000) };
  }
  // Unknown errors (bugs, driver errors we did not classify) get the bounded retries:
  // failing them at once would turn a blip into a manual replay.
  return { action: 'retry' };
}
