import { AppError, describeTransportFailure, permanent, throttled, transient } from '@bridge/errors';
import type { AitableOperation } from './options';

/** Stable codes of every AppError this package throws. */
export const AITABLE_ERROR_CODES = {
  unauthorized: 'aitable_unauthorized',
  forbidden: 'aitable_forbidden',
  datasheetNotFound: 'aitable_datasheet_not_found',
  recordNotFound: 'aitable_record_not_found',
  badRequest: 'aitable_bad_request',
  notFound: 'aitable_not_found',
  rejected: 'aitable_rejected',
  throttled: 'aitable_throttled',
  unavailable: 'aitable_unavailable',
  badResponse: 'aitable_bad_response',
  limiterUnavailable: 'aitable_rate_limiter_unavailable',
  missingFields: 'aitable_missing_fields',
  invalidInput: 'aitable_invalid_input',
} as const;

/** What a failed call was doing; every message names it. */
export interface CallContext {
  operation: AitableOperation;
  datasheetId: string;
  recordIds?: readonly string[];
}

export function describeCall(ctx: CallContext): string {
  const ids = ctx.recordIds?.length ? ` (record${ctx.recordIds.length > 1 ? 's' : ''} ${ctx.recordIds.join(', ')})` : '';
  return `${ctx.operation} on datasheet ${ctx.datasheetId}${ids}`;
}

const detailsOf = (ctx: CallContext, extra: Record<string, unknown>) => ({
  operation: ctx.operation,
  datasheetId: ctx.datasheetId,
  ...(ctx.recordIds?.length ? { recordIds: [...ctx.recordIds] } : {}),
  ...extra,
});

/**
 * Maps a failed answer to an AppError. `code` is the envelope code when the body was an
 * envelope, else the HTTP status: AITable reports most errors as HTTP 200 + `success:false`.
 */
export function errorFromAnswer(ctx: CallContext, code: number, aitableMessage: string, httpStatus: number): AppError {
  const what = describeCall(ctx);
  const said = aitableMessage ? `: ${aitableMessage}` : '';
  const details = detailsOf(ctx, { aitableCode: code, httpStatus, ...(aitableMessage ? { aitableMessage } : {}) });
  if (code === 401) {
    return permanent(AITABLE_ERROR_CODES.unauthorized, `AITable rejected the API key (401) for ${what}; check AITABLE_API_KEY`, {
      details,
    });
  }
  if (code === 403) {
    return permanent(
      AITABLE_ERROR_CODES.forbidden,
      `AITable refused ${what} (403)${said}; the API key has no access to this datasheet or the monthly API quota is used up`,
      { details },
    );
  }
  if (code === 301) {
    return permanent(
      AITABLE_ERROR_CODES.datasheetNotFound,
      `AITable datasheet ${ctx.datasheetId} does not exist or is not visible to the API key (301) during ${ctx.operation}`,
      { details },
    );
  }
  if (code === 400) return permanent(AITABLE_ERROR_CODES.badRequest, `AITable rejected ${what} (400)${said}`, { details });
  if (code === 404) return permanent(AITABLE_ERROR_CODES.notFound, `AITable has no such route for ${what} (404)${said}`, { details });
  if (code === 429) return throttledError(ctx, 0, 1000);
  if (code >= 500 || code === 408) {
    return transient(AITABLE_ERROR_CODES.unavailable, `AITable failed ${what} (${code})${said}`, { details });
  }
  if (code >= 400) return permanent(AITABLE_ERROR_CODES.rejected, `AITable rejected ${what} (${code})${said}`, { details });
  // A 2xx/3xx status without a usable envelope: most likely a proxy page or a truncated body.
  return badResponse(ctx, `unexpected code ${code}${said}`);
}

export function throttledError(ctx: CallContext, retries: number, retryAfterMs: number): AppError {
  return throttled(
    AITABLE_ERROR_CODES.throttled,
    `AITable kept answering 429 to ${describeCall(ctx)} after ${retries} in-client retries`,
    retryAfterMs,
    { details: detailsOf(ctx, { retries }) },
  );
}

/**
 * Malformed answers are transient: they come from proxies, truncated bodies or a passing
 * outage far more often than from a changed API, and the job's bounded retries still end
 * in the failed set if the shape really changed.
 */
export function badResponse(ctx: CallContext, problem: string): AppError {
  return transient(AITABLE_ERROR_CODES.badResponse, `AITable answered ${describeCall(ctx)} with an unexpected body: ${problem}`, {
    details: detailsOf(ctx, {}),
  });
}

/** Timeouts, refused connections, resets: the request may or may not have reached AITable. */
export function errorFromTransport(ctx: CallContext, err: unknown, timeoutMs: number): { error: AppError; status: string } {
  const { status, reason, code } = describeTransportFailure(err, timeoutMs);
  // The axios error is not kept as `cause`: its config carries the Authorization header.
  const error = transient(AITABLE_ERROR_CODES.unavailable, `AITable call ${describeCall(ctx)} failed: ${reason}`, {
    details: detailsOf(ctx, { transport: status, ...(code ? { errorCode: code } : {}) }),
  });
  return { error, status };
}

/** Removes the API key from any text that may reach a log or a sync row. */
export function scrubSecret(text: string, secret: string): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}
