/**
 * Whether trying again can help:
 * - `permanent`: the same input will fail the same way (bad token, unknown record, invalid field).
 * - `transient`: the other side may recover (5xx, timeout, connection refused).
 * - `throttled`: the other side asked us to slow down; waiting does not use up an attempt.
 */
export type RetryKind = 'permanent' | 'transient' | 'throttled';

export interface AppErrorOptions {
  /** Stable machine-readable code, matched by callers instead of message text. */
  code: string;
  kind: RetryKind;
  /** Status an HTTP caller should see. @defaultValue 500 */
  httpStatus?: number;
  /** For `throttled`: how long to wait before the next try. */
  retryAfterMs?: number;
  /** Safe, structured facts for logs and API answers (never secrets). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** The one error type every package throws for failures it understands. */
export class AppError extends Error {
  readonly code: string;
  readonly kind: RetryKind;
  readonly httpStatus: number;
  readonly retryAfterMs: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, opts: AppErrorOptions) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = opts.code;
    this.kind = opts.kind;
    this.httpStatus = opts.httpStatus ?? 500;
    this.retryAfterMs = opts.retryAfterMs;
    this.details = opts.details;
  }

  get retriable(): boolean {
    return this.kind !== 'permanent';
  }

  /**
   * A service we depend on is down (Postgres, Redis, AITable, MissionX), not this job's input:
   * a transient error whose code ends in `_unavailable`, the convention every package follows
   * (`db_unavailable`, `queue_unavailable`, `aitable_unavailable`, `missionx_unavailable`, …).
   * Workers wait such outages out without spending attempts (toJobDecision).
   */
  get outage(): boolean {
    return this.kind === 'transient' && this.code.endsWith('_unavailable');
  }
}

export const permanent = (code: string, message: string, extra: Omit<AppErrorOptions, 'code' | 'kind'> = {}) =>
  new AppError(message, { ...extra, code, kind: 'permanent' });

export const transient = (code: string, message: string, extra: Omit<AppErrorOptions, 'code' | 'kind'> = {}) =>
  new AppError(message, { httpStatus: 503, ...extra, code, kind: 'transient' });

export const throttled = (
  code: string,
  message: string,
  retryAfterMs: number,
  extra: Omit<AppErrorOptions, 'code' | 'kind' | 'retryAfterMs'> = {},
) => new AppError(message, { httpStatus: 429, ...extra, code, kind: 'throttled', retryAfterMs });

export const isAppError = (err: unknown): err is AppError => err instanceof AppError;

/** A short human message for any thrown value, for logs and sync rows. */
export function describeError(err: unknown): string {
  if (err instanceof AppError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * What a failed HTTP call's transport says: a timeout (the request may still have been
 * applied) or a network error (refused, reset, DNS). Reads the Node/axios `code` only.
 */
export function describeTransportFailure(
  err: unknown,
  timeoutMs: number,
): { status: 'timeout' | 'network'; reason: string; code?: string } {
  const raw = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  const code = typeof raw === 'string' ? raw : undefined;
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') return { status: 'timeout', reason: `timed out after ${timeoutMs} ms`, code };
  return {
    status: 'network',
    reason: `network error ${code ?? (err instanceof Error ? err.message : 'unknown')}`,
    ...(code ? { code } : {}),
  };
}
